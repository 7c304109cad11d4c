package reports

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/survey"
	"github.com/xuri/excelize/v2"
)

// zipParts reads every part of a file.
func zipParts(t *testing.T, data []byte) (names []string, parts map[string][]byte) {
	t.Helper()
	u := unzipPackage(t, data)
	return u.names, u.files
}

// TestSummaryChartsAsExcelizeWrites: the workbook whose summary charts are
// written from the template (xlsx_chartparts.go) has the very parts, in
// the same order and byte for byte, of the one whose charts excelize's
// AddChart made — the chart parts, the drawing, its relationships and the
// content types included — in both languages, for the real questionnaire
// and for the test one, with and without personal data and earlier rounds
// (whose "Dinamika" charts AddChart still makes, numbered after the
// summary's).
func TestSummaryChartsAsExcelizeWrites(t *testing.T) {
	t.Parallel()
	def, rows := xlsxRows(t)
	real := benchData(t, 43)
	gen := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	type input struct {
		def *survey.Definition
		src Source
		opt XLSXOptions
	}
	rounds := trendRounds(t)
	cases := map[string]input{
		"regional, 43, coordinator": {real.def, sliceSource(real.rows, nil), benchOptions},
		"regional, 43, viewer, en":  {real.def, sliceSource(real.rows, nil), XLSXOptions{Lang: "en", Generated: gen}},
		"test, coordinator":         {def, sliceSource(rows, nil), XLSXOptions{Personal: true, Status: xlsxStatus, Generated: gen}},
		"test, drafts too, en": {def, sliceSource(rows, nil), XLSXOptions{Lang: "en", Generated: gen,
			Filter: Filter{Statuses: []string{domain.StatusSubmitted, domain.StatusDraft}}}},
		"test, one region": {def, sliceSource(rows, nil), XLSXOptions{Generated: gen, Filter: Filter{PlanningRegion: "Kurzemes"}}},
		"trends": {rounds[1].Definition, func() Rows { return rounds[1].Rows }, XLSXOptions{Generated: gen,
			Earlier: rounds[:1], Slug: "trend-2026"}},
	}
	for name, c := range cases {
		var fast, slow bytes.Buffer
		if err := writeXLSXWith(context.Background(), &fast, c.def, c.src, c.opt, excelize.TotalRows, memoBudget, false); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := writeXLSXWith(context.Background(), &slow, c.def, c.src, c.opt, excelize.TotalRows, memoBudget, true); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// excelize writes the streamed sheets, and the image types among
		// the content types, in the order of a map: those orders differ
		// from one file to the next whoever makes the charts.
		fastNames, fastParts := zipParts(t, fast.Bytes())
		slowNames, slowParts := zipParts(t, slow.Bytes())
		slices.Sort(fastNames)
		slices.Sort(slowNames)
		for _, p := range []map[string][]byte{fastParts, slowParts} {
			p["[Content_Types].xml"] = sortDefaults(p["[Content_Types].xml"])
		}
		if !slices.Equal(fastNames, slowNames) {
			t.Errorf("%s: parts\n%q\nwant (AddChart's)\n%q", name, fastNames, slowNames)
			continue
		}
		charts := 0
		for _, n := range slowNames {
			if strings.HasPrefix(n, "xl/charts/chart") {
				charts++
			}
			if !bytes.Equal(fastParts[n], slowParts[n]) {
				t.Errorf("%s: %s differs from AddChart's:\n%s", name, n, firstDiff(fastParts[n], slowParts[n]))
			}
		}
		if charts < 2 {
			t.Errorf("%s: %d chart parts: nothing compared", name, charts)
		}
	}
}

// sortDefaults puts the <Default> elements of the content types in order.
func sortDefaults(ct []byte) []byte {
	re := regexp.MustCompile(`<Default [^>]*></Default>`)
	loc := re.FindAllIndex(ct, -1)
	if len(loc) == 0 {
		return ct
	}
	var defs []string
	for _, l := range loc {
		defs = append(defs, string(ct[l[0]:l[1]]))
	}
	slices.Sort(defs)
	first, last := loc[0][0], loc[len(loc)-1][1]
	return slices.Concat(ct[:first], []byte(strings.Join(defs, "")), ct[last:])
}

// firstDiff shows where two parts first differ.
func firstDiff(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(i-120, 0)
	return fmt.Sprintf("at byte %d:\n  got  …%s\n  want …%s", i, a[lo:min(i+120, len(a))], b[lo:min(i+120, len(b))])
}

// TestChartXMLEscapes: titles and references with characters XML must
// escape come out as AddChart writes them.
func TestChartXMLEscapes(t *testing.T) {
	t.Parallel()
	for i, title := range []string{`Tom & "Jerry" <b>'s</b>`, "two\nlines\tand\r", "ā — ē", "bad \x01 rune \uFFFE"} {
		sheet := "Pašvaldību 'dati' & <citi>"
		series := []excelize.ChartSeries{{Name: fmt.Sprintf("%s!$C$4", quoteSheet(sheet)),
			Categories: columnRange(sheet, 2, 5, 8), Values: columnRange(sheet, 3, 5, 8)}}
		if i%2 == 1 {
			series = append(series, excelize.ChartSeries{Name: fmt.Sprintf("%s!$D$4", quoteSheet(sheet)),
				Categories: columnRange(sheet, 2, 5, 8), Values: columnRange(sheet, 4, 5, 8)})
		}
		for _, kind := range []excelize.ChartType{excelize.Bar, excelize.BarStacked, excelize.Col} {
			c := summaryChart{kind: kind, title: title, series: series}
			f := excelize.NewFile()
			if err := f.AddChart("Sheet1", "H3", c.excelize()); err != nil {
				t.Fatal(err)
			}
			want, _ := f.Pkg.Load("xl/charts/chart1.xml")
			f.Close()
			var got bytes.Buffer
			writeChartXML(&got, &c)
			if !bytes.Equal(got.Bytes(), want.([]byte)) {
				t.Errorf("%q, kind %d, %d series:\n%s", title, kind, len(series), firstDiff(got.Bytes(), want.([]byte)))
			}
		}
	}
}

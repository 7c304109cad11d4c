package reports

import (
	"archive/zip"
	"bytes"
	"html"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// trendBook writes the 2026 round's workbook with the 2025 round as the
// earlier one (trendRounds' data set).
func trendBook(t *testing.T, lang string) (*excelize.File, []byte) {
	t.Helper()
	rounds := trendRounds(t)
	cur := rounds[1]
	var buf bytes.Buffer
	err := WriteXLSX(&buf, cur.Definition, func() Rows { return cur.Rows }, XLSXOptions{Lang: lang,
		Generated: time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC), Earlier: rounds[:1], Slug: "trend-2026"})
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f, buf.Bytes()
}

func TestWorkbookTrendSheet(t *testing.T) {
	f, data := trendBook(t, "lv")
	if got := f.GetSheetList(); !slices.Equal(got, []string{SheetSummary, SheetTrend, SheetWide, SheetLong, SheetCodebook, SheetStatus}) {
		t.Fatalf("sheets %v", got)
	}
	rows, err := f.GetRows(SheetTrend, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	cell := func(r, c int) string {
		if r < len(rows) && c < len(rows[r]) {
			return rows[r][c]
		}
		return ""
	}
	if h := rows[3][:7]; !slices.Equal(h, []string{"Pašvaldība", "Kārta", "Pārskata gads", "Sērija", "Kods kārtā", "Atbildes varianta kods", "Vērtība"}) {
		t.Errorf("long-form header %q", h)
	}
	// The long form: the 23 figures of TestTrendsByHand (7 indicator
	// values, 9 options of forms, 7 of status), each with its round.
	long := map[string]int{}
	n := 0
	for r := 4; r < len(rows) && cell(r, 0) != ""; r++ {
		n++
		long[cell(r, 1)+"|"+cell(r, 2)+"|"+cell(r, 3)+"|"+cell(r, 4)]++
		if cell(r, 0) == "m5" {
			t.Errorf("row %d: a response that is not submitted", r+1)
		}
		if cell(r, 3) == "per_ngo" && cell(r, 0) == "m1" && cell(r, 1) == "trend-2025" && cell(r, 6) != "100" {
			t.Errorf("m1's 2025 per_ngo is %q, want 100", cell(r, 6))
		}
		if cell(r, 3) == "forms" && cell(r, 5) == "rooms" && cell(r, 6) != "Telpas" {
			t.Errorf("option label %q", cell(r, 6))
		}
	}
	if n != 23 || long["trend-2025|2025|per_ngo|per_ngo"] != 3 || long["trend-2026|2026|per_ngo|per_ngo"] != 4 ||
		long["trend-2025|2025|status (2025)|status"] != 4 || long["trend-2026|2026|status (2026)|status"] != 3 {
		t.Errorf("long form: %d rows %v", n, long)
	}

	// The medians table: I5 is the header, the rounds' years after it.
	const I = 8
	if cell(4, I) != "Rādītājs" || cell(4, I+1) != "2025" || cell(4, I+2) != "2026" {
		t.Errorf("medians header %q %q %q", cell(4, I), cell(4, I+1), cell(4, I+2))
	}
	if cell(5, I+1) != "4" || cell(5, I+2) != "4" {
		t.Errorf("responses %q %q", cell(5, I+1), cell(5, I+2))
	}
	if !strings.HasPrefix(cell(6, I), "per_ngo — ") || cell(6, I+1) != "100" || cell(6, I+2) != "200" {
		t.Errorf("per_ngo medians: %q %q %q", cell(6, I), cell(6, I+1), cell(6, I+2))
	}
	// The shares: status 2025 has figures in 2025 only, status 2026 in 2026 only.
	for r := range rows {
		switch {
		case strings.HasPrefix(cell(r, I), "status (2025)"):
			if cell(r+1, I+1) != "4" || cell(r+1, I+2) != "" || cell(r+2, I+1) != "75" || cell(r+2, I+2) != "" {
				t.Errorf("status 2025 shares: %q", rows[r+1:r+4])
			}
		case strings.HasPrefix(cell(r, I), "status (2026)"):
			if cell(r+1, I+1) != "" || cell(r+1, I+2) != "3" || cell(r+2, I+1) != "" {
				t.Errorf("status 2026 shares: %q", rows[r+1:r+4])
			}
		}
	}

	// One native line chart of the medians, reading the table's row.
	lines := 0
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	reF := regexp.MustCompile(`<(?:c:)?(cat|val)>.*?<(?:c:)?f>([^<]*)</(?:c:)?f>`)
	reLine := regexp.MustCompile(`<(?:c:)?lineChart>`)
	for _, zf := range zr.File {
		if !reChart.MatchString(zf.Name) {
			continue
		}
		rc, _ := zf.Open()
		x, _ := io.ReadAll(rc)
		rc.Close()
		if !reLine.Match(x) {
			continue
		}
		lines++
		refs := map[string]string{}
		for _, m := range reF.FindAllSubmatch(x, -1) {
			refs[string(m[1])] = html.UnescapeString(string(m[2]))
		}
		if refs["cat"] != "'Dinamika'!$J$5:$K$5" || refs["val"] != "'Dinamika'!$J$7:$K$7" {
			t.Errorf("line chart reads %v", refs)
		}
		if !bytes.Contains(x, []byte("EUR uz NVO: mediāna pa kārtām")) {
			t.Errorf("line chart title missing: %s", x)
		}
	}
	if lines != 1 {
		t.Errorf("%d line charts, want 1 (per_ngo)", lines)
	}
}

func TestWorkbookTrendSheetOnlyWithEarlierRounds(t *testing.T) {
	rounds := trendRounds(t)
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, rounds[1].Definition, func() Rows { return rounds[1].Rows }, XLSXOptions{}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if slices.Contains(f.GetSheetList(), SheetTrend) {
		t.Error("a one-round workbook has the trend sheet")
	}
}

func TestWorkbookTrendSheetEnglish(t *testing.T) {
	f, _ := trendBook(t, "en")
	v, _ := f.GetCellValue(SheetTrend, "A1")
	h, _ := f.GetCellValue(SheetTrend, "D4")
	if v != "Trends across rounds" || h != "Series" {
		t.Errorf("English sheet: %q, %q", v, h)
	}
}

package reports

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/survey"
	"github.com/xuri/excelize/v2"
)

// TestColumnsAscending: every sheet's <col> elements come in ascending,
// non-overlapping order, as the file format wants them (excelize writes a
// streamed sheet's columns in the reverse order of the calls that set
// them, so they are set right to left).
func TestColumnsAscending(t *testing.T) {
	t.Parallel()
	def, rows := xlsxRows(t)
	rounds := trendRounds(t)
	gen := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	col := regexp.MustCompile(`<col min="(\d+)" max="(\d+)"`)
	for name, c := range map[string]struct {
		def  *survey.Definition
		src  Source
		opt  XLSXOptions
		rows int
	}{
		"every sheet": {def, sliceSource(rows, nil), XLSXOptions{Personal: true, Status: xlsxStatus, Generated: gen}, excelize.TotalRows},
		"trends":      {rounds[1].Definition, func() Rows { return rounds[1].Rows }, XLSXOptions{Generated: gen, Earlier: rounds[:1], Slug: "trend-2026"}, excelize.TotalRows},
		// The long sheet continued on numbered sheets.
		"paged": {def, sliceSource(rows, nil), XLSXOptions{Generated: gen}, 6},
	} {
		var buf bytes.Buffer
		if err := writeXLSXWith(context.Background(), &buf, c.def, c.src, c.opt, c.rows, memoBudget, false); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		names, parts := zipParts(t, buf.Bytes())
		sheets := 0
		for _, n := range names {
			if !strings.HasPrefix(n, "xl/worksheets/sheet") {
				continue
			}
			sheets++
			last := 0
			for _, m := range col.FindAllSubmatch(parts[n], -1) {
				lo, _ := strconv.Atoi(string(m[1]))
				hi, _ := strconv.Atoi(string(m[2]))
				if lo <= last || hi < lo {
					t.Errorf("%s: %s has <col min=%d max=%d> after a column up to %d", name, n, lo, hi, last)
				}
				last = hi
			}
		}
		if sheets < 4 {
			t.Errorf("%s: %d sheets", name, sheets)
		}
	}
}

// TestColWidthsAtOnce: a streamed sheet whose column widths setColsFlat
// set at once is written byte for byte as one whose widths were set by
// excelize's SetColWidth, run by run, for runs of one column and of
// several, up to the last column a sheet has; and setColsFlat does set
// them (it does nothing, and says so, once a row is written).
func TestColWidthsAtOnce(t *testing.T) {
	t.Parallel()
	sheet := func(cols []colWidth, atOnce bool) []byte {
		t.Helper()
		f := excelize.NewFile()
		defer f.Close()
		sw, err := f.NewStreamWriter("Sheet1")
		if err != nil {
			t.Fatal(err)
		}
		if atOnce {
			if !setColsFlat(sw, cols) {
				t.Fatal("setColsFlat did not set the widths (has excelize changed?)")
			}
		} else if err := setColWidthsByCalls(sw, cols); err != nil {
			t.Fatal(err)
		}
		if err := sw.SetRow("A1", []any{"a", 1, 2.5}); err != nil {
			t.Fatal(err)
		}
		if setColsFlat(sw, cols) {
			t.Error("setColsFlat set widths after a row")
		}
		if err := sw.Flush(); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := f.Write(&buf); err != nil {
			t.Fatal(err)
		}
		_, parts := zipParts(t, buf.Bytes())
		return parts["xl/worksheets/sheet1.xml"]
	}
	wide := []colWidth{{1, 1, 20}, {2, 2, 26}, {3, 6, 14}, {7, 7, 17.5}, {8, 18, 11}, {19, 19, 60}, {20, 24, 14}}
	for name, cols := range map[string][]colWidth{
		"codebook": eachColumn(22, 10, 50, 50, 10, 45, 34, 34, 10),
		"runs":     wide,
		"to the last column": {{1, 3, 12}, {excelize.MaxColumns - 2, excelize.MaxColumns - 1, 9},
			{excelize.MaxColumns, excelize.MaxColumns, 30}},
	} {
		got, want := sheet(cols, true), sheet(cols, false)
		if !bytes.Equal(got, want) {
			t.Errorf("%s: %s", name, firstDiff(got, want))
		}
		if !strings.Contains(string(want), `<col min="2" max="2" width=`) && name != "to the last column" {
			t.Errorf("%s: no column of its own in %.300s", name, want)
		}
	}
}

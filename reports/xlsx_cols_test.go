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

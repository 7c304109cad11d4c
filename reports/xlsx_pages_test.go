package reports

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/civitas-lv/surveyd/survey"
	"github.com/xuri/excelize/v2"
)

// pagedBook writes a workbook with sheets of limit rows and opens it; it
// keeps no rows between passes (memo 0), as for an export too big for that.
func pagedBook(t *testing.T, def *survey.Definition, src Source, opt XLSXOptions, limit int) (*excelize.File, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := writeXLSX(context.Background(), &buf, def, src, opt, limit, 0); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f, buf.Bytes()
}

// dataRows are the rows of a sheet's pages after their header rows, in
// order: page one's after first, the others' after next.
func dataRows(t *testing.T, f *excelize.File, sheet string, pages, first, next, limit int) [][]string {
	t.Helper()
	var out [][]string
	for k := range pages {
		rows, err := f.GetRows(pageName(sheet, k), excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		head := first
		if k > 0 {
			head = next
		}
		if len(rows) > limit {
			t.Errorf("%s: %d rows, more than the %d a sheet holds", pageName(sheet, k), len(rows), limit)
		}
		if k < pages-1 && len(rows) != limit {
			t.Errorf("%s: %d rows before the next page, want %d", pageName(sheet, k), len(rows), limit)
		}
		out = append(out, rows[min(head, len(rows)):]...)
	}
	return out
}

// TestWorkbookContinuesPastTheRowLimit: the wide and long sheets continue
// on numbered sheets when their rows pass what a sheet holds, each page
// with the header again; together the pages hold exactly the rows of one
// unlimited sheet, each declares its range, and the summary says where
// each sheet continues.
func TestWorkbookContinuesPastTheRowLimit(t *testing.T) {
	t.Parallel()
	in := benchData(t, 40)
	opt := XLSXOptions{Personal: true, Generated: generated}
	src := sliceSource(in.rows, nil)
	whole, _ := pagedBook(t, in.def, src, opt, excelize.TotalRows)
	const limit = 300
	f, data := pagedBook(t, in.def, src, opt, limit)

	wideAll, err := whole.GetRows(SheetWide, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	longAll, err := whole.GetRows(SheetLong, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	longPages := 1 + (len(longAll)-1-(limit-1)+limit-2)/(limit-1)
	if longPages < 3 {
		t.Fatalf("only %d long rows: not enough to continue", len(longAll))
	}
	want := []string{SheetSummary, SheetWide}
	for k := range longPages {
		want = append(want, pageName(SheetLong, k))
	}
	want = append(want, SheetCodebook, SheetStatus)
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Fatalf("sheets %q, want %q", got, want)
	}
	if n := len("Atbildes (garā forma) 99"); n > 31 {
		t.Errorf("a page's name is %d bytes", n)
	}
	for k := range longPages {
		rows, _ := f.GetRows(pageName(SheetLong, k))
		if !slices.Equal(rows[0], longAll[0]) {
			t.Errorf("%s: header %q", pageName(SheetLong, k), rows[0])
		}
	}
	if got := dataRows(t, f, SheetLong, longPages, 1, 1, limit); !slices.EqualFunc(got, longAll[1:], slices.Equal) {
		t.Errorf("the long pages hold %d rows, not the %d of one sheet in order", len(got), len(longAll)-1)
	}

	// The wide sheet too, with a smaller limit.
	const wideLimit = 12
	g, gdata := pagedBook(t, in.def, src, opt, wideLimit)
	widePages := 4 // 40 responses, 10 a page
	for k := range widePages {
		rows, _ := g.GetRows(pageName(SheetWide, k), excelize.Options{RawCellValue: true})
		if !slices.Equal(rows[0], wideAll[0]) || !slices.Equal(rows[1], wideAll[1]) {
			t.Errorf("%s: header rows differ", pageName(SheetWide, k))
		}
	}
	if got := dataRows(t, g, SheetWide, widePages, 2, 2, wideLimit); !slices.EqualFunc(got, wideAll[2:], slices.Equal) {
		t.Errorf("the wide pages hold %d rows, not the %d of one sheet in order", len(got), len(wideAll)-2)
	}
	if _, err := g.GetRows(pageName(SheetWide, widePages)); err == nil {
		t.Errorf("an empty page %s", pageName(SheetWide, widePages))
	}

	for name, data := range map[string][]byte{"long": data, "wide": gdata} {
		declared, used := sheetRanges(t, data)
		for part, u := range used {
			if d := declared[part]; d != u {
				t.Errorf("%s: %s declares %q, its cells span %q", name, part, d, u)
			}
		}
	}
	summary := strings.Join(flat(t, f, SheetSummary), "\n")
	if !strings.Contains(summary, "Lapas „Atbildes (garā forma)” rindas turpinās lapās: Atbildes (garā forma) 2, Atbildes (garā forma) 3") {
		t.Errorf("the summary does not say where the long sheet continues:\n%s", summary)
	}
	if strings.Contains(summary, "„Atbildes” rindas") {
		t.Errorf("the summary says the wide sheet continues")
	}
	if s := strings.Join(flat(t, g, SheetSummary), "\n"); !strings.Contains(s, fmt.Sprintf("„Atbildes” rindas turpinās lapās: Atbildes 2, Atbildes 3, Atbildes %d", widePages)) {
		t.Errorf("the summary does not say where the wide sheet continues:\n%s", s)
	}
}

// TestTrendSheetContinuesPastTheRowLimit: the trend sheet's long form
// continues on "Dinamika 2", …; the first page keeps the tables and the
// chart beside it, and together the pages hold the rows of one sheet.
func TestTrendSheetContinuesPastTheRowLimit(t *testing.T) {
	t.Parallel()
	rounds := trendRounds(t)
	cur := rounds[1]
	opt := XLSXOptions{Generated: time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC), Earlier: rounds[:1], Slug: "trend-2026"}
	src := func() Rows { return cur.Rows }
	whole, _ := pagedBook(t, cur.Definition, src, opt, excelize.TotalRows)
	all, err := whole.GetRows(SheetTrend, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	const limit = 10 // 23 figures: 6 on the first page, 9 on each next
	f, data := pagedBook(t, cur.Definition, src, opt, limit)
	// (The long sheet continues too at this limit.)
	want := []string{SheetSummary, SheetTrend, pageName(SheetTrend, 1), pageName(SheetTrend, 2), SheetWide}
	if got := f.GetSheetList(); !slices.Equal(got[:len(want)], want) {
		t.Fatalf("sheets %q, want %q", got, want)
	}
	first, err := f.GetRows(SheetTrend, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	// The first page: every row of the tables (from column I) as on one
	// sheet, the long form's first rows beside them.
	for r := range all {
		var a, b []string
		if len(all[r]) > 8 {
			a = all[r][8:]
		}
		if r < len(first) && len(first[r]) > 8 {
			b = first[r][8:]
		}
		if !slices.Equal(a, b) {
			t.Errorf("row %d beside the long form: %q, want %q", r+1, b, a)
		}
	}
	var long [][]string
	for r := 4; r < len(all); r++ {
		if len(all[r]) > 0 && all[r][0] != "" {
			long = append(long, all[r][:7])
		}
	}
	var got [][]string
	for r := 4; r < limit && r < len(first); r++ {
		if len(first[r]) > 0 && first[r][0] != "" {
			got = append(got, first[r][:7])
		}
	}
	for k := 1; k < 3; k++ {
		rows, err := f.GetRows(pageName(SheetTrend, k), excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(rows[0], all[3][:7]) {
			t.Errorf("%s: header %q", pageName(SheetTrend, k), rows[0])
		}
		for _, r := range rows[1:] {
			got = append(got, r)
		}
	}
	if len(long) != 23 || !slices.EqualFunc(got, long, slices.Equal) {
		t.Errorf("the pages hold %d figures %q, want the %d of one sheet %q", len(got), got, len(long), long)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	lines := 0
	for _, zf := range zr.File {
		if reChart.MatchString(zf.Name) {
			rc, _ := zf.Open()
			x, _ := io.ReadAll(rc)
			rc.Close()
			if bytes.Contains(x, []byte("lineChart>")) && bytes.Contains(x, []byte("Dinamika")) && bytes.Contains(x, []byte("$J$7:$K$7")) {
				lines++
			}
		}
	}
	if lines != 1 {
		t.Errorf("%d line charts of the medians on the first page, want 1", lines)
	}
	declared, used := sheetRanges(t, data)
	for part, u := range used {
		if d := declared[part]; d != u {
			t.Errorf("%s declares %q, its cells span %q", part, d, u)
		}
	}
	if s := strings.Join(flat(t, f, SheetSummary), "\n"); !strings.Contains(s, "„Dinamika” rindas turpinās lapās: Dinamika 2, Dinamika 3") {
		t.Errorf("the summary does not say where the trend sheet continues:\n%s", s)
	}
}

// flat is a sheet's non-empty cells, row by row.
func flat(t *testing.T, f *excelize.File, sheet string) []string {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		for _, c := range r {
			if c != "" {
				out = append(out, c)
			}
		}
	}
	return out
}

// TestDropStreamBuffer: a sheet flushed to its temporary file (past
// excelize's 16 MB) gives its buffer back, and the file still holds every
// row.
func TestDropStreamBuffer(t *testing.T) {
	t.Parallel()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Repeat("x", 1000)
	const n = 20000 // about 20 MB of XML
	for i := 1; i <= n; i++ {
		if err := sw.SetRow(cellName(1, i), []any{i, text}); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	capacity := func() int {
		buf := reflect.ValueOf(sw).Elem().FieldByName("rawData").FieldByName("buf")
		return (*bytes.Buffer)(unsafe.Pointer(buf.UnsafeAddr())).Cap()
	}
	if capacity() < 1<<20 {
		t.Fatalf("the buffer's capacity is %d before: nothing to drop (has excelize changed?)", capacity())
	}
	dropStreamBuffer(sw)
	if c := capacity(); c != 0 {
		t.Errorf("the buffer keeps %d bytes", c)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	// Every row is in the sheet's XML: counted there rather than read back
	// through excelize, which takes most of a minute under the race
	// detector for 20 MB.
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	part, err := zr.Open("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	xml, err := io.ReadAll(part)
	part.Close()
	if err != nil {
		t.Fatal(err)
	}
	last := fmt.Sprintf(`<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d" t="inlineStr"><is><t>%s</t></is></c></row>`, n, n, n, n, text)
	if got := bytes.Count(xml, []byte("<row ")); got != n || !bytes.Contains(xml, []byte(last)) {
		t.Errorf("%d rows after dropping the buffer, want %d ending %.80s…", got, n, last)
	}
}

// TestSpillWriter: what is written comes back whole, from memory below
// the limit and from the temporary file past it (which close removes).
func TestSpillWriter(t *testing.T) {
	t.Parallel()
	for _, n := range []int{10, 1000, 5000} {
		s := &spillWriter{limit: 2000}
		var want bytes.Buffer
		for i := range n {
			line := []byte(strconv.Itoa(i) + ",")
			want.Write(line)
			if _, err := s.Write(line); err != nil {
				t.Fatal(err)
			}
		}
		if spilled := s.file != nil; spilled != (want.Len() > 2000) {
			t.Errorf("%d bytes: in a file %v", want.Len(), spilled)
		}
		var got bytes.Buffer
		if err := s.copyTo(&got); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("%d bytes written, %d read back, or not the same", want.Len(), got.Len())
		}
		if s.file != nil {
			name := s.file.Name()
			s.close()
			if _, err := os.Stat(name); !os.IsNotExist(err) {
				t.Errorf("the temporary file is left: %v", err)
			}
		}
	}
}

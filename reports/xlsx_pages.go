package reports

import (
	"bytes"
	"os"
	"reflect"
	"strconv"
	"unsafe"

	"github.com/xuri/excelize/v2"
)

// Sheets past Excel's row limit. A data sheet (the wide and long forms of
// the responses, the trends' long form) whose rows would pass
// excelize.TotalRows (1,048,576) continues on numbered sheets after it:
// "Atbildes (garā forma) 2", "Atbildes (garā forma) 3", … each with the
// sheet's header rows again; the summary names them (workbook.sum.continued).

// pages is how many sheets n data rows take when the first sheet has first
// header rows and every further sheet next: at least one.
func (x *workbook) pages(n, first, next int) int {
	if room := x.rowLimit - first; n > room {
		per := x.rowLimit - next
		return 1 + (n-room+per-1)/per
	}
	return 1
}

// pageName is the name of a sheet's k-th page (from 0): the sheet's own
// name, then "name 2", "name 3", … (the names here are at most 28
// characters, so a page's stays within Excel's 31).
func pageName(sheet string, k int) string {
	if k == 0 {
		return sheet
	}
	return sheet + " " + strconv.Itoa(k+1)
}

// pageNames are the names of a sheet's pages.
func pageNames(sheet string, n int) []string {
	out := make([]string, n)
	for k := range out {
		out[k] = pageName(sheet, k)
	}
	return out
}

// pagedSheet streams a data sheet's rows over its pages: when a page is
// full it finishes it and starts the next.
type pagedSheet struct {
	x     *workbook
	sheet string
	// first and next are the header rows of the first page and of the
	// others; total the data rows of all pages (counted in pass 1), so
	// each page declares its used range before its rows stream out.
	first, next, total, cols int
	// start sets a page up (widths, panes, header rows) and returns the
	// row its header ends on; finish adds what needs its last row (an
	// autofilter) before the page is flushed.
	start  func(sw *excelize.StreamWriter, k int) (int, error)
	finish func(sw *excelize.StreamWriter, name string, k, last int) error
	// firstCols and firstRows widen the first page's declared range for
	// cells beside and below its data rows (the trend sheet's tables);
	// row, when set, gives the cells of a data row its page and row
	// number call for (the data row's, and those beside them).
	firstCols, firstRows int
	row                  func(k, row int, vals []any) []any

	k, at, written int
	sw             *excelize.StreamWriter
}

// open starts page k.
func (p *pagedSheet) open(k int) error {
	limit := p.x.rowLimit
	head, room := p.first, limit-p.first
	done := 0
	if k > 0 {
		done = room + (k-1)*(limit-p.next)
		head, room = p.next, limit-p.next
	}
	rows, cols := head+max(min(room, p.total-done), 0), p.cols
	if k == 0 {
		rows, cols = max(rows, p.firstRows), max(cols, p.firstCols)
	}
	name := pageName(p.sheet, k)
	if err := p.x.declareRange(name, cols, max(rows, 1)); err != nil {
		return err
	}
	sw, err := p.x.f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	p.k, p.sw = k, sw
	p.at, err = p.start(sw, k)
	return err
}

// add writes the next data row, on the next page when this one is full.
func (p *pagedSheet) add(vals []any) error {
	if p.at >= p.x.rowLimit {
		if err := p.close(); err != nil {
			return err
		}
		if err := p.open(p.k + 1); err != nil {
			return err
		}
	}
	p.at++
	p.written++
	if p.row != nil {
		vals = p.row(p.k, p.at, vals)
	}
	return p.sw.SetRow("A"+strconv.Itoa(p.at), vals)
}

// close finishes the current page.
func (p *pagedSheet) close() error {
	if p.finish != nil {
		if err := p.finish(p.sw, pageName(p.sheet, p.k), p.k, p.at); err != nil {
			return err
		}
	}
	if err := p.sw.Flush(); err != nil {
		return err
	}
	dropStreamBuffer(p.sw)
	return nil
}

// dropStreamBuffer frees the memory a flushed StreamWriter keeps. excelize
// (v2.11.1) moves a sheet's rows to a temporary file once 16 MB have
// gathered, but keeps the emptied buffer — 16–32 MB of capacity — until
// the file is closed: at 100,000 responses the wide sheet and every page
// of the long one would keep theirs. Once the sheet is flushed to its
// temporary file the buffer is never read again (the file is), so it is
// replaced by an empty one. excelize has no API for it; the fields are
// looked up by name and type, and when they are not what this expects
// (another excelize version) nothing is done.
func dropStreamBuffer(sw *excelize.StreamWriter) {
	raw := reflect.ValueOf(sw).Elem().FieldByName("rawData")
	if !raw.IsValid() || raw.Kind() != reflect.Struct {
		return
	}
	tmp, buf := raw.FieldByName("tmp"), raw.FieldByName("buf")
	if !tmp.IsValid() || tmp.Type() != reflect.TypeFor[*os.File]() || tmp.IsNil() ||
		!buf.IsValid() || buf.Type() != reflect.TypeFor[bytes.Buffer]() {
		return
	}
	b := (*bytes.Buffer)(unsafe.Pointer(buf.UnsafeAddr()))
	if b.Len() == 0 {
		*b = bytes.Buffer{}
	}
}

package reports

import (
	"context"
	"io"
	"strconv"

	"github.com/civitas-lv/surveyd/survey"
	"github.com/xuri/excelize/v2"
)

// WriteBaselineXLSX is the yardstick of the workbook's benchmarks (make
// bench), not a product: a bare excelize StreamWriter writing the cells of
// the workbook's data sheets — the wide sheet's header rows and one row per
// response, the long sheet's header and one row per answer value,
// continuing on numbered sheets past Excel's row limit — with the same
// values WriteXLSX computes, in one pass over src, and nothing else: no
// styles, widths, panes, filters, summary, charts, codebook, status or
// trends. The workbook's time and memory are read beside it.
func WriteBaselineXLSX(ctx context.Context, w io.Writer, def *survey.Definition, src Source, opt XLSXOptions) error {
	x, err := newWorkbook(def, opt)
	if err != nil {
		return err
	}
	defer x.f.Close()
	x.ctx = ctx
	wide, err := x.f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	head, code := make([]any, len(x.wide)), make([]any, len(x.wide))
	for i, c := range x.wide {
		head[i], code[i] = c.header, c.code
	}
	if err := wide.SetRow("A1", head); err != nil {
		return err
	}
	if err := wide.SetRow("A2", code); err != nil {
		return err
	}
	long := &baselineLong{f: x.f}
	if err := long.next(); err != nil {
		return err
	}
	vals := make([]any, len(x.wide))
	wrow := 2
	for r, err := range src() {
		if err == nil {
			err = ctx.Err()
		}
		if err != nil {
			return err
		}
		if !x.opt.Filter.Keep(r) {
			continue
		}
		if !x.opt.Personal {
			r.Contacts = nil
		}
		wrow++
		for i := range x.wide {
			vals[i] = x.wide[i].value(x, &r)
		}
		if err := wide.SetRow("A"+strconv.Itoa(wrow), vals); err != nil {
			return err
		}
		muni := r.Municipality.Code
		if err := x.longValues(&r, func(code, option string, v any, _ string) error {
			var opt any
			if option != "" {
				opt = option
			}
			return long.add(muni, code, opt, v)
		}); err != nil {
			return err
		}
	}
	if err := wide.Flush(); err != nil {
		return err
	}
	if err := long.sw.Flush(); err != nil {
		return err
	}
	return x.f.Write(w)
}

// baselineLong is the baseline's long sheet, continued on a new sheet
// when one is full.
type baselineLong struct {
	f     *excelize.File
	sw    *excelize.StreamWriter
	n     int // sheets so far
	row   int
	vals  [4]any
	slice []any
}

func (b *baselineLong) next() error {
	if b.sw != nil {
		if err := b.sw.Flush(); err != nil {
			return err
		}
	}
	b.n++
	name := "Long " + strconv.Itoa(b.n)
	if _, err := b.f.NewSheet(name); err != nil {
		return err
	}
	sw, err := b.f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	b.sw, b.row = sw, 1
	b.slice = b.vals[:]
	return sw.SetRow("A1", []any{"municipality", "question", "option", "value"})
}

func (b *baselineLong) add(muni, code string, option, v any) error {
	if b.row == excelize.TotalRows {
		if err := b.next(); err != nil {
			return err
		}
	}
	b.row++
	b.vals[0], b.vals[1], b.vals[2], b.vals[3] = muni, code, option, v
	return b.sw.SetRow("A"+strconv.Itoa(b.row), b.slice)
}

package reports

import (
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// SheetTrend is the sheet of trends across rounds, written when the
// workbook is given earlier rounds (XLSXOptions.Earlier).
const SheetTrend = "Dinamika"

// The trend sheet's layout: the long form in columns A–G from row 3; the
// tables of medians and shares from column trendTableCol, the line charts
// of the medians below them in the same columns.
const (
	trendLongCols = 7
	trendTableCol = 9 // I
)

// trendRounds is the series of rounds the workbook compares: the earlier
// ones and this one, each limited to the filter's regions and kind (only
// submitted responses count in a trend, whatever the filter's statuses).
func (x *workbook) trendRounds(src Source) []TrendRound {
	f := x.opt.Filter
	keep := func(rows Rows) Rows {
		return func(yield func(Row, error) bool) {
			for r, err := range f.Within(rows) {
				if err == nil {
					err = x.ctx.Err()
				}
				if !yield(r, err) || err != nil {
					return
				}
			}
		}
	}
	var out []TrendRound
	for _, r := range x.opt.Earlier {
		r.Rows = keep(r.Rows)
		out = append(out, r)
	}
	slug := x.opt.Slug
	if slug == "" {
		slug = x.def.Slug
	}
	return append(out, TrendRound{Slug: slug, Definition: x.def, Rows: keep(src())})
}

// trendHeadRows are the rows above the long form on the trend sheet's
// first page: the title, the note, a blank row and the header.
const trendHeadRows = 4

// trendGrid is the trend sheet's cells beside the long form (the title,
// the header, the tables), by row and column, until they are streamed out
// with the long form's rows (a StreamWriter writes whole rows, in order).
type trendGrid struct {
	rows       map[int][]any
	cols, last int
}

func (g *trendGrid) put(col, row int, v any, style int) {
	if g.rows == nil {
		g.rows = map[int][]any{}
	}
	r := g.rows[row]
	if len(r) < col {
		r = append(r, make([]any, col-len(r))...)
	}
	r[col-1] = excelize.Cell{Value: v, StyleID: style}
	g.rows[row] = r
	g.cols, g.last = max(g.cols, col), max(g.last, row)
}

// with is row's cells of the grid with long in the first columns.
func (g *trendGrid) with(row int, long []any) []any {
	r := g.rows[row]
	if len(r) == 0 {
		return long
	}
	out := slices.Clone(r)
	for i, v := range long {
		if v != nil {
			out[i] = v
		}
	}
	return out
}

// writeTrends writes the sheet "Dinamika": the figures of every series in
// long form (municipality, round, reference year, series, code, option,
// value), streamed from a second pass over the rounds and continued on
// "Dinamika 2", … past Excel's row limit; beside them a table of the
// indicators' medians by round with a native line chart of each, and a
// table of the choice questions' option shares by round.
func (x *workbook) writeTrends(src Source) {
	if x.err != nil {
		return
	}
	tr := x.trend
	const sh = SheetTrend
	f := x.f
	g := &trendGrid{}
	g.put(1, 1, x.t("trend.title"), x.style("title"))
	g.put(1, 2, x.t("trend.note"), x.style("note"))

	// The long form's header.
	hdr := x.style("header")
	header := []any{}
	for i, h := range []string{x.t("trend.col.municipality"), x.t("trend.col.round"), x.t("trend.col.year"),
		x.t("trend.col.series"), x.t("trend.col.code"), x.t("trend.col.option"), x.t("trend.col.value")} {
		g.put(i+1, trendHeadRows, h, hdr)
		header = append(header, excelize.Cell{Value: h, StyleID: hdr})
	}
	choices := map[string]*ChoiceTrend{}
	for _, ct := range tr.Choices {
		choices[ct.Name] = ct
	}
	formats := map[string]int{}
	for _, it := range tr.Indicators {
		formats[it.Name] = x.num(x.indicatorFormat(it.Indicator))
	}

	// The medians by round.
	col, top := trendTableCol, trendHeadRows
	years := x.trendHeader(g, tr, top+1, x.t("trend.indicator"))
	g.put(col, top, x.t("trend.medians"), x.style("heading"))
	r := top + 2
	g.put(col, r, x.t("trend.responses"), x.style("bold"))
	for i, info := range tr.Rounds {
		g.put(col+1+i, r, info.Responses, x.num(fmtInt))
	}
	r++
	first := r
	for _, it := range tr.Indicators {
		g.put(col, r, it.Name+" — "+it.Indicator.Text.In(x.lang), 0)
		nf := x.num(x.indicatorFormat(it.Indicator))
		for i := range tr.Rounds {
			if it.Span.In(i) && it.N[i] > 0 {
				g.put(col+1+i, r, it.Medians[i], nf)
			}
		}
		r++
	}

	// The option shares by round.
	r++
	g.put(col, r, x.t("trend.shares"), x.style("heading"))
	r++
	x.trendHeader(g, tr, r, x.t("trend.answer"))
	r++
	for _, ct := range tr.Choices {
		g.put(col, r, ct.Name+" — "+ct.Question.Text.In(x.lang), x.style("bold"))
		r++
		g.put(col, r, x.t("trend.answered"), 0)
		for i := range tr.Rounds {
			if ct.Span.In(i) {
				g.put(col+1+i, r, ct.Answered[i], x.num(fmtInt))
			}
		}
		r++
		for _, o := range ct.Options {
			g.put(col, r, "  "+o.Label.In(x.lang), 0)
			for i := range tr.Rounds {
				if ct.Span.In(i) && ct.Answered[i] > 0 {
					g.put(col+1+i, r, o.Percent[i], x.num(x.fmtPercent(1)))
				}
			}
			r++
		}
	}
	if x.err != nil {
		return
	}
	charts := r + 2 // the charts, below the tables

	widths := []colWidth{{1, 1, 22}, {2, 2, 16}, {3, 3, 9}, {4, 5, 18}, {6, 6, 12}, {7, 7, 16},
		{8, 8, 3}, {9, 9, 40}, {trendTableCol + 1, trendTableCol + len(tr.Rounds), 12}}
	p := &pagedSheet{x: x, sheet: sh, first: trendHeadRows, next: 1, total: tr.values, cols: trendLongCols,
		start: func(sw *excelize.StreamWriter, k int) (int, error) {
			cols := widths
			if k > 0 { // a continued sheet has no table of rounds
				cols = slices.DeleteFunc(slices.Clone(widths), func(c colWidth) bool { return c.from > trendLongCols })
			}
			if err := setColWidths(sw, cols); err != nil {
				return 0, err
			}
			if k > 0 {
				return 1, sw.SetRow("A1", header)
			}
			for row := 1; row <= trendHeadRows; row++ {
				if len(g.rows[row]) > 0 {
					if err := sw.SetRow(cellName(1, row), g.rows[row]); err != nil {
						return 0, err
					}
				}
			}
			return trendHeadRows, nil
		},
		finish: func(sw *excelize.StreamWriter, name string, k, last int) error {
			if last > trendHeadRows || (k > 0 && last > 1) {
				from := trendHeadRows
				if k > 0 {
					from = 1
				}
				if err := f.AutoFilter(name, fmt.Sprintf("A%d:%s%d", from, colName(trendLongCols), last), nil); err != nil {
					return err
				}
			}
			if k > 0 {
				return nil
			}
			// The rest of the tables, below the long form's rows on this
			// page, and the charts of the medians (a chart's series are
			// cells written on this page).
			for row := last + 1; row <= g.last; row++ {
				if len(g.rows[row]) > 0 {
					if err := sw.SetRow(cellName(1, row), g.rows[row]); err != nil {
						return err
					}
				}
			}
			at := charts
			for k, it := range tr.Indicators {
				if err := x.ctx.Err(); err != nil {
					return err
				}
				vr := first + k
				title := x.t("trend.chart", it.Indicator.Text.In(x.lang))
				ch := &excelize.Chart{Type: excelize.Line, Series: []excelize.ChartSeries{{
					Name:       fmt.Sprintf("%s!$%s$%d", quoteSheet(sh), colName(col), vr),
					Categories: years,
					Values: fmt.Sprintf("%s!$%s$%d:$%s$%d", quoteSheet(sh), colName(col+1), vr,
						colName(col+len(tr.Rounds)), vr),
					Marker: excelize.ChartMarker{Symbol: "circle", Size: 6},
				}}}
				styleChart(ch, title, chartWidth, chartHeight)
				ch.YAxis.Minimum = nil // medians: the reader's scale, not from zero
				ch.ShowBlanksAs = "gap"
				if err := f.AddChart(sh, cellName(col, at), ch); err != nil {
					return err
				}
				at += chartRows
			}
			return nil
		}}
	p.firstCols, p.firstRows = g.cols, g.last
	p.row = func(k, row int, vals []any) []any {
		if k > 0 {
			return vals
		}
		return g.with(row, vals)
	}
	if x.err = p.open(0); x.err != nil {
		return
	}
	long := make([]any, trendLongCols)
	cells := make([]excelize.Cell, trendLongCols)
	x.err = tr.eachValue(x.trendRounds(src), func(v TrendValue) error {
		if err := x.ctx.Err(); err != nil {
			return err
		}
		info := tr.Rounds[v.Round]
		set := func(i int, val any, style int) {
			cells[i].Value, cells[i].StyleID = val, style
			long[i] = &cells[i]
		}
		set(0, x.muniName(&v.Municipality), 0)
		set(1, info.Slug, 0)
		set(2, info.ReferenceYear, 0)
		set(3, v.Series, 0)
		set(4, v.Code, 0)
		switch val := v.Value.(type) {
		case string: // an option chosen: its code and label
			set(5, val, 0)
			label := val
			if ct := choices[v.Series]; ct != nil {
				label = x.optionLabel(ct.Question, val) // a series keeps its option codes
			}
			set(6, label, 0)
		default:
			long[5] = nil
			set(6, val, formats[v.Series])
		}
		return p.add(long)
	})
	if x.err == nil && p.written != tr.values {
		x.err = errors.New("reports: the trend's rows differ between the two passes (read them from one snapshot)")
	}
	if x.err == nil {
		x.err = p.close()
	}
}

// trendHeader puts a header row of the trend tables — a first cell, then
// each round's reference year (its slug too when two rounds share a year)
// — and returns the reference to the years for a chart's categories.
func (x *workbook) trendHeader(g *trendGrid, tr *Trend, row int, first string) string {
	hdr := x.style("header")
	g.put(trendTableCol, row, first, hdr)
	seen := map[int]int{}
	for _, info := range tr.Rounds {
		seen[info.ReferenceYear]++
	}
	for i, info := range tr.Rounds {
		label := strconv.Itoa(info.ReferenceYear)
		if seen[info.ReferenceYear] > 1 {
			label += " (" + info.Slug + ")"
		}
		g.put(trendTableCol+1+i, row, label, hdr)
	}
	return fmt.Sprintf("%s!$%s$%d:$%s$%d", quoteSheet(SheetTrend), colName(trendTableCol+1), row,
		colName(trendTableCol+len(tr.Rounds)), row)
}

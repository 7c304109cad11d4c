package reports

import (
	"fmt"
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

// writeTrends writes the sheet "Dinamika": the figures of every series in
// long form (municipality, round, reference year, series, code, option,
// value), a table of the indicators' medians by round with a native line
// chart of each, and a table of the choice questions' option shares by
// round.
func (x *workbook) writeTrends(src Source) {
	if x.err != nil {
		return
	}
	tr, err := Trends(x.trendRounds(src))
	if err != nil {
		x.err = err
		return
	}
	const sh = SheetTrend
	f := x.f
	for _, c := range []struct {
		from, to string
		width    float64
	}{{"A", "A", 22}, {"B", "B", 16}, {"C", "C", 9}, {"D", "E", 18}, {"F", "F", 12}, {"G", "G", 16},
		{"H", "H", 3}, {"I", "I", 40}, {colName(trendTableCol + 1), colName(trendTableCol + len(tr.Rounds)), 12}} {
		if x.err == nil {
			x.err = f.SetColWidth(sh, c.from, c.to, c.width)
		}
	}
	x.put(sh, 1, 1, x.t("trend.title"), x.style("title"))
	x.put(sh, 1, 2, x.t("trend.note"), x.style("note"))

	// The long form.
	hdr := x.style("header")
	for i, h := range []string{x.t("trend.col.municipality"), x.t("trend.col.round"), x.t("trend.col.year"),
		x.t("trend.col.series"), x.t("trend.col.code"), x.t("trend.col.option"), x.t("trend.col.value")} {
		x.put(sh, i+1, 4, h, hdr)
	}
	choices := map[string]*ChoiceTrend{}
	for _, ct := range tr.Choices {
		choices[ct.Name] = ct
	}
	formats := map[string]int{}
	for _, it := range tr.Indicators {
		formats[it.Name] = x.num(x.indicatorFormat(it.Indicator))
	}
	row := 5
	for _, v := range tr.Values {
		if x.stopped() {
			return
		}
		info := tr.Rounds[v.Round]
		x.put(sh, 1, row, x.muniName(&v.Municipality), 0)
		x.put(sh, 2, row, info.Slug, 0)
		x.put(sh, 3, row, info.ReferenceYear, 0)
		x.put(sh, 4, row, v.Series, 0)
		x.put(sh, 5, row, v.Code, 0)
		switch val := v.Value.(type) {
		case string: // an option chosen: its code and label
			x.put(sh, 6, row, val, 0)
			label := val
			if ct := choices[v.Series]; ct != nil {
				label = x.optionLabel(ct.Question, val) // a series keeps its option codes
			}
			x.put(sh, 7, row, label, 0)
		default:
			x.put(sh, 7, row, val, formats[v.Series])
		}
		row++
	}
	if x.err == nil && len(tr.Values) > 0 {
		x.err = f.AutoFilter(sh, "A4:"+cellName(trendLongCols, row-1), nil)
	}

	// The medians by round, and a line chart of each.
	col, top := trendTableCol, 4
	years := x.trendHeader(tr, top+1, x.t("trend.indicator"))
	x.put(sh, col, top, x.t("trend.medians"), x.style("heading"))
	r := top + 2
	x.put(sh, col, r, x.t("trend.responses"), x.style("bold"))
	for i, info := range tr.Rounds {
		x.put(sh, col+1+i, r, info.Responses, x.num(fmtInt))
	}
	r++
	first := r
	for _, it := range tr.Indicators {
		x.put(sh, col, r, it.Name+" — "+it.Indicator.Text.In(x.lang), 0)
		nf := x.num(x.indicatorFormat(it.Indicator))
		for i := range tr.Rounds {
			if it.Span.In(i) && it.N[i] > 0 {
				x.put(sh, col+1+i, r, it.Medians[i], nf)
			}
		}
		r++
	}

	// The option shares by round.
	r++
	x.put(sh, col, r, x.t("trend.shares"), x.style("heading"))
	r++
	x.trendHeader(tr, r, x.t("trend.answer"))
	r++
	for _, ct := range tr.Choices {
		x.put(sh, col, r, ct.Name+" — "+ct.Question.Text.In(x.lang), x.style("bold"))
		r++
		x.put(sh, col, r, x.t("trend.answered"), 0)
		for i := range tr.Rounds {
			if ct.Span.In(i) {
				x.put(sh, col+1+i, r, ct.Answered[i], x.num(fmtInt))
			}
		}
		r++
		for _, o := range ct.Options {
			x.put(sh, col, r, "  "+o.Label.In(x.lang), 0)
			for i := range tr.Rounds {
				if ct.Span.In(i) && ct.Answered[i] > 0 {
					x.put(sh, col+1+i, r, o.Percent[i], x.num(x.fmtPercent(1)))
				}
			}
			r++
		}
	}

	// The charts, below the tables.
	r += 2
	for k, it := range tr.Indicators {
		if x.stopped() {
			return
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
		x.err = f.AddChart(sh, cellName(col, r), ch)
		r += chartRows
	}
}

// trendHeader writes a header row of the trend tables — a first cell, then
// each round's reference year (its slug too when two rounds share a year)
// — and returns the reference to the years for a chart's categories.
func (x *workbook) trendHeader(tr *Trend, row int, first string) string {
	hdr := x.style("header")
	x.put(SheetTrend, trendTableCol, row, first, hdr)
	seen := map[int]int{}
	for _, info := range tr.Rounds {
		seen[info.ReferenceYear]++
	}
	for i, info := range tr.Rounds {
		label := strconv.Itoa(info.ReferenceYear)
		if seen[info.ReferenceYear] > 1 {
			label += " (" + info.Slug + ")"
		}
		x.put(SheetTrend, trendTableCol+1+i, row, label, hdr)
	}
	return fmt.Sprintf("%s!$%s$%d:$%s$%d", quoteSheet(SheetTrend), colName(trendTableCol+1), row,
		colName(trendTableCol+len(tr.Rounds)), row)
}

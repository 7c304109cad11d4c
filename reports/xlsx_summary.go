package reports

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/survey"
	"github.com/xuri/excelize/v2"
)

// ---------------------------------------------------------------------
// Summary

// Rows of the summary's blocks. A chart is chartRows tall; blocks are at
// least that far apart so charts never overlap.
const (
	chartWidth  = 560
	chartHeight = 300
	chartRows   = 18 // 300 px is about 16 rows as excelize anchors it; and a gap
	chartCol    = 8  // H
)

func (x *workbook) writeSummary(s *Summary) {
	const sh = SheetSummary
	f := x.f
	// Right to left: excelize puts each call's columns before those set
	// already, and the sheet is streamed (streamSummary), which writes
	// them in that order; so they come out ascending, as the format wants.
	for _, c := range []struct{ from, to string }{{"C", "J"}, {"B", "B"}, {"A", "A"}} {
		col, _ := excelize.ColumnNameToNumber(c.from)
		if x.err == nil {
			x.err = f.SetColWidth(sh, c.from, c.to, summaryColWidth(col))
		}
	}
	// Printed: A4 landscape, tables and charts one page wide.
	a4, landscape, wide, tall := 9, "landscape", 1, 0
	fit := true
	if x.err == nil {
		x.err = f.SetPageLayout(sh, &excelize.PageLayoutOptions{Size: &a4, Orientation: &landscape, FitToWidth: &wide, FitToHeight: &tall})
	}
	if x.err == nil {
		x.err = f.SetSheetProps(sh, &excelize.SheetPropsOptions{FitToPage: &fit})
	}
	x.put(1, 1, x.opt.Title, x.style("title"))
	round := x.t("sum.reference", x.def.ReferenceYear)
	if x.opt.Round != "" {
		round = x.opt.Round + " · " + round
	}
	x.put(1, 2, round, 0)
	x.put(1, 3, x.t("sum.generated"), x.style("bold"))
	x.put(2, 3, x.opt.Generated.In(x.tz), x.num(fmtDateTime))
	x.put(1, 4, x.t("sum.selection"), x.style("bold"))
	x.put(2, 4, x.filterText(), 0)
	x.put(1, 5, x.t("sum.responses"), x.style("bold"))
	x.put(2, 5, s.Responses, x.style("num:"+fmtInt))
	x.put(1, 6, x.t("sum.note"), x.style("note"))
	row := 8
	// Where a data sheet continues past Excel's row limit (pagedSheet).
	for _, c := range []struct {
		sheet string
		n     int
	}{{SheetTrend, x.trendPages}, {SheetWide, x.widePages}, {SheetLong, x.longPages}} {
		if c.n > 1 {
			x.put(1, row-1, x.t("sum.continued", c.sheet, strings.Join(pageNames(c.sheet, c.n)[1:], ", ")), x.style("note"))
			row++
		}
	}

	if len(s.Indicators) > 0 {
		row = x.summaryIndicators(s, row)
	}
	var section *survey.Section
	for _, qs := range s.Questions {
		if x.stopped() {
			return
		}
		q := qs.Question
		if q.Personal && !x.opt.Personal {
			continue
		}
		if !(q.Type.IsChoice() || q.Type == survey.YesNo || q.Type.IsNumber()) {
			continue
		}
		if q.Section() != section {
			section = q.Section()
			x.put(1, row, section.Title.In(x.lang), x.style("heading"))
			row += 2
		}
		if q.Type.IsNumber() {
			row = x.summaryNumbers(qs, row)
		} else {
			row = x.summaryChoice(qs, row)
		}
		if x.err != nil {
			return
		}
	}
}

// summaryColWidth is the width of a column of the summary (0: the
// default), which also places its charts (anchor).
func summaryColWidth(col int) float64 {
	switch {
	case col == 1:
		return 22
	case col == 2:
		return 50
	case col >= 3 && col <= 10: // C–J
		return 13
	}
	return 0
}

// setRowHeight notes the height of a row of the summary: streamSummary
// writes the row with it, and anchor places the charts by it. It is also
// set on excelize's model of the sheet (which is not what is written: the
// sheet is streamed), so that AddChart — the first chart's, and every
// chart's in the tests' yardstick — anchors charts over the same heights.
func (x *workbook) setRowHeight(row int, height float64) {
	if x.err == nil {
		x.err = x.f.SetRowHeight(SheetSummary, row, height)
	}
	if x.rowHeights == nil {
		x.rowHeights = map[int]float64{}
	}
	x.rowHeights[row] = height
}

// filterText describes the filter in words.
func (x *workbook) filterText() string {
	f := x.opt.Filter
	var parts []string
	if f.PlanningRegion != "" {
		parts = append(parts, x.t("col.planning_region")+": "+f.PlanningRegion)
	}
	if f.StatisticalRegion != "" {
		parts = append(parts, x.t("col.statistical_region")+": "+f.StatisticalRegion)
	}
	if f.Kind != "" {
		parts = append(parts, x.t("col.kind")+": "+x.t("kind."+f.Kind))
	}
	if len(f.Statuses) == 0 && len(parts) == 0 {
		return x.t("sum.all_submitted")
	}
	st := f.Statuses
	if len(st) == 0 {
		st = []string{domain.StatusSubmitted}
	}
	names := make([]string, len(st))
	for i, s := range st {
		names[i] = x.t("status." + s)
	}
	parts = append(parts, x.t("col.status")+": "+strings.Join(names, ", "))
	return strings.Join(parts, "; ")
}

// summaryIndicators writes the indicators and their means per planning
// region; it returns the next free row.
func (x *workbook) summaryIndicators(s *Summary, row int) int {
	const sh = SheetSummary
	x.put(1, row, x.t("sum.indicators"), x.style("heading"))
	row++
	hdr := x.style("header")
	for i, h := range []string{x.t("sum.code"), x.t("sum.indicator"), x.t("sum.unit"), "n", x.t("sum.mean"),
		x.t("sum.median"), x.t("sum.q1"), x.t("sum.q3"), x.t("sum.min"), x.t("sum.max")} {
		x.put(i+1, row, h, hdr)
	}
	row++
	for _, is := range s.Indicators {
		in := is.Indicator
		x.put(1, row, in.Code, 0)
		x.put(2, row, in.Text.In(x.lang), 0)
		x.put(3, row, in.Unit, 0)
		x.put(4, row, is.N, x.num(fmtInt))
		if is.N > 0 {
			nf := x.num(x.indicatorFormat(in))
			for i, v := range []float64{is.Mean, is.Median, is.Q1, is.Q3, is.Min, is.Max} {
				x.put(5+i, row, v, nf)
			}
		}
		row++
	}
	row++
	if len(s.Regions) == 0 {
		return row
	}
	x.put(1, row, x.t("sum.regions"), x.style("heading"))
	row++
	x.put(1, row, x.t("sum.region"), hdr)
	x.put(2, row, x.t("sum.responses"), hdr)
	for i, in := range x.def.Indicators {
		x.put(3+i, row, in.Text.In(x.lang), hdr)
	}
	x.setRowHeight(row, 60)
	row++
	for _, g := range s.Regions {
		x.put(1, row, g.Name, 0)
		x.put(2, row, g.Responses, x.num(fmtInt))
		for i, is := range g.Indicators {
			if is.N > 0 {
				x.put(3+i, row, is.Mean, x.num(x.indicatorFormat(is.Indicator)))
			}
		}
		row++
	}
	return row + 1
}

// summaryHead writes a question's title and its n answered / not
// applicable / missing; it returns the next row.
func (x *workbook) summaryHead(qs *QuestionSummary, row int) int {
	const sh = SheetSummary
	q := qs.Question
	x.put(1, row, q.Code, x.style("bold"))
	x.put(2, row, q.Text.In(x.lang), x.style("bold"))
	nf := x.num(fmtInt)
	for i, c := range []struct {
		key string
		n   int
	}{{"sum.answered", qs.Answered}, {"sum.not_shown", qs.NotApplicable}, {"sum.missing", qs.Missing}} {
		x.put(2, row+1+i, x.t(c.key), 0)
		x.put(3, row+1+i, c.n, nf)
	}
	return row + 4
}

// summaryChoice writes a closed question's counts and its chart: a bar
// chart for single choice, a column chart for yes/no, a stacked bar chart
// (chose / did not choose) for multiple choice.
func (x *workbook) summaryChoice(qs *QuestionSummary, top int) int {
	const sh = SheetSummary
	q := qs.Question
	row := x.summaryHead(qs, top)
	hdr := x.style("header")
	multi := q.Type == survey.Multi
	heads := []string{x.t("sum.code"), x.t("sum.answer"), x.t("sum.count"), x.t("sum.pct")}
	if multi {
		heads = []string{x.t("sum.code"), x.t("sum.answer"), x.t("sum.chosen"), x.t("sum.not_chosen"), x.t("sum.pct")}
	}
	for i, h := range heads {
		x.put(i+1, row, h, hdr)
	}
	x.setRowHeight(row, 30) // "% no atbildējušajiem" takes two lines
	headRow := row
	first := row + 1
	nf, pf := x.num(fmtInt), x.num(x.fmtPercent(1))
	for _, o := range qs.Options {
		row++
		label := o.Label.In(x.lang)
		x.put(1, row, o.Code, 0)
		x.put(2, row, label, 0)
		x.put(3, row, o.Count, nf)
		if multi {
			x.put(4, row, qs.Answered-o.Count, nf)
			x.put(5, row, o.Percent, pf)
		} else {
			x.put(4, row, o.Percent, pf)
		}
	}
	last := row
	if last < first {
		return top + chartRows
	}
	cats := columnRange(sh, 2, first, last)
	ch := summaryChart{kind: excelize.Bar, title: q.Text.In(x.lang),
		series: []excelize.ChartSeries{{Name: fmt.Sprintf("%s!$C$%d", quoteSheet(sh), headRow), Categories: cats,
			Values: columnRange(sh, 3, first, last)}}}
	switch {
	case multi:
		ch.kind = excelize.BarStacked
		ch.series = append(ch.series, excelize.ChartSeries{Name: fmt.Sprintf("%s!$D$%d", quoteSheet(sh), headRow),
			Categories: cats, Values: columnRange(sh, 4, first, last)})
	case q.Type == survey.YesNo:
		ch.kind = excelize.Col
	}
	x.addChart(top, ch)
	return max(row+2, top+chartRows)
}

// summaryNumbers writes a numeric question's statistics, its distribution
// in intervals and a column chart of that.
func (x *workbook) summaryNumbers(qs *QuestionSummary, top int) int {
	const sh = SheetSummary
	q := qs.Question
	st := qs.Numbers
	row := x.summaryHead(qs, top)
	hdr := x.style("header")
	x.put(2, row, x.t("sum.stat"), hdr)
	x.put(3, row, x.t("sum.value"), hdr)
	row++
	x.put(2, row, x.t("sum.n"), 0)
	x.put(3, row, st.N, x.num(fmtInt))
	row++
	if st.N > 0 {
		vf, sf := x.num(x.numberFormat(q)), x.num(x.statFormat(q))
		for _, s := range []struct {
			key   string
			v     float64
			style int
		}{{"sum.sum", st.Sum, vf}, {"sum.mean", st.Mean, sf}, {"sum.min", st.Min, vf}, {"sum.q1", st.Q1, sf},
			{"sum.median", st.Median, sf}, {"sum.q3", st.Q3, sf}, {"sum.max", st.Max, vf}} {
			if s.key == "sum.sum" && q.Type == survey.Year {
				continue // a sum of years means nothing
			}
			x.put(2, row, x.t(s.key), 0)
			x.put(3, row, s.v, s.style)
			row++
		}
	}
	bins := histogram(st.Values(), q.Type == survey.Int || q.Type == survey.Year)
	if len(bins) == 0 {
		return max(row+1, top+5)
	}
	row++
	x.put(1, row, x.t("sum.from"), hdr)
	x.put(2, row, x.t("sum.interval"), hdr)
	x.put(3, row, x.t("sum.count"), hdr)
	headRow := row
	first := row + 1
	for _, b := range bins {
		row++
		x.put(1, row, b.lo, x.num(x.numberFormat(q)))
		x.put(2, row, b.label(x.lang), 0)
		x.put(3, row, b.count, x.num(fmtInt))
	}
	x.addChart(top, summaryChart{kind: excelize.Col, title: q.Text.In(x.lang) + " — " + x.t("sum.distribution"),
		series: []excelize.ChartSeries{{Name: fmt.Sprintf("%s!$C$%d", quoteSheet(sh), headRow),
			Categories: columnRange(sh, 2, first, row), Values: columnRange(sh, 3, first, row)}}})
	return max(row+2, top+chartRows)
}

// styleChart gives a chart the workbooks' look: a small bold title (also its
// alternative text), values shown, a legend only for several series, the
// value axis from zero, bar categories top-down in the table's order.
func styleChart(ch *excelize.Chart, title string, width, height uint) {
	no := false
	ch.VaryColors = &no
	ch.Dimension = excelize.ChartDimension{Width: width, Height: height}
	ch.Title = excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: title, Font: &excelize.Font{Size: 10, Bold: true}}}}
	ch.PlotArea = excelize.ChartPlotArea{ShowVal: true}
	ch.Legend = excelize.ChartLegend{Position: "none"}
	if len(ch.Series) > 1 {
		ch.Legend.Position = "bottom"
	}
	zero := 0.0
	ch.YAxis.Minimum = &zero // counts start at zero, whatever the reader's autoscaling
	if ch.Type == excelize.Bar || ch.Type == excelize.BarStacked {
		ch.XAxis.ReverseOrder = true // categories top-down, in the table's order
	}
	ch.Format = excelize.GraphicOptions{AltText: title, OffsetX: 4}
}

// bin is one interval of a distribution: [lo, hi), the last one closed.
type bin struct {
	lo, hi float64
	whole  bool
	count  int
}

func (b bin) label(lang string) string {
	if b.whole {
		hi := b.hi - 1
		if hi <= b.lo {
			return formatNumber(b.lo, lang)
		}
		return formatNumber(b.lo, lang) + "–" + formatNumber(hi, lang)
	}
	if b.hi == b.lo {
		return formatNumber(b.lo, lang)
	}
	return formatNumber(b.lo, lang) + "–" + formatNumber(b.hi, lang)
}

func formatNumber(v float64, lang string) string {
	r := new(big.Rat)
	if r.SetFloat64(v) == nil {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return survey.FormatNumber(r, lang, true)
}

// histogram splits sorted values into at most about ten intervals of a
// round width (1, 2 or 5 times a power of ten); whole numbers get whole
// intervals.
func histogram(sorted []float64, whole bool) []bin {
	n := len(sorted)
	if n == 0 {
		return nil
	}
	lo, hi := sorted[0], sorted[n-1]
	if lo == hi {
		b := bin{lo: lo, hi: hi, count: n}
		if whole {
			b.whole, b.hi = true, lo+1
		}
		return []bin{b}
	}
	k := min(max(int(math.Ceil(math.Sqrt(float64(n)))), 2), 10)
	step := niceStep((hi - lo) / float64(k))
	if whole && step < 1 {
		step = 1
	}
	start := math.Floor(lo/step) * step
	count := int(math.Floor((hi-start)/step)) + 1
	out := make([]bin, count)
	for i := range out {
		out[i] = bin{lo: roundTo(start+float64(i)*step, step), hi: roundTo(start+float64(i+1)*step, step), whole: whole}
	}
	for _, v := range sorted {
		i := min(int(math.Floor((v-start)/step)), count-1)
		out[max(i, 0)].count++
	}
	return out
}

// niceStep rounds a width up to 1, 2 or 5 times a power of ten.
func niceStep(w float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(w)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= w {
			return m * p
		}
	}
	return 10 * p
}

// roundTo removes the float noise of adding steps (0.30000000000000004).
func roundTo(v, step float64) float64 {
	places := max(0, -int(math.Floor(math.Log10(step))))
	p := math.Pow(10, float64(places))
	return math.Round(v*p) / p
}

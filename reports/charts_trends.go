package reports

import (
	"context"
	"strconv"

	gocharts "github.com/go-echarts/go-echarts/v2/charts"
	goopts "github.com/go-echarts/go-echarts/v2/opts"
	gotypes "github.com/go-echarts/go-echarts/v2/types"

	"github.com/civitas-lv/surveyd/survey"
)

// Kinds of the trend charts.
const (
	ChartTrendIndicator = "trend-indicator" // an indicator's median by round
	ChartTrendChoice    = "trend-choice"    // a choice question's option shares by round
)

// TrendSectionCode is the code of the charts' "Dinamika" section. It holds
// a hyphen, so no questionnaire section's code can be the same.
const TrendSectionCode = "results-trends"

// chartLineColours tell an option's line from another's (the stylesheet's
// blue and green, then darker greys and tones with contrast on white).
var chartLineColours = []string{chartBlue, chartGreen, "#a33b20", "#6b3fa0", chartDark, "#8a6d00", "#00707a", "#b0306a"}

// BuildTrendCharts makes the "Dinamika" section: for every series that
// reaches the latest round and covers at least two rounds, a line chart of
// the indicator's median or of each option's share, by round. A series
// that a break (breaks_series) or a change started in the latest round has
// nothing to compare and no chart. nil when no series qualifies. Chart
// ids are "trend-" and the code in the latest round.
func BuildTrendCharts(ctx context.Context, t *Trend, o ChartOptions) (*ChartSection, error) {
	if t == nil || len(t.Rounds) < 2 {
		return nil, nil
	}
	last := len(t.Rounds) - 1
	sec := &ChartSection{Code: TrendSectionCode, Title: o.t("chart.trend.section")}
	b := chartBuilder{o: o, option: chartOptionJSON}
	years := trendYears(t)
	for _, it := range t.Indicators {
		if it.To != last || it.Rounds() < 2 {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		sec.Charts = append(sec.Charts, b.trendIndicator(it, years))
	}
	for _, ct := range t.Choices {
		if ct.To != last || ct.Rounds() < 2 {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		sec.Charts = append(sec.Charts, b.trendChoice(ct, years))
	}
	if b.err != nil {
		return nil, b.err
	}
	if len(sec.Charts) == 0 {
		return nil, nil
	}
	return sec, nil
}

// trendYears names the rounds on a trend's axis: the reference year, with
// the slug when two rounds share it.
func trendYears(t *Trend) []string {
	seen := map[int]int{}
	for _, r := range t.Rounds {
		seen[r.ReferenceYear]++
	}
	out := make([]string, len(t.Rounds))
	for i, r := range t.Rounds {
		out[i] = strconv.Itoa(r.ReferenceYear)
		if seen[r.ReferenceYear] > 1 {
			out[i] += " (" + r.Slug + ")"
		}
	}
	return out
}

// trendLegendRow is the height of a line of the trend charts' legend
// (ECharts' item height 14 and item gap 10), trendLegendText the width
// its names are cut to with an ellipsis (charts.js widens it to the
// chart's; the chart's table holds the names in full).
const (
	trendLegendRow  = 24
	trendLegendText = 260
)

// trendChoiceHeight is the height of a choice question's trend chart: the
// plot, and the legend below it, one option a line.
func trendChoiceHeight(options int) int { return 300 + trendLegendRow*options }

// trendLine is a line chart over the rounds of a span, with a legend of
// legendRows lines below the plot (0: none). The legend lists every line,
// one under another: a legend that pages ("1/3" and arrows) hides lines on
// paper and in a saved PNG, and one that wraps could run into the plot
// at a width the server does not know.
func (b *chartBuilder) trendLine(id string, names []string, unit string, legendRows int) *gocharts.Line {
	ch := gocharts.NewLine()
	bottom := "8"
	if legendRows > 0 {
		bottom = strconv.Itoa(trendLegendRow*legendRows + 16) // room for the legend below
	}
	opts := append(chartInit(id),
		gocharts.WithGridOpts(goopts.Grid{Left: "3%", Right: "6%", Top: "32", Bottom: bottom, ContainLabel: goopts.Bool(true)}),
		gocharts.WithXAxisOpts(goopts.XAxis{Type: "category", AxisLabel: chartWrapLabel(90)}),
	)
	if unit == "%" {
		pct := survey.PercentSuffix(b.o.Lang)
		opts = append(opts, gocharts.WithYAxisOpts(goopts.YAxis{Type: "value", Min: 0, Max: 100,
			AxisLabel: &goopts.AxisLabel{Formatter: gotypes.FuncStr("{value}" + pct)}}))
	} else {
		opts = append(opts, gocharts.WithYAxisOpts(goopts.YAxis{Type: "value", Name: unit, AxisLabel: &goopts.AxisLabel{Formatter: "{value}"}}))
	}
	if legendRows > 0 {
		opts = append(opts, gocharts.WithLegendOpts(goopts.Legend{Show: goopts.Bool(true), Type: "plain", Orient: "vertical",
			Left: "3%", Bottom: "0", TextStyle: &goopts.TextStyle{Width: trendLegendText, Overflow: "truncate"}}))
	}
	ch.SetGlobalOptions(opts...)
	ch.SetXAxis(names)
	return ch
}

// trendIndicator: an indicator's median in each round of its series.
func (b *chartBuilder) trendIndicator(it *IndicatorTrend, years []string) *Chart {
	in := it.Indicator
	p := indicatorPlaces(in)
	c := &Chart{ID: "trend-" + in.Code, Kind: ChartTrendIndicator, Title: in.Text.In(b.o.Lang), Height: 300,
		Unit: in.Unit, Note: b.o.t("chart.trend.note.indicator"), Empty: true}
	c.Table.Header = []string{b.o.t("chart.trend.round"), b.o.t("stat.n"), b.o.t("stat.median")}
	var names []string
	var data []goopts.LineData
	for i := it.From; i <= it.To; i++ {
		names = append(names, years[i])
		row := []ChartCell{b.text(years[i]), b.num(float64(it.N[i]), 0)}
		if it.N[i] == 0 {
			data = append(data, goopts.LineData{Value: "-"}) // "-" is ECharts' empty value
			row = append(row, b.blank())
		} else {
			c.Empty = false
			data = append(data, goopts.LineData{Value: chartRound(it.Medians[i], p)})
			row = append(row, b.amount(it.Medians[i], p, in.Unit))
		}
		c.Table.Rows = append(c.Table.Rows, row)
	}
	if c.Empty || b.o.TablesOnly {
		return c
	}
	ch := b.trendLine(c.ID, names, in.Unit, 0)
	ch.AddSeries(b.o.t("stat.median"), data,
		gocharts.WithItemStyleOpts(goopts.ItemStyle{Color: chartBlue}),
		gocharts.WithLineStyleOpts(goopts.LineStyle{Color: chartBlue, Width: 2}),
		gocharts.WithLabelOpts(goopts.Label{Show: goopts.Bool(true), Position: "top", Formatter: "{c}"}))
	return b.finish(c, ch)
}

// trendChoice: each option's share of those who answered, in each round
// of the question's series, one line per option.
func (b *chartBuilder) trendChoice(ct *ChoiceTrend, years []string) *Chart {
	q := ct.Question
	c := &Chart{ID: "trend-" + q.Code, Kind: ChartTrendChoice, Question: q.Code, Title: q.Text.In(b.o.Lang), Unit: "%",
		Height: trendChoiceHeight(len(ct.Options)), Note: b.o.t("chart.trend.note.choice"), Empty: true}
	c.Table.Header = []string{b.o.t("chart.answer")}
	var names []string
	for i := ct.From; i <= ct.To; i++ {
		names = append(names, years[i])
		c.Table.Header = append(c.Table.Header, years[i])
		if ct.Answered[i] > 0 {
			c.Empty = false
		}
	}
	answered := []ChartCell{b.text(b.o.t("chart.trend.answered"))}
	for i := ct.From; i <= ct.To; i++ {
		answered = append(answered, b.num(float64(ct.Answered[i]), 0))
	}
	c.Table.Rows = append(c.Table.Rows, answered)
	var ch *gocharts.Line
	if !c.Empty && !b.o.TablesOnly {
		ch = b.trendLine(c.ID, names, "%", len(ct.Options))
	}
	for k, o := range ct.Options {
		label := o.Label.In(b.o.Lang)
		row := []ChartCell{b.text(label)}
		var data []goopts.LineData
		for i := ct.From; i <= ct.To; i++ {
			if ct.Answered[i] == 0 {
				row = append(row, b.blank())
				data = append(data, goopts.LineData{Value: "-"})
				continue
			}
			row = append(row, b.pct(o.Percent[i], 1))
			data = append(data, goopts.LineData{Value: chartRound(o.Percent[i], 1)})
		}
		c.Table.Rows = append(c.Table.Rows, row)
		if ch != nil {
			// Past the colours, the lines are dashed: no two look alike.
			colour, dash := chartLineColours[k%len(chartLineColours)], ""
			if k >= len(chartLineColours) {
				dash = "dashed"
			}
			ch.AddSeries(label, data,
				gocharts.WithItemStyleOpts(goopts.ItemStyle{Color: colour}),
				gocharts.WithLineStyleOpts(goopts.LineStyle{Color: colour, Width: 2, Type: dash}))
		}
	}
	if ch == nil {
		return c
	}
	return b.finish(c, ch)
}

package reports

// Charts for the dashboard and the printable report. Each chart is built
// with go-echarts and handed over as its ECharts option (JSON, for the
// browser to draw with the vendored ECharts) together with the figures it
// shows as a table (for the CSV download and for screen readers). Nothing
// here knows about HTTP or HTML: the web package puts the option into a
// JSON data block and static/js/charts.js draws it.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/civitas-lv/surveyd/survey"
	// Aliased: the package's tests and the workbook code use short names
	// such as render freely.
	gocharts "github.com/go-echarts/go-echarts/v2/charts"
	goopts "github.com/go-echarts/go-echarts/v2/opts"
	gotypes "github.com/go-echarts/go-echarts/v2/types"
)

// Kinds of chart.
const (
	ChartBar          = "bar"          // single choice, yes/no: count per option
	ChartShare        = "share"        // multiple choice: % of respondents per option
	ChartDistribution = "distribution" // a number: box plot with every value
	ChartIndicator    = "indicator"    // an indicator: median per planning region
	ChartRegions      = "regions"      // responses per planning region
	ChartRate         = "rate"         // submitted of all per planning region
)

// Ids of the charts that belong to no question. They hold a hyphen, which
// question codes cannot, so they never clash with one; indicator charts are
// "region-" followed by the indicator's code.
const (
	ChartIDRate    = "response-rate"
	ChartIDRegions = "responses-by-region"
)

// chartAssetsHost is where go-echarts would load ECharts from. The pages
// never use go-echarts' own page template, but the default host is a remote
// one and must not appear anywhere, so it is set to our own copy.
const chartAssetsHost = "/static/vendor/echarts/"

// Colours: the stylesheet's blue, green and greys (enough contrast on white).
const (
	chartBlue  = "#0b5cad"
	chartGreen = "#1e6b35"
	chartGrey  = "#b8c0ca"
	chartDark  = "#5a6370"
)

// RateTally is how many municipalities of a planning region submitted, of
// how many (the response tracker's tallies).
type RateTally struct {
	Name             string
	Submitted, Total int
}

// ChartOptions are what the chart builders need besides the summary.
type ChartOptions struct {
	// Lang is "lv" or "en": question wording and number format.
	Lang string
	// T gives the interface wording for a key (the web package's message
	// tables, keys "chart.*" and "stat.*"); nil shows the keys.
	T func(key string, args ...any) string
	// Rate is the response rate per planning region; none: no rate chart.
	Rate []RateTally
	// TablesOnly skips rendering the ECharts options (the costly part):
	// for a chart's CSV, which needs only its table.
	TablesOnly bool
	// Memo, if not nil, keeps the charts built and gives them again for
	// the same figures (see ChartMemo; T must then depend on Lang only).
	// The trends' charts are not kept.
	Memo *ChartMemo
}

func (o ChartOptions) t(key string, args ...any) string {
	if o.T == nil {
		if len(args) > 0 {
			return key + fmt.Sprint(args...)
		}
		return key
	}
	return o.T(key, args...)
}

// ChartSet is every chart of a summary: the overview (response rate,
// responses by region), then the questionnaire's sections in order. A
// section without charts is left out.
type ChartSet struct {
	Overview *ChartSection
	Sections []*ChartSection
}

// ChartSection is a group of charts under one heading.
type ChartSection struct {
	Code, Title string
	Charts      []*Chart
}

// Chart is one chart: what to draw and the figures it shows.
type Chart struct {
	// ID is stable: the question's code, or ChartIDRate, ChartIDRegions,
	// "region-" + indicator code.
	ID   string
	Kind string
	// Question is the question's code for question charts ("" otherwise).
	Question string
	// Title is the heading (the question's wording), Note a line on what
	// the figures are (how many answered, what the percentages are of).
	Title, Note string
	// Option is the ECharts option as JSON, with <, > and & escaped so it
	// can stand inside a <script type="application/json"> block. Empty
	// when Empty.
	Option string
	// Unit is the unit of the values drawn: "EUR", "%", an indicator's
	// own unit, or "" for counts. The page's script writes tooltips with
	// it the way survey.FormatMoney and FormatPercent do.
	Unit string
	// Height is the height to draw at, in CSS pixels.
	Height int
	// Empty is true when there is nothing to draw (no answers in the set);
	// the table is still there.
	Empty bool
	Table ChartTable
}

// ChartTable is a chart's figures: a header row and data rows.
type ChartTable struct {
	Header []string
	Rows   [][]ChartCell
}

// ChartCell is one cell: a label, a number, or blank. Text is what people
// read (numbers formatted in the page's language, amounts with "EUR" and
// two decimals, shares with "%"); a CSV gets numbers as Value with Places
// decimals, without a unit.
type ChartCell struct {
	Text   string
	Value  float64
	Number bool
	Places int
	Blank  bool
}

// Chart returns the chart with the id, or nil.
func (cs *ChartSet) Chart(id string) *Chart {
	for _, c := range cs.All() {
		if c.ID == id {
			return c
		}
	}
	return nil
}

// All returns every chart in display order.
func (cs *ChartSet) All() []*Chart {
	var out []*Chart
	for _, sec := range append([]*ChartSection{cs.Overview}, cs.Sections...) {
		if sec != nil {
			out = append(out, sec.Charts...)
		}
	}
	return out
}

// Charted reports whether a question gets a chart: closed questions and
// numbers do; personal data and free text never do.
func Charted(q *survey.Question) bool {
	return !q.Personal && (q.Type.IsChoice() || q.Type == survey.YesNo || q.Type.IsNumber())
}

// BuildCharts makes the charts of a summary.
func BuildCharts(s *Summary, o ChartOptions) (*ChartSet, error) {
	return BuildChartsContext(context.Background(), s, o)
}

// BuildChartsContext is BuildCharts that looks at ctx before each chart and
// returns ctx's error once it is done.
func BuildChartsContext(ctx context.Context, s *Summary, o ChartOptions) (*ChartSet, error) {
	return buildCharts(ctx, s, o, chartOptionJSON)
}

// buildCharts makes the charts, their options rendered with option.
func buildCharts(ctx context.Context, s *Summary, o ChartOptions, option func(goChart) (string, error)) (*ChartSet, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// The overview's code holds a hyphen, so no questionnaire section's can
	// be the same.
	cs := &ChartSet{Overview: &ChartSection{Code: "results-overview", Title: o.t("chart.overview")}}
	// Each chart is a job (its section, and how to make it through the
	// memo); the jobs run on every processor, each with a builder of its
	// own, and their charts go into their sections in the jobs' order.
	type chartJob struct {
		sec  *ChartSection
		make func(b *chartBuilder) *Chart
	}
	var jobs []chartJob
	if len(o.Rate) > 0 {
		jobs = append(jobs, chartJob{cs.Overview, func(b *chartBuilder) *Chart {
			return b.memo(ChartRate, func(f *chartFigures) {
				f.int(len(o.Rate))
				for _, r := range o.Rate {
					f.str(r.Name)
					f.int(r.Submitted)
					f.int(r.Total)
				}
			}, b.rate)
		}})
	}
	jobs = append(jobs, chartJob{cs.Overview, func(b *chartBuilder) *Chart {
		return b.memo(ChartRegions, func(f *chartFigures) {
			f.int(s.Responses)
			median := func(is *IndicatorSummary) {
				f.int(is.N)
				f.float(is.Median)
			}
			f.int(len(s.Regions))
			for _, g := range s.Regions {
				f.str(g.Name)
				f.int(g.Responses)
				f.int(len(g.Indicators))
				for _, is := range g.Indicators {
					median(is)
				}
			}
			f.int(len(s.Indicators))
			for _, is := range s.Indicators {
				median(is)
			}
		}, b.regions)
	}})

	bySection := map[string]*ChartSection{}
	for _, sec := range s.Definition.Sections {
		cs.Sections = append(cs.Sections, &ChartSection{Code: sec.Code, Title: sec.Title.In(o.Lang)})
		bySection[sec.Code] = cs.Sections[len(cs.Sections)-1]
	}
	for _, qs := range s.Questions {
		q := qs.Question
		if !Charted(q) {
			continue
		}
		jobs = append(jobs, chartJob{bySection[q.Section().Code], func(b *chartBuilder) *Chart {
			return b.memo("question", func(f *chartFigures) {
				f.str(q.Code)
				f.counts(qs)
			}, func() *Chart {
				switch {
				case q.Type == survey.Multi:
					return b.share(qs)
				case q.Type.IsChoice() || q.Type == survey.YesNo:
					return b.bar(qs)
				default:
					return b.distribution(qs)
				}
			})
		}})
	}
	for i, is := range s.Indicators {
		sec := bySection[indicatorSection(s.Definition, is.Indicator)]
		if sec == nil {
			sec = cs.Overview
		}
		jobs = append(jobs, chartJob{sec, func(b *chartBuilder) *Chart {
			return b.memo(ChartIndicator, func(f *chartFigures) {
				f.int(i)
				f.str(is.Indicator.Code)
				stats := func(st *Stats) {
					f.int(st.N)
					for _, v := range []float64{st.Median, st.Q1, st.Q3, st.Mean} {
						f.float(v)
					}
				}
				stats(&is.Stats)
				f.int(len(s.Regions))
				for _, g := range s.Regions {
					f.str(g.Name)
					stats(&g.Indicators[i].Stats)
				}
			}, func() *Chart { return b.indicator(i, is) })
		}})
	}
	charts := make([]*Chart, len(jobs))
	errs := make([]error, len(jobs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(jobs)) {
		wg.Go(func() {
			for {
				k := int(next.Add(1)) - 1
				if k >= len(jobs) {
					return
				}
				if errs[k] = ctx.Err(); errs[k] != nil {
					continue
				}
				b := chartBuilder{s: s, o: o, option: option}
				charts[k] = jobs[k].make(&b)
				errs[k] = b.err
			}
		})
	}
	wg.Wait()
	for k, j := range jobs {
		if errs[k] != nil {
			return nil, errs[k]
		}
		j.sec.Charts = append(j.sec.Charts, charts[k])
	}
	cs.Sections = slices.DeleteFunc(cs.Sections, func(sec *ChartSection) bool { return len(sec.Charts) == 0 })
	return cs, nil
}

// indicatorSection is the area an indicator belongs to: the section of the
// last question its formula names (ngo_support_eur / population belongs
// with NGO support, not with the respondent's population figure).
func indicatorSection(def *survey.Definition, in *survey.Indicator) string {
	best, bestAt := "", -1
	order := map[string]int{}
	for i, q := range def.Questions() {
		order[q.Code] = i
	}
	for _, word := range chartFormulaWords(in.Formula) {
		if i, ok := order[word]; ok && i > bestAt {
			best, bestAt = def.Question(word).Section().Code, i
		}
	}
	return best
}

// chartFormulaWords splits a formula into its bare words (quoted text left
// out).
func chartFormulaWords(f string) []string {
	var words []string
	var quote rune
	start := -1
	for i, r := range f + " " {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			words = append(words, f[start:i])
			start = -1
		}
	}
	return words
}

type chartBuilder struct {
	s   *Summary
	o   ChartOptions
	err error
	// option renders a chart's option: chartOptionJSON (the tests put the
	// old way beside it).
	option func(goChart) (string, error)
}

// goChart is what finish needs of a go-echarts chart (*Bar, *BoxPlot):
// Validate puts the axis data in place — what RenderSnippet and Render run
// first — and JSON gives the option.
type goChart interface {
	Validate()
	JSON() map[string]any
}

// finish renders a go-echarts chart's option, with the dots of a
// distribution (one at most) in the place of their mark.
func (b *chartBuilder) finish(c *Chart, ch goChart, dots ...*chartDots) *Chart {
	if c.Empty || b.o.TablesOnly {
		return c
	}
	opt, err := b.option(ch)
	for _, d := range dots {
		if err == nil {
			opt, err = d.splice(opt)
		}
	}
	if err != nil && b.err == nil {
		b.err = fmt.Errorf("chart %s: %w", c.ID, err)
	}
	c.Option = opt
	return c
}

// chartOptionJSON marshals the chart's option, compact, with <, > and &
// escaped (encoding/json's default) so that no label can end the script
// element it is put in. These are the bytes go-echarts' RenderSnippet
// would give once compacted and escaped (chartOptionJSONBySnippet in the
// tests), without executing its templates and reparsing their output.
func chartOptionJSON(ch goChart) (string, error) {
	ch.Validate()
	out, err := json.Marshal(ch.JSON())
	if err != nil {
		return "", fmt.Errorf("the option is not JSON: %w", err)
	}
	return string(out), nil
}

// chartInit is what every chart shares: a fixed id (go-echarts would make
// a random one), our own assets host, no animation (charts are complete at
// once for printing and for saving as PNG).
func chartInit(id string) []gocharts.GlobalOpts {
	return []gocharts.GlobalOpts{
		gocharts.WithInitializationOpts(goopts.Initialization{ChartID: "chart_" + strings.ReplaceAll(id, "-", "_"),
			AssetsHost: chartAssetsHost}),
		gocharts.WithAnimation(false),
		gocharts.WithLegendOpts(goopts.Legend{Show: goopts.Bool(false)}),
		gocharts.WithTooltipOpts(goopts.Tooltip{Show: goopts.Bool(true), Trigger: "axis"}),
	}
}

// chartWrapLabel lets long category names break onto several lines.
func chartWrapLabel(width int) *goopts.AxisLabel {
	return &goopts.AxisLabel{Show: goopts.Bool(true), Interval: "0", Width: width, Overflow: "break", LineHeight: "15",
		ShowMinLabel: goopts.Bool(true), ShowMaxLabel: goopts.Bool(true)}
}

// chartBarMax keeps bars from growing too wide when there are few.
func chartBarMax(width string) gocharts.SeriesOpts {
	return gocharts.WithSeriesOpts(func(s *gocharts.SingleSeries) { s.BarMaxWidth = width })
}

// bar: single choice and yes/no, the count of each option.
func (b *chartBuilder) bar(qs *QuestionSummary) *Chart {
	q := qs.Question
	c := &Chart{ID: q.Code, Kind: ChartBar, Question: q.Code, Title: q.Text.In(b.o.Lang), Height: 300,
		Note: b.o.t("chart.note.choice", qs.Answered, qs.NotApplicable, qs.Missing), Empty: qs.Answered == 0}
	c.Table.Header = []string{b.o.t("chart.answer"), b.o.t("chart.count"), b.o.t("chart.percent.answered")}
	var names []string
	var data []goopts.BarData
	for _, oc := range qs.Options {
		label := oc.Label.In(b.o.Lang)
		names = append(names, label)
		data = append(data, goopts.BarData{Name: label, Value: oc.Count})
		c.Table.Rows = append(c.Table.Rows, []ChartCell{b.text(label), b.num(float64(oc.Count), 0), b.pct(oc.Percent, 1)})
	}
	return b.finish(c, b.columns(c.ID, names, data, b.o.t("chart.count"), "24", 120, "72"))
}

// share: multiple choice, the % of respondents choosing each option, as
// horizontal bars (options read top to bottom as on the form).
func (b *chartBuilder) share(qs *QuestionSummary) *Chart {
	q := qs.Question
	c := &Chart{ID: q.Code, Kind: ChartShare, Question: q.Code, Title: q.Text.In(b.o.Lang), Unit: "%",
		Height: 70 + 42*len(qs.Options), Empty: qs.Answered == 0,
		Note: b.o.t("chart.note.choice", qs.Answered, qs.NotApplicable, qs.Missing) + " " + b.o.t("chart.note.multi")}
	c.Table.Header = []string{b.o.t("chart.answer"), b.o.t("chart.count"), b.o.t("chart.percent.answered")}
	var names []string
	var data []goopts.BarData
	for _, oc := range qs.Options {
		label := oc.Label.In(b.o.Lang)
		names = append(names, label)
		data = append(data, goopts.BarData{Name: label, Value: chartRound(oc.Percent, 1)})
		c.Table.Rows = append(c.Table.Rows, []ChartCell{b.text(label), b.num(float64(oc.Count), 0), b.pct(oc.Percent, 1)})
	}
	pct := survey.PercentSuffix(b.o.Lang)
	ch := gocharts.NewBar()
	ch.SetGlobalOptions(append(chartInit(c.ID),
		gocharts.WithGridOpts(goopts.Grid{Left: "3%", Right: "8%", Top: "8", Bottom: "24", ContainLabel: goopts.Bool(true)}),
		gocharts.WithXAxisOpts(goopts.XAxis{Type: "value", Min: 0, Max: 100, AxisLabel: &goopts.AxisLabel{Formatter: gotypes.FuncStr("{value}" + pct)}}),
		gocharts.WithYAxisOpts(goopts.YAxis{Type: "category", Inverse: goopts.Bool(true), AxisLabel: chartWrapLabel(200)}),
	)...)
	ch.SetXAxis(names).AddSeries(b.o.t("chart.percent.answered"), data,
		gocharts.WithItemStyleOpts(goopts.ItemStyle{Color: chartBlue}),
		gocharts.WithLabelOpts(goopts.Label{Show: goopts.Bool(true), Position: "right", Formatter: "{c}" + pct}),
		chartBarMax("24"))
	ch.XYReversal()
	return b.finish(c, ch)
}

// chartPlaces is how many decimals a number question's values and its
// statistics (mean, quartiles) are shown with.
func chartPlaces(q *survey.Question) (values, stat int) {
	switch q.Type {
	case survey.Int, survey.Year:
		return 0, 1
	case survey.Money:
		return survey.MoneyPlaces, survey.MoneyPlaces
	}
	return q.Places(), q.Places()
}

// distribution: a number question, as a horizontal box plot (minimum,
// quartiles, median, maximum) with every value as a dot.
func (b *chartBuilder) distribution(qs *QuestionSummary) *Chart {
	q := qs.Question
	st := qs.Numbers
	vp, sp := chartPlaces(q)
	unit := unitOf(q)
	c := &Chart{ID: q.Code, Kind: ChartDistribution, Question: q.Code, Title: q.Text.In(b.o.Lang), Height: 190,
		Unit: unit, Note: b.o.t("chart.note.number", qs.Answered, qs.NotApplicable, qs.Missing), Empty: st.N == 0}
	c.Table = b.statsTable(st, vp, sp, unit, q.Type == survey.Money || q.Type == survey.Int)
	if c.Empty {
		return c
	}
	values := st.Values()
	for i, v := range values {
		values[i] = chartRound(v, vp)
	}
	dots := newChartDots(values)
	// The unit is the axis name, centred under the axis labels: at the end
	// of the axis it stood past the grid's right edge and was cut ("EU").
	bottom := "16"
	if unit != "" {
		c.Height += 20
		bottom = "36"
	}
	ch := gocharts.NewBoxPlot()
	ch.SetGlobalOptions(append(chartInit(c.ID),
		gocharts.WithTooltipOpts(goopts.Tooltip{Show: goopts.Bool(true), Trigger: "item"}),
		gocharts.WithGridOpts(goopts.Grid{Left: "3%", Right: "5%", Top: "16", Bottom: bottom, ContainLabel: goopts.Bool(true)}),
		gocharts.WithXAxisOpts(goopts.XAxis{Type: "value", Scale: goopts.Bool(q.Type == survey.Year), Name: unit,
			NameLocation: "middle", NameGap: 30,
			AxisLabel: &goopts.AxisLabel{Formatter: "{value}", HideOverlap: goopts.Bool(true)}}),
		gocharts.WithYAxisOpts(goopts.YAxis{Type: "category", AxisLabel: &goopts.AxisLabel{Show: goopts.Bool(false)}}),
	)...)
	// Horizontal: the values run along x, the one box sits on a category y
	// axis (no SetXAxis, which would put the category on x).
	ch.AddSeries(b.o.t("chart.distribution"), []goopts.BoxPlotData{{Name: q.Code,
		Value: []float64{chartRound(st.Min, vp), chartRound(st.Q1, sp), chartRound(st.Median, sp), chartRound(st.Q3, sp),
			chartRound(st.Max, vp)}}},
		gocharts.WithItemStyleOpts(goopts.ItemStyle{Color: "#dbe7f3", BorderColor: chartBlue, BorderWidth: 2}))
	ch.YAxisList[0].Data = []string{q.Code}
	scatter := gocharts.NewScatter()
	// Every value as a dot, written straight (chartDots) rather than as
	// one opts.ScatterData each: the same bytes, without reflecting over
	// thousands of them.
	scatter.AddSeries(b.o.t("chart.values"), nil, gocharts.WithItemStyleOpts(goopts.ItemStyle{Color: chartDark,
		Opacity: goopts.Float(0.55)}), gocharts.WithSeriesOpts(func(s *gocharts.SingleSeries) { s.SymbolSize = 9; s.Data = dots }))
	ch.Overlap(scatter)
	return b.finish(c, ch, dots)
}

// statsTable lists a distribution's figures.
func (b *chartBuilder) statsTable(st *Stats, vp, sp int, unit string, withSum bool) ChartTable {
	t := ChartTable{Header: []string{b.o.t("chart.statistic"), b.o.t("chart.value")}}
	row := func(key string, v float64, places int) {
		cell := b.amount(v, places, unit)
		if st.N == 0 {
			cell = b.blank()
		}
		t.Rows = append(t.Rows, []ChartCell{b.text(b.o.t(key)), cell})
	}
	t.Rows = append(t.Rows, []ChartCell{b.text(b.o.t("stat.n")), b.num(float64(st.N), 0)})
	if withSum {
		row("stat.sum", st.Sum, vp)
	}
	row("stat.mean", st.Mean, sp)
	row("stat.min", st.Min, vp)
	row("stat.q1", st.Q1, sp)
	row("stat.median", st.Median, sp)
	row("stat.q3", st.Q3, sp)
	row("stat.max", st.Max, vp)
	return t
}

// indicatorPlaces is an indicator's decimals (2 when the definition gives
// none).
func indicatorPlaces(in *survey.Indicator) int {
	if in.Decimals > 0 {
		return in.Decimals
	}
	return 2
}

// indicator: the median of an indicator in each planning region, beside
// the median of all responses.
func (b *chartBuilder) indicator(i int, is *IndicatorSummary) *Chart {
	in := is.Indicator
	p := indicatorPlaces(in)
	c := &Chart{ID: "region-" + in.Code, Kind: ChartIndicator, Title: b.o.t("chart.indicator.title", in.Text.In(b.o.Lang)),
		Height: 320, Unit: in.Unit, Empty: is.N == 0, Note: b.o.t("chart.note.indicator", is.N)}
	c.Table.Header = []string{b.o.t("chart.region"), b.o.t("stat.n"), b.o.t("stat.median"), b.o.t("stat.q1"),
		b.o.t("stat.q3"), b.o.t("stat.mean")}
	var names []string
	var data []goopts.BarData
	add := func(name string, st *Stats, colour string) {
		names = append(names, name)
		row := []ChartCell{b.text(name), b.num(float64(st.N), 0)}
		if st.N == 0 {
			data = append(data, goopts.BarData{Name: name, Value: "-"}) // "-" is ECharts' empty value
			row = append(row, b.blank(), b.blank(), b.blank(), b.blank())
		} else {
			data = append(data, goopts.BarData{Name: name, Value: chartRound(st.Median, p), ItemStyle: &goopts.ItemStyle{Color: colour}})
			row = append(row, b.amount(st.Median, p, in.Unit), b.amount(st.Q1, p, in.Unit), b.amount(st.Q3, p, in.Unit),
				b.amount(st.Mean, p, in.Unit))
		}
		c.Table.Rows = append(c.Table.Rows, row)
	}
	add(b.o.t("chart.allregions"), &is.Stats, chartDark)
	for _, g := range b.s.Regions {
		add(g.Name, &g.Indicators[i].Stats, chartBlue)
	}
	if c.Empty {
		return c
	}
	ch := gocharts.NewBar()
	ch.SetGlobalOptions(append(chartInit(c.ID),
		gocharts.WithGridOpts(goopts.Grid{Left: "3%", Right: "3%", Top: "32", Bottom: "8", ContainLabel: goopts.Bool(true)}),
		gocharts.WithXAxisOpts(goopts.XAxis{Type: "category", AxisLabel: chartWrapLabel(110)}),
		gocharts.WithYAxisOpts(goopts.YAxis{Type: "value", Name: in.Unit, AxisLabel: &goopts.AxisLabel{Formatter: "{value}"}}),
	)...)
	ch.SetXAxis(names).AddSeries(b.o.t("stat.median"), data,
		gocharts.WithItemStyleOpts(goopts.ItemStyle{Color: chartBlue}),
		gocharts.WithLabelOpts(goopts.Label{Show: goopts.Bool(true), Position: "top", Formatter: "{c}"}),
		chartBarMax("64"))
	return b.finish(c, ch)
}

// regions: how many responses of the set come from each planning region,
// with each region's median of every indicator in the table.
func (b *chartBuilder) regions() *Chart {
	c := &Chart{ID: ChartIDRegions, Kind: ChartRegions, Title: b.o.t("chart.regions.title"), Height: 320,
		Note: b.o.t("chart.note.regions", b.s.Responses), Empty: b.s.Responses == 0}
	c.Table.Header = []string{b.o.t("chart.region"), b.o.t("chart.responses")}
	for _, is := range b.s.Indicators {
		c.Table.Header = append(c.Table.Header, b.o.t("chart.median.of", is.Indicator.Text.In(b.o.Lang)))
	}
	var names []string
	var data []goopts.BarData
	row := func(name string, n int, ind []*IndicatorSummary) {
		r := []ChartCell{b.text(name), b.num(float64(n), 0)}
		for _, is := range ind {
			if is.N == 0 {
				r = append(r, b.blank())
			} else {
				r = append(r, b.amount(is.Median, indicatorPlaces(is.Indicator), is.Indicator.Unit))
			}
		}
		c.Table.Rows = append(c.Table.Rows, r)
	}
	for _, g := range b.s.Regions {
		names = append(names, g.Name)
		data = append(data, goopts.BarData{Name: g.Name, Value: g.Responses})
		row(g.Name, g.Responses, g.Indicators)
	}
	row(b.o.t("chart.allregions"), b.s.Responses, b.s.Indicators)
	if c.Empty {
		return c
	}
	return b.finish(c, b.columns(c.ID, names, data, b.o.t("chart.responses"), "32", 110, "64"))
}

// columns is a vertical bar chart of counts with the value on each bar:
// top is the grid's top margin, wrap the label width in pixels, barMax
// the widest bar.
func (b *chartBuilder) columns(id string, names []string, data []goopts.BarData, valueName, top string, wrap int,
	barMax string) *gocharts.Bar {
	ch := gocharts.NewBar()
	ch.SetGlobalOptions(append(chartInit(id),
		gocharts.WithGridOpts(goopts.Grid{Left: "3%", Right: "3%", Top: top, Bottom: "8", ContainLabel: goopts.Bool(true)}),
		gocharts.WithXAxisOpts(goopts.XAxis{Type: "category", AxisLabel: chartWrapLabel(wrap)}),
		gocharts.WithYAxisOpts(goopts.YAxis{Type: "value", Name: valueName, MinInterval: 1}),
	)...)
	ch.SetXAxis(names).AddSeries(valueName, data,
		gocharts.WithItemStyleOpts(goopts.ItemStyle{Color: chartBlue}),
		gocharts.WithLabelOpts(goopts.Label{Show: goopts.Bool(true), Position: "top", Formatter: "{c}"}),
		chartBarMax(barMax))
	return ch
}

// rate: in each planning region, the municipalities that submitted and
// those that have not, stacked to the region's total.
func (b *chartBuilder) rate() *Chart {
	c := &Chart{ID: ChartIDRate, Kind: ChartRate, Title: b.o.t("chart.rate.title"), Note: b.o.t("chart.note.rate"),
		Height: 90 + 44*len(b.o.Rate)}
	c.Table.Header = []string{b.o.t("chart.region"), b.o.t("chart.submitted"), b.o.t("chart.total"), b.o.t("chart.percent")}
	var names []string
	var sub, rest []goopts.BarData
	all := RateTally{Name: b.o.t("chart.allregions")}
	for _, r := range b.o.Rate {
		names = append(names, r.Name)
		sub = append(sub, goopts.BarData{Name: r.Name, Value: r.Submitted})
		rest = append(rest, goopts.BarData{Name: r.Name, Value: r.Total - r.Submitted})
		c.Table.Rows = append(c.Table.Rows, b.rateRow(r))
		all.Submitted += r.Submitted
		all.Total += r.Total
	}
	c.Table.Rows = append(c.Table.Rows, b.rateRow(all))
	c.Empty = all.Total == 0
	if c.Empty {
		return c
	}
	ch := gocharts.NewBar()
	ch.SetGlobalOptions(append(chartInit(c.ID),
		gocharts.WithLegendOpts(goopts.Legend{Show: goopts.Bool(true), Top: "0"}),
		gocharts.WithGridOpts(goopts.Grid{Left: "3%", Right: "5%", Top: "36", Bottom: "24", ContainLabel: goopts.Bool(true)}),
		gocharts.WithXAxisOpts(goopts.XAxis{Type: "value", MinInterval: 1}),
		gocharts.WithYAxisOpts(goopts.YAxis{Type: "category", Inverse: goopts.Bool(true), AxisLabel: chartWrapLabel(180)}),
	)...)
	ch.SetXAxis(names).
		AddSeries(b.o.t("chart.submitted"), sub, gocharts.WithBarChartOpts(goopts.BarChart{Stack: "all"}), chartBarMax("28"),
			gocharts.WithItemStyleOpts(goopts.ItemStyle{Color: chartGreen}),
			gocharts.WithLabelOpts(goopts.Label{Show: goopts.Bool(true), Position: "inside", Color: "#fff", Formatter: "{c}"})).
		AddSeries(b.o.t("chart.notsubmitted"), rest, gocharts.WithBarChartOpts(goopts.BarChart{Stack: "all"}), chartBarMax("28"),
			gocharts.WithItemStyleOpts(goopts.ItemStyle{Color: chartGrey}))
	ch.XYReversal()
	return b.finish(c, ch)
}

func (b *chartBuilder) rateRow(r RateTally) []ChartCell {
	pct := 0.0
	if r.Total > 0 {
		pct = 100 * float64(r.Submitted) / float64(r.Total)
	}
	return []ChartCell{b.text(r.Name), b.num(float64(r.Submitted), 0), b.num(float64(r.Total), 0), b.pct(pct, 0)}
}

// KeyFigures is the report's table of headline figures per area: every
// indicator (median, mean, how many) and every amount in euros (with its
// total), in questionnaire order. Columns: area, figure, n, median, mean,
// total.
func KeyFigures(s *Summary, o ChartOptions) ChartTable {
	b := chartBuilder{s: s, o: o}
	t := ChartTable{Header: []string{o.t("chart.area"), o.t("chart.figure"), o.t("stat.n"), o.t("stat.median"),
		o.t("stat.mean"), o.t("stat.sum")}}
	add := func(area, name string, st *Stats, places int, unit string, withSum bool) {
		r := []ChartCell{b.text(area), b.text(name), b.num(float64(st.N), 0)}
		if st.N == 0 {
			r = append(r, b.blank(), b.blank())
		} else {
			r = append(r, b.amount(st.Median, places, unit), b.amount(st.Mean, places, unit))
		}
		if withSum && st.N > 0 {
			r = append(r, b.amount(st.Sum, places, unit))
		} else {
			r = append(r, b.blank())
		}
		t.Rows = append(t.Rows, r)
	}
	for _, sec := range s.Definition.Sections {
		area := sec.Title.In(o.Lang)
		for _, q := range sec.Questions {
			if q.Type == survey.Money && !q.Personal {
				add(area, q.Text.In(o.Lang), s.Question(q.Code).Numbers, survey.MoneyPlaces, "EUR", true)
			}
		}
		for _, is := range s.Indicators {
			if indicatorSection(s.Definition, is.Indicator) == sec.Code {
				name := is.Indicator.Text.In(o.Lang)
				add(area, name, &is.Stats, indicatorPlaces(is.Indicator), is.Indicator.Unit, false)
			}
		}
	}
	return t
}

func (b *chartBuilder) text(s string) ChartCell { return ChartCell{Text: s} }

func (b *chartBuilder) blank() ChartCell { return ChartCell{Text: "—", Blank: true} }

func (b *chartBuilder) num(v float64, places int) ChartCell {
	v = chartRound(v, places)
	return ChartCell{Text: ChartNumber(v, places, b.o.Lang), Value: v, Number: true, Places: places}
}

// pct is a share of 0–100: "33,3 %" in Latvian, "33.3%" in English.
func (b *chartBuilder) pct(v float64, places int) ChartCell {
	c := b.num(v, places)
	c.Text += survey.PercentSuffix(b.o.Lang)
	return c
}

// amount is a figure in unit: euros always with two decimals and "EUR",
// shares with "%", other units (and none) as plain numbers — their unit
// is in the heading.
func (b *chartBuilder) amount(v float64, places int, unit string) ChartCell {
	switch unit {
	case "EUR":
		c := b.num(v, survey.MoneyPlaces)
		c.Text = survey.FormatFixedFloat(c.Value, survey.MoneyPlaces, b.o.Lang) + survey.MoneySuffix(b.o.Lang)
		return c
	case "%":
		return b.pct(v, places)
	}
	return b.num(v, places)
}

// ChartNumber formats a number for people in lang: "1 234,5" in Latvian,
// "1,234.5" in English, with at most places decimals.
func ChartNumber(v float64, places int, lang string) string {
	return survey.FormatFloat(v, places, lang, true)
}

// chartDots are a distribution's values as the scatter series' data: in
// JSON, each as the opts.ScatterData{Value: []any{v, 0}} it stands for
// ({"value":[v,0]}, the number as encoding/json writes a float64). In the
// option they are first written as a mark (MarshalJSON), a string made of
// 128 random bits that no label can hold by chance, and then put in its
// place (splice): encoding/json would otherwise check and compact every
// byte a MarshalJSON gives again — at 10,000 responses about 250 KB a
// distribution, a tenth of the charts page's time.
type chartDots struct {
	values []float64
	mark   string
}

// newChartDots are values as dots, with a mark of their own.
func newChartDots(values []float64) *chartDots {
	return &chartDots{values: values, mark: fmt.Sprintf("chart-dots-%016x%016x", rand.Uint64(), rand.Uint64())}
}

// MarshalJSON writes the mark, as a JSON string.
func (d *chartDots) MarshalJSON() ([]byte, error) { return []byte(`"` + d.mark + `"`), nil }

// splice puts the dots in the place of their mark in option, which must
// hold it once.
func (d *chartDots) splice(option string) (string, error) {
	mark := `"` + d.mark + `"`
	at := strings.Index(option, mark)
	if at < 0 || strings.Contains(option[at+len(mark):], mark) {
		return "", errors.New("the dots' mark is not in the option once")
	}
	out := make([]byte, 0, len(option)-len(mark)+2+len(d.values)*20)
	out = append(out, option[:at]...)
	out, err := d.appendJSON(out)
	if err != nil {
		return "", err
	}
	return string(append(out, option[at+len(mark):]...)), nil
}

// appendJSON appends the dots' JSON.
func (d *chartDots) appendJSON(out []byte) ([]byte, error) {
	out = append(out, '[')
	for i, v := range d.values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("unsupported value: %v", v)
		}
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, `{"value":[`...)
		out = appendJSONFloat(out, v)
		out = append(out, ",0]}"...)
	}
	return append(out, ']'), nil
}

// appendJSONFloat appends v as encoding/json writes a float64: the
// shortest form, with an exponent only below 1e-6 or from 1e21 on, the
// exponent's leading zero dropped. A whole number up to 2^53 (most of a
// distribution's dots: counts, sums in euro), which float64 holds exactly
// and whose shortest form is its digits, is written as an integer:
// several times quicker to write.
func appendJSONFloat(out []byte, v float64) []byte {
	if v == math.Trunc(v) && math.Abs(v) <= 1<<53 && (v != 0 || !math.Signbit(v)) {
		return strconv.AppendInt(out, int64(v), 10)
	}
	format := byte('f')
	if a := math.Abs(v); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	out = strconv.AppendFloat(out, v, format, -1, 64)
	if format == 'e' {
		// e-09 to e-9
		if n := len(out); n >= 4 && out[n-4] == 'e' && out[n-3] == '-' && out[n-2] == '0' {
			out[n-2] = out[n-1]
			out = out[:n-1]
		}
	}
	return out
}

func chartRound(v float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(v*p) / p
}

// WriteChartCSV writes a chart's table as a CSV for people (see CSV): in
// lang's separators, numbers as numbers without their unit, blanks empty,
// text that looks like a formula defused.
func WriteChartCSV(w io.Writer, t ChartTable, lang string) error {
	cw, err := NewCSV(w, lang)
	if err != nil {
		return err
	}
	header := make([]any, len(t.Header))
	for i, h := range t.Header {
		header[i] = h
	}
	if err := cw.Write(header...); err != nil {
		return err
	}
	for _, row := range t.Rows {
		rec := make([]any, len(row))
		for i, c := range row {
			switch {
			case c.Blank:
				rec[i] = nil
			case c.Number:
				rec[i] = CSVNumber{Value: c.Value, Places: c.Places}
			default:
				rec[i] = c.Text
			}
		}
		if err := cw.Write(rec...); err != nil {
			return err
		}
	}
	return cw.Flush()
}

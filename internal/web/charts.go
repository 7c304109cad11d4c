package web

// The chart dashboard, each chart's data as CSV, and the printable report.
// All three get from manage.Charts the round's rows read once, the
// filtered set aggregated and the charts built; the pages
// put each chart's ECharts option into a JSON data block that
// static/js/charts.js draws — no inline script or style, so the strict CSP
// holds.

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/reports"
	"github.com/civitas-lv/surveyd/survey"
	"github.com/gin-gonic/gin"
)

// reportWidth is the width the report draws charts at, in CSS pixels: an
// A4 page less its margins (210 − 2 × 15 mm = 180 mm ≈ 680 px, see @page in
// app.css) with room to spare.
const reportWidth = 640

// statusChoices are the response sets the filter offers (the value is the
// status query parameter; "" is the default, submitted only).
var statusChoices = []struct{ Value, Key string }{
	{"", "charts.status.submitted"},
	{"submitted,returned", "charts.status.withreturns"},
	{"returned", "charts.status.returned"},
	{"draft", "charts.status.draft"},
	{"all", "charts.status.all"},
}

// resultsData is what the dashboard, the CSV and the report share.
type resultsData struct {
	sv          domain.Survey
	def         *survey.Definition
	filter      reports.Filter
	summary     *reports.Summary
	rate        manage.Tally
	set         *reports.ChartSet
	regions     []string // planning regions of the round's municipalities
	statRegions []string
}

// results reads and aggregates the round's rows under the request's filter
// and builds the charts (manage.Charts: viewers and coordinators alike, no
// contacts, and personal questions are never charted).
func (s *Server) results(c *gin.Context, tablesOnly bool) (*resultsData, error) {
	l := s.lang(c)
	sv, def, err := s.loadRound(c)
	if err != nil {
		return nil, err
	}
	d := &resultsData{sv: sv, def: def, filter: reports.FilterFrom(c.Request.URL.Query())}
	ch, err := s.manage.Charts(c.Request.Context(), actor(c), sv, def, d.filter,
		reports.ChartOptions{Lang: string(l), T: l.chartT, TablesOnly: tablesOnly})
	if err != nil {
		return nil, err
	}
	d.summary, d.rate, d.set, d.regions, d.statRegions = ch.Summary, ch.Rate, ch.Set, ch.Regions, ch.StatRegions
	return d, nil
}

// chartsPage is the data both pages render.
type chartsPage struct {
	Page
	Survey     domain.Survey
	RoundTitle string
	RefYear    int
	Responses  int
	Rate       manage.Tally
	Filter     chartsFilterView
	Selection  []string // the filter in words (report's title page)
	Generated  string
	ReportURL  string
	ChartsURL  string
	ExportURL  string
	Overview   chartSectionView
	Sections   []chartSectionView
	KeyFigures reports.ChartTable
	// Report: charts at a fixed size for A4, drawn as SVG.
	Report bool
	Width  int
}

type chartsFilterView struct {
	Region, StatRegion, Kind, Status string
	Regions, StatRegions             []string
	Statuses                         []statusOption
}

type statusOption struct {
	Value, Label string
	Selected     bool
}

type chartSectionView struct {
	Code, Title string
	Charts      []chartView
}

type chartView struct {
	// The chart's fields the card shows, copied rather than embedded:
	// html/template finds a field of an embedded struct by a slow search
	// (reflect's FieldByNameFunc), a dozen times per chart.
	ID, Kind, Question, Title, Note, Unit string
	Height                                int
	Empty                                 bool
	// OptionJSON is the option for the <script type="application/json">
	// block (reports escapes <, > and & in it).
	OptionJSON template.JS
	// TableHTML is the chart's table (chartTableHTML).
	TableHTML template.HTML
	// Card is the whole card, written from the rest (chartCardHTML), in
	// three parts.
	Card    [3]template.HTML
	CSVURL  string
	PNGName string
	// What the card needs of its page.
	Lang   lang
	Report bool
	Width  int
}

func (s *Server) chartsView(c *gin.Context, d *resultsData, report bool) chartsPage {
	l := s.lang(c)
	base := "/surveys/" + url.PathEscape(d.sv.Slug)
	q := d.filter.Query()
	withQuery := func(path string, q url.Values) string {
		if len(q) == 0 {
			return path
		}
		return path + "?" + q.Encode()
	}
	csvQuery := d.filter.Query()
	csvQuery.Set("lang", string(l)) // the CSV's headers are in the page's language
	p := chartsPage{Survey: d.sv, RoundTitle: d.def.Title.In(string(l)), RefYear: d.def.ReferenceYear,
		Responses: d.summary.Responses, Rate: d.rate, Report: report,
		ReportURL: withQuery(base+"/report", q), ChartsURL: withQuery(base+"/charts", q),
		ExportURL: withQuery(base+"/export.xlsx", q), Generated: l.when(s.now().In(s.tz), locative),
		KeyFigures: reports.KeyFigures(d.summary, reports.ChartOptions{Lang: string(l), T: l.chartT})}
	if report {
		p.Page = s.page(c, l.T("report.title")+" — "+p.RoundTitle)
		p.Width = reportWidth
	} else {
		p.Page = s.page(c, l.T("charts.title")+" — "+p.RoundTitle)
	}

	f := d.filter
	p.Filter = chartsFilterView{Region: f.PlanningRegion, StatRegion: f.StatisticalRegion, Kind: f.Kind,
		Regions: d.regions, StatRegions: d.statRegions, Status: statusValue(f.Statuses)}
	known := false
	for _, sc := range statusChoices {
		sel := sc.Value == p.Filter.Status
		known = known || sel
		p.Filter.Statuses = append(p.Filter.Statuses, statusOption{Value: sc.Value, Label: l.T(sc.Key), Selected: sel})
	}
	if !known { // a combination typed into the address: show it as it is
		p.Filter.Statuses = append(p.Filter.Statuses, statusOption{Value: p.Filter.Status,
			Label: statusWords(f.Statuses, l), Selected: true})
	}

	all := l.T("filter.all")
	or := func(v, dflt string) string {
		if v == "" {
			return dflt
		}
		return v
	}
	kind := all
	if f.Kind != "" {
		if kind = l.T("kind." + f.Kind); kind == "kind."+f.Kind { // a kind we have no word for
			kind = f.Kind
		}
	}
	p.Selection = []string{
		l.T("filter.region") + ": " + or(f.PlanningRegion, all),
		l.T("charts.filter.statregion") + ": " + or(f.StatisticalRegion, all),
		l.T("filter.kind") + ": " + kind,
		l.T("charts.filter.status") + ": " + statusWords(f.Statuses, l),
	}

	section := func(sec *reports.ChartSection) chartSectionView {
		v := chartSectionView{Code: sec.Code, Title: sec.Title}
		for _, ch := range sec.Charts {
			cv := chartView{ID: ch.ID, Kind: ch.Kind, Question: ch.Question, Title: ch.Title,
				Note: ch.Note, Unit: ch.Unit, Height: ch.Height, Empty: ch.Empty, OptionJSON: template.JS(ch.Option), TableHTML: chartTableHTML(ch),
				CSVURL:  withQuery(base+"/charts/"+url.PathEscape(ch.ID)+"/data.csv", csvQuery),
				PNGName: d.sv.Slug + "-" + ch.ID + ".png", Lang: l, Report: report, Width: p.Width}
			cv.Card = chartCardHTML(&cv)
			v.Charts = append(v.Charts, cv)
		}
		return v
	}
	p.Overview = section(d.set.Overview)
	for _, sec := range d.set.Sections {
		p.Sections = append(p.Sections, section(sec))
	}
	return p
}

// statusValue is the filter's statuses as the status select's value.
func statusValue(st []string) string {
	if len(st) == 0 || len(st) == 1 && st[0] == domain.StatusSubmitted {
		return ""
	}
	if len(st) == 4 && slices.Contains(st, domain.StatusNone) && slices.Contains(st, domain.StatusDraft) &&
		slices.Contains(st, domain.StatusSubmitted) && slices.Contains(st, domain.StatusReturned) {
		return "all"
	}
	return strings.Join(st, ",")
}

// statusWords names the statuses in the filter.
func statusWords(st []string, l lang) string {
	switch statusValue(st) {
	case "":
		return l.T("charts.status.submitted")
	case "all":
		return l.T("charts.status.all")
	}
	var words []string
	for _, s := range st {
		words = append(words, l.T("charts.status."+s))
	}
	return strings.Join(words, ", ")
}

// chartsPage is the chart dashboard of a round.
func (s *Server) chartsPage(c *gin.Context) error {
	d, err := s.results(c, false)
	if err != nil {
		return err
	}
	s.renderSized(c, http.StatusOK, "charts.html", s.chartsView(c, d, false), chartsPageSize(d.set))
	return nil
}

// chartsPageSize is about how large the charts page of set is: its
// charts' options (most of it at 10,000 responses, the dots of the
// distributions) and room for the rest.
func chartsPageSize(set *reports.ChartSet) int {
	n := 128 << 10
	for _, sec := range append([]*reports.ChartSection{set.Overview}, set.Sections...) {
		if sec == nil {
			continue
		}
		for _, ch := range sec.Charts {
			n += len(ch.Option) + 2<<10
		}
	}
	return n
}

// reportPage is the printable report of a round.
func (s *Server) reportPage(c *gin.Context) error {
	d, err := s.results(c, false)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "report.html", s.chartsView(c, d, true))
	return nil
}

// chartData downloads one chart's data as CSV (the filters as on the page).
func (s *Server) chartData(c *gin.Context) error {
	d, err := s.results(c, true)
	if err != nil {
		return err
	}
	ch := d.set.Chart(c.Param("chart"))
	if ch == nil {
		return errNotFound
	}
	var buf bytes.Buffer
	if err := reports.WriteChartCSV(&buf, ch.Table, string(s.lang(c))); err != nil {
		return err
	}
	c.Header("Content-Disposition", `attachment; filename="`+d.sv.Slug+"-"+ch.ID+`.csv"`)
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
	return nil
}

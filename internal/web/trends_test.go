package web_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/reports"
	"github.com/civitas-lv/surveyd/survey"
	"github.com/xuri/excelize/v2"
)

// The two-round data set of the trend tests. Each municipality's answers
// differ from full only in these (the NGO forms stay "grants", so the NGO
// amount and count are shown to all of them).
type trendAnswers struct {
	population, eur, count int
	rules, published       string
	// more answers (Rīga's delegated tasks and participatory budget)
	more map[string]any
}

func (a trendAnswers) json(t *testing.T) string {
	change := map[string]any{"population": a.population, "ngo_support_eur": a.eur,
		"ngo_supported_count": a.count, "ngo_rules": a.rules, "ngo_published": a.published}
	for k, v := range a.more {
		change[k] = v
	}
	return fullWith(t, change)
}

// rigaMore are Rīga's delegated tasks and participatory budget, so that
// every indicator has a figure in both rounds: 2025 del 120000 / 24000 =
// 5, pb 240000 / 24000 = 10, votes 4800 / 24000 × 1000 = 200, winners
// 5 / 20 × 100 = 25; 2026 (votes 6250 / 25000 × 1000 = 250) the same
// otherwise per resident.
func rigaMore(pop int, votes int) map[string]any {
	return map[string]any{"del_status": "yes", "del_count": 3, "del_areas": []string{"social"}, "del_funding_eur": 5 * pop,
		"del_selection": "competition", "del_published": "all", "del_evaluated": true,
		"pb_status": "voted", "pb_first_year": 2023, "pb_amount_eur": 10 * pop, "pb_units": 5, "pb_ideas_submitted": 40,
		"pb_ideas_admitted": 20, "pb_votes": votes, "pb_winners": 5, "pb_implemented": 3, "pb_channels": []string{"own_platform"}}
}

// 2025: NGO support per resident 48000/24000 = 2, 12000/15000 = 0.8,
// 10000/20000 = 0.5, 100000/50000 = 2 → sorted 0.5, 0.8, 2, 2: median
// (0.8 + 2) / 2 = 1.4. NGO rules: adopted 1, drafting 1, none 2 of 4 →
// 25 %, 25 %, 50 %.
var trend2025 = map[string]trendAnswers{
	"riga":     {24000, 48000, 31, "adopted", "website", rigaMore(24000, 4800)},
	"cesis":    {15000, 12000, 9, "drafting", "on_request", nil},
	"valmiera": {20000, 10000, 17, "none", "no", nil},
	"jurmala":  {50000, 100000, 53, "none", "website", nil},
}

// 2026 (submitted): 50000/25000 = 2, 18000/15000 = 1.2, 30000/20000 = 1.5,
// 20000/20000 = 1 → sorted 1, 1.2, 1.5, 2: median (1.2 + 1.5) / 2 = 1.35.
// NGO rules: adopted 2, drafting 1, none 1 of 4 → 50 %, 25 %, 25 %.
// Sigulda answers for the first time; Jūrmala only saves a draft, which
// counts nowhere (900000/50000 = 18 would move the median).
var trend2026 = map[string]trendAnswers{
	"riga":     {25000, 50000, 33, "adopted", "website", rigaMore(25000, 6250)},
	"cesis":    {15000, 18000, 11, "adopted", "on_request", nil},
	"valmiera": {20000, 30000, 19, "drafting", "website", nil},
	"sigulda":  {20000, 20000, 7, "none", "no", nil},
}

var trendDraft2026 = trendAnswers{50000, 900000, 99, "adopted", "website", nil}

// trendEnv is an env with the trend data set: the 2025 round's answers
// submitted, the 2026 round made from it (CreateRoundFrom) and its answers
// submitted after confirming what was carried over.
type trendEnv struct {
	*env
	sv26     domain.Survey
	tokens26 map[string]string
	// carried: the 2026 round was made with CreateRoundFrom, so the
	// municipalities that submitted in 2025 start with carried answers.
	carried bool
}

func newTrendEnv(t *testing.T) *trendEnv {
	t.Helper()
	return newTrendEnvAt(t, false)
}

// newTrendEnvAt is newTrendEnv, on the wall clock when real (for a
// browser, whose cookies expire by it).
func newTrendEnvAt(t *testing.T, real bool) *trendEnv {
	t.Helper()
	e := newEnv(t)
	if real {
		e.realTime()
	}
	e.invite("valmiera", "jurmala")
	for _, code := range []string{"riga", "cesis", "valmiera", "jurmala"} {
		e.submitWith(code, trend2025[code].json(t))
	}
	now := e.clock()
	res, err := e.m.CreateRoundFrom(ctx, domain.OperatorPrincipal(), e.sv.Slug, "regional-2026", 2026,
		now.Add(-time.Hour), now.Add(30*24*time.Hour))
	must(t, err)
	if res.Carried != 4 {
		t.Fatalf("%d municipalities start with carried-over answers, want 4", res.Carried)
	}
	te := &trendEnv{env: e, sv26: res.Survey, tokens26: map[string]string{}, carried: true}
	for _, l := range res.Issued.Links {
		te.tokens26[l.Municipality] = strings.TrimPrefix(l.URL, "http://survey.test/r/")
	}
	for code, a := range trend2026 {
		te.answer26(code, a.json(t), true)
	}
	te.answer26("jurmala", trendDraft2026.json(t), false)
	return te
}

// answer26 saves the answers in the 2026 round through the API, confirms
// the carried-over answers the save left unconfirmed (those it did not
// change) and, when submit, submits.
func (e *trendEnv) answer26(code, answers string, submit bool) {
	e.t.Helper()
	t := e.t
	base := "/api/v1/r/" + e.tokens26[code]
	call := func(method, suffix, body string) result {
		t.Helper()
		var r io.Reader
		if body != "" {
			r = strings.NewReader(body)
		}
		res := e.do(method, base+suffix, r, "Content-Type", "application/json")
		wantStatus(t, res, http.StatusOK)
		return res
	}
	var got struct {
		Version int
		Carried map[string]any
	}
	must(t, json.Unmarshal([]byte(call("GET", "", "").body), &got))
	if e.carried && code != "sigulda" && len(got.Carried) == 0 {
		t.Fatalf("%s starts the 2026 round with nothing carried over", code)
	}
	var saved struct {
		Version int
		Carried []string
	}
	must(t, json.Unmarshal([]byte(call("PUT", "", `{"version":`+itoa(got.Version)+`,"answers":`+answers+`}`).body), &saved))
	if len(saved.Carried) > 0 {
		codes, _ := json.Marshal(saved.Carried)
		must(t, json.Unmarshal([]byte(call("POST", "/confirm", `{"version":`+itoa(saved.Version)+`,"codes":`+string(codes)+`}`).body), &saved))
		if len(saved.Carried) > 0 {
			t.Fatalf("%s: still carried after confirming: %v", code, saved.Carried)
		}
	}
	if submit {
		call("POST", "/submit", `{"version":`+itoa(saved.Version)+`}`)
	}
}

// chartCSV downloads a chart's data as CSV (Latvian: ";" and decimal
// commas) and reads it; id may end in a query ("?region=…").
func chartCSV(t *testing.T, e *env, ck *http.Cookie, slug, id string) [][]string {
	t.Helper()
	id, query, _ := strings.Cut(id, "?")
	if query != "" {
		query = "?" + query
	}
	r := e.as(ck, "GET", "/surveys/"+slug+"/charts/"+id+"/data.csv"+query, nil)
	wantStatus(t, r, http.StatusOK)
	cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.body, "\ufeff")))
	cr.Comma = ';'
	recs, err := cr.ReadAll()
	must(t, err)
	return recs
}

// chartOption is a chart's ECharts option as the page carries it.
type chartOption struct {
	XAxis []struct {
		Data []string `json:"data"`
	} `json:"xAxis"`
	Series []struct {
		Type string `json:"type"`
		Name string `json:"name"`
		Data []struct {
			Value any `json:"value"`
		} `json:"data"`
	} `json:"series"`
}

// chartOptions reads every chart's option block of a page, by chart id.
func chartOptions(t *testing.T, body string) map[string]chartOption {
	t.Helper()
	out := map[string]chartOption{}
	for _, m := range chartBlocks.FindAllStringSubmatch(body, -1) {
		var o chartOption
		if err := json.Unmarshal([]byte(html.UnescapeString(m[2])), &o); err != nil {
			t.Fatalf("chart %s: %v", m[1], err)
		}
		out[m[1]] = o
	}
	return out
}

// lineValues are a line chart's x-axis labels and each series' values
// (by series name).
func lineValues(t *testing.T, id string, o chartOption) ([]string, map[string][]any) {
	t.Helper()
	if len(o.XAxis) != 1 || len(o.Series) == 0 {
		t.Fatalf("chart %s: %d x axes, %d series", id, len(o.XAxis), len(o.Series))
	}
	vals := map[string][]any{}
	for _, s := range o.Series {
		if s.Type != "line" {
			t.Errorf("chart %s: a %q series, not a line", id, s.Type)
		}
		for _, d := range s.Data {
			vals[s.Name] = append(vals[s.Name], d.Value)
		}
	}
	return o.XAxis[0].Data, vals
}

// trendSection is the part of a page from the "Dinamika" section's heading
// to the end of its section element ("" when there is none).
func trendSection(body string) string {
	i := strings.Index(body, `<section class="chart-section" id="s-`+reports.TrendSectionCode+`"`)
	if i < 0 {
		i = strings.Index(body, `<section class="report-section" id="s-`+reports.TrendSectionCode+`"`)
	}
	if i < 0 {
		return ""
	}
	rest := body[i:]
	// Sections nest chart cards (section elements too): count them.
	depth := 0
	for j := 0; j < len(rest); {
		open, end := strings.Index(rest[j:], "<section"), strings.Index(rest[j:], "</section>")
		if end < 0 {
			return rest
		}
		if open >= 0 && open < end {
			depth++
			j += open + len("<section")
			continue
		}
		depth--
		j += end + len("</section>")
		if depth == 0 {
			return rest[:j]
		}
	}
	return rest
}

var trendChartIDs = regexp.MustCompile(`id="chart-(trend-[a-z0-9_]+)"`)

// TestTrendsCharts: the 2026 round's charts page ends with the "Dinamika"
// section, whose charts carry the figures worked out by hand from the
// data set (an indicator's median, a question's option shares, both
// rounds; drafts never count), in the page's chart options and in the
// charts' CSVs alike; the 2025 round (no earlier round) has no such
// section; the printable report of 2026 has it too.
func TestTrendsCharts(t *testing.T) {
	t.Parallel()
	e := newTrendEnv(t)
	_, ck := e.user("viewer")

	page := e.as(ck, "GET", "/surveys/"+e.sv26.Slug+"/charts", nil)
	checkResultsPage(t, e.env, "2026 charts", page)
	sec := trendSection(page.body)
	if sec == "" {
		t.Fatalf("the 2026 charts page has no section %s", reports.TrendSectionCode)
	}
	if !strings.Contains(sec, `<h2 id="h-s-results-trends">Dinamika</h2>`) {
		t.Errorf("the section's heading: %.300s", sec)
	}
	if !strings.Contains(page.body, `<a href="#s-results-trends">Dinamika</a>`) {
		t.Error("the contents do not list Dinamika")
	}
	if !strings.HasSuffix(strings.TrimSpace(page.body[:strings.Index(page.body, sec)+len(sec)]), "</section>") ||
		strings.Contains(page.body[strings.Index(page.body, sec)+len(sec):], `class="chart-section"`) {
		t.Error("Dinamika is not the last section")
	}
	// Every indicator continues (the same formula over the same
	// questions) with figures in both rounds: each has its line chart.
	def26, err := parseDef(e.sv26)
	must(t, err)
	opts := chartOptions(t, page.body)
	for _, in := range def26.Indicators {
		id := "trend-" + in.Code
		if !strings.Contains(sec, `id="chart-`+id+`"`) {
			t.Errorf("no trend chart for the indicator %s", in.Code)
			continue
		}
		if x, vals := lineValues(t, id, opts[id]); len(x) != 2 || len(vals["Mediāna"]) != 2 {
			t.Errorf("the %s chart: %v %v", id, x, vals)
		}
	}
	// Rīga's alone: votes per 1000 residents 200, then 250; per resident
	// the delegated tasks' 5 and the participatory budget's 10 both years.
	for id, want := range map[string][]any{"trend-ind_pb_votes_per_1000": {200.0, 250.0},
		"trend-ind_del_eur_per_resident": {5.0, 5.0}, "trend-ind_pb_eur_per_resident": {10.0, 10.0},
		"trend-ind_pb_success_pct": {25.0, 25.0}} {
		if _, vals := lineValues(t, id, opts[id]); !reflect.DeepEqual(vals["Mediāna"], want) {
			t.Errorf("the %s chart: %v, want %v", id, vals["Mediāna"], want)
		}
	}
	var drawn []string
	for _, m := range trendChartIDs.FindAllStringSubmatch(sec, -1) {
		drawn = append(drawn, m[1])
	}
	for _, id := range []string{"trend-ind_ngo_eur_per_resident", "trend-ngo_rules", "trend-ngo_forms", "trend-ngo_published"} {
		if !slices.Contains(drawn, id) {
			t.Errorf("Dinamika draws %v, not %s", drawn, id)
		}
	}
	for _, id := range drawn {
		if _, ok := opts[id]; !ok {
			t.Errorf("the chart %s has no option", id)
		}
	}

	// The indicator's median by round: 1.4 in 2025, 1.35 in 2026.
	x, vals := lineValues(t, "trend-ind_ngo_eur_per_resident", opts["trend-ind_ngo_eur_per_resident"])
	if !reflect.DeepEqual(x, []string{"2025", "2026"}) || !reflect.DeepEqual(vals["Mediāna"], []any{1.4, 1.35}) {
		t.Errorf("the NGO support per resident chart: %v %v", x, vals)
	}
	if got := chartCSV(t, e.env, ck, e.sv26.Slug, "trend-ind_ngo_eur_per_resident"); !reflect.DeepEqual(got, [][]string{
		{"Pārskata gads", "Atbilžu skaits (n)", "Mediāna"}, {"2025", "4", "1,4"}, {"2026", "4", "1,35"}}) {
		t.Errorf("the NGO support per resident CSV: %q", got)
	}
	// The option shares by round: adopted 25 → 50 %, drafting 25 → 25 %,
	// none 50 → 25 %.
	x, vals = lineValues(t, "trend-ngo_rules", opts["trend-ngo_rules"])
	if want := map[string][]any{"Jā, pieņemta": {25.0, 50.0}, "Tiek izstrādāta": {25.0, 25.0}, "Nē": {50.0, 25.0}}; !reflect.DeepEqual(x, []string{"2025", "2026"}) ||
		!reflect.DeepEqual(vals, want) {
		t.Errorf("the NGO rules chart: %v %v", x, vals)
	}
	if got := chartCSV(t, e.env, ck, e.sv26.Slug, "trend-ngo_rules"); !reflect.DeepEqual(got, [][]string{
		{"Atbilde", "2025", "2026"}, {"Atbildēja", "4", "4"}, {"Jā, pieņemta", "25", "50"},
		{"Tiek izstrādāta", "25", "25"}, {"Nē", "50", "25"}}) {
		t.Errorf("the NGO rules CSV: %q", got)
	}
	// Whatever statuses the filter shows, a trend counts submitted
	// answers only (Jūrmala's draft would make the 2026 median 1.5); a
	// region narrows both rounds: in Vidzeme Cēsis and Valmiera, 2025
	// (0.8 + 0.5) / 2 = 0.65, 2026 (1.2 + 1.5) / 2 = 1.35; their rules
	// drafting and none, then adopted and drafting.
	if got := chartCSV(t, e.env, ck, e.sv26.Slug, "trend-ind_ngo_eur_per_resident?status=all"); !reflect.DeepEqual(got[1:], [][]string{
		{"2025", "4", "1,4"}, {"2026", "4", "1,35"}}) {
		t.Errorf("the NGO support per resident CSV, all statuses: %q", got)
	}
	if got := chartCSV(t, e.env, ck, e.sv26.Slug, "trend-ind_ngo_eur_per_resident?region=Vidzemes"); !reflect.DeepEqual(got[1:], [][]string{
		{"2025", "2", "0,65"}, {"2026", "2", "1,35"}}) {
		t.Errorf("the NGO support per resident CSV in Vidzeme: %q", got)
	}
	if got := chartCSV(t, e.env, ck, e.sv26.Slug, "trend-ngo_rules?region=Vidzemes"); !reflect.DeepEqual(got[1:], [][]string{
		{"Atbildēja", "2", "2"}, {"Jā, pieņemta", "0", "50"}, {"Tiek izstrādāta", "50", "50"}, {"Nē", "50", "0"}}) {
		t.Errorf("the NGO rules CSV in Vidzeme: %q", got)
	}
	// In English: points, and the English labels.
	if r := e.as(ck, "GET", "/surveys/"+e.sv26.Slug+"/charts/trend-ind_ngo_eur_per_resident/data.csv?lang=en", nil); !strings.Contains(r.body,
		"2025,4,1.4\r\n2026,4,1.35") && !strings.Contains(r.body, "2025,4,1.4\n2026,4,1.35") {
		t.Errorf("the English CSV: %q", r.body)
	}

	// The round's own charts count the same 2026 responses.
	if got := chartCSV(t, e.env, ck, e.sv26.Slug, "ngo_rules"); !reflect.DeepEqual(got, [][]string{
		{"Atbilde", "Skaits", "% no atbildējušajām"}, {"Jā, pieņemta", "2", "50"}, {"Tiek izstrādāta", "1", "25"}, {"Nē", "1", "25"}}) {
		t.Errorf("the 2026 NGO rules CSV: %q", got)
	}

	// The 2025 round has no earlier round: no Dinamika, no trend chart.
	old := e.as(ck, "GET", "/surveys/"+e.sv.Slug+"/charts", nil)
	checkResultsPage(t, e.env, "2025 charts", old)
	if strings.Contains(old.body, "results-trends") || strings.Contains(old.body, "Dinamika") || strings.Contains(old.body, "chart-trend-") {
		t.Error("the 2025 charts page has a Dinamika section")
	}
	wantStatus(t, e.as(ck, "GET", "/surveys/"+e.sv.Slug+"/charts/trend-ngo_rules/data.csv", nil), http.StatusNotFound)

	// The printable report of 2026: the section, with the same figures.
	rep := e.as(ck, "GET", "/surveys/"+e.sv26.Slug+"/report", nil)
	checkResultsPage(t, e.env, "2026 report", rep)
	rsec := trendSection(rep.body)
	if !strings.Contains(rsec, `<h2 id="h-s-results-trends">Dinamika</h2>`) {
		t.Fatalf("the 2026 report has no Dinamika section")
	}
	ropts := chartOptions(t, rep.body)
	if _, vals := lineValues(t, "trend-ind_ngo_eur_per_resident", ropts["trend-ind_ngo_eur_per_resident"]); !reflect.DeepEqual(vals["Mediāna"], []any{1.4, 1.35}) {
		t.Errorf("the report's NGO support per resident chart: %v", vals)
	}
	if _, vals := lineValues(t, "trend-ngo_rules", ropts["trend-ngo_rules"]); !reflect.DeepEqual(vals["Jā, pieņemta"], []any{25.0, 50.0}) {
		t.Errorf("the report's NGO rules chart: %v", vals)
	}
	old = e.as(ck, "GET", "/surveys/"+e.sv.Slug+"/report", nil)
	if strings.Contains(old.body, "results-trends") || strings.Contains(old.body, "Dinamika") {
		t.Error("the 2025 report has a Dinamika section")
	}
	// English too.
	en := e.as(ck, "GET", "/surveys/"+e.sv26.Slug+"/charts?lang=en", nil)
	checkResultsPage(t, e.env, "2026 charts (en)", en)
	if !strings.Contains(trendSection(en.body), `<h2 id="h-s-results-trends">`) {
		t.Error("the English charts page has no trend section")
	}
}

// TestTrendsWorkbook: the 2026 round's workbook has the sheet "Dinamika"
// with the long form of the data set (municipality, round, reference year,
// series, code, option, value: submitted answers only) and a native line
// chart reading its table; the 2025 round's has no such sheet.
func TestTrendsWorkbook(t *testing.T) {
	t.Parallel()
	e := newTrendEnv(t)
	_, ck := e.user("coordinator")
	def26, err := parseDef(e.sv26)
	must(t, err)
	f := openXLSX(t, e.as(ck, "GET", "/surveys/"+e.sv26.Slug+"/export.xlsx", nil))
	if !slices.Contains(f.GetSheetList(), reports.SheetTrend) {
		t.Fatalf("sheets %v", f.GetSheetList())
	}
	rows, err := f.GetRows(reports.SheetTrend, excelize.Options{RawCellValue: true})
	must(t, err)
	if len(rows) < 5 || !reflect.DeepEqual(rows[3][:7], []string{"Pašvaldība", "Kārta", "Pārskata gads", "Sērija", "Kods kārtā",
		"Atbildes varianta kods", "Vērtība"}) {
		t.Fatalf("the long form's header: %q", rows[min(3, len(rows)-1)])
	}
	long := map[string]bool{}
	byRound := map[string]map[string]bool{} // round|series → municipalities
	for _, row := range rows[4:] {
		if len(row) == 0 || row[0] == "" {
			break
		}
		for len(row) < 7 {
			row = append(row, "")
		}
		long[strings.Join(row[:7], "|")] = true
		k := row[1] + "|" + row[3]
		if byRound[k] == nil {
			byRound[k] = map[string]bool{}
		}
		byRound[k][row[0]] = true
	}
	for _, want := range []string{
		// The indicator: 48000 / 24000 and 18000 / 15000.
		"Rīgas valstspilsēta|regional-2025|2025|ind_ngo_eur_per_resident|ind_ngo_eur_per_resident||2",
		"Cēsu novads|regional-2026|2026|ind_ngo_eur_per_resident|ind_ngo_eur_per_resident||1.2",
		"Valmieras novads|regional-2025|2025|ind_ngo_eur_per_resident|ind_ngo_eur_per_resident||0.5",
		// Chosen options: code and label.
		"Cēsu novads|regional-2025|2025|ngo_rules|ngo_rules|drafting|Tiek izstrādāta",
		"Siguldas novads|regional-2026|2026|ngo_rules|ngo_rules|none|Nē",
		"Jūrmalas valstspilsēta|regional-2025|2025|ngo_published|ngo_published|website|Jā, tīmekļvietnē",
	} {
		if !long[want] {
			t.Errorf("the long form lacks %q", want)
		}
	}
	// Who is in each round: 2025 the four that submitted, 2026 the four
	// that submitted (Jūrmala's draft is not).
	want25 := map[string]bool{"Rīgas valstspilsēta": true, "Cēsu novads": true, "Valmieras novads": true, "Jūrmalas valstspilsēta": true}
	want26 := map[string]bool{"Rīgas valstspilsēta": true, "Cēsu novads": true, "Valmieras novads": true, "Siguldas novads": true}
	if got := byRound["regional-2025|ind_ngo_eur_per_resident"]; !reflect.DeepEqual(got, want25) {
		t.Errorf("2025 indicator rows for %v", got)
	}
	if got := byRound["regional-2026|ind_ngo_eur_per_resident"]; !reflect.DeepEqual(got, want26) {
		t.Errorf("2026 indicator rows for %v", got)
	}
	for k := range long {
		if strings.Contains(k, "|18|") || strings.HasSuffix(k, "|18") || strings.Contains(k, "|99|") {
			t.Errorf("a draft's figure in the long form: %q", k)
		}
	}
	// The medians table: its row for the indicator, 1.4 and 1.35.
	found := 0
	for i, row := range rows {
		if len(row) > 10 && strings.HasPrefix(row[8], "ind_ngo_eur_per_resident — ") {
			found = i + 1 // the sheet's row number
			if row[9] != "1.4" || row[10] != "1.35" {
				t.Errorf("the medians table: %q", row[8:])
			}
		}
	}
	if found == 0 {
		t.Fatal("the medians table has no row for ind_ngo_eur_per_resident")
	}
	// A native line chart of each indicator on the sheet, reading its row
	// of the medians table (2025 in J, 2026 in K).
	refs := sheetLineCharts(t, []byte(e.as(ck, "GET", "/surveys/"+e.sv26.Slug+"/export.xlsx", nil).body))
	if want := fmt.Sprintf("'Dinamika'!$J$%d:$K$%d", found, found); len(refs) != len(def26.Indicators) || !slices.Contains(refs, want) {
		t.Errorf("the line charts read %q; want %d of them, one reading %s", refs, len(def26.Indicators), want)
	}

	// The 2025 round has no earlier round: no Dinamika sheet.
	f25 := openXLSX(t, e.as(ck, "GET", "/surveys/"+e.sv.Slug+"/export.xlsx", nil))
	if slices.Contains(f25.GetSheetList(), reports.SheetTrend) {
		t.Errorf("the 2025 workbook has the sheet %s", reports.SheetTrend)
	}
}

// sheetLineCharts lists what the workbook's line charts reading the sheet
// Dinamika read: each one's values.
func sheetLineCharts(t *testing.T, data []byte) []string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	must(t, err)
	var out []string
	values := regexp.MustCompile(`<(?:c:)?val>.*?<(?:c:)?f>([^<]*)</(?:c:)?f>`)
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "xl/charts/chart") {
			continue
		}
		rc, err := zf.Open()
		must(t, err)
		x, _ := io.ReadAll(rc)
		rc.Close()
		if !regexp.MustCompile(`<(?:c:)?lineChart>`).Match(x) {
			continue
		}
		for _, m := range values.FindAllSubmatch(x, -1) {
			if v := html.UnescapeString(string(m[1])); strings.HasPrefix(v, "'Dinamika'!") {
				out = append(out, v)
			}
		}
	}
	return out
}

// prevLine finds the "this year beside last year" line of a feedback
// report's item.
var prevLine = regexp.MustCompile(`<p class="fb-own fb-prev"><span class="fb-own-label">([^<]*):</span> ([^<]*)</p>`)

// feedbackPrevious reads a municipality's 2026 feedback report (the
// coordinator's preview): each item's "this year beside last year" line,
// by item code.
func feedbackPrevious(t *testing.T, e *env, ck *http.Cookie, slug, code string) map[string]string {
	t.Helper()
	r := e.as(ck, "GET", "/surveys/"+slug+"/feedback/"+code, nil)
	wantStatus(t, r, http.StatusOK)
	out := map[string]string{}
	items := strings.Split(r.body, `<div class="fb-item `)
	for _, it := range items[1:] {
		m := regexp.MustCompile(`^[a-z-]+" id="fb-[qt]-([a-z0-9_]+)"`).FindStringSubmatch(it)
		if m == nil {
			t.Fatalf("an item without a code: %.200s", it)
		}
		if p := prevLine.FindStringSubmatch(it); p != nil {
			out[m[1]] = html.UnescapeString(p[1] + ": " + p[2])
		}
	}
	if n := len(prevLine.FindAllString(r.body, -1)); n != len(out) {
		t.Errorf("%s: %d lines of last year's answers, %d items with one", code, n, len(out))
	}
	return out
}

// TestTrendsFeedback: a 2026 municipality's feedback report puts its own
// 2025 answers beside 2026 ("Jūsu atbilde par 2025. gadu: …"), and never
// another municipality's; one that did not answer in 2025 has none.
func TestTrendsFeedback(t *testing.T) {
	t.Parallel()
	e := newTrendEnv(t)
	_, ck := e.user("coordinator")
	const y = "Jūsu atbilde par 2025. gadu: "
	const ind = "Jūsu rādītājs par 2025. gadu: "
	// Each municipality's own 2025 answers to the items that differ
	// between municipalities: the population, the rules, the count, the
	// publication, the NGO support per resident (48000 / 24000,
	// 12000 / 15000, 10000 / 20000).
	want := map[string]map[string]string{
		"riga": {"population": y + "24\u00a0000", "ngo_rules": y + "Jā, pieņemta", "ngo_supported_count": y + "31",
			"ngo_published": y + "Jā, tīmekļvietnē", "ind_ngo_eur_per_resident": ind + "2,00\u00a0EUR"},
		"cesis": {"population": y + "15\u00a0000", "ngo_rules": y + "Tiek izstrādāta", "ngo_supported_count": y + "9",
			"ngo_published": y + "Pēc pieprasījuma", "ind_ngo_eur_per_resident": ind + "0,80\u00a0EUR"},
		"valmiera": {"population": y + "20\u00a0000", "ngo_rules": y + "Nē", "ngo_supported_count": y + "17",
			"ngo_published": y + "Nē", "ind_ngo_eur_per_resident": ind + "0,50\u00a0EUR"},
	}
	for code, w := range want {
		got := feedbackPrevious(t, e.env, ck, e.sv26.Slug, code)
		for item, line := range w {
			if got[item] != line {
				t.Errorf("%s's feedback, %s: %q, want %q", code, item, got[item], line)
			}
		}
	}
	// Sigulda did not answer in 2025: nothing beside its 2026 answers;
	// Jūrmala, who did, has not submitted in 2026: no report.
	if s := feedbackPrevious(t, e.env, ck, e.sv26.Slug, "sigulda"); len(s) != 0 {
		t.Errorf("Sigulda's feedback has last year's answers: %v", s)
	}
	wantStatus(t, e.as(ck, "GET", "/surveys/"+e.sv26.Slug+"/feedback/jurmala", nil), http.StatusNotFound)

	// Released, Cēsis reads the same through its own link, page and
	// workbook: its own 2025 answers only. (The link's round was read
	// without its source round, so this was empty: store.qRespondent.)
	_, err := e.m.ReleaseFeedback(ctx, domain.OperatorPrincipal(), e.sv26, []string{"cesis"})
	must(t, err)
	own := e.do("GET", "/r/"+e.tokens26["cesis"]+"/results", nil)
	wantStatus(t, own, http.StatusOK)
	lines := map[string]bool{}
	for _, m := range prevLine.FindAllStringSubmatch(own.body, -1) {
		lines[html.UnescapeString(m[1]+": "+m[2])] = true
	}
	for _, line := range want["cesis"] {
		if !lines[line] {
			t.Errorf("Cēsis's own results lack %q: %v", line, lines)
		}
	}
	for _, other := range []string{y + "31", y + "17", y + "53", y + "Jā, pieņemta", ind + "2,00\u00a0EUR"} {
		if lines[other] {
			t.Errorf("Cēsis's own results show %q, another municipality's", other)
		}
	}

	if x := xlsxText(t, []byte(e.do("GET", "/r/"+e.tokens26["cesis"]+"/results.xlsx", nil).body)); !strings.Contains(x,
		"Jūsu atbilde par 2025. gadu\tTiek izstrādāta") || strings.Contains(x, "Jūsu atbilde par 2025. gadu\t31") {
		t.Errorf("Cēsis's own results workbook: last year's answers missing or another's shown")
	}

	// The report's workbook: each "Jūsu atbilde par 2025. gadu" row holds
	// Rīga's own answer, never another's.
	r := e.as(ck, "GET", "/surveys/"+e.sv26.Slug+"/feedback/riga/report.xlsx", nil)
	wantStatus(t, r, http.StatusOK)
	f, err := excelize.OpenReader(strings.NewReader(r.body))
	must(t, err)
	defer f.Close()
	var prevCells []string
	for _, sh := range f.GetSheetList() {
		rows, err := f.GetRows(sh)
		must(t, err)
		for _, row := range rows {
			if len(row) > 1 && (strings.HasPrefix(row[0], "Jūsu atbilde par 2025. gadu") || strings.HasPrefix(row[0], "Jūsu rādītājs par 2025. gadu")) {
				prevCells = append(prevCells, row[1])
			}
		}
	}
	for _, want := range []string{"31", "24\u00a0000", "Jā, pieņemta", "Jā, tīmekļvietnē", "2,00\u00a0EUR"} {
		if !slices.Contains(prevCells, want) {
			t.Errorf("Rīga's feedback workbook lacks its 2025 answer %q: %q", want, prevCells)
		}
	}
	for _, other := range []string{"9", "17", "53", "15\u00a0000", "Tiek izstrādāta", "Pēc pieprasījuma", "0,80\u00a0EUR"} {
		if slices.Contains(prevCells, other) {
			t.Errorf("Rīga's feedback workbook shows another municipality's 2025 answer %q", other)
		}
	}
}

// TestTrendsBreakSeries: a question marked breaks_series in a round made
// from 2025 never joins its 2025 series: no trend chart for it (nor for
// the indicator reading it), its figures in the workbook under two series,
// no 2025 answer beside it in the feedback — while the questions that
// continue keep theirs.
func TestTrendsBreakSeries(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.invite("valmiera", "jurmala")
	for _, code := range []string{"riga", "cesis", "valmiera", "jurmala"} {
		e.submitWith(code, trend2025[code].json(t))
	}
	def25, err := parseDef(e.sv)
	must(t, err)
	next := def25.ForNextRound()
	next.Slug, next.ReferenceYear = "regional-2026", 2026
	next.Title = survey.Text{LV: "Reģionālā aptauja 2026", EN: "Regional survey 2026"}
	next.Question("ngo_rules").BreaksSeries = true
	next.Question("ngo_support_eur").BreaksSeries = true
	def26, err := survey.Parse(next.JSON(), "test")
	must(t, err)
	if !def26.Question("ngo_rules").BreaksSeries || survey.CheckSeries(def25, def26) != nil {
		t.Fatalf("the edited definition: %v", survey.CheckSeries(def25, def26))
	}
	now := e.clock()
	sv26, err := e.st.CreateSurvey(ctx, domain.Survey{Slug: def26.Slug, TitleLV: def26.Title.LV, TitleEN: def26.Title.EN,
		ReferenceYear: 2026, Definition: def26.JSON(), DefinitionSHA256: manage.DefinitionSHA256(def26),
		OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(30 * 24 * time.Hour), PreviousSurveyID: &e.sv.ID})
	must(t, err)
	links, err := e.m.Invite(ctx, domain.OperatorPrincipal(), sv26.Slug, []string{"riga", "cesis", "valmiera", "sigulda"}, false)
	must(t, err)
	te := &trendEnv{env: e, sv26: sv26, tokens26: map[string]string{}}
	for _, l := range links {
		te.tokens26[l.Municipality] = strings.TrimPrefix(l.URL, "http://survey.test/r/")
	}
	for code, a := range trend2026 {
		te.answer26(code, a.json(t), true)
	}
	_, ck := e.user("coordinator")

	// The charts: a Dinamika section without the broken question and the
	// indicator that reads the broken amount.
	page := e.as(ck, "GET", "/surveys/"+sv26.Slug+"/charts", nil)
	checkResultsPage(t, e, "charts", page)
	sec := trendSection(page.body)
	if sec == "" {
		t.Fatal("no Dinamika section (the other questions continue)")
	}
	for _, id := range []string{"ngo_rules", "ind_ngo_eur_per_resident"} {
		if strings.Contains(sec, "trend-"+id) {
			t.Errorf("Dinamika joins %s across the break", id)
		}
		wantStatus(t, e.as(ck, "GET", "/surveys/"+sv26.Slug+"/charts/trend-"+id+"/data.csv", nil), http.StatusNotFound)
	}
	for _, id := range []string{"trend-ngo_published", "trend-ngo_forms"} {
		if !strings.Contains(sec, `id="chart-`+id+`"`) {
			t.Errorf("Dinamika lacks %s, which continues", id)
		}
	}
	// The round's own chart of the question is there, with 2026 only.
	if got := chartCSV(t, e, ck, sv26.Slug, "ngo_rules"); !reflect.DeepEqual(got[1], []string{"Jā, pieņemta", "2", "50"}) {
		t.Errorf("the 2026 NGO rules CSV: %q", got)
	}
	rep := e.as(ck, "GET", "/surveys/"+sv26.Slug+"/report", nil)
	checkResultsPage(t, e, "report", rep)
	if rs := trendSection(rep.body); rs == "" || strings.Contains(rs, "trend-ngo_rules") || strings.Contains(rs, "trend-ind_ngo_eur") {
		t.Errorf("the report's Dinamika section joins across the break (or is missing)")
	}

	// The workbook: the question's figures in two series, one per round.
	f := openXLSX(t, e.as(ck, "GET", "/surveys/"+sv26.Slug+"/export.xlsx", nil))
	rows, err := f.GetRows(reports.SheetTrend, excelize.Options{RawCellValue: true})
	must(t, err)
	series := map[string]map[string]bool{} // series → rounds
	for _, row := range rows[4:] {
		if len(row) < 5 || row[0] == "" {
			break
		}
		if row[4] == "ngo_rules" || row[4] == "ind_ngo_eur_per_resident" || row[4] == "ngo_published" {
			if series[row[3]] == nil {
				series[row[3]] = map[string]bool{}
			}
			series[row[3]][row[1]] = true
		}
	}
	both := map[string]bool{"regional-2025": true, "regional-2026": true}
	want := map[string]map[string]bool{
		"ngo_rules (2025)": {"regional-2025": true}, "ngo_rules (2026)": {"regional-2026": true},
		"ind_ngo_eur_per_resident (2025)": {"regional-2025": true}, "ind_ngo_eur_per_resident (2026)": {"regional-2026": true},
		"ngo_published": both,
	}
	if !reflect.DeepEqual(series, want) {
		t.Errorf("the long form's series: %v", series)
	}

	// The feedback: no 2025 answer beside the broken question, nor the
	// indicator reading the broken amount; the continuing ones keep theirs.
	fb := feedbackPrevious(t, e, ck, sv26.Slug, "riga")
	for _, code := range []string{"ngo_rules", "ngo_support_eur", "ind_ngo_eur_per_resident"} {
		if line, ok := fb[code]; ok {
			t.Errorf("Rīga's feedback puts %q beside %s, across the break", line, code)
		}
	}
	if fb["ngo_published"] != "Jūsu atbilde par 2025. gadu: Jā, tīmekļvietnē" || fb["ngo_supported_count"] != "Jūsu atbilde par 2025. gadu: 31" {
		t.Errorf("Rīga's feedback lacks the continuing answers: %v", fb)
	}
}

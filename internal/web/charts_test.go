package web_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/civitas-lv/surveyd/internal/domain"
)

// chartsRawKey matches a message key of the charts, the report or the
// filters shown instead of its text (T returns unknown keys as they are).
var chartsRawKey = regexp.MustCompile(`[>\s"](chart|charts|report|stat|filter|kind|track|tracker|reference)\.[a-z_.]+[<\s"]`)

// chartBlocks finds the charts' option blocks in a page.
var chartBlocks = regexp.MustCompile(`<script type="application/json" id="opt-([a-z0-9_-]+)">([^<]*)</script>`)

// chartContainers finds the chart containers in a page.
var chartContainers = regexp.MustCompile(`<div class="chart chart-[a-z-]+" id="chart-([a-z0-9_-]+)" data-chart="([a-z0-9_-]+)"`)

// checkResultsPage checks a rendered dashboard or report: it answered 200,
// shows no raw keys and no template error, every chart container has its
// option block, every option is JSON, and every static file it names is
// served.
func checkResultsPage(t *testing.T, e *env, name string, r result) (charts []string) {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("%s: status %d: %.500s", name, r.status, r.body)
	}
	if m := chartsRawKey.FindString(r.body); m != "" {
		t.Errorf("%s shows the key %q", name, m)
	}
	if strings.Contains(r.body, "Radās kļūda") || strings.Contains(r.body, "Something went wrong") ||
		!strings.HasSuffix(strings.TrimSpace(r.body), "</html>") {
		t.Errorf("%s did not render in full", name)
	}
	opts := map[string]bool{}
	for _, m := range chartBlocks.FindAllStringSubmatch(r.body, -1) {
		opts[m[1]] = true
		var v map[string]any
		if err := json.Unmarshal([]byte(m[2]), &v); err != nil || v["series"] == nil {
			t.Errorf("%s: chart %s's option is not an ECharts option: %v", name, m[1], err)
		}
	}
	for _, m := range chartContainers.FindAllStringSubmatch(r.body, -1) {
		if m[1] != m[2] || !opts[m[1]] {
			t.Errorf("%s: chart container %s has no option block", name, m[1])
		}
		charts = append(charts, m[1])
	}
	if len(charts) != len(opts) {
		t.Errorf("%s: %d containers, %d option blocks", name, len(charts), len(opts))
	}
	for _, m := range regexp.MustCompile(`(?:src|href)="(/static/[^"]+)"`).FindAllStringSubmatch(r.body, -1) {
		wantStatus(t, e.do("GET", strings.ReplaceAll(m[1], "&amp;", "&"), nil), http.StatusOK)
	}
	return charts
}

// TestChartsAndReportRender opens the dashboard and the report with no
// response, one, and all 43, in Latvian and in English.
func TestChartsAndReportRender(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ck := e.user("viewer")
	base := "/surveys/" + e.sv.Slug
	check := func(n int) {
		for _, lang := range []string{"lv", "en"} {
			for _, p := range []string{"/charts", "/report"} {
				name := fmt.Sprintf("%s with %d responses (%s)", p, n, lang)
				r := e.as(ck, "GET", base+p+"?lang="+lang, nil)
				drawn := checkResultsPage(t, e, name, r)
				if want := fmt.Sprintf(map[string]string{"lv": "Atbilžu skaits atlasē: %d", "en": "Responses in the selection: %d"}[lang], n); !strings.Contains(r.body, want) {
					t.Errorf("%s: no %q", name, want)
				}
				// With no response there is only the response rate to draw;
				// with responses every closed question and number has a chart.
				switch {
				case n == 0 && !reflect.DeepEqual(drawn, []string{"response-rate"}):
					t.Errorf("%s draws %v", name, drawn)
				case n == 43 && len(drawn) < 30:
					t.Errorf("%s draws only %d charts: %v", name, len(drawn), drawn)
				}
				if p == "/report" && !strings.Contains(r.body, `data-renderer="svg"`) && n > 0 {
					t.Errorf("%s: report charts are not drawn at a fixed size", name)
				}
			}
		}
	}
	check(0)
	e.submitFull("riga")
	check(1)
	made, err := e.m.Demo(ctx, domain.OperatorPrincipal(), e.sv.Slug, 43, 1)
	if err != nil || made != 42 {
		t.Fatalf("demo made %d: %v", made, err)
	}
	check(43)

	// Odd filters typed into the address still give a page, in words.
	r := e.as(ck, "GET", base+"/report?kind=xyz&status=draft,returned", nil)
	checkResultsPage(t, e, "odd filter", r)
	for _, want := range []string{"Pašvaldības veids: xyz", "Atbildes: Neiesniegtās (aizpilda), Atgrieztās labošanai",
		"Atbilžu skaits atlasē: 0"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("report with odd filters lacks %q", want)
		}
	}

	// The English page is in English.
	r = e.as(ck, "GET", base+"/report?lang=en", nil)
	for _, want := range []string{"Results report", "Reference year: 2025", "Headline figures", "Key figures by area",
		"Participatory budget per resident, EUR", "Planning region: All", "Responses: Submitted", "43 of 43 submitted (100%)"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("English report lacks %q", want)
		}
	}
	r = e.as(ck, "GET", base+"/report", nil)
	for _, want := range []string{"Rezultātu pārskats", "Pārskata gads: 2025", "Galvenie rādītāji pa jomām",
		"Iesniegušas 43 no 43 pašvaldībām (100\u00a0%)", "Plānošanas reģions: Visi"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("Latvian report lacks %q", want)
		}
	}
}

// TestChartCSVDownload checks a chart's CSV for a known set of answers,
// in both languages, and that a filter changes the numbers on the page and
// in the CSV alike.
func TestChartCSVDownload(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ck := e.user("coordinator")
	e.submitFull("riga") // Rīgas planning region, valstspilsēta: ngo_rules adopted, population 24000
	cesis := strings.NewReplacer(`"ngo_rules":"adopted"`, `"ngo_rules":"none"`, `"population":24000`, `"population":12000`).Replace(full)
	resp, _ := e.state("cesis")
	r := e.put("cesis", resp.Version, cesis)
	wantStatus(t, r, http.StatusOK)
	wantStatus(t, e.api("POST", "cesis", "/submit", `{"version":`+itoa(int(r.json(t)["version"].(float64)))+`}`), http.StatusOK)

	base := "/surveys/" + e.sv.Slug + "/charts/"
	get := func(path string) [][]string {
		t.Helper()
		r := e.as(ck, "GET", path, nil)
		wantStatus(t, r, http.StatusOK)
		if ct := r.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Fatalf("%s: Content-Type %q", path, ct)
		}
		if !strings.HasPrefix(r.header.Get("Content-Disposition"), `attachment; filename="regional-2025-`) {
			t.Fatalf("%s: Content-Disposition %q", path, r.header.Get("Content-Disposition"))
		}
		if !strings.HasPrefix(r.body, "\ufeff") {
			t.Fatalf("%s: no byte-order mark", path)
		}
		// Latvian: ";" between fields and decimal commas, as Latvian Excel
		// reads them on a double-click; English: "," and points.
		cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.body, "\ufeff")))
		cr.Comma = ';'
		if strings.Contains(path, "lang=en") {
			cr.Comma = ','
		}
		recs, err := cr.ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return recs
	}
	want := func(path string, exp [][]string) {
		t.Helper()
		if got := get(path); !reflect.DeepEqual(got, exp) {
			t.Errorf("%s:\n got %q\nwant %q", path, got, exp)
		}
	}
	want(base+"ngo_rules/data.csv", [][]string{{"Atbilde", "Skaits", "% no atbildējušajām"},
		{"Jā, pieņemta", "1", "50"}, {"Tiek izstrādāta", "0", "0"}, {"Nē", "1", "50"}})
	want(base+"ngo_rules/data.csv?lang=en", [][]string{{"Answer", "Count", "% of those answering"},
		{"Yes, adopted", "1", "50"}, {"Being drafted", "0", "0"}, {"No", "1", "50"}})
	want(base+"population/data.csv", [][]string{{"Rādītājs", "Vērtība"}, {"Atbilžu skaits (n)", "2"},
		{"Kopsumma", "36000"}, {"Vidējā vērtība", "18000"}, {"Mazākā vērtība", "12000"}, {"1. kvartile", "15000"},
		{"Mediāna", "18000"}, {"3. kvartile", "21000"}, {"Lielākā vērtība", "24000"}})
	// Multiple choice: % of respondents; both chose grants.
	if got := get(base + "ngo_forms/data.csv"); !reflect.DeepEqual(got[1], []string{"Projektu konkursi", "2", "100"}) {
		t.Errorf("ngo_forms: %q", got)
	}
	// The indicator by region: 48000 / 24000 = 2 in Rīgas, 48000 / 12000 = 4 in Vidzemes.
	want(base+"region-ind_ngo_eur_per_resident/data.csv", [][]string{
		{"Plānošanas reģions", "Atbilžu skaits (n)", "Mediāna", "1. kvartile", "3. kvartile", "Vidējā vērtība"},
		{"Visi reģioni", "2", "3", "2,5", "3,5", "3"}, {"Rīgas", "1", "2", "2", "2", "2"}, {"Vidzemes", "1", "4", "4", "4", "4"}})
	// The response rate: all 43 municipalities, two submitted.
	rate := get(base + "response-rate/data.csv")
	if last := rate[len(rate)-1]; !reflect.DeepEqual(last, []string{"Visi reģioni", "2", "43", "5"}) {
		t.Errorf("response rate total %q", last)
	}

	// A filter: only the planning region of Rīga.
	want(base+"ngo_rules/data.csv?region=R%C4%ABgas", [][]string{{"Atbilde", "Skaits", "% no atbildējušajām"},
		{"Jā, pieņemta", "1", "100"}, {"Tiek izstrādāta", "0", "0"}, {"Nē", "0", "0"}})
	want(base+"population/data.csv?kind=novads", [][]string{{"Rādītājs", "Vērtība"}, {"Atbilžu skaits (n)", "1"},
		{"Kopsumma", "12000"}, {"Vidējā vērtība", "12000"}, {"Mazākā vērtība", "12000"}, {"1. kvartile", "12000"},
		{"Mediāna", "12000"}, {"3. kvartile", "12000"}, {"Lielākā vērtība", "12000"}})
	page := e.as(ck, "GET", "/surveys/"+e.sv.Slug+"/charts?region=R%C4%ABgas", nil)
	checkResultsPage(t, e, "filtered dashboard", page)
	if !strings.Contains(page.body, "Atbilžu skaits atlasē: 1") ||
		!strings.Contains(page.body, `<option value="Rīgas" selected>Rīgas</option>`) {
		t.Error("the filtered dashboard does not show one response with Rīgas chosen")
	}
	// The page's CSV links carry the filter.
	if !strings.Contains(page.body, `href="/surveys/regional-2025/charts/ngo_rules/data.csv?lang=lv&amp;region=R%C4%ABgas"`) {
		t.Error("the CSV link does not carry the filter")
	}
	if !strings.Contains(e.as(ck, "GET", "/surveys/"+e.sv.Slug+"/charts?status=draft", nil).body, "Atbilžu skaits atlasē: 0") {
		t.Error("the status filter does not apply")
	}

	// Unknown charts, and charts of questions that have none, are 404.
	for _, id := range []string{"nope", "resp_name", "resp_email", "ngo_obstacles"} {
		wantStatus(t, e.as(ck, "GET", base+id+"/data.csv", nil), http.StatusNotFound)
	}
}

func TestChartsNeedSignIn(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	base := "/surveys/" + e.sv.Slug
	for _, p := range []string{base + "/charts", base + "/report", base + "/charts/ngo_rules/data.csv"} {
		r := e.do("GET", p, nil)
		if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/login?next=") {
			t.Errorf("%s anonymous: %d %q", p, r.status, r.header.Get("Location"))
		}
	}
}

// TestChartsNoPersonalData: personal questions and free text are never
// charted, and no personal answer reaches the pages or a CSV, even for a
// coordinator (who may see personal data elsewhere).
func TestChartsNoPersonalData(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ck := e.user("coordinator")
	e.submitFull("riga")
	_, err := e.m.Demo(ctx, domain.OperatorPrincipal(), e.sv.Slug, 10, 2)
	must(t, err)
	def, err := parseDef(e.sv)
	must(t, err)
	var personal []string
	for _, q := range def.Questions() {
		if q.Personal {
			personal = append(personal, q.Code)
		}
	}
	if len(personal) < 3 {
		t.Fatalf("personal questions %v", personal)
	}
	base := "/surveys/" + e.sv.Slug
	for _, p := range []string{"/charts", "/report", "/charts?status=all", "/report?lang=en"} {
		r := e.as(ck, "GET", base+p, nil)
		drawn := checkResultsPage(t, e, p, r)
		for _, code := range append(personal, "ngo_obstacles", "del_comments", "pb_lessons", "final_comments") {
			for _, id := range drawn {
				if id == code {
					t.Errorf("%s charts %s", p, code)
				}
			}
			if strings.Contains(r.body, `id="c-`+code+`"`) || strings.Contains(r.body, "/charts/"+code+"/") {
				t.Errorf("%s has a card or a CSV for %s", p, code)
			}
		}
		for _, s := range []string{"Anna Ozola", "anna@novads.lv", "Speciāliste"} {
			if strings.Contains(r.body, s) {
				t.Errorf("%s shows the personal answer %q", p, s)
			}
		}
		for _, id := range drawn {
			csv := e.as(ck, "GET", base+"/charts/"+id+"/data.csv", nil)
			if strings.Contains(csv.body, "Anna Ozola") || strings.Contains(csv.body, "anna@novads.lv") {
				t.Errorf("the CSV of %s holds a personal answer", id)
			}
		}
	}
}

// allowedURLs are absolute URLs that may appear in a page or a script
// because nothing loads them:
//   - XML namespace names: ECharts' SVG renderer passes them to
//     createElementNS/setAttributeNS as identifiers; a browser never
//     fetches a namespace URI;
//   - the licence references in the comment at the top of echarts.min.js.
//
// Keep this list short and explicit: anything else absolute fails.
var allowedURLs = map[string]string{
	"http://www.w3.org/2000/svg":                            "SVG namespace",
	"http://www.w3.org/1999/xlink":                          "XLink namespace",
	"http://www.w3.org/2000/xmlns/":                         "XMLNS namespace",
	"http://www.w3.org/XML/1998/namespace":                  "XML namespace",
	"http://www.apache.org/licenses/LICENSE-2.0":            "licence reference in a comment of echarts.min.js",
	"https://github.com/ecomfe/zrender/blob/master/LICENSE": "licence reference in a comment of echarts.min.js",
}

var (
	// loadsFrom matches the ways a page, a stylesheet or a script loads
	// something, followed by an absolute or protocol-relative address:
	// src=, href=, action=, poster=, data=, srcset=, url(), @import,
	// fetch(), XMLHttpRequest's open(), importScripts(), new WebSocket(),
	// new EventSource(), sendBeacon().
	loadsFrom = regexp.MustCompile(`(?i)(?:\b(?:src|href|action|formaction|poster|data|srcset|xlink:href)\s*=\s*["']?|` +
		`url\(\s*["']?|@import\s+(?:url\(\s*)?["']?|` +
		`\b(?:fetch|importScripts|WebSocket|EventSource|sendBeacon)\s*\(\s*["'\x60]|` +
		`\.open\(\s*["'][A-Za-z]+["']\s*,\s*["'\x60])\s*((?:(?:https?|wss?|ftp):)?//[^\s"'()<>\x60]*)`)
	// ourScript is a script element the pages may have: one of our static
	// files, or a chart's JSON data block (not run, so the CSP allows it).
	ourScript = regexp.MustCompile(`^<script (?:src="/static/[^"]+" defer|type="application/json" id="opt-[a-z0-9_-]+")>$`)
	// absoluteURL is any absolute address in code (HTML, CSS, JS).
	absoluteURL = regexp.MustCompile(`(?i)\b(?:https?|wss?|ftp)://[^\s"'()<>\x60\\,;]+`)
)

// externalRefs lists what in a file could load from another host: every
// load of an absolute or protocol-relative address, and — in code, not in
// licence texts — every absolute address that is not on the allowlist.
//
// Every address either expression finds holds "//", so they run only on
// the text around each "//" (refWindows): the whole of the vendored
// ECharts (1.1 MB) under the race detector took half a minute.
func externalRefs(name, body string) []string {
	var found []string
	code := false
	// In code every absolute address counts; licence texts, notes and Go
	// files (LICENSE, NOTICE, VERSION, README.md, embed.go) are not loaded
	// by any page, so only real loads count there.
	switch strings.ToLower(filepath.Ext(name)) {
	case ".html", ".htm", ".js", ".mjs", ".css", ".svg", ".json":
		code = true
	}
	for _, w := range refWindows(body) {
		for _, m := range loadsFrom.FindAllStringSubmatch(w, -1) {
			if _, ok := allowedURLs[m[1]]; !ok {
				found = append(found, "loads "+m[0])
			}
		}
		if !code {
			continue
		}
		for _, u := range absoluteURL.FindAllString(w, -1) {
			if _, ok := allowedURLs[strings.TrimRight(u, ".")]; !ok {
				found = append(found, "names "+u)
			}
		}
	}
	return found
}

// refWindowBefore is how much text before a "//" can belong to a load's
// match (the attribute or call and the spaces after it).
const refWindowBefore = 512

// refWindows are the parts of body around each "//": from refWindowBefore
// bytes before it to the end of the address after it, overlapping parts
// joined, in order.
func refWindows(body string) []string {
	var out []string
	start, end := -1, -1
	for i := 0; ; {
		j := strings.Index(body[i:], "//")
		if j < 0 {
			break
		}
		j += i
		from := max(0, j-refWindowBefore)
		to := j + 2
		if k := strings.IndexAny(body[to:], " \t\r\n\"'()<>`"); k >= 0 {
			to += k
		} else {
			to = len(body)
		}
		if start >= 0 && from <= end {
			end = max(end, to)
		} else {
			if start >= 0 {
				out = append(out, body[start:end])
			}
			start, end = from, to
		}
		i = j + 2
	}
	if start >= 0 {
		out = append(out, body[start:end])
	}
	return out
}

// TestNoExternalHosts walks every file under internal/web/templates and
// static/ (the vendored ECharts included) and the rendered dashboard and
// report, and fails if any refers to another host as something to load.
func TestNoExternalHosts(t *testing.T) {
	t.Parallel()
	// The checker itself: it must catch these.
	for _, bad := range []string{`<script src="https://cdn.example/x.js">`, `<img src=//cdn.example/x.png>`,
		`a { background: url( "//cdn.example/a.png") }`, `@import "https://fonts.example/a.css";`,
		`fetch('https://api.example/')`, "x.open('GET', `//api.example/`)", `new WebSocket("wss://x.example")`,
		`var cdn = "https://go-echarts.github.io/go-echarts-assets/assets/";`, `<link href="HTTP://cdn.example/a.css">`} {
		if len(externalRefs("t.html", bad)) == 0 {
			t.Errorf("the check misses %s", bad)
		}
	}
	// Far apart in a long file (it looks only around each "//").
	long := strings.Repeat("x = 1;\n", 2000) + `<script src="//a.example/x.js">` + strings.Repeat(" y", 2000) +
		";\n" + `fetch("https://b.example/")` + strings.Repeat("z", 3000)
	if f := externalRefs("t.html", long); len(f) != 3 { // two loads, and the second names its host too
		t.Errorf("in a long file the check finds %v, want both loads", f)
	}
	for _, ok := range []string{`<a href="/static/x">`, `document.createElementNS("http://www.w3.org/2000/svg", "svg")`,
		`// comment`, `url(#gradient)`, `src="data:image/png;base64,AA"`} {
		if f := externalRefs("t.js", ok); len(f) != 0 {
			t.Errorf("the check flags %s: %v", ok, f)
		}
	}

	var problems []string
	files := 0
	for _, root := range []string{"templates", filepath.Join("..", "..", "static")} {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			files++
			rel, _ := filepath.Rel(root, p)
			for _, f := range externalRefs(rel, string(b)) {
				problems = append(problems, p+": "+f)
			}
			return nil
		})
		must(t, err)
	}
	if files < 20 {
		t.Fatalf("walked only %d files", files)
	}
	if _, err := os.Stat(filepath.Join("..", "..", "static", "vendor", "echarts", "echarts.min.js")); err != nil {
		t.Fatalf("ECharts is not vendored: %v", err)
	}

	e := newEnv(t)
	_, ck := e.user("viewer")
	_, err := e.m.Demo(ctx, domain.OperatorPrincipal(), e.sv.Slug, 43, 3)
	must(t, err)
	for _, p := range []string{"/charts", "/report", "/charts?lang=en", "/report?lang=en"} {
		r := e.as(ck, "GET", "/surveys/"+e.sv.Slug+p, nil)
		wantStatus(t, r, http.StatusOK)
		for _, f := range externalRefs("page.html", r.body) {
			problems = append(problems, p+": "+f)
		}
		// Nothing inline for the CSP to refuse: no style attributes, no
		// script other than our files and JSON data blocks.
		if m := regexp.MustCompile(`(?i)<[^>]*\s(style|on[a-z]+)\s*=`).FindString(r.body); m != "" {
			problems = append(problems, p+": inline style or event handler: "+m)
		}
		for _, m := range regexp.MustCompile(`<script[^>]*>`).FindAllString(r.body, -1) {
			if !ourScript.MatchString(m) {
				problems = append(problems, p+": inline script "+m)
			}
		}
	}
	sort.Strings(problems)
	if len(problems) > 0 {
		t.Fatalf("references to other hosts or inline code:\n  %s", strings.Join(problems, "\n  "))
	}
}

// TestBrowserChartsDraw opens the dashboard and the report in Chromium
// with all 43 responses: every chart container gets ECharts' canvas or
// svg, there is no console error and no CSP violation, and a chart can be
// saved as PNG. Each page (and the tooltips, and the pages at phone width)
// is a subtest with a browser context of its own, run at once, on one
// server: together they took 60-90 s, the longest of internal/web.
func TestBrowserChartsDraw(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.realTime()
	viewer, _ := e.user("viewer")
	_, err := e.m.Demo(ctx, domain.OperatorPrincipal(), e.sv.Slug, 43, 1)
	must(t, err)
	ts := httptest.NewServer(e.srv)
	t.Cleanup(ts.Close)

	for _, p := range []string{"/charts", "/report", "/charts?lang=en&region=Kurzemes"} {
		t.Run(strings.NewReplacer("/", "", "?", " ").Replace(p), func(t *testing.T) {
			t.Parallel()
			bctx := chartsBrowser(t, ts.URL, viewer.Email)
			must(t, chromedp.Do(bctx, chromedp.Navigate(ts.URL+"/surveys/"+e.sv.Slug+p),
				chromedp.WaitReady(chromedp.CSS("html[data-charts-drawn]"))))
			type drawn struct {
				Containers, Drawn, Blocks int
				Missing                   []string
				CSP                       []string
			}
			got := eval[drawn](t, bctx, `(function () {
			var out = {Containers: 0, Drawn: 0, Blocks: document.querySelectorAll('script[type="application/json"]').length, Missing: [], CSP: window.__csp || ['listener missing']};
			document.querySelectorAll('.chart[data-chart]').forEach(function (el) {
				out.Containers++;
				var r = el.querySelector('canvas, svg');
				if (r && el.getBoundingClientRect().height > 50) out.Drawn++; else out.Missing.push(el.id);
			});
			return out;
		})()`)
			if got.Containers < 10 || got.Drawn != got.Containers || got.Blocks != got.Containers || len(got.Missing) > 0 {
				t.Errorf("%s: %d chart containers, %d drawn, %d option blocks; not drawn: %v", p, got.Containers, got.Drawn,
					got.Blocks, got.Missing)
			}
			if len(got.CSP) > 0 {
				t.Errorf("%s: CSP violations: %v", p, got.CSP)
			}
			if drawnAttr := eval[string](t, bctx, `document.documentElement.getAttribute('data-charts-drawn')`); drawnAttr != fmt.Sprint(got.Containers) {
				t.Errorf("%s: charts.js drew %s of %d", p, drawnAttr, got.Containers)
			}
			if strings.HasPrefix(p, "/report") {
				// Fixed A4-friendly size, vector graphics for print.
				if w := eval[float64](t, bctx, `document.getElementById('chart-ngo_rules').getBoundingClientRect().width`); w != 640 {
					t.Errorf("report chart width %v", w)
				}
				if !eval[bool](t, bctx, `!!document.querySelector('#chart-ngo_rules svg') && !document.querySelector('.chart canvas')`) {
					t.Error("report charts are not SVG")
				}
				return
			}
			// Saving as PNG: the button is shown and ECharts gives a PNG.
			if !eval[bool](t, bctx, `!document.querySelector('button[data-png="ngo_rules"]').hidden`) {
				t.Errorf("%s: the PNG button stays hidden", p)
			}
			// Click it, catching the download: a PNG blob with the chart's name.
			eval[bool](t, bctx, `(function () {
			window.__png = null;
			var create = URL.createObjectURL;
			URL.createObjectURL = function (b) { window.__blob = {type: b.type, size: b.size}; return create.call(URL, b); };
			HTMLAnchorElement.prototype.click = function () {
				window.__png = {Name: this.download, Scheme: this.href.split(":")[0], Type: window.__blob.type, Size: window.__blob.size};
			};
			return true;
		})()`)
			must(t, chromedp.Do(bctx, chromedp.Click(chromedp.CSS(`button[data-png="ngo_rules"]`))))
			type png struct {
				Name, Scheme, Type string
				Size               int
			}
			var saved png
			eventually(t, "the PNG saved", func() bool {
				saved = eval[png](t, bctx, `window.__png || {Name: ''}`)
				return saved.Name != ""
			})
			if saved.Name != "regional-2025-ngo_rules.png" || saved.Scheme != "blob" || saved.Type != "image/png" || saved.Size < 5000 {
				t.Errorf("%s: saved PNG %+v", p, saved)
			}
			// Numbers in the page's language on the value axes and labels.
			if !strings.Contains(p, "lang=en") {
				if f := eval[string](t, bctx, `echarts.getInstanceByDom(document.getElementById('chart-population')).getOption().xAxis[0].axisLabel.formatter(1234567.5)`); f != "1 234 567,5" && f != "1\u00a0234\u00a0567,5" {
					t.Errorf("Latvian axis label %q", f)
				}
			}
		})
	}
	t.Run("tooltips", func(t *testing.T) {
		t.Parallel()
		bctx := chartsBrowser(t, ts.URL, viewer.Email)
		// Tooltips write amounts and shares in the page's style, drawn in the
		// chart (the HTML tooltip's style attributes would meet the CSP).
		for _, c := range []struct{ query, money, share string }{
			{"?lang=lv", "120\u00a0000,50\u00a0EUR", "33,3\u00a0%"}, {"?lang=en", "120,000.50\u00a0EUR", "33.3%"}} {
			must(t, chromedp.Do(bctx, chromedp.Navigate(ts.URL+"/surveys/"+e.sv.Slug+"/charts"+c.query),
				chromedp.WaitReady(chromedp.CSS("html[data-charts-drawn]"))))
			tip := func(id string, v float64) string {
				return eval[string](t, bctx, fmt.Sprintf(`(function () {
					var o = echarts.getInstanceByDom(document.getElementById('chart-%s')).getOption().tooltip[0];
					return o.renderMode + ' ' + o.valueFormatter(%v);
				})()`, id, v))
			}
			if got := tip("ngo_support_eur", 120000.5); got != "richText "+c.money {
				t.Errorf("charts%s: money tooltip %q, want %q", c.query, got, c.money)
			}
			if got := tip("ngo_forms", 33.3); got != "richText "+c.share {
				t.Errorf("charts%s: share tooltip %q, want %q", c.query, got, c.share)
			}
		}
	})
	t.Run("phone", func(t *testing.T) {
		t.Parallel()
		bctx := chartsBrowser(t, ts.URL, viewer.Email)
		// At phone width nothing scrolls sideways: the report's charts shrink
		// to the screen, the rounds list stacks.
		must(t, chromedp.Do(bctx, chromedp.EmulateViewport(390, 900)))
		for _, p := range []string{"/surveys/" + e.sv.Slug + "/report", "/surveys", "/surveys/" + e.sv.Slug + "/charts"} {
			must(t, chromedp.Do(bctx, chromedp.Navigate(ts.URL+p), chromedp.WaitReady(chromedp.CSS("main"))))
			if p != "/surveys" {
				must(t, chromedp.Do(bctx, chromedp.WaitReady(chromedp.CSS("html[data-charts-drawn]"))))
			}
			if w := eval[[]float64](t, bctx, `[document.documentElement.scrollWidth, document.documentElement.clientWidth]`); w[0] > w[1] {
				t.Errorf("%s at 390 px: the page is %v px wide in a %v px window", p, w[0], w[1])
			}
		}
	})
}

// chartsBrowser opens a browser for a part of TestBrowserChartsDraw and
// signs the viewer in. Every console error or warning and every CSP
// violation of its pages is collected; when the test ends there must have
// been none (checked after a last console message has been read, so that
// every earlier one has been).
func chartsBrowser(t *testing.T, base, email string) context.Context {
	t.Helper()
	bctx := browser(t)
	var mu sync.Mutex
	var console []string
	ended := false
	messages := chromedp.Console(bctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Text == "charts-test-end" {
				mu.Lock()
				ended = true
				mu.Unlock()
				continue
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException || m.Type == chromedp.ConsoleWarning ||
				m.Source == "security" || strings.Contains(m.Text, "Content Security Policy") {
				mu.Lock()
				console = append(console, fmt.Sprintf("%s %s (%s:%d)", m.Type, m.Text, m.URL, m.Line))
				mu.Unlock()
			}
		}
	}()
	// Every CSP violation, as the page itself sees them.
	must(t, chromedp.Do(bctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
			Source: `window.__csp = []; document.addEventListener('securitypolicyviolation', function (e) {
				window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sourceFile || '') + ':' + e.lineNumber);
			});`})
		return err
	})))
	signIn(t, bctx, base, email)
	t.Cleanup(func() {
		// Every message of the pages has been read once this one arrives.
		must(t, chromedp.Do(bctx, chromedp.Evaluate[chromedp.Void](`console.info('charts-test-end')`)))
		eventually(t, "the console read to the end", func() bool { mu.Lock(); defer mu.Unlock(); return ended })
		mu.Lock()
		defer mu.Unlock()
		if len(console) > 0 {
			t.Fatalf("console:\n  %s", strings.Join(console, "\n  "))
		}
	})
	return bctx
}

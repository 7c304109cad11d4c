package web_test

import (
	"archive/zip"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// previewMarker is the distinctive text a preview session types; the
// preview's number is previewAmount (4 242 424 EUR).
const (
	previewMarker = "PRIEKŠSKATS-Zvaigzne"
	previewAmount = "4242424"
)

// previewAnswers are a complete set of answers with the distinctive
// values.
const previewAnswers = `{"resp_name":"` + previewMarker + `","resp_position":"` + previewMarker + `","resp_email":"zvaigzne@priekskats.lv",
"population":24000,"consent_contact":true,"ngo_rules":"drafting","ngo_forms":["grants"],"ngo_support_eur":` + previewAmount + `,
"ngo_supported_count":31,"ngo_liaison":["staff"],"ngo_published":"website","ngo_obstacles":"` + previewMarker + `",
"del_status":"no","pb_status":"not_started","rc_status":"not_planned","final_comments":"` + previewMarker + `"}`

// check posts a preview check as the page's script does.
func (e *env) check(ck *http.Cookie, code, answers string, submit bool) result {
	e.t.Helper()
	body := `{"answers":` + answers + `,"submit":` + map[bool]string{true: "true", false: "false"}[submit] + `}`
	return e.as(ck, "POST", "/surveys/"+e.sv.Slug+"/preview/"+code+"/check", strings.NewReader(body),
		"Content-Type", "application/json")
}

// previewSession is a coordinator's whole preview of municipality code:
// the page, draft checks (one with a bad value), a submit check that
// fails and one that passes, and the same through the form without
// JavaScript.
func (e *env) previewSession(ck *http.Cookie, code string) {
	e.t.Helper()
	t := e.t
	base := "/surveys/" + e.sv.Slug + "/preview/" + code
	wantStatus(t, e.as(ck, "GET", base, nil), http.StatusOK)
	wantStatus(t, e.check(ck, code, `{"resp_name":"`+previewMarker+`","ngo_forms":["grants"]}`, false), http.StatusOK)
	wantStatus(t, e.check(ck, code, `{"population":"daudz"}`, false), http.StatusUnprocessableEntity)
	wantStatus(t, e.check(ck, code, `{"resp_name":"`+previewMarker+`"}`, true), http.StatusUnprocessableEntity)
	wantStatus(t, e.check(ck, code, previewAnswers, true), http.StatusOK)
	form := url.Values{"version": {"0"}, "action": {"submit"}, "resp_name": {previewMarker}, "population": {"24 000"}}
	wantStatus(t, e.form(ck, base, form), http.StatusUnprocessableEntity)
}

// TestPreview: a coordinator opens a round's form before it opens, as a
// municipality would, from the settings page; the page says it is a
// preview and checks instead of saving; the checks answer as the
// respondent's API does (errors per question, show_if, progress), in
// draft and submit mode, and so does the form without JavaScript, which
// keeps what was typed. Nothing is stored: the database is as it was.
func TestPreview(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.setNow(e.opens.Add(-48 * time.Hour)) // not open yet
	_, ck := e.user("coordinator")
	_, viewer := e.user("viewer")
	before := dbFingerprint(t, e)
	slug := e.sv.Slug
	base := "/surveys/" + slug + "/preview/riga"

	// The settings page's chooser.
	r := e.as(ck, "GET", "/surveys/"+slug+"/settings", nil)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body, `action="/surveys/`+slug+`/preview"`) || !strings.Contains(r.body, `<select id="preview-m" name="code">`) ||
		!strings.Contains(r.body, "Priekšskatīt anketu") {
		t.Errorf("the settings page offers no preview:\n%s", r.body)
	}
	r = e.as(ck, "GET", "/surveys/"+slug+"/preview?code=riga", nil)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != base {
		t.Errorf("chooser: %d %q", r.status, r.header.Get("Location"))
	}
	r = e.as(ck, "GET", "/surveys/"+slug+"/preview", nil)
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/surveys/"+slug+"/preview/") {
		t.Errorf("chooser without a choice: %d %q", r.status, r.header.Get("Location"))
	}

	// The page: the form as the municipality sees it, with the banner.
	r = e.as(ck, "GET", base, nil)
	wantStatus(t, r, http.StatusOK)
	for _, want := range []string{"<title>Priekšskatījums: " + htmlEscape(e.sv.TitleLV) + " — Rīgas valstspilsēta</title>",
		"Priekšskatījums — atbildes netiek saglabātas", "Vēl nav atvērta", "Rīgas valstspilsēta",
		`<form id="answers" class="answers" method="post" action="` + base + `"`, "Pārbaudīt iesniegšanu",
		"Pārbaudīt atbildes", "Priekšskatījums: nekas netiek saglabāts", `id="q-ngo_support_eur"`,
		`"api":"` + base + `/check"`, `"preview":true`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the preview page lacks %q", want)
		}
	}
	if strings.Contains(r.body, "/print") || strings.Contains(r.body, "/api/v1/r/") {
		t.Error("the preview page leads to a respondent's print copy or API")
	}
	// The revealed question is hidden until its answer shows it.
	if !regexp.MustCompile(`id="qw-ngo_support_eur"[^>]* hidden`).MatchString(r.body) {
		t.Error("ngo_support_eur is not hidden at first")
	}

	// Draft check: show_if and progress follow the answers.
	r = e.check(ck, "riga", `{"resp_name":"`+previewMarker+`","ngo_forms":["grants"],"del_status":"no","del_count":3}`, false)
	wantStatus(t, r, http.StatusOK)
	var got struct {
		Error    string            `json:"error"`
		Message  string            `json:"message"`
		Errors   map[string]string `json:"errors"`
		Cleared  []string          `json:"cleared"`
		Answers  map[string]any    `json:"answers"`
		Visible  []string          `json:"visible"`
		Progress struct {
			Done, Total int
			Sections    []struct {
				Code        string
				Done, Total int
			}
		} `json:"progress"`
	}
	must(t, json.Unmarshal([]byte(r.body), &got))
	vis := strings.Join(got.Visible, ",")
	if !strings.Contains(vis, "ngo_support_eur") || strings.Contains(vis, "del_count") || len(got.Errors) != 0 {
		t.Errorf("draft check: visible %v, errors %v", got.Visible, got.Errors)
	}
	if len(got.Cleared) != 1 || got.Cleared[0] != "del_count" || got.Answers["del_count"] != nil {
		t.Errorf("draft check: cleared %v, answers %v", got.Cleared, got.Answers)
	}
	if got.Progress.Done != 3 || got.Progress.Total < 10 || len(got.Progress.Sections) < 3 || got.Progress.Sections[0].Done != 1 {
		t.Errorf("progress %+v", got.Progress)
	}
	// A bad value: the respondent API's 422 with the question's message.
	r = e.check(ck, "riga", `{"population":"daudz"}`, false)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	got.Errors = nil
	must(t, json.Unmarshal([]byte(r.body), &got))
	if got.Error != "invalid_answers" || got.Errors["population"] != "Ievadiet veselu skaitli." || got.Message == "" {
		t.Errorf("bad value: %s", r.body)
	}
	// Submit mode: the required questions; a complete set passes.
	r = e.check(ck, "riga", `{"resp_name":"`+previewMarker+`"}`, true)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.body, `"population":"Šī atbilde ir obligāta."`) || !strings.Contains(r.body, "Anketu vēl nevar iesniegt") {
		t.Errorf("submit check: %s", r.body)
	}
	wantStatus(t, e.check(ck, "riga", previewAnswers, true), http.StatusOK)
	// In English, the messages are English.
	r = e.as(ck, "POST", base+"/check?lang=en", strings.NewReader(`{"answers":{"population":"many"},"submit":false}`),
		"Content-Type", "application/json")
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `"population":"Enter a whole number."`) {
		t.Errorf("English check: %d %s", r.status, r.body)
	}
	// Malformed: a JSON 400; a viewer: refused.
	r = e.as(ck, "POST", base+"/check", strings.NewReader(`{"answers":`), "Content-Type", "application/json")
	if r.status != http.StatusBadRequest || r.json(t)["error"] != "bad_request" {
		t.Errorf("malformed: %d %s", r.status, r.body)
	}
	wantStatus(t, e.check(viewer, "riga", previewAnswers, true), http.StatusForbidden)
	wantStatus(t, e.check(ck, "atlantida", previewAnswers, true), http.StatusNotFound)

	// Without JavaScript: what was typed comes back with its errors.
	form := url.Values{"version": {"0"}, "action": {"save"}, "resp_name": {previewMarker}, "population": {"daudz"},
		"ngo_forms": {"grants"}}
	r = e.form(ck, base, form)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	for _, want := range []string{"Īstajā anketā šīs atbildes netiktu saglabātas", "Ievadiet veselu skaitli.",
		`value="daudz"`, `value="` + previewMarker + `"`, "Priekšskatījums — atbildes netiek saglabātas"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("no-script check lacks %q", want)
		}
	}
	if regexp.MustCompile(`id="qw-ngo_support_eur"[^>]* hidden`).MatchString(r.body) {
		t.Error("no-script check: ngo_support_eur stays hidden though grants is chosen")
	}
	form.Set("action", "submit")
	form.Set("population", "24 000")
	r = e.form(ck, base, form)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.body, "Anketu vēl nevar iesniegt") || !strings.Contains(r.body, `value="24 000"`) {
		t.Error("no-script submit check: no errors, or the typed value is gone")
	}
	var all map[string]any
	must(t, json.Unmarshal([]byte(previewAnswers), &all))
	full := url.Values{"action": {"submit"}}
	for k, v := range all {
		switch x := v.(type) {
		case []any:
			for _, o := range x {
				full.Add(k, o.(string))
			}
		case float64:
			full.Set(k, strconv.FormatFloat(x, 'f', -1, 64))
		case bool:
			full.Set(k, map[bool]string{true: "true", false: "false"}[x])
		default:
			full.Set(k, x.(string))
		}
	}
	r = e.form(ck, base, full)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body, "Pārbaude izdevās: šīs atbildes varētu iesniegt.") {
		t.Error("no-script submit check of a complete set does not say it passes")
	}
	form.Set("action", "save")
	form.Del("population")
	r = e.form(ck, base, form)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body, "Atbildes pārbaudītas: īstajā anketā tās tiktu saglabātas.") {
		t.Error("no-script draft check does not say it passes")
	}

	e.previewSession(ck, "cesis")
	if after := dbFingerprint(t, e); after != before {
		t.Errorf("the preview changed the database:\nbefore %s\nafter  %s", before, after)
	}
}

// TestPreviewNeverReachesReports: after preview sessions with distinctive
// answers for a municipality that has not answered and for one that has
// submitted, the tracker, the workbook, the charts, the feedback report
// and the open-data package hold none of them, and the figures are those
// of the one submitted response.
func TestPreviewNeverReachesReports(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.submitFull("cesis")
	_, ck := e.user("coordinator")
	e.previewSession(ck, "riga")
	e.previewSession(ck, "cesis")
	slug := e.sv.Slug
	absent := func(where, text string) {
		t.Helper()
		for _, s := range []string{previewMarker, previewAmount, "4 242 424", "4\u00a0242\u00a0424", "zvaigzne@priekskats.lv"} {
			if strings.Contains(text, s) {
				t.Errorf("%s holds the preview's %q", where, s)
			}
		}
	}
	if _, err := e.st.Response(ctx, e.sv.ID, "riga"); err == nil {
		t.Error("the preview made a response for riga")
	}
	if a := e.answers("cesis"); a["resp_name"] != "Anna Ozola" {
		t.Errorf("cesis's answers changed: %v", a)
	}

	// The tracker: riga has not started, cesis submitted.
	r := e.as(ck, "GET", "/surveys/"+slug, nil)
	wantStatus(t, r, http.StatusOK)
	absent("the tracker", r.body)
	st := e.statusJSON(ck)
	if st.Submitted != 1 || st.ByStatus["draft"] != 0 || st.ByStatus["link_created"] != 1 {
		t.Errorf("the status counts the preview: %+v", st)
	}
	for _, m := range st.Municipalities {
		if m.Code == "riga" && (m.Status != "link_created" || m.Percent != 0) {
			t.Errorf("the tracker's riga: %q, %d %%", m.Status, m.Percent)
		}
	}

	// The workbook: one response row, none of the preview's values.
	f := openXLSX(t, e.as(ck, "GET", "/surveys/"+slug+"/export.xlsx", nil))
	absent("the workbook", workbookText(t, f))
	if rows := responseRows(t, f); len(rows) != 1 {
		t.Errorf("the workbook has %d response rows, want 1", len(rows))
	}

	// The charts: the page and a chart's data count one response.
	r = e.as(ck, "GET", "/surveys/"+slug+"/charts", nil)
	wantStatus(t, r, http.StatusOK)
	absent("the charts page", r.body)
	r = e.as(ck, "GET", "/surveys/"+slug+"/charts/ngo_rules/data.csv", nil)
	wantStatus(t, r, http.StatusOK)
	absent("the chart data", r.body)
	// cesis answered "adopted"; the previews chose "drafting".
	for _, want := range []string{"\nJā, pieņemta;1;100\n", "\nTiek izstrādāta;0;0\n"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("ngo_rules data lacks %q:\n%s", want, r.body)
		}
	}

	// The feedback: none for riga, cesis's holds its own answers only.
	wantStatus(t, e.as(ck, "GET", "/surveys/"+slug+"/feedback/riga", nil), http.StatusNotFound)
	r = e.as(ck, "GET", "/surveys/"+slug+"/feedback/cesis", nil)
	wantStatus(t, r, http.StatusOK)
	absent("cesis's feedback", r.body)
	r = e.as(ck, "GET", "/surveys/"+slug+"/feedback/cesis/report.xlsx", nil)
	wantStatus(t, r, http.StatusOK)
	absent("cesis's feedback workbook", xlsxText(t, []byte(r.body)))

	// The open-data package.
	r = e.as(ck, "GET", "/surveys/"+slug+"/opendata.zip", nil)
	wantStatus(t, r, http.StatusOK)
	zr, err := zip.NewReader(strings.NewReader(r.body), int64(len(r.body)))
	must(t, err)
	for _, zf := range zr.File {
		rc, err := zf.Open()
		must(t, err)
		b, _ := io.ReadAll(rc)
		rc.Close()
		absent("the open-data package's "+zf.Name, string(b))
		if zf.Name == "responses.csv" && strings.Count(strings.TrimSpace(string(b)), "\n") != 1 {
			t.Errorf("responses.csv has other than one row:\n%s", b)
		}
	}
}

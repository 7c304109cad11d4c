package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
)

// TestAnsweringLifecycle walks save → reload → submit → edit → close →
// read-only through the JSON API and the page.
func TestAnsweringLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	// Nothing saved yet.
	r := e.api("GET", "riga", "", "")
	wantStatus(t, r, 200)
	got := r.json(t)
	if got["version"].(float64) != 0 || got["status"] != "draft" || len(got["answers"].(map[string]any)) != 0 {
		t.Fatalf("fresh response: %v", got)
	}
	if got["municipality"].(map[string]any)["code"] != "riga" || got["survey"].(map[string]any)["state"] != "open" {
		t.Fatalf("context: %v", got)
	}

	// Save a draft (a hidden answer is cleared), then reload it.
	r = e.put("riga", 0, `{"population":24000,"pb_status":"not_started","pb_amount_eur":100,"resp_name":"  Anna  "}`)
	wantStatus(t, r, 200)
	got = r.json(t)
	if got["version"].(float64) != 1 || got["changed"] != true || got["saved_at"] == nil {
		t.Fatalf("save: %v", got)
	}
	if cl := got["cleared"].([]any); len(cl) != 1 || cl[0] != "pb_amount_eur" {
		t.Fatalf("cleared = %v", cl)
	}
	got = e.api("GET", "riga", "", "").json(t)
	ans := got["answers"].(map[string]any)
	if ans["population"].(float64) != 24000 || ans["resp_name"] != "Anna" || ans["pb_amount_eur"] != nil {
		t.Fatalf("reloaded answers: %v", ans)
	}
	page := e.do("GET", "/r/"+e.tokens["riga"], nil)
	wantStatus(t, page, 200)
	if !strings.Contains(page.body, `value="24000"`) || !strings.Contains(page.body, `value="Anna"`) {
		t.Fatal("the page does not show the saved answers")
	}

	// Submitting an incomplete response: 422 with Latvian messages, nothing changes.
	r = e.api("POST", "riga", "/submit", `{"version":1}`)
	wantStatus(t, r, 422)
	errs := r.json(t)["errors"].(map[string]any)
	if errs["resp_email"] != "Šī atbilde ir obligāta." {
		t.Fatalf("submit errors: %v", errs)
	}
	if resp, n := e.state("riga"); resp.Version != 1 || n != 1 || resp.Status != domain.StatusDraft {
		t.Fatalf("a failed submit changed something: v%d, %d revisions, %s", resp.Version, n, resp.Status)
	}

	// Complete and submit.
	wantStatus(t, e.put("riga", 1, full), 200)
	r = e.api("POST", "riga", "/submit", `{"version":2}`)
	wantStatus(t, r, 200)
	got = r.json(t)
	if got["status"] != "submitted" || got["version"].(float64) != 3 || got["submitted_at"] == nil {
		t.Fatalf("submit: %v", got)
	}

	// Edit after submitting: still submitted, marked as changed; submit again.
	edited := strings.Replace(full, `"population":24000`, `"population":24100`, 1)
	wantStatus(t, e.put("riga", 3, edited), 200)
	got = e.api("GET", "riga", "", "").json(t)
	if got["status"] != "submitted" || got["changed_since_submit"] != true {
		t.Fatalf("after editing: %v", got)
	}
	page = e.do("GET", "/r/"+e.tokens["riga"], nil)
	if !strings.Contains(page.body, "iesniedziet anketu atkārtoti") || !strings.Contains(page.body, "Iesniegt atkārtoti") {
		t.Fatal("the page does not say the changes need resubmitting")
	}
	wantStatus(t, e.api("POST", "riga", "/submit", `{"version":4}`), 200)
	resp, revisions := e.state("riga")
	if resp.ChangedSinceSubmit() || !strings.Contains(string(resp.SubmittedJSON), "24100") {
		t.Fatalf("resubmit: %+v", resp)
	}
	if revisions != 5 {
		t.Fatalf("revisions = %d, want one per change (5)", revisions)
	}

	// An edit after the last submission that is never submitted.
	wantStatus(t, e.put("riga", 5, strings.Replace(full, `"population":24000`, `"population":99999`, 1)), 200)

	// The round closes: read-only, showing what was submitted.
	e.setNow(e.closes.Add(time.Minute))
	page = e.do("GET", "/r/"+e.tokens["riga"], nil)
	wantStatus(t, page, 200)
	if strings.Contains(page.body, "<form") || !strings.Contains(page.body, "Aptauja ir slēgta") {
		t.Fatal("closed round still shows a form")
	}
	if !strings.Contains(page.body, "24\u00a0100") || strings.Contains(page.body, "99\u00a0999") {
		t.Fatal("the closed page must show the submitted answers, not the unsubmitted edit")
	}
	r = e.put("riga", 6, full)
	wantStatus(t, r, http.StatusForbidden)
	if r.json(t)["error"] != "round_closed" {
		t.Fatalf("closed PUT: %s", r.body)
	}
	wantStatus(t, e.api("POST", "riga", "/submit", `{"version":6}`), http.StatusForbidden)
	wantStatus(t, e.post("riga", url.Values{"version": {"6"}, "population": {"1"}}), http.StatusForbidden)
	if resp, _ := e.state("riga"); resp.Version != 6 {
		t.Fatalf("closed round changed: v%d", resp.Version)
	}
}

func TestNotYetOpen(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.setNow(e.opens.Add(-time.Hour))
	page := e.do("GET", "/r/"+e.tokens["riga"], nil)
	wantStatus(t, page, 200)
	if !strings.Contains(page.body, "Aptauja vēl nav atvērta") || !strings.Contains(page.body, "2026. gada 1. novembra plkst. 11:00") {
		t.Fatalf("not-open page: %s", page.body)
	}
	r := e.put("riga", 0, `{"population":1}`)
	wantStatus(t, r, http.StatusForbidden)
	if r.json(t)["error"] != "round_not_open" {
		t.Fatal(r.body)
	}
}

// TestConflict: two officials of one municipality save from the same
// version; the second gets 409 with the current version, nothing is
// overwritten, and the page without JavaScript keeps what they typed.
func TestConflict(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	wantStatus(t, e.put("riga", 0, `{"population":100}`), 200)
	wantStatus(t, e.put("riga", 1, `{"population":200}`), 200) // colleague A
	r := e.put("riga", 1, `{"population":300}`)                // colleague B, stale
	wantStatus(t, r, http.StatusConflict)
	got := r.json(t)
	if got["error"] != "version_conflict" || got["version"].(float64) != 2 {
		t.Fatalf("409 body: %v", got)
	}
	if resp, n := e.state("riga"); resp.Version != 2 || !strings.Contains(string(resp.AnswersJSON), "200") || n != 2 {
		t.Fatalf("the stale save changed something: %s, %d revisions", resp.AnswersJSON, n)
	}
	// A stale submit is a conflict too.
	wantStatus(t, e.api("POST", "riga", "/submit", `{"version":1}`), http.StatusConflict)

	// Without JavaScript: the form comes back with B's typed value and the
	// choice; the hidden version is now A's, so saving again is deliberate.
	page := e.post("riga", url.Values{"version": {"1"}, "population": {"300"}, "resp_name": {"Bērziņš"}})
	wantStatus(t, page, http.StatusConflict)
	for _, want := range []string{`value="300"`, `value="Bērziņš"`, "kolēģis saglabāja", `name="version" value="2"`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("conflict page lacks %q", want)
		}
	}
	if resp, _ := e.state("riga"); resp.Version != 2 {
		t.Fatal("the stale form post changed something")
	}
	// Choosing to save their version.
	r = e.post("riga", url.Values{"version": {"2"}, "population": {"300"}})
	wantStatus(t, r, http.StatusSeeOther)
	if resp, _ := e.state("riga"); resp.Version != 3 || !strings.Contains(string(resp.AnswersJSON), "300") {
		t.Fatalf("deliberate save: %s", resp.AnswersJSON)
	}
}

// TestFormWithoutJavaScript: the plain form saves Latvian-formatted numbers,
// shows invalid input back as typed, and submits.
func TestFormWithoutJavaScript(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	form := url.Values{"version": {"0"}, "population": {"24 000"}, "resp_name": {"Anna"},
		"ngo_forms": {"grants", "other"}, "ngo_forms_other": {"Telpas"}, "ngo_support_eur": {"1 234,50"},
		"consent_contact": {"true"}, "action": {"save"}}
	r := e.post("riga", form)
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); loc != "/r/"+e.tokens["riga"]+"?done=saved" {
		t.Fatalf("redirect to %q", loc)
	}
	resp, _ := e.state("riga")
	a, _ := resp.Answers()
	if a["population"].(interface{ String() string }).String() != "24000" || a["ngo_support_eur"].(interface{ String() string }).String() != "1234.5" ||
		a["consent_contact"] != true || a["ngo_forms_other"] != "Telpas" {
		t.Fatalf("saved from the form: %v", a)
	}
	page := e.do("GET", "/r/"+e.tokens["riga"]+"?done=saved", nil)
	if !strings.Contains(page.body, "Atbildes saglabātas.") || !strings.Contains(page.body, `value="1234,5"`) {
		t.Fatal("the page after saving lacks the notice or the Latvian-formatted amount")
	}

	// A typo: shown back as typed, with the error, and nothing saved.
	form.Set("version", "1")
	form.Set("population", "24 000 iedz.")
	r = e.post("riga", form)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	for _, want := range []string{`value="24 000 iedz."`, "Ievadiet veselu skaitli.", `href="#q-population"`, `aria-invalid="true"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("error page lacks %q", want)
		}
	}
	if resp, _ := e.state("riga"); resp.Version != 1 {
		t.Fatal("an invalid form post changed something")
	}

	// Submit with required answers missing: saved, but not submitted.
	form.Set("population", "24000")
	form.Set("action", "submit")
	r = e.post("riga", form)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.body, "Jūsu atbildes ir saglabātas, bet anketu vēl nevar iesniegt") {
		t.Fatal("submit errors not explained")
	}
	if resp, _ := e.state("riga"); resp.Status != domain.StatusDraft {
		t.Fatal("submitted despite errors")
	}

	// Complete form: submitted, redirected with thanks.
	cur, _ := e.state("riga")
	complete := url.Values{"version": {itoa(cur.Version)}, "action": {"submit"}, "resp_name": {"Anna Ozola"}, "resp_position": {"Speciāliste"},
		"resp_email": {"anna@novads.lv"}, "population": {"24000"}, "consent_contact": {"false"}, "ngo_rules": {"none"},
		"ngo_forms": {"none"}, "ngo_liaison": {"none"}, "ngo_published": {"no"}, "del_status": {"no"},
		"pb_status": {"not_started"}, "rc_status": {"not_planned"}}
	r = e.post("riga", complete)
	wantStatus(t, r, http.StatusSeeOther)
	if !strings.HasSuffix(r.header.Get("Location"), "?done=submitted") {
		t.Fatal(r.header.Get("Location"))
	}
	if resp, _ := e.state("riga"); resp.Status != domain.StatusSubmitted {
		t.Fatal("not submitted")
	}
	page = e.do("GET", r.header.Get("Location"), nil)
	if !strings.Contains(page.body, "Paldies! Anketa iesniegta.") {
		t.Fatal("no thanks after submitting")
	}
}

// TestPageRendersEveryType: the form shows every question of the round, in
// Latvian, with the right control for each type.
func TestPageRendersEveryType(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	page := e.do("GET", "/r/"+e.tokens["riga"], nil)
	wantStatus(t, page, 200)
	b := page.body
	def, _ := e.st.SurveyByID(ctx, e.sv.ID)
	_ = def
	checks := []string{
		`<html lang="lv">`,
		`<label for="q-resp_name" class="q-label">Vārds, uzvārds`,                                                                                        // text
		`type="email" autocomplete="email"`,                                                                                                              // email
		`name="resp_phone" id="q-resp_phone" value="" aria-describedby="err-resp_phone warn-resp_phone" type="tel"`,                                      // phone
		`name="population" id="q-population" value="" aria-describedby="hint-population err-population warn-population" type="text" inputmode="numeric"`, // int
		`<label for="q-consent_contact-true">Jā</label>`,                                                                                                 // yesno
		`<input type="radio" name="ngo_rules" id="q-ngo_rules-adopted" value="adopted">`,                                                                 // single
		`<input type="checkbox" name="ngo_forms" id="q-ngo_forms-none" value="none" data-exclusive>`,                                                     // multi, exclusive
		`<label for="q-ngo_forms-other">Cits (norādiet)</label>`,                                                                                         // other
		`name="ngo_forms_other"`,
		`inputmode="decimal" class="num"`,                  // money/percent/decimal
		`<span class="unit" aria-hidden="true">EUR</span>`, // money
		`<span class="unit" aria-hidden="true">%</span>`,   // percent
		`name="pb_first_year" id="q-pb_first_year" value="" aria-describedby="hint-pb_first_year err-pb_first_year warn-pb_first_year" type="text" inputmode="numeric" class="num year"`, // year
		`No 2010 līdz 2025`,
		`<textarea name="ngo_obstacles" id="q-ngo_obstacles" rows="5" maxlength="4000"`, // longtext
		`id="qw-pb_first_year" data-code="pb_first_year" data-type="year" hidden`,       // show_if: hidden until answered
		`<legend>Kādus atbalsta veidus pašvaldība sniedza pārskata gadā? <span class="req" aria-hidden="true">*</span><span class="sr-only">(obligāts)</span></legend>`,
		`Iesniegt anketu`, `Saglabāt`, `Līdzdalības budžets`,
	}
	for _, c := range checks {
		if !strings.Contains(b, c) {
			t.Errorf("page lacks %s", c)
		}
	}
	// Every question of the definition is on the page with its Latvian text.
	sv, _ := e.st.SurveyByID(ctx, e.sv.ID)
	def2, err := parseDef(sv)
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]bool{}
	for _, q := range def2.Questions() {
		types[string(q.Type)] = true
		if !strings.Contains(b, `id="qw-`+q.Code+`"`) || !strings.Contains(b, htmlEscape(q.Text.LV)) {
			t.Errorf("question %s is missing or not in Latvian", q.Code)
		}
	}
	if len(types) != 12 {
		t.Errorf("the 2025 round covers %d of the 12 question types", len(types))
	}
	// English on request, remembered in a cookie.
	en := e.do("GET", "/r/"+e.tokens["riga"]+"?lang=en", nil)
	if !strings.Contains(en.body, `<html lang="en">`) || !strings.Contains(en.body, "Name and surname") ||
		!strings.Contains(en.header.Get("Set-Cookie"), "lang=en") {
		t.Fatal("English version missing")
	}
}

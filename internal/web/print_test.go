package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
)

// printAnswers is a submitted answer set with every kind of answer: text,
// e-mail, numbers, yes/no, single and multiple choice with "other" text,
// long text with a line break, and a visible optional question unanswered.
const printAnswers = `{"resp_name":"Anna Ozola","resp_position":"Speciāliste","resp_email":"anna@novads.lv","population":24000,
"consent_contact":true,"ngo_rules":"adopted","ngo_forms":["grants","other"],"ngo_forms_other":"Inventāra patapinājums",
"ngo_support_eur":48000,"ngo_supported_count":31,"ngo_liaison":["staff"],"ngo_published":"website",
"ngo_obstacles":"Maz brīvprātīgo.\nĪsi termiņi.","del_status":"no","pb_status":"not_started","rc_status":"not_planned"}`

// submitAnswers saves the answers through the API and submits them.
func (e *env) submitAnswers(muni, answers string) domain.Response {
	e.t.Helper()
	resp, _ := e.state(muni)
	r := e.put(muni, resp.Version, answers)
	wantStatus(e.t, r, http.StatusOK)
	wantStatus(e.t, e.api("POST", muni, "/submit", `{"version":`+itoa(int(r.json(e.t)["version"].(float64)))+`}`), http.StatusOK)
	resp, _ = e.state(muni)
	return resp
}

var tags = regexp.MustCompile(`<[^>]*>`)

// TestPrintView: the printable copy lists every question shown for the
// answers with its answer as text, and nothing else: no hidden question,
// no form control, no token in the text; the header says whose answers,
// which round, their status, version and when the copy was made.
func TestPrintView(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	resp := e.submitAnswers("riga", printAnswers)
	def, err := parseDef(e.sv)
	must(t, err)
	answers, _ := resp.Answers()
	token := e.tokens["riga"]

	r := e.do("GET", "/r/"+token+"/print", nil)
	wantStatus(t, r, http.StatusOK)
	for h, want := range map[string]string{"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"} {
		if got := r.header.Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
	if !strings.Contains(r.header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Error("no CSP")
	}
	for _, ctl := range []string{"<input", "<textarea", "<select"} {
		if strings.Contains(r.body, ctl) {
			t.Errorf("the copy has a form control %s", ctl)
		}
	}
	if text := tags.ReplaceAllString(r.body, " "); strings.Contains(text, token) {
		t.Error("the token is in the page's text")
	}
	if strings.Contains(r.body, "<script>") || strings.Contains(r.body, " style=") {
		t.Error("inline script or style")
	}

	visible := def.Visible(answers)
	unanswered := 0
	for _, q := range def.Questions() {
		row := regexp.MustCompile(`(?s)<div class="print-row" id="pa-` + q.Code + `"><dt>(.*?)</dt>\s*<dd>(.*?)</dd></div>`).FindStringSubmatch(r.body)
		if !visible[q.Code] {
			if row != nil {
				t.Errorf("hidden question %s is listed", q.Code)
			}
			continue
		}
		if row == nil {
			t.Errorf("visible question %s is not listed", q.Code)
			continue
		}
		if row[1] != htmlEscape(q.Text.LV) {
			t.Errorf("%s: label %q", q.Code, row[1])
		}
		if _, ok := answers[q.Code]; !ok {
			unanswered++
			if !strings.Contains(row[2], "Nav atbildes") {
				t.Errorf("%s unanswered shows %q", q.Code, row[2])
			}
		}
	}
	if unanswered == 0 {
		t.Fatal("test bug: no visible question is unanswered")
	}
	// Answers as text: labels for choices, the "other" text, numbers as
	// people read them, yes/no, line breaks kept.
	answer := func(code string) string {
		m := regexp.MustCompile(`(?s)id="pa-` + code + `"><dt>.*?</dt>\s*<dd>(.*?)</dd>`).FindStringSubmatch(r.body)
		if m == nil {
			t.Fatalf("no row for %s", code)
		}
		return tags.ReplaceAllString(m[1], "")
	}
	for code, want := range map[string]string{"resp_name": "Anna Ozola", "resp_email": "anna@novads.lv", "population": "24\u00a0000",
		"consent_contact": "Jā", "ngo_rules": htmlEscape(def.Question("ngo_rules").Option("adopted").Text.LV),
		"ngo_forms": htmlEscape(def.Question("ngo_forms").Option("grants").Text.LV), "ngo_support_eur": "48\u00a0000",
		"ngo_obstacles": "Maz brīvprātīgo.\nĪsi termiņi.", "pb_status": htmlEscape(def.Question("pb_status").Option("not_started").Text.LV)} {
		if got := answer(code); !strings.Contains(got, want) {
			t.Errorf("%s reads %q, want %q", code, got, want)
		}
	}
	if got := answer("ngo_forms"); !strings.Contains(got, "Inventāra patapinājums") {
		t.Errorf("the other text is missing: %q", got)
	}
	if !strings.Contains(r.body, `class="prewrap"`) {
		t.Error("long text does not keep its line breaks")
	}

	// The header.
	riga, _ := time.LoadLocation("Europe/Riga")
	now := e.clock().In(riga)
	submitted := resp.SubmittedAt.In(riga)
	for _, want := range []string{"Atbilžu kopija", "Rīgas valstspilsēta", "Pašvaldību prakse sabiedrības līdzdalībā 2025",
		"<dt>Pārskata gads</dt><dd>2025</dd>", "<dt>Versija</dt><dd>" + itoa(resp.Version) + "</dd>",
		"<dt>Statuss</dt><dd>Iesniegta " + itoa(submitted.Year()) + ". gada " + itoa(submitted.Day()) + ". ",
		"<dt>Šajā kopijā</dt><dd>pēdējās saglabātās atbildes</dd>",
		"<dt>Sagatavots</dt><dd>" + itoa(now.Year()) + ". gada " + itoa(now.Day()) + ". novembrī plkst. " + now.Format("15:04") + "</dd>",
		`<button type="button" id="print-button" hidden>Drukāt / saglabāt PDF</button>`, `src="/static/js/print.js?v=`,
		`<title>Rīgas valstspilsēta — atbilžu kopija (2025)</title>`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the copy lacks %q", want)
		}
	}
	if strings.Contains(r.body, "atšķiras") {
		t.Error("says the copies differ while they are the same")
	}

	// English.
	en := e.do("GET", "/r/"+token+"/print?lang=en", nil)
	wantStatus(t, en, http.StatusOK)
	for _, want := range []string{`<html lang="en">`, "Copy of the answers", "<dt>Reference year</dt><dd>2025</dd>", "<dt>Status</dt><dd>Submitted on ",
		"Municipal practice in public participation 2025", htmlEscape(def.Question("resp_name").Text.EN), ">Yes<", "24,000",
		"Print / save as PDF", "<dt>Prepared</dt><dd>" + itoa(now.Day()) + " November " + itoa(now.Year())} {
		if !strings.Contains(en.body, want) {
			t.Errorf("the English copy lacks %q", want)
		}
	}
	if strings.Contains(en.body, "Pārskata gads") || strings.Contains(en.body, "Nav atbildes") {
		t.Error("Latvian in the English copy")
	}
}

// The working copy by default; when the submitted copy differs, the page
// says so and ?copy=submitted prints that one.
func TestPrintSubmittedCopy(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	sub := e.submitAnswers("riga", printAnswers)
	changed := strings.Replace(printAnswers, `"population":24000`, `"population":25500`, 1)
	wantStatus(t, e.put("riga", sub.Version, changed), http.StatusOK)
	cur, _ := e.state("riga")
	base := "/r/" + e.tokens["riga"] + "/print"

	r := e.do("GET", base, nil)
	wantStatus(t, r, http.StatusOK)
	for _, want := range []string{"25\u00a0500", "<dt>Versija</dt><dd>" + itoa(cur.Version) + "</dd>", "pēdējās saglabātās atbildes",
		"Pēc iesniegšanas ir izmaiņas, kas vēl nav iesniegtas.", "Iesniegtās atbildes atšķiras no šīm.",
		`href="` + base + `?copy=submitted">Rādīt iesniegtās atbildes</a>`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("working copy lacks %q", want)
		}
	}
	if strings.Contains(r.body, "24\u00a0000") {
		t.Error("the working copy shows the submitted population")
	}

	r = e.do("GET", base+"?copy=submitted", nil)
	wantStatus(t, r, http.StatusOK)
	for _, want := range []string{"24\u00a0000", "<dt>Versija</dt><dd>" + itoa(*sub.SubmittedVersion) + "</dd>",
		"<dt>Šajā kopijā</dt><dd>iesniegtās atbildes (iesniegtas ", "Pēdējās saglabātās atbildes atšķiras no šīm",
		`href="` + base + `">Rādīt pēdējās saglabātās atbildes</a>`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("submitted copy lacks %q", want)
		}
	}
	if strings.Contains(r.body, "25\u00a0500") {
		t.Error("the submitted copy shows the working population")
	}

	// Returned for correction.
	_, ck := e.user("coordinator")
	wantStatus(t, e.form(ck, "/surveys/"+e.sv.Slug+"/responses/riga/return", url.Values{"version": {itoa(cur.Version)},
		"note": {"Lūdzu, pārbaudiet."}}), http.StatusSeeOther)
	r = e.do("GET", base, nil)
	if !strings.Contains(r.body, "<dt>Statuss</dt><dd>Atgriezta labošanai (iepriekš iesniegta ") {
		t.Error("the copy of a returned response does not say so")
	}

	// A draft: nothing submitted, ?copy=submitted shows the working copy.
	wantStatus(t, e.put("cesis", 0, `{"resp_name":"Ilze"}`), http.StatusOK)
	r = e.do("GET", "/r/"+e.tokens["cesis"]+"/print?copy=submitted", nil)
	wantStatus(t, r, http.StatusOK)
	for _, want := range []string{"<dt>Statuss</dt><dd>Nav iesniegta (melnraksts)</dd>", "pēdējās saglabātās atbildes", "Ilze", "Nav atbildes"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("draft copy lacks %q", want)
		}
	}
}

// The copy is reachable from the form, and from the read-only view after
// the round closes (there: the submitted copy).
func TestPrintLinkOnTheForm(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	token := e.tokens["riga"]
	link := `<a href="/r/` + token + `/print" id="print-link">Drukāt / saglabāt PDF</a>`
	if r := e.do("GET", "/r/"+token, nil); !strings.Contains(r.body, link) {
		t.Fatal("the form has no link to the copy")
	}
	if r := e.do("GET", "/r/"+token+"?lang=en", nil); !strings.Contains(r.body, `id="print-link">Print / save as PDF</a>`) {
		t.Fatal("the English form has no link to the copy")
	}
	e.submitAnswers("riga", printAnswers)
	e.setNow(e.closes.Add(time.Hour))
	r := e.do("GET", "/r/"+token, nil)
	if !strings.Contains(r.body, `<a href="/r/`+token+`/print?copy=submitted" id="print-link">`) {
		t.Fatal("the closed view has no link to the submitted copy")
	}
	wantStatus(t, e.do("GET", "/r/"+token+"/print?copy=submitted", nil), http.StatusOK)
}

// Unknown, malformed and revoked links get the same 404 as the form's.
func TestPrintUnknownLink(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	old := e.tokens["riga"]
	if _, err := e.m.Invite(ctx, domain.OperatorPrincipal(), e.sv.Slug, []string{"riga"}, false); err != nil {
		t.Fatal(err)
	}
	for _, token := range []string{"AAAAAAAAAAAAAAAAAAAAAA", "nope", old, strings.Repeat("x", 300)} {
		form := e.do("GET", "/r/"+token, nil)
		r := e.do("GET", "/r/"+token+"/print", nil)
		if r.status != http.StatusNotFound || form.status != http.StatusNotFound {
			t.Fatalf("%q: %d (the form: %d)", token, r.status, form.status)
		}
		if strings.ReplaceAll(r.body, "/print", "") != form.body {
			t.Errorf("%q: the 404 differs from the form's:\n%s\n---\n%s", token, r.body, form.body)
		}
		if !strings.Contains(r.body, "Saite nav derīga") || r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("%q: %s", token, r.body)
		}
	}
}

// TestReceiptAfterSubmit: a submit, by the API or by the form without
// JavaScript, queues one receipt to the address typed in resp_email — not
// to the municipality's contacts — with the link to the copy; nothing
// without SMTP; the log holds neither the address nor the token.
func TestReceiptAfterSubmit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ck := e.user("coordinator")
	e.setContacts(ck, "riga", "kontakts@riga.lv")
	e.setContacts(ck, "cesis", "kontakts@cesis.lv")

	// By the API, in English (the form's script sends its language).
	resp, _ := e.state("riga")
	r := e.put("riga", resp.Version, printAnswers)
	wantStatus(t, r, http.StatusOK)
	wantStatus(t, e.do("POST", "/api/v1/r/"+e.tokens["riga"]+"/submit", strings.NewReader(`{"version":`+itoa(int(r.json(t)["version"].(float64)))+`}`),
		"Content-Type", "application/json", "Accept-Language", "en"), http.StatusOK)
	d, err := e.m.Deliver(ctx, e.sv.ID)
	if err != nil || d.Sent != 1 {
		t.Fatalf("deliver %+v %v", d, err)
	}
	msgs := e.mail.Messages()
	if len(msgs) != 1 || len(msgs[0].To) != 1 || msgs[0].To[0] != "anna@novads.lv" {
		t.Fatalf("sent %+v", msgs)
	}
	if !strings.Contains(msgs[0].Text, "http://survey.test/r/"+e.tokens["riga"]+"/print?copy=submitted&lang=en") ||
		!strings.HasPrefix(msgs[0].Subject, "Answers submitted: ") {
		t.Fatalf("receipt %q:\n%s", msgs[0].Subject, msgs[0].Text)
	}
	// The link in it opens the copy.
	link := regexp.MustCompile(`http://survey\.test(/r/\S+)`).FindStringSubmatch(msgs[0].Text)
	if link == nil {
		t.Fatal("no link")
	}
	wantStatus(t, e.do("GET", link[1], nil), http.StatusOK)

	// By the form without JavaScript, in Latvian.
	e.mail.Reset()
	complete := url.Values{"version": {"0"}, "action": {"submit"}, "resp_name": {"Ilze Kalna"}, "resp_position": {"Vadītāja"},
		"resp_email": {"ilze@cesis.lv"}, "population": {"14000"}, "consent_contact": {"true"}, "ngo_rules": {"none"},
		"ngo_forms": {"none"}, "ngo_liaison": {"none"}, "ngo_published": {"no"}, "del_status": {"no"},
		"pb_status": {"not_started"}, "rc_status": {"not_planned"}}
	wantStatus(t, e.post("cesis", complete), http.StatusSeeOther)
	if d, err := e.m.Deliver(ctx, e.sv.ID); err != nil || d.Sent != 1 {
		t.Fatalf("deliver %+v %v", d, err)
	}
	msgs = e.mail.Messages()
	if len(msgs) != 1 || msgs[0].To[0] != "ilze@cesis.lv" || !strings.Contains(msgs[0].Text, "Paldies! Anketa „") ||
		!strings.Contains(msgs[0].Text, "http://survey.test/r/"+e.tokens["cesis"]+"/print?copy=submitted\n") {
		t.Fatalf("receipt %+v", msgs)
	}

	// Without SMTP: submitted, and no receipt.
	e.mail.Reset()
	mailer := e.m.Mail
	e.m.Mail = nil
	cur, _ := e.state("cesis")
	complete.Set("version", itoa(cur.Version))
	complete.Set("population", "14100")
	wantStatus(t, e.post("cesis", complete), http.StatusSeeOther)
	e.m.Mail = mailer
	if d, err := e.m.Deliver(ctx, e.sv.ID); err != nil || d.Sent != 0 || len(e.mail.Messages()) != 0 {
		t.Fatalf("without SMTP: %+v %v", d, err)
	}
	if now, _ := e.state("cesis"); now.Status != domain.StatusSubmitted || *now.SubmittedVersion <= cur.Version {
		t.Fatal("the submit without SMTP did not go through")
	}

	list, err := e.st.MessagesOfSurvey(ctx, e.sv.ID)
	must(t, err)
	n := 0
	for _, m := range list {
		if m.Kind == domain.MessageReceipt {
			n++
		}
		if m.Recipient == "kontakts@riga.lv" || m.Recipient == "kontakts@cesis.lv" {
			t.Errorf("a message to a contact: %+v", m)
		}
	}
	if n != 2 {
		t.Errorf("%d receipts recorded, want 2", n)
	}
	logs := e.logs.String()
	for _, secret := range []string{"anna@novads.lv", "ilze@cesis.lv", e.tokens["riga"], e.tokens["cesis"]} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds %q", secret)
		}
	}
	// The coordinators' list of messages names the kind.
	if page := e.as(ck, "GET", "/surveys/"+e.sv.Slug+"/messages", nil); !strings.Contains(page.body, "Apstiprinājums par iesniegšanu") {
		t.Error("the messages page does not name receipts")
	}
}

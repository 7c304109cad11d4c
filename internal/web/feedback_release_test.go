package web_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/xuri/excelize/v2"
)

// cesisAnswers are Cēsis's answers: personal ones of its own, which no
// other municipality may ever see.
const cesisAnswers = `{"resp_name":"Ilze Kalniņa","resp_position":"Vadītāja","resp_email":"ilze.kalnina@cesis.lv","population":15000,
"consent_contact":true,"ngo_rules":"adopted","ngo_forms":["grants"],"ngo_support_eur":12000,"ngo_supported_count":9,
"ngo_liaison":["staff"],"ngo_published":"website","del_status":"no","pb_status":"not_started","rc_status":"not_planned"}`

// cesisPersonal are values only Cēsis's answers and contacts hold.
var cesisPersonal = []string{"Ilze Kalniņa", "ilze.kalnina@cesis.lv", "janis.berzins@cesis.lv"}

// submitWith answers and submits for a municipality through the API.
func (e *env) submitWith(muni, answers string) {
	e.t.Helper()
	resp, _ := e.state(muni)
	r := e.put(muni, resp.Version, answers)
	wantStatus(e.t, r, http.StatusOK)
	v := int(r.json(e.t)["version"].(float64))
	wantStatus(e.t, e.api("POST", muni, "/submit", `{"version":`+itoa(v)+`}`), http.StatusOK)
}

// release presses a release button on the feedback page and returns the
// page it leads to.
func (e *env) release(ck *http.Cookie, form url.Values) result {
	e.t.Helper()
	base := "/surveys/" + e.sv.Slug + "/feedback"
	r := e.form(ck, base+"/release", form)
	wantStatus(e.t, r, http.StatusSeeOther)
	loc := r.header.Get("Location")
	if !strings.HasPrefix(loc, base+"?") || !strings.Contains(loc, "done=released") {
		e.t.Fatalf("the release button led to %q", loc)
	}
	r = e.as(ck, "GET", loc, nil)
	wantStatus(e.t, r, http.StatusOK)
	return r
}

// sendFeedback presses a send button on the feedback page, lets the outbox
// deliver, and returns the page the button led to.
func (e *env) sendFeedback(ck *http.Cookie, form url.Values) result {
	e.t.Helper()
	base := "/surveys/" + e.sv.Slug + "/feedback"
	r := e.form(ck, base+"/send", form)
	wantStatus(e.t, r, http.StatusSeeOther)
	loc := r.header.Get("Location")
	if !strings.HasPrefix(loc, base+"?") || !strings.Contains(loc, "done=queued") {
		e.t.Fatalf("the send button led to %q", loc)
	}
	if _, err := e.m.Deliver(ctx, e.sv.ID); err != nil {
		e.t.Fatal(err)
	}
	r = e.as(ck, "GET", loc, nil)
	wantStatus(e.t, r, http.StatusOK)
	return r
}

// feedbackOf is the municipality's feedback release (nil: never released).
func (e *env) feedbackOf(code string) *domain.FeedbackRelease {
	e.t.Helper()
	f, err := e.st.FeedbackRelease(ctx, e.sv.ID, code)
	if errors.Is(err, domain.ErrNotFound) {
		return nil
	}
	must(e.t, err)
	return &f
}

// feedbackJSON is the status API's feedback of each municipality.
func (e *env) feedbackJSON(ck *http.Cookie) map[string]map[string]any {
	e.t.Helper()
	r := e.as(ck, "GET", "/api/v1/surveys/"+e.sv.Slug+"/status", nil)
	wantStatus(e.t, r, http.StatusOK)
	var doc struct {
		Municipalities []struct {
			Code     string
			Feedback map[string]any
		}
	}
	must(e.t, json.Unmarshal([]byte(r.body), &doc))
	out := map[string]map[string]any{}
	for _, m := range doc.Municipalities {
		out[m.Code] = m.Feedback
	}
	return out
}

// xlsxText is every cell of every sheet of a workbook, one string.
func xlsxText(t *testing.T, data []byte) string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	must(t, err)
	defer f.Close()
	var b strings.Builder
	for _, sh := range f.GetSheetList() {
		rows, err := f.GetRows(sh)
		must(t, err)
		for _, r := range rows {
			b.WriteString(strings.Join(r, "\t") + "\n")
		}
	}
	return b.String()
}

// TestFeedbackShowsOnlyOwnReleasedResults: before the release a
// municipality's link says its results are not published; after a
// coordinator releases Rīga's, Rīga's link shows its report (page and
// workbook, also after the round closed) and the form links to it, while
// Cēsis's link still shows nothing — and nothing of Cēsis's personal
// answers or contacts ever reaches Rīga's results. Unknown links get the
// form's 404.
func TestFeedbackShowsOnlyOwnReleasedResults(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ck := e.user("coordinator")
	e.setContacts(ck, "cesis", "Jānis Bērziņš <janis.berzins@cesis.lv>")
	e.submitFull("riga")
	e.submitWith("cesis", cesisAnswers)
	base := "/surveys/" + e.sv.Slug + "/feedback"
	notYet := "Jūsu pašvaldības rezultāti vēl nav publicēti."

	unpublished := func(code string) {
		t.Helper()
		tok := e.tokens[code]
		r := e.do("GET", "/r/"+tok+"/results", nil)
		wantStatus(t, r, http.StatusOK)
		if !strings.Contains(r.body, notYet) || strings.Contains(r.body, `id="results-report"`) ||
			strings.Contains(r.body, "results.xlsx") {
			t.Fatalf("%s's results before the release: %.2000s", code, r.body)
		}
		r = e.do("GET", "/r/"+tok+"/results.xlsx", nil)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/r/"+tok+"/results" {
			t.Fatalf("%s's workbook before the release: %d %q", code, r.status, r.header.Get("Location"))
		}
		r = e.do("GET", "/r/"+tok, nil)
		if strings.Contains(r.body, `id="results-link"`) {
			t.Fatalf("%s's form links to results before the release", code)
		}
	}
	unpublished("riga")
	unpublished("cesis")

	// The page lists the municipalities that submitted, with nothing released.
	r := e.as(ck, "GET", base, nil)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body, `id="f-riga"`) || !strings.Contains(r.body, `id="f-cesis"`) ||
		strings.Contains(r.body, `id="f-valmiera"`) || !strings.Contains(r.body, "Iesniegušas: 2 · publicēta: 0") {
		t.Fatalf("feedback page: %.3000s", r.body)
	}
	if !strings.Contains(r.body, `href="`+base+`/riga"`) || !strings.Contains(r.body, `href="`+base+`/riga/report.xlsx"`) {
		t.Fatal("no preview links")
	}

	// Release Rīga's only.
	r = e.release(ck, url.Values{"scope": {"chosen"}, "municipality": {"riga"}})
	if !strings.Contains(r.body, "Atgriezeniskā saite publicēta. Pašvaldību skaits: 1.") ||
		!strings.Contains(r.body, "Iesniegušas: 2 · publicēta: 1") {
		t.Fatalf("after the release: %.3000s", r.body)
	}
	if f := e.feedbackOf("riga"); f == nil || !f.Released() || f.FirstOpenedAt != nil || f.SubmittedVersion == 0 {
		t.Fatalf("riga's release %+v", f)
	}
	if e.feedbackOf("cesis") != nil {
		t.Fatal("cesis released too")
	}

	// Rīga's link shows Rīga's report.
	riga := "/r/" + e.tokens["riga"]
	r = e.do("GET", riga+"/results", nil)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body, `id="results-report"`) || !strings.Contains(r.body, "Rīgas valstspilsēta") ||
		!strings.Contains(r.body, `href="`+riga+`/results.xlsx"`) || strings.Contains(r.body, notYet) {
		t.Fatalf("riga's results: %.3000s", r.body)
	}
	x := e.do("GET", riga+"/results.xlsx", nil)
	wantStatus(t, x, http.StatusOK)
	if !strings.Contains(x.header.Get("Content-Disposition"), "riga") {
		t.Fatalf("workbook %q", x.header.Get("Content-Disposition"))
	}
	cells := xlsxText(t, []byte(x.body))
	for _, v := range cesisPersonal {
		if strings.Contains(r.body, v) || strings.Contains(cells, v) {
			t.Errorf("riga's results show cesis's %q", v)
		}
	}
	if f := e.feedbackOf("riga"); f.FirstOpenedAt == nil || f.LastOpenedAt == nil || f.LastOpenedAt.Before(*f.FirstOpenedAt) {
		t.Fatalf("opening not recorded: %+v", f)
	}
	if !strings.Contains(e.do("GET", riga, nil).body, `<a href="`+riga+`/results" id="results-link">Rezultāti</a>`) {
		t.Fatal("riga's form does not link to its results")
	}

	// Cēsis's link still shows nothing, and nothing of Rīga's.
	unpublished("cesis")
	if r := e.do("GET", "/r/"+e.tokens["cesis"]+"/results", nil); strings.Contains(r.body, "Rīgas valstspilsēta") {
		t.Fatal("cesis's results page names riga")
	}

	// An unknown link is the form's 404.
	for _, p := range []string{"/r/AAAAAAAAAAAAAAAAAAAAAA", "/r/AAAAAAAAAAAAAAAAAAAAAA/results", "/r/AAAAAAAAAAAAAAAAAAAAAA/results.xlsx", "/r/nope/results"} {
		r := e.do("GET", p, nil)
		if r.status != http.StatusNotFound || !strings.Contains(r.body, "Saite nav derīga") {
			t.Errorf("%s: %d %.300s", p, r.status, r.body)
		}
	}

	// The tracker and the status API say it.
	r = e.as(ck, "GET", "/surveys/"+e.sv.Slug, nil)
	if !strings.Contains(r.body, `<span class="fb-released">publicēta `) || !strings.Contains(r.body, `<span class="fb-opened">atvērusi `) ||
		!strings.Contains(r.body, `href="`+base+`"`) {
		t.Fatalf("tracker: %.4000s", r.body)
	}
	fb := e.feedbackJSON(ck)
	if fb["riga"] == nil || fb["riga"]["released"] != true || fb["riga"]["last_opened_at"] == nil ||
		fb["riga"]["mail_sent_at"] != nil || fb["riga"]["changed_since_release"] != false {
		t.Fatalf("status API riga feedback %v", fb["riga"])
	}
	if fb["cesis"] != nil {
		t.Fatalf("status API cesis feedback %v", fb["cesis"])
	}
	_, viewer := e.user("viewer")
	if fb := e.feedbackJSON(viewer); fb["riga"]["released"] != true {
		t.Fatal("the viewer's status API lacks the feedback")
	}

	// After the round closed: the results and the link on the read-only form stay.
	e.setNow(e.closes.Add(48 * time.Hour))
	r = e.do("GET", riga+"/results", nil)
	if !strings.Contains(r.body, `id="results-report"`) {
		t.Fatal("riga's results gone after the round closed")
	}
	r = e.do("GET", riga, nil)
	if !strings.Contains(r.body, "Aptauja ir slēgta") || !strings.Contains(r.body, `id="results-link"`) {
		t.Fatalf("closed form: %.3000s", r.body)
	}
	if r := e.do("GET", riga+"/results?lang=en", nil); !strings.Contains(r.body, "<h1>Results</h1>") {
		t.Fatalf("English results: %.2000s", r.body)
	}
	if strings.Contains(e.logs.String(), "cesis.lv") {
		t.Fatal("an e-mail address reached the log")
	}
}

// TestFeedbackReleaseAgainWithdrawAndReturn: a correction after the
// release shows in the tracker until the feedback is released again,
// which records the new submitted version (keeping the first release's
// time); a withdrawal needs its confirmation and refuses a stale one; a
// municipality returned for correction sees why its results are not
// shown; a release refuses what has not been submitted, an empty choice
// and an unknown municipality.
func TestFeedbackReleaseAgainWithdrawAndReturn(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	coord, ck := e.user("coordinator")
	e.submitFull("riga")
	base := "/surveys/" + e.sv.Slug + "/feedback"
	riga := "/r/" + e.tokens["riga"]

	r := e.release(ck, url.Values{"scope": {"all"}})
	if !strings.Contains(r.body, "Pašvaldību skaits: 1.") {
		t.Fatalf("release all: %.2000s", r.body)
	}
	first := e.feedbackOf("riga")
	if first == nil || first.ReleasedBy == nil || *first.ReleasedBy != coord.ID || !first.FirstReleasedAt.Equal(first.ReleasedAt) {
		t.Fatalf("first release %+v", first)
	}

	// Rīga corrects its answers and submits again.
	e.submitWith("riga", strings.Replace(full, `"population":24000`, `"population":25000`, 1))
	resp, _ := e.state("riga")
	if *resp.SubmittedVersion == first.SubmittedVersion {
		t.Fatal("the correction made no new submitted version")
	}
	if fb := e.feedbackJSON(ck); fb["riga"]["changed_since_release"] != true {
		t.Fatalf("status API after the correction: %v", fb["riga"])
	}
	if r := e.as(ck, "GET", "/surveys/"+e.sv.Slug, nil); !strings.Contains(r.body, "atbildes labotas pēc publicēšanas") {
		t.Fatal("the tracker does not say the answers changed since the release")
	}
	if r := e.as(ck, "GET", base, nil); !strings.Contains(r.body, "Atbildes labotas pēc publicēšanas") {
		t.Fatal("the feedback page does not say the answers changed since the release")
	}

	// Released again: the new version, the first release's time kept.
	r = e.release(ck, url.Values{"scope": {"chosen"}, "municipality": {"riga", "valmiera"}})
	for _, want := range []string{"Pašvaldību skaits: 1.", "No tām publicētas atkārtoti (tagad ar pašlaik iesniegtajām atbildēm): 1.",
		"Nav iesniegušas atbildes, nav publicēts (1): Valmieras novads"} {
		if !strings.Contains(r.body, want) {
			t.Fatalf("release again lacks %q: %.3000s", want, r.body)
		}
	}
	again := e.feedbackOf("riga")
	if again.SubmittedVersion != *resp.SubmittedVersion || !again.FirstReleasedAt.Equal(first.FirstReleasedAt) ||
		!again.ReleasedAt.After(first.ReleasedAt) {
		t.Fatalf("released again: %+v (first %+v)", again, first)
	}
	if fb := e.feedbackJSON(ck); fb["riga"]["changed_since_release"] != false {
		t.Fatalf("status API after releasing again: %v", fb["riga"])
	}
	if e.feedbackOf("valmiera") != nil {
		t.Fatal("valmiera, which has not answered, was released")
	}

	// Refused: nothing ticked (the page says so), an unknown municipality, no scope.
	r = e.form(ck, base+"/release", url.Values{"scope": {"chosen"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.body, "Neviena pašvaldība nav atzīmēta.") {
		t.Fatalf("nothing ticked: %.2000s", r.body)
	}
	wantStatus(t, e.form(ck, base+"/release", url.Values{"scope": {"chosen"}, "municipality": {"nekurienes"}}), http.StatusNotFound)
	wantStatus(t, e.form(ck, base+"/release", url.Values{}), http.StatusBadRequest)

	// Withdrawing: the confirmation page first; a POST without confirm only shows it.
	r = e.as(ck, "GET", base+"/riga/withdraw", nil)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body, "Jā, atsaukt publicēšanu") || !strings.Contains(r.body, "Pašvaldība rezultātus vēl nav atvērusi.") {
		t.Fatalf("withdraw confirmation: %.3000s", r.body)
	}
	to, v := confirmForm(t, r.body)
	wantStatus(t, e.form(ck, to, url.Values{}), http.StatusOK)
	// A stale confirmation (the first release's) changes nothing.
	stale := url.Values{"confirm": {"1"}, "released": {first.ReleasedAt.Format(time.RFC3339Nano)}}
	r = e.form(ck, to, stale)
	wantStatus(t, r, http.StatusConflict)
	if !strings.Contains(r.body, "tika publicēta atkārtoti vai atsaukta") {
		t.Fatalf("stale withdrawal: %.2000s", r.body)
	}
	if f := e.feedbackOf("riga"); !f.Released() {
		t.Fatal("a stale confirmation withdrew the release")
	}
	r = e.form(ck, to, v)
	wantStatus(t, r, http.StatusSeeOther)
	loc, _, _ := strings.Cut(r.header.Get("Location"), "#") // a browser keeps the fragment to itself
	r = e.as(ck, "GET", loc, nil)
	if !strings.Contains(r.body, "Publicēšana atsaukta: Rīgas valstspilsēta saite rezultātus vairs nerāda.") {
		t.Fatalf("after withdrawing: %.2000s", r.body)
	}
	if f := e.feedbackOf("riga"); f.Released() || f.WithdrawnBy == nil {
		t.Fatalf("withdrawn: %+v", f)
	}
	if r := e.do("GET", riga+"/results", nil); !strings.Contains(r.body, "vēl nav publicēti") || strings.Contains(r.body, `id="results-report"`) {
		t.Fatal("the withdrawn results are still shown")
	}
	if strings.Contains(e.do("GET", riga, nil).body, `id="results-link"`) {
		t.Fatal("the form still links to withdrawn results")
	}
	if fb := e.feedbackJSON(ck); fb["riga"]["released"] != false || fb["riga"]["withdrawn_at"] == nil {
		t.Fatalf("status API after withdrawing: %v", fb["riga"])
	}
	// The same confirmation again: withdrawn already, nothing to do.
	r = e.form(ck, to, v)
	wantStatus(t, r, http.StatusSeeOther)

	// Released anew, then returned for correction: its link says why nothing shows.
	e.release(ck, url.Values{"scope": {"chosen"}, "municipality": {"riga"}})
	resp, _ = e.state("riga")
	wantStatus(t, e.form(ck, "/surveys/"+e.sv.Slug+"/responses/riga/return", url.Values{"version": {itoa(resp.Version)},
		"note": {"Lūdzu, pārbaudiet."}}), http.StatusSeeOther)
	r = e.do("GET", riga+"/results", nil)
	if !strings.Contains(r.body, "atbildes ir atgrieztas labošanai") || strings.Contains(r.body, `id="results-report"`) {
		t.Fatalf("returned: %.2000s", r.body)
	}
	if r := e.as(ck, "GET", base, nil); !strings.Contains(r.body, "Atgriezta labošanai: rezultāti nav redzami") {
		t.Fatal("the feedback page does not say the municipality was returned")
	}
}

// TestFeedbackMailOnlyWhenAsked: releasing sends nothing; the send button
// sends one message per contact of the chosen released municipality
// only, each with its own results link (through the outbox); "all not yet
// e-mailed" skips those e-mailed since their release; a municipality not
// released, or with a message still waiting, gets none; a withdrawal
// before delivery stops the message.
func TestFeedbackMailOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ck := e.user("coordinator")
	e.setContacts(ck, "riga", "Anna Ozola <anna@riga.lv>\npeteris@riga.lv")
	e.setContacts(ck, "cesis", "Jānis Bērziņš <janis.berzins@cesis.lv>")
	e.setContacts(ck, "valmiera", "dace@valmiera.lv")
	e.submitFull("riga")
	e.submitWith("cesis", cesisAnswers)
	if _, err := e.m.Deliver(ctx, e.sv.ID); err != nil { // the receipts
		t.Fatal(err)
	}
	e.mail.Reset()
	base := "/surveys/" + e.sv.Slug + "/feedback"

	r := e.release(ck, url.Values{"scope": {"all"}})
	if !strings.Contains(r.body, "Nosūtīt e-pastu visām, kurām publicēta un vēl nav sūtīts (2)") {
		t.Fatalf("feedback page: %.3000s", r.body)
	}
	if _, err := e.m.Deliver(ctx, e.sv.ID); err != nil {
		t.Fatal(err)
	}
	if n := len(e.mail.Messages()); n != 0 {
		t.Fatalf("releasing sent %d messages", n)
	}

	// Rīga's, when asked: to both its contacts, with its own link.
	r = e.sendFeedback(ck, url.Values{"scope": {"chosen"}, "municipality": {"riga"}})
	if !strings.Contains(r.body, "Vēstules ierindotas sūtīšanai: 2.") {
		t.Fatalf("after sending: %.2000s", r.body)
	}
	msgs := e.mail.Messages()
	got := map[string]bool{}
	for _, m := range msgs {
		got[m.To[0]] = true
		if m.Subject != "Aptaujas rezultāti: "+e.sv.TitleLV+" — Rīgas valstspilsēta" ||
			!strings.Contains(m.Text, "http://survey.test/r/"+e.tokens["riga"]+"/results\n") ||
			strings.Contains(m.Text, e.tokens["cesis"]) || !strings.Contains(m.Text, "Labdien!") {
			t.Fatalf("feedback message %q: %s", m.Subject, m.Text)
		}
		for _, v := range cesisPersonal {
			if strings.Contains(m.Text, v) {
				t.Fatalf("the message holds %q", v)
			}
		}
	}
	if len(msgs) != 2 || !got["anna@riga.lv"] || !got["peteris@riga.lv"] {
		t.Fatalf("feedback went to %v", got)
	}
	if f := e.feedbackOf("riga"); f.MailQueuedAt == nil || f.MailSentAt == nil || !f.Mailed() {
		t.Fatalf("riga's e-mail not recorded: %+v", f)
	}
	if f := e.feedbackOf("cesis"); f.MailQueuedAt != nil || f.MailSentAt != nil {
		t.Fatalf("cesis's e-mail recorded: %+v", f)
	}
	if fb := e.feedbackJSON(ck); fb["riga"]["mail_sent_at"] == nil || fb["cesis"]["mail_sent_at"] != nil {
		t.Fatalf("status API: %v", fb)
	}
	if r := e.as(ck, "GET", "/surveys/"+e.sv.Slug, nil); !strings.Contains(r.body, `<span class="fb-mail">e-pasts nosūtīts `) {
		t.Fatal("the tracker does not say the e-mail was sent")
	}
	if r := e.as(ck, "GET", "/surveys/"+e.sv.Slug+"/messages", nil); !strings.Contains(r.body, "Saite uz rezultātiem") {
		t.Fatal("the messages page does not name the feedback messages")
	}

	// "All not yet e-mailed": Cēsis only; then nobody.
	e.mail.Reset()
	e.sendFeedback(ck, url.Values{"scope": {"new"}})
	if msgs := e.mail.Messages(); len(msgs) != 1 || msgs[0].To[0] != "janis.berzins@cesis.lv" ||
		!strings.Contains(msgs[0].Text, "/r/"+e.tokens["cesis"]+"/results") || strings.Contains(msgs[0].Text, e.tokens["riga"]) {
		t.Fatalf("to all not yet e-mailed: %+v", msgs)
	}
	e.mail.Reset()
	r = e.sendFeedback(ck, url.Values{"scope": {"new"}})
	if len(e.mail.Messages()) != 0 || !strings.Contains(r.body, "Jaunas vēstules sūtīšanai netika ierindotas.") {
		t.Fatalf("second time: %d messages", len(e.mail.Messages()))
	}

	// Not released: nothing, and the page says why.
	r = e.sendFeedback(ck, url.Values{"scope": {"chosen"}, "municipality": {"valmiera"}})
	if len(e.mail.Messages()) != 0 || !strings.Contains(r.body, "Atgriezeniskā saite nav publicēta, nav sūtīts (1): Valmieras novads") {
		t.Fatalf("not released: %.2000s", r.body)
	}

	// One still waiting: no second one; withdrawn before delivery: none at all.
	wantStatus(t, e.form(ck, base+"/send", url.Values{"scope": {"chosen"}, "municipality": {"riga"}}), http.StatusSeeOther)
	r = e.form(ck, base+"/send", url.Values{"scope": {"chosen"}, "municipality": {"riga"}})
	r = e.as(ck, "GET", r.header.Get("Location"), nil)
	if !strings.Contains(r.body, "jau gaida nosūtīšanu vai tiek sūtīta, otra netika ierindota (1): Rīgas valstspilsēta") {
		t.Fatalf("pending: %.2000s", r.body)
	}
	f := e.feedbackOf("riga")
	must(t, e.m.WithdrawFeedback(ctx, domain.OperatorPrincipal(), e.sv, "riga", f.ReleasedAt))
	d, err := e.m.Deliver(ctx, e.sv.ID)
	must(t, err)
	if d.Failed != 2 || d.Sent != 0 || len(e.mail.Messages()) != 0 {
		t.Fatalf("after withdrawing: %+v, %d delivered", d, len(e.mail.Messages()))
	}

	// The link is derived again when sending: replaced after queuing, the
	// message is not sent (it would carry a dead link); sent again, it
	// carries the new one.
	wantStatus(t, e.form(ck, base+"/send", url.Values{"scope": {"chosen"}, "municipality": {"cesis"}}), http.StatusSeeOther)
	newLink, err := e.m.ReplaceLink(ctx, domain.OperatorPrincipal(), e.sv.ID, "cesis", e.activeLink("cesis").ID)
	must(t, err)
	d, err = e.m.Deliver(ctx, e.sv.ID)
	must(t, err)
	if d.Failed != 1 || len(e.mail.Messages()) != 0 {
		t.Fatalf("after replacing the link: %+v, %d delivered", d, len(e.mail.Messages()))
	}
	e.sendFeedback(ck, url.Values{"scope": {"chosen"}, "municipality": {"cesis"}})
	if msgs := e.mail.Messages(); len(msgs) != 1 || !strings.Contains(msgs[0].Text, newLink+"/results\n") ||
		strings.Contains(msgs[0].Text, e.tokens["cesis"]) {
		t.Fatalf("after sending again: %+v", msgs)
	}
	if strings.Contains(e.logs.String(), "riga.lv") || strings.Contains(e.logs.String(), "cesis.lv") {
		t.Fatal("an e-mail address reached the log")
	}
}

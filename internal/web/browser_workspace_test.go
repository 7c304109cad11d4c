package web_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/civitas-lv/surveyd/internal/domain"
)

// The first round of a new coordinator, walked in Chromium through the
// pages only, in three parts that run at once, each starting from the
// state the one before leaves (made through the server, not the browser):
// TestBrowserCoordinatorInvites, TestBrowserMunicipalityAnswersInvitation
// and TestBrowserCoordinatorReturnsForCorrection. They were one test of
// 80-100 s in make test, the last to finish.

// TestBrowserCoordinatorInvites: from the home page to signing in with
// e-mail and password; the empty tracker; contacts for two
// municipalities; the invitations, one e-mail per contact, each with its
// municipality's own link.
func TestBrowserCoordinatorInvites(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.realTime()
	coord, _ := e.user("coordinator") // the cookie is not used: sign-in is through the form
	ts := httptest.NewServer(e.srv)
	defer ts.Close()
	tracker := "/surveys/" + e.sv.Slug
	c := browser(t) // the coordinator's window

	// 1. The home page leads to the sign-in form.
	must(t, chromedp.Do(c, chromedp.Navigate(ts.URL+"/")))
	wantText(t, c, `main a.button[href="/login"]`, "Koordinatoriem un padomes locekļiem: pieteikties")
	follow(t, c, `main a.button[href="/login"]`)
	wantPath(t, c, "/login")
	must(t, chromedp.Do(c,
		chromedp.SendKeys(chromedp.CSS("#email"), coord.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), password)))
	follow(t, c, `form[action="/login"] button[type=submit]`)
	wantPath(t, c, "/surveys")
	wantText(t, c, ".whoami", coord.Email)

	// 2. The round's tracker: nobody has submitted.
	follow(t, c, `main a[href="`+tracker+`"]`)
	wantPath(t, c, tracker)
	wantExact(t, c, "#h-headline", "Iesniegušas 0 no 43 pašvaldībām (0 %)")

	// 3. Contacts, each municipality's row saved with its own button.
	wantExact(t, c, `nav.staffnav a[href="/contacts"]`, "Kontakti")
	follow(t, c, `nav.staffnav a[href="/contacts"]`)
	wantPath(t, c, "/contacts")
	contacts := []struct{ code, name, text string }{
		{"riga", "Rīgas valstspilsēta", "Anna Ozola <anna@riga.lv>"},
		{"cesis", "Cēsu novads", "ilze@cesis.lv\nJānis Bērziņš <janis@cesis.lv>"},
	}
	for _, ct := range contacts {
		must(t, chromedp.Do(c, chromedp.SendKeys(chromedp.CSS("#ct-"+ct.code), ct.text)))
		follow(t, c, "#c-"+ct.code+" button[type=submit]")
		wantExact(t, c, ".flash", "Kontakti saglabāti: "+ct.name+".")
		got := value(t, c, "#ct-"+ct.code)
		for _, line := range strings.Split(ct.text, "\n") {
			if !strings.Contains(got, line) {
				t.Fatalf("%s: contacts after saving %q, want them to hold %q", ct.code, got, line)
			}
		}
	}
	if got := value(t, c, "#ct-valmiera"); got != "" {
		t.Fatalf("valmiera got contacts %q", got)
	}

	// 4. Invitations: one e-mail per contact, each with its municipality's link.
	follow(t, c, `nav.staffnav a[href="/surveys"]`)
	follow(t, c, `main a[href="`+tracker+`/links"]`)
	wantPath(t, c, tracker+"/links")
	send := `form:has(> input[name="scope"][value="new"]) > button`
	wantText(t, c, send, "Sūtīt uzaicinājumus (2 pašvaldībām, kurām vēl nav sūtīts)")
	// The button queues them and leads to the messages page at once; the
	// service's delivery loop sends them, and reloading shows how far.
	outbox, stopOutbox := context.WithCancel(context.Background())
	outboxDone := make(chan struct{})
	go func() {
		defer close(outboxDone)
		e.m.RunOutbox(outbox, time.Hour, slog.New(slog.NewTextHandler(e.logs, nil)))
	}()
	defer func() { stopOutbox(); <-outboxDone }()
	follow(t, c, send)
	wantPath(t, c, tracker+"/messages")
	wantText(t, c, ".flash", "Vēstules ierindotas sūtīšanai: 3.")
	eventually(t, "three invitations", func() bool { return len(e.mail.Messages()) >= 3 })
	eventually(t, "the messages page to show three sent", func() bool {
		must(t, chromedp.Do(c, chromedp.Reload()))
		return eval[string](t, c, `document.querySelector(".count-sent .n").textContent`) == "3"
	})
	follow(t, c, `main a[href="`+tracker+`/links"]`)
	linkOf := map[string]string{} // recipient → token
	linkInMail := regexp.MustCompile(`http://survey\.test/r/([A-Za-z0-9_-]{22})`)
	for _, msg := range e.mail.Messages() {
		m := linkInMail.FindStringSubmatch(msg.Text)
		if len(msg.To) != 1 || m == nil {
			t.Fatalf("invitation to %v without one recipient and a link: %s", msg.To, msg.Text)
		}
		if _, dup := linkOf[msg.To[0]]; dup {
			t.Fatalf("two invitations to %s", msg.To[0])
		}
		linkOf[msg.To[0]] = m[1]
	}
	want := map[string]string{"anna@riga.lv": e.tokens["riga"], "ilze@cesis.lv": e.tokens["cesis"],
		"janis@cesis.lv": e.tokens["cesis"]}
	if fmt.Sprint(linkOf) != fmt.Sprint(want) {
		t.Fatalf("invitations (recipient → link) %v, want %v", linkOf, want)
	}
	wantText(t, c, "#l-riga", "uzaicinājumi: 1, atgādinājumi: 0")
}

// invitationLinks gives Rīga (Anna Ozola) and Cēsis (Ilze, Jānis)
// contacts and sends the invitations through the server, as
// TestBrowserCoordinatorInvites does in the browser, and returns the
// personal link each contact was sent.
func (e *env) invitationLinks(ck *http.Cookie) map[string]string {
	e.t.Helper()
	e.setContacts(ck, "riga", "Anna Ozola <anna@riga.lv>")
	e.setContacts(ck, "cesis", "ilze@cesis.lv\nJānis Bērziņš <janis@cesis.lv>")
	e.send(ck, url.Values{"kind": {"invitation"}, "scope": {"new"}})
	linkOf := map[string]string{} // recipient → token
	linkInMail := regexp.MustCompile(`http://survey\.test/r/([A-Za-z0-9_-]{22})`)
	for _, msg := range e.mail.Messages() {
		if m := linkInMail.FindStringSubmatch(msg.Text); m != nil && len(msg.To) == 1 {
			linkOf[msg.To[0]] = m[1]
		}
	}
	if len(linkOf) != 3 || linkOf["anna@riga.lv"] != e.tokens["riga"] {
		e.t.Fatalf("invitations (recipient → link) %v", linkOf)
	}
	return linkOf
}

// TestBrowserMunicipalityAnswersInvitation: the municipality opens the
// link from its invitation, answers by clicking and typing, and submits;
// the submission is counted in the coordinator's tracker.
func TestBrowserMunicipalityAnswersInvitation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.realTime()
	coord, ck := e.user("coordinator")
	linkOf := e.invitationLinks(ck)
	ts := httptest.NewServer(e.srv)
	defer ts.Close()
	tracker := "/surveys/" + e.sv.Slug
	c := browser(t) // the coordinator's window
	signIn(t, c, ts.URL, coord.Email)
	must(t, chromedp.Do(c, chromedp.Navigate(ts.URL+tracker+"/links")))

	// 5. The municipality, in a window of its own, opens the link from the
	// e-mail, answers every required question and submits.
	m, cancelM := chromedp.NewContext(c, chromedp.WithNewBrowserContext())
	defer cancelM()
	form := ts.URL + "/r/" + linkOf["anna@riga.lv"]
	must(t, chromedp.Do(m, chromedp.Navigate(form), chromedp.WaitVisible(chromedp.CSS("#answers"))))
	wantText(t, m, ".intro .muni", "Rīgas valstspilsēta")
	wantExact(t, m, "#submit-button", "Iesniegt anketu")
	section(t, m, "resp")
	typeIn(t, m, "resp_name", "Anna Ozola")
	typeIn(t, m, "resp_position", "Speciāliste")
	typeIn(t, m, "resp_email", "anna@riga.lv")
	typeIn(t, m, "population", "24000")
	choose(t, m, "consent_contact-true")
	section(t, m, "ngo")
	choose(t, m, "ngo_rules-adopted")
	choose(t, m, "ngo_forms-grants") // shows the amount and count questions
	typeIn(t, m, "ngo_support_eur", "48000")
	typeIn(t, m, "ngo_supported_count", "31")
	choose(t, m, "ngo_liaison-staff")
	choose(t, m, "ngo_published-website")
	section(t, m, "del")
	choose(t, m, "del_status-no")
	section(t, m, "pb")
	choose(t, m, "pb_status-not_started")
	section(t, m, "rc")
	choose(t, m, "rc_status-not_planned")
	submitForm(t, m)
	if r, _ := e.state("riga"); r.Status != domain.StatusSubmitted || fmt.Sprint(e.answers("riga")["ngo_support_eur"]) != "48000" {
		t.Fatalf("after submitting: status %s, answers %v", r.Status, e.answers("riga"))
	}

	// 6. The tracker counts it.
	follow(t, c, `main a[href="`+tracker+`"]`) // "← Atbilžu pārskats" on the links page
	wantPath(t, c, tracker)
	wantExact(t, c, "#h-headline", "Iesniegušas 1 no 43 pašvaldībām (2 %)")
	wantExact(t, c, "#m-riga .badge", "Iesniegusi")
	wantExact(t, c, "#m-cesis .badge", "Uzaicinājums nosūtīts")
}

// rigaSubmitted are the answers TestBrowserMunicipalityAnswersInvitation
// gives in the browser.
const rigaSubmitted = `{"resp_name":"Anna Ozola","resp_position":"Speciāliste","resp_email":"anna@riga.lv","population":24000,
"consent_contact":true,"ngo_rules":"adopted","ngo_forms":["grants"],"ngo_support_eur":48000,"ngo_supported_count":31,
"ngo_liaison":["staff"],"ngo_published":"website","del_status":"no","pb_status":"not_started","rc_status":"not_planned"}`

// TestBrowserCoordinatorReturnsForCorrection: Rīga has submitted (through
// the server); the coordinator returns it with a note and a comment on one
// question; the municipality sees both on its form, changes that answer
// and submits again; and the tracker and the review history show the
// return and the change from before to after.
func TestBrowserCoordinatorReturnsForCorrection(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.realTime()
	coord, _ := e.user("coordinator")
	e.submitAnswers("riga", rigaSubmitted)
	ts := httptest.NewServer(e.srv)
	defer ts.Close()
	tracker := "/surveys/" + e.sv.Slug
	c := browser(t) // the coordinator's window
	signIn(t, c, ts.URL, coord.Email)
	must(t, chromedp.Do(c, chromedp.Navigate(ts.URL+tracker)))
	wantExact(t, c, "#h-headline", "Iesniegušas 1 no 43 pašvaldībām (2 %)")
	m, cancelM := chromedp.NewContext(c, chromedp.WithNewBrowserContext()) // the municipality's
	defer cancelM()
	form := ts.URL + "/r/" + e.tokens["riga"]

	// 7. Review and return it with a note and a comment on one question.
	follow(t, c, "#m-riga th a")
	wantPath(t, c, tracker+"/responses/riga")
	wantExact(t, c, "main h1", "Rīgas valstspilsēta")
	ret := `main a.button[href="` + tracker + `/responses/riga/return"]`
	wantExact(t, c, ret, "Atgriezt labošanai")
	follow(t, c, ret)
	const note, comment = "Lūdzu, pārbaudiet finansējumu.", "Vai summa ir eiro, nevis tūkstošos?"
	// The form is grouped by section, each folded, with the answers; a
	// comment box opens at the question on request.
	wantText(t, c, "#rs-ngo > summary", "Atbalsts biedrībām un nodibinājumiem")
	must(t, chromedp.Do(c,
		chromedp.SendKeys(chromedp.CSS("#note"), note),
		chromedp.Click(chromedp.CSS("#rs-ngo > summary")),
		chromedp.WaitVisible(chromedp.CSS("#rq-ngo_support_eur"))))
	wantText(t, c, "#rq-ngo_support_eur .return-answer", "48")
	wantText(t, c, "#rq-ngo_support_eur .return-answer", "EUR")
	must(t, chromedp.Do(c,
		chromedp.Click(chromedp.CSS("#rq-ngo_support_eur .comment-toggle > summary")),
		chromedp.SendKeys(chromedp.CSS("#c-ngo_support_eur"), comment)))
	follow(t, c, `form[action$="/responses/riga/return"] button[type=submit]`)
	wantPath(t, c, tracker+"/responses/riga")
	wantText(t, c, ".flash", "Anketa atgriezta pašvaldībai labošanai.")
	wantText(t, c, "main .returned", note)
	wantText(t, c, "#a-ngo_support_eur .comment", comment)
	follow(t, c, `main a[href="`+tracker+`#m-riga"]`)
	wantPath(t, c, tracker)
	wantExact(t, c, "#m-riga .badge", "Atgriezta labošanai")
	wantExact(t, c, "#h-headline", "Iesniegušas 0 no 43 pašvaldībām (0 %)")

	// 8. The municipality sees the note and the comment by the question,
	// corrects the answer and submits again.
	must(t, chromedp.Do(m, chromedp.Navigate(form), chromedp.WaitVisible(chromedp.CSS("#answers"))))
	wantExact(t, m, ".returned h2", "Koordinators lūdz precizēt atbildes")
	wantText(t, m, ".returned", note)
	section(t, m, "ngo")
	must(t, chromedp.Do(m, chromedp.WaitVisible(chromedp.CSS("#comment-ngo_support_eur"))))
	wantExact(t, m, "#comment-ngo_support_eur", "Koordinatora komentārs: "+comment)
	wantExact(t, m, "#submit-button", "Iesniegt atkārtoti")
	retype(t, m, "ngo_support_eur", "48500")
	submitForm(t, m)
	if r, _ := e.state("riga"); r.Status != domain.StatusSubmitted || fmt.Sprint(e.answers("riga")["ngo_support_eur"]) != "48500" {
		t.Fatalf("after submitting again: status %s, answers %v", r.Status, e.answers("riga"))
	}
	if n := eval[int](t, m, `document.querySelectorAll('.returned, #comment-ngo_support_eur').length`); n != 0 {
		t.Fatal("the return is still shown on the form after submitting again")
	}

	// 9. The tracker and the history show the loop.
	must(t, chromedp.Do(c, chromedp.Reload()))
	wantExact(t, c, "#h-headline", "Iesniegušas 1 no 43 pašvaldībām (2 %)")
	wantExact(t, c, "#m-riga .badge", "Iesniegusi")
	wantText(t, c, "#m-riga", "atgriezta labošanai: 1×")
	follow(t, c, "#m-riga th a")
	wantPath(t, c, tracker+"/responses/riga")
	if n := eval[int](t, c, `document.querySelectorAll('main .returned').length`); n != 0 {
		t.Fatal("the review page still shows the return as open")
	}
	type item struct {
		Text string     `json:"text"`
		Rows [][]string `json:"rows"`
	}
	history := eval[[]item](t, c, `Array.from(document.querySelectorAll('ol.history > li')).map(function (li) {
		var norm = function (s) { return s.replace(/[\s\u00a0\u202f]+/g, ' ').trim(); };
		return {text: norm(li.textContent), rows: Array.from(li.querySelectorAll('tbody tr')).map(function (tr) {
			return Array.from(tr.cells).map(function (td) { return norm(td.textContent); });
		})};
	})`)
	returned, changed := -1, -1
	for i, h := range history {
		if strings.Contains(h.Text, "atgrieza labošanai") && strings.Contains(h.Text, coord.Email) && strings.Contains(h.Text, note) {
			returned = i
		}
		if slices.ContainsFunc(h.Rows, func(r []string) bool {
			return slices.Equal(r, []string{"Kopējais finansiālais atbalsts biedrībām un nodibinājumiem pārskata gadā, EUR",
				"48 000,00 EUR", "48 500,00 EUR"})
		}) && strings.Contains(h.Text, "Pašvaldība (personīgā saite)") {
			changed = i
		}
	}
	if returned < 0 || changed < 0 || changed > returned { // newest first
		t.Fatalf("history lacks the return (%d) or, after it, the change 48 000 → 48 500 EUR (%d): %+v", returned, changed, history)
	}
}

// follow clicks the element and waits for the page it leads to, which must
// answer 200.
func follow(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(tctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("click %s: %v", sel, err)
	}
	if resp.Status != 200 {
		t.Fatalf("click %s: %s answered %d", sel, resp.URL, resp.Status)
	}
}

// submitForm clicks the form's submit button and waits for the page to say
// the questionnaire has been submitted.
func submitForm(t *testing.T, ctx context.Context) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(tctx, chromedp.Click(chromedp.CSS("#submit-button")))
	if err != nil || resp.Status != 200 {
		t.Fatalf("submitting: %v; the page says: %s / %s", err,
			eval[string](t, ctx, `document.getElementById('error-summary').innerText`),
			eval[string](t, ctx, `document.getElementById('save-state').textContent`))
	}
	if !strings.Contains(resp.URL, "?done=submitted") {
		t.Fatalf("after submitting the browser is at %s", resp.URL)
	}
	wantText(t, ctx, ".flash", "Paldies! Anketa iesniegta.")
	wantText(t, ctx, "#round-status .ok", "Anketa iesniegta")
}

// section opens a section of the form by its link in the section list.
func section(t *testing.T, ctx context.Context, code string) {
	t.Helper()
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.sections a[data-section="`+code+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#s-"+code))))
}

// typeIn types into a question's field.
func typeIn(t *testing.T, ctx context.Context, code, text string) {
	t.Helper()
	must(t, chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#q-"+code), text)))
	if got := value(t, ctx, "#q-"+code); got != text {
		t.Fatalf("typed %q into %s, it holds %q", text, code, got)
	}
}

// retype replaces what a question's field holds, as a person would: to the
// end of the text, erase it, type anew.
func retype(t *testing.T, ctx context.Context, code, text string) {
	t.Helper()
	old := value(t, ctx, "#q-"+code)
	must(t, chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#q-"+code),
		kb.End+strings.Repeat(kb.Backspace, len([]rune(old)))+text)))
	if got := value(t, ctx, "#q-"+code); got != text {
		t.Fatalf("retyped %s as %q, it holds %q", code, text, got)
	}
}

// choose clicks a radio button or checkbox (id q-<question>-<option>).
func choose(t *testing.T, ctx context.Context, id string) {
	t.Helper()
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#q-"+id))))
	if !eval[bool](t, ctx, `document.getElementById('q-`+id+`').checked`) {
		t.Fatalf("clicked %s, it is not checked", id)
	}
}

// textOf is the element's visible text, whitespace collapsed (no-break
// spaces too).
func textOf(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '\n' || r == '\t' || r == '\r' || r == '\u00a0' || r == '\u202f'
	}), " ")
}

func value(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(tctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("value of %s: %v", sel, err)
	}
	return s
}

func wantText(t *testing.T, ctx context.Context, sel, want string) {
	t.Helper()
	if got := textOf(t, ctx, sel); !strings.Contains(got, want) {
		t.Fatalf("%s reads %q, want it to hold %q", sel, got, want)
	}
}

func wantExact(t *testing.T, ctx context.Context, sel, want string) {
	t.Helper()
	if got := textOf(t, ctx, sel); got != want {
		t.Fatalf("%s reads %q, want %q", sel, got, want)
	}
}

func wantPath(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	if got := eval[string](t, ctx, `location.pathname`); got != path {
		t.Fatalf("the browser is at %s, want %s", got, path)
	}
}

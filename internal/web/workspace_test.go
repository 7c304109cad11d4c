package web_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/web"
	"github.com/civitas-lv/surveyd/survey"
)

// sessionCookie finds the session cookie a response sets.
func sessionCookie(r result) *http.Cookie {
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == "surveyd_session" {
			return c
		}
	}
	return nil
}

func (e *env) login(email, pw string, headers ...string) result {
	e.t.Helper()
	v := url.Values{"email": {email}, "password": {pw}, "next": {"/surveys/" + e.sv.Slug}}
	return e.do("POST", "/login", strings.NewReader(v.Encode()),
		append([]string{"Content-Type", "application/x-www-form-urlencoded"}, headers...)...)
}

func TestLoginLogoutAndExpiry(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u, _ := e.user("coordinator")

	// Anonymous: the workspace sends to the sign-in page, the API says 401.
	r := e.do("GET", "/surveys/"+e.sv.Slug, nil)
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); loc != "/login?next=%2Fsurveys%2F"+e.sv.Slug {
		t.Fatalf("redirect to %q", loc)
	}
	r = e.do("GET", "/api/v1/surveys/"+e.sv.Slug+"/status", nil)
	wantStatus(t, r, http.StatusUnauthorized)
	if r.json(t)["error"] != "unauthorized" || r.header.Get("WWW-Authenticate") == "" {
		t.Fatalf("401 body %s", r.body)
	}

	// A wrong password: 401, no cookie, a clear message.
	r = e.login(u.Email, "wrong password here")
	wantStatus(t, r, http.StatusUnauthorized)
	if sessionCookie(r) != nil || !strings.Contains(r.body, "Nepareiza e-pasta adrese vai parole") {
		t.Fatalf("failed sign-in: cookie %v body %.300s", sessionCookie(r), r.body)
	}
	// An unknown account looks the same.
	r2 := e.login("nobody@survey.test", "wrong password here")
	wantStatus(t, r2, http.StatusUnauthorized)

	// The right password (e-mail in any case): a session, back where asked.
	r = e.login(strings.ToUpper(u.Email), password)
	wantStatus(t, r, http.StatusSeeOther)
	if r.header.Get("Location") != "/surveys/"+e.sv.Slug {
		t.Fatalf("redirect to %q", r.header.Get("Location"))
	}
	ck := sessionCookie(r)
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure {
		t.Fatalf("cookie %+v", ck)
	}
	wantStatus(t, e.as(ck, "GET", "/surveys/"+e.sv.Slug, nil), http.StatusOK)

	// Idle expiry: 2h without a request ends the session.
	e.setNow(e.clock().Add(2*time.Hour + time.Minute))
	r = e.as(ck, "GET", "/surveys/"+e.sv.Slug, nil)
	wantStatus(t, r, http.StatusSeeOther)
	if c := sessionCookie(r); c == nil || c.MaxAge >= 0 {
		t.Fatalf("stale cookie not cleared: %+v", c)
	}

	// Absolute expiry: active every hour, still ends after 12h.
	ck = sessionCookie(e.login(u.Email, password))
	for i := 0; i < 11; i++ {
		e.setNow(e.clock().Add(time.Hour))
		wantStatus(t, e.as(ck, "GET", "/surveys", nil), http.StatusOK)
	}
	e.setNow(e.clock().Add(time.Hour + time.Minute))
	wantStatus(t, e.as(ck, "GET", "/surveys", nil), http.StatusSeeOther)

	// Logout ends the session on the server, not just in the browser.
	ck = sessionCookie(e.login(u.Email, password))
	r = e.as(ck, "POST", "/logout", nil)
	wantStatus(t, r, http.StatusSeeOther)
	if c := sessionCookie(r); c == nil || c.MaxAge >= 0 {
		t.Fatalf("logout did not clear the cookie")
	}
	wantStatus(t, e.as(ck, "GET", "/surveys", nil), http.StatusSeeOther)

	// The next parameter never leads off the site.
	r = e.do("POST", "/login", strings.NewReader(url.Values{"email": {u.Email}, "password": {password},
		"next": {"//evil.example/"}}.Encode()), "Content-Type", "application/x-www-form-urlencoded")
	if r.header.Get("Location") != "/surveys" {
		t.Fatalf("next=//evil.example/ redirected to %q", r.header.Get("Location"))
	}

	// A disabled user's session stops at once.
	ck = sessionCookie(e.login(u.Email, password))
	if _, err := e.st.UpdateUser(ctx, u.ID, "", u.Role, true); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, e.as(ck, "GET", "/surveys", nil), http.StatusSeeOther)
	if strings.Contains(e.logs.String(), password) {
		t.Fatal("a password reached the log")
	}
}

func TestLoginRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u, _ := e.user("coordinator")
	for i := 0; i < 5; i++ {
		wantStatus(t, e.login(u.Email, "not the password"), http.StatusUnauthorized)
	}
	// The sixth try is refused even with the right password, and says how long.
	r := e.login(u.Email, password)
	wantStatus(t, r, http.StatusTooManyRequests)
	if r.header.Get("Retry-After") == "" || !strings.Contains(r.body, "Pārāk daudz neveiksmīgu") ||
		!strings.Contains(r.body, "15 min") || sessionCookie(r) != nil {
		t.Fatalf("throttled: Retry-After %q body %.400s", r.header.Get("Retry-After"), r.body)
	}
	// Another account is not affected (the address has 5 failures of 20).
	v, _ := e.user("viewer")
	wantStatus(t, e.login(v.Email, password), http.StatusSeeOther)
	// After the window the account can sign in again.
	e.setNow(e.clock().Add(15*time.Minute + time.Second))
	wantStatus(t, e.login(u.Email, password), http.StatusSeeOther)

	// Per address: 20 failures over many accounts block the address. A
	// forged X-Forwarded-For does not get around it (no proxy is trusted
	// unless TRUSTED_PROXIES says so).
	e.setNow(e.clock().Add(time.Hour))
	for i := 0; i < 20; i++ {
		e.login("guess"+itoa(i)+"@survey.test", "nope nope nope", "X-Forwarded-For", "203.0.113."+itoa(i))
	}
	wantStatus(t, e.login(v.Email, password, "X-Forwarded-For", "198.51.100.7"), http.StatusTooManyRequests)
}

func TestCrossOriginStateChangeRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ck := e.user("coordinator")
	for _, h := range [][]string{{"Sec-Fetch-Site", "cross-site"}, {"Origin", "http://evil.example"}} {
		r := e.as(ck, "POST", "/surveys/"+e.sv.Slug+"/close", nil, h...)
		wantStatus(t, r, http.StatusForbidden)
		r = e.as(ck, "POST", "/surveys/"+e.sv.Slug+"/links/riga/revoke", nil, h...)
		wantStatus(t, r, http.StatusForbidden)
	}
	sv, _ := e.st.SurveyBySlug(ctx, e.sv.Slug)
	if sv.ClosedAt != nil {
		t.Fatal("a cross-origin POST closed the round")
	}
	wantStatus(t, e.api("GET", "riga", "", ""), http.StatusOK) // the link still works
	// Login CSRF too.
	u, _ := e.user("viewer")
	r := e.login(u.Email, password, "Sec-Fetch-Site", "cross-site")
	wantStatus(t, r, http.StatusForbidden)
	// The same request from the site itself works.
	wantStatus(t, e.as(ck, "POST", "/surveys/"+e.sv.Slug+"/close", nil, "Sec-Fetch-Site", "same-origin"), http.StatusSeeOther)
}

var linkRE = regexp.MustCompile(`http://survey\.test/r/([A-Za-z0-9_-]{22})`)

func TestRotateAndRevokeLinks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ck := e.user("coordinator")
	old := e.tokens["riga"]
	// The links page shows the working link again (derived, not stored).
	r := e.as(ck, "GET", "/surveys/"+e.sv.Slug+"/links", nil)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body, "http://survey.test/r/"+old) {
		t.Fatal("the links page does not show riga's working link")
	}
	r = e.confirmLink(ck, "riga", "rotate")
	wantStatus(t, r, http.StatusOK)
	m := regexp.MustCompile(`id="newlink" value="http://survey\.test/r/([A-Za-z0-9_-]{22})"`).FindStringSubmatch(r.body)
	if m == nil || m[1] == old {
		t.Fatalf("no new link shown: %.500s", r.body)
	}
	wantStatus(t, e.do("GET", "/r/"+old, nil), http.StatusNotFound)
	wantStatus(t, e.do("GET", "/r/"+m[1], nil), http.StatusOK)

	r = e.confirmLink(ck, "riga", "revoke")
	wantStatus(t, r, http.StatusSeeOther)
	wantStatus(t, e.do("GET", "/r/"+m[1], nil), http.StatusNotFound)
	if strings.Contains(e.logs.String(), m[1]) || strings.Contains(e.logs.String(), old) {
		t.Fatal("a token reached the log")
	}
	// The CSV has a link for every municipality that has one.
	r = e.as(ck, "GET", "/surveys/"+e.sv.Slug+"/links.csv", nil)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body, "http://survey.test/r/"+e.tokens["cesis"]) || strings.Contains(r.body, m[1]) {
		t.Fatalf("CSV: %.300s", r.body)
	}
}

// setContacts gives municipalities contacts through the page.
func (e *env) setContacts(ck *http.Cookie, code, text string) {
	e.t.Helper()
	wantStatus(e.t, e.form(ck, "/contacts/"+code, url.Values{"contacts": {text}}), http.StatusSeeOther)
}

// submitFull answers and submits for a municipality through the API.
func (e *env) submitFull(muni string) {
	e.t.Helper()
	resp, _ := e.state(muni)
	r := e.put(muni, resp.Version, full)
	wantStatus(e.t, r, http.StatusOK)
	v := int(r.json(e.t)["version"].(float64))
	wantStatus(e.t, e.api("POST", muni, "/submit", `{"version":`+itoa(v)+`}`), http.StatusOK)
}

// send presses a send button: it answers at once with 303 to the messages
// page; then the outbox delivers (as manage.RunOutbox does in the
// service), and the messages page as it is then is returned.
func (e *env) send(ck *http.Cookie, form url.Values) result {
	e.t.Helper()
	r := e.form(ck, "/surveys/"+e.sv.Slug+"/messages", form)
	wantStatus(e.t, r, http.StatusSeeOther)
	loc := r.header.Get("Location")
	if !strings.HasPrefix(loc, "/surveys/"+e.sv.Slug+"/messages?queued=") {
		e.t.Fatalf("the send button led to %q", loc)
	}
	if _, err := e.m.Deliver(ctx, e.sv.ID); err != nil {
		e.t.Fatal(err)
	}
	r = e.as(ck, "GET", loc, nil)
	wantStatus(e.t, r, http.StatusOK)
	return r
}

func TestInvitationsAndRemindersOnlyToNonSubmitters(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ck := e.user("coordinator")
	e.setContacts(ck, "riga", "Anna Ozola <anna@riga.lv>")
	e.setContacts(ck, "cesis", "ilze@cesis.lv\nJānis Bērziņš <janis@cesis.lv>")
	e.setContacts(ck, "valmiera", "dace@valmiera.lv")
	// A bad address is refused with a message, and changes nothing.
	r := e.form(ck, "/contacts/valmiera", url.Values{"contacts": {"not an address"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if list, _ := e.st.ContactsOf(ctx, "valmiera"); len(list) != 1 {
		t.Fatalf("valmiera contacts %v", list)
	}

	// Invitations to everyone with contacts: 4 messages, each with its link.
	r = e.send(ck, url.Values{"kind": {"invitation"}, "scope": {"new"}})
	if !strings.Contains(r.body, "Vēstules ierindotas sūtīšanai: 4.") {
		t.Fatalf("the messages page does not say what was queued: %.600s", r.body)
	}
	msgs := e.mail.Messages()
	if len(msgs) != 4 {
		t.Fatalf("%d invitations sent, want 4", len(msgs))
	}
	for _, m := range msgs {
		if !strings.HasPrefix(m.Subject, "Aptauja: ") || !strings.Contains(m.Text, "Labdien!") {
			t.Fatalf("invitation %q: %s", m.Subject, m.Text)
		}
		link := linkRE.FindStringSubmatch(m.Text)
		if link == nil {
			t.Fatalf("no link in %s", m.Text)
		}
		wantStatus(t, e.do("GET", "/r/"+link[1], nil), http.StatusOK)
	}
	// Riga's invitation carries riga's existing link (not a new one).
	for _, m := range msgs {
		if m.To[0] == "anna@riga.lv" && !strings.Contains(m.Text, e.tokens["riga"]) {
			t.Fatal("riga's invitation does not carry its working link")
		}
		if m.To[0] == "janis@cesis.lv" && !strings.Contains(m.Subject, "Cēsu novads") {
			t.Fatalf("subject %q", m.Subject)
		}
	}

	// Sending invitations again finds nobody new, and says so.
	e.mail.Reset()
	r = e.form(ck, "/surveys/"+e.sv.Slug+"/messages", url.Values{"kind": {"invitation"}, "scope": {"new"}})
	wantStatus(t, r, http.StatusOK)
	if len(e.mail.Messages()) != 0 || !strings.Contains(r.body, "Visām pašvaldībām ar kontaktiem uzaicinājumi jau nosūtīti") {
		t.Fatalf("second invitation round: %d messages", len(e.mail.Messages()))
	}

	// Riga submits; reminders go to cesis (2 contacts) and valmiera only.
	e.submitFull("riga")
	if d, err := e.m.Deliver(ctx, e.sv.ID); err != nil || d.Sent != 1 { // the receipt, to the address in the answers
		t.Fatalf("receipt %+v %v", d, err)
	}
	e.mail.Reset()
	r = e.send(ck, url.Values{"kind": {"reminder"}})
	got := map[string]bool{}
	for _, m := range e.mail.Messages() {
		got[m.To[0]] = true
		if !strings.HasPrefix(m.Subject, "Atgādinājums: ") {
			t.Fatalf("reminder subject %q", m.Subject)
		}
	}
	if len(got) != 3 || got["anna@riga.lv"] || !got["ilze@cesis.lv"] || !got["janis@cesis.lv"] || !got["dace@valmiera.lv"] {
		t.Fatalf("reminders went to %v", got)
	}
	if !strings.Contains(r.body, "Jau iesniegušas, atgādinājums nav vajadzīgs (1): Rīga") {
		t.Fatalf("page does not say riga was skipped: %.300s", r.body)
	}

	// Every message is recorded: when, to whom, which kind.
	list, err := e.st.MessagesOfSurvey(ctx, e.sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, m := range list {
		if m.Status != domain.MessageSent || m.SentAt == nil {
			t.Fatalf("message %+v", m)
		}
		kinds[m.Kind]++
	}
	if kinds["invitation"] != 4 || kinds["reminder"] != 3 {
		t.Fatalf("recorded %v", kinds)
	}
	// A refused recipient is recorded as failed, the others still go.
	e.mail.Reset()
	e.mail.RejectRecipient("dace@valmiera.lv")
	r = e.send(ck, url.Values{"kind": {"reminder"}})
	if n := len(e.mail.Messages()); n != 2 {
		t.Fatalf("%d delivered, want 2", n)
	}
	if !strings.Contains(r.body, `<li class="count-failed"><span class="n">1</span> neizdevās</li>`) {
		t.Fatalf("progress: %.2000s", r.body)
	}
	// Tracker counts reminders.
	st := e.statusJSON(ck)
	for _, m := range st.Municipalities {
		if m.Code == "cesis" && m.Reminders != 4 {
			t.Fatalf("cesis reminders %d", m.Reminders)
		}
	}
	if strings.Contains(e.logs.String(), "anna@riga.lv") {
		t.Fatal("an e-mail address reached the log")
	}
}

type statusDoc struct {
	Total, Submitted, Percent int
	ByStatus                  map[string]int `json:"by_status"`
	ByRegion                  []struct {
		Name                      string
		Total, Submitted, Percent int
	} `json:"by_planning_region"`
	Municipalities []struct {
		Code, Status string
		Percent      int `json:"percent_complete"`
		Reminders    int `json:"reminders_sent"`
		Returns      int
		Deadline     time.Time
		Contacts     []map[string]string
	}
}

func (e *env) statusJSON(ck *http.Cookie, headers ...string) statusDoc {
	e.t.Helper()
	r := e.as(ck, "GET", "/api/v1/surveys/"+e.sv.Slug+"/status", nil, headers...)
	wantStatus(e.t, r, http.StatusOK)
	var d statusDoc
	if err := json.Unmarshal([]byte(r.body), &d); err != nil {
		e.t.Fatal(err)
	}
	return d
}

func TestStatusCounts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ck := e.user("coordinator")
	d := e.statusJSON(ck)
	if d.Total != 43 || d.Submitted != 0 || d.ByStatus["link_created"] != 2 || d.ByStatus["no_link"] != 41 || d.ByStatus["invited"] != 0 {
		t.Fatalf("start: %+v", d)
	}
	e.submitFull("riga")
	wantStatus(t, e.put("cesis", 0, `{"population":1200}`), http.StatusOK)
	if _, err := e.m.Invite(ctx, domain.OperatorPrincipal(), e.sv.Slug, []string{"valmiera"}, false); err != nil {
		t.Fatal(err)
	}
	links, _ := e.m.ShowableLinks(ctx, domain.OperatorPrincipal(), e.sv.ID)
	wantStatus(t, e.do("GET", strings.TrimPrefix(links["valmiera"], "http://survey.test"), nil), http.StatusOK)

	d = e.statusJSON(ck)
	if d.Submitted != 1 || d.Percent != 2 || d.ByStatus["submitted"] != 1 || d.ByStatus["draft"] != 1 ||
		d.ByStatus["opened"] != 1 || d.ByStatus["no_link"] != 40 {
		t.Fatalf("counts: %+v", d.ByStatus)
	}
	regionTotal := 0
	for _, g := range d.ByRegion {
		regionTotal += g.Total
		if g.Name == "Rīga" && (g.Submitted != 1 || g.Total != 1 || g.Percent != 100) {
			t.Fatalf("Rīga region %+v", g)
		}
	}
	if regionTotal != 43 || len(d.ByRegion) != 5 {
		t.Fatalf("regions %+v", d.ByRegion)
	}
	for _, m := range d.Municipalities {
		if m.Code == "cesis" && (m.Status != "draft" || m.Percent <= 0 || m.Percent >= 100) {
			t.Fatalf("cesis %+v", m)
		}
	}
	// A municipality that has not answered has a review page too.
	wantStatus(t, e.as(ck, "GET", "/surveys/"+e.sv.Slug+"/responses/valmiera", nil), http.StatusOK)
	// Filters: region and status.
	r := e.as(ck, "GET", "/api/v1/surveys/"+e.sv.Slug+"/status?status=draft", nil)
	if n := strings.Count(r.body, `"planning_region":`); n != 1 {
		t.Fatalf("status filter gave %d rows", n)
	}
	// The tracker page says it the same way.
	r = e.as(ck, "GET", "/surveys/"+e.sv.Slug, nil)
	if !strings.Contains(r.body, "Iesniegušas 1 no 43 pašvaldībām (2\u00a0%)") {
		t.Fatalf("headline missing: %.2000s", r.body)
	}
	r = e.as(ck, "GET", "/surveys/"+e.sv.Slug+"?lang=en", nil)
	if !strings.Contains(r.body, "1 of 43 submitted (2%)") {
		t.Fatal("English headline missing")
	}
	// The results links carry the tracker's region and kind, not its status.
	r = e.as(ck, "GET", "/surveys/"+e.sv.Slug+"?region=Vidzeme&kind=novads&status=draft", nil)
	if !strings.Contains(r.body, `href="/surveys/`+e.sv.Slug+`/charts?kind=novads&amp;region=Vidzeme"`) {
		t.Fatal("the charts link does not carry the filter")
	}
}

func TestDeadlineExtensionForOneMunicipality(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	coord, ck := e.user("coordinator")
	until := e.closes.Add(7 * 24 * time.Hour).In(time.FixedZone("", 2*3600)).Format("2006-01-02T15:04")
	r := e.form(ck, "/surveys/"+e.sv.Slug+"/extensions", url.Values{"municipality": {"cesis"}, "closes_at": {until}})
	wantStatus(t, r, http.StatusSeeOther)
	// An extension before the round's own deadline is refused.
	r = e.form(ck, "/surveys/"+e.sv.Slug+"/extensions", url.Values{"municipality": {"riga"}, "closes_at": {"2026-11-20T12:00"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)

	e.setNow(e.closes.Add(time.Hour))
	wantStatus(t, e.put("riga", 0, `{"population":1}`), http.StatusForbidden)
	wantStatus(t, e.put("cesis", 0, `{"population":1200}`), http.StatusOK)
	got := e.api("GET", "cesis", "", "").json(t)["survey"].(map[string]any)["closes_at"].(string)
	if !strings.HasPrefix(got, "2026-12-22") {
		t.Fatalf("cesis sees deadline %s", got)
	}
	if !strings.Contains(e.do("GET", "/r/"+e.tokens["cesis"], nil).body, "22. decembrim") {
		t.Fatal("cesis's form does not show its own deadline")
	}
	// Closing early closes it for cesis too; reopening opens it again.
	ck = e.session(coord)
	wantStatus(t, e.form(ck, "/surveys/"+e.sv.Slug+"/close", nil), http.StatusSeeOther)
	wantStatus(t, e.put("cesis", 1, `{"population":1300}`), http.StatusForbidden)
	r = e.form(ck, "/surveys/"+e.sv.Slug+"/dates", url.Values{"opens_at": {"2026-11-01T11:00"}, "closes_at": {"2026-12-31T23:59"}})
	wantStatus(t, r, http.StatusSeeOther)
	if !strings.Contains(r.header.Get("Location"), "done=reopened") {
		t.Fatalf("reopen redirect %q", r.header.Get("Location"))
	}
	wantStatus(t, e.put("riga", 0, `{"population":1}`), http.StatusOK)
}

func TestReturnForCorrectionLoop(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	coord, ck := e.user("coordinator")
	e.submitFull("riga")
	resp, _ := e.state("riga")

	// Only a submitted response can be returned; a comment is needed.
	wantStatus(t, e.as(ck, "GET", "/surveys/"+e.sv.Slug+"/responses/cesis/return", nil), http.StatusConflict)
	r := e.form(ck, "/surveys/"+e.sv.Slug+"/responses/riga/return", url.Values{"version": {itoa(resp.Version)}})
	wantStatus(t, r, http.StatusUnprocessableEntity)

	r = e.form(ck, "/surveys/"+e.sv.Slug+"/responses/riga/return", url.Values{"version": {itoa(resp.Version)},
		"note": {"Lūdzu, pārbaudiet finansējumu."}, "comment_ngo_support_eur": {"Vai summa ir eiro, nevis tūkstošos?"}})
	wantStatus(t, r, http.StatusSeeOther)
	d := e.statusJSON(ck)
	if d.Submitted != 0 || d.ByStatus["returned"] != 1 {
		t.Fatalf("after return: %+v", d.ByStatus)
	}
	if now, _ := e.state("riga"); now.ChangedSinceSubmit() {
		t.Fatal("a return counts as an unsubmitted change")
	}
	// A stale version is refused: nothing is silently overwritten.
	r = e.form(ck, "/surveys/"+e.sv.Slug+"/responses/riga/return", url.Values{"version": {itoa(resp.Version)},
		"note": {"x"}})
	wantStatus(t, r, http.StatusConflict)

	// The municipality sees the note and the comment at the question.
	page := e.do("GET", "/r/"+e.tokens["riga"], nil).body
	for _, want := range []string{"Koordinators lūdz precizēt atbildes", "Lūdzu, pārbaudiet finansējumu.",
		`id="comment-ngo_support_eur"`, "Vai summa ir eiro, nevis tūkstošos?", "Iesniegt atkārtoti"} {
		if !strings.Contains(page, want) {
			t.Fatalf("form lacks %q", want)
		}
	}
	// It corrects and submits again.
	resp, _ = e.state("riga")
	answers := strings.Replace(full, `"ngo_support_eur":48000`, `"ngo_support_eur":48500`, 1)
	r = e.put("riga", resp.Version, answers)
	wantStatus(t, r, http.StatusOK)
	v := int(r.json(t)["version"].(float64))
	wantStatus(t, e.api("POST", "riga", "/submit", `{"version":`+itoa(v)+`}`), http.StatusOK)

	d = e.statusJSON(ck)
	if d.Submitted != 1 || d.ByStatus["returned"] != 0 {
		t.Fatalf("after resubmit: %+v", d.ByStatus)
	}
	for _, m := range d.Municipalities {
		if m.Code == "riga" && (m.Status != "submitted" || m.Returns != 1) {
			t.Fatalf("riga %+v", m)
		}
	}
	// The comment is gone from the form; the history shows the loop.
	if strings.Contains(e.do("GET", "/r/"+e.tokens["riga"], nil).body, "Vai summa ir eiro") {
		t.Fatal("resolved comment still shown")
	}
	review := e.as(ck, "GET", "/surveys/"+e.sv.Slug+"/responses/riga", nil)
	wantStatus(t, review, http.StatusOK)
	for _, want := range []string{"atgrieza labošanai", coord.Email, "Lūdzu, pārbaudiet finansējumu.", "48\u00a0000,00\u00a0EUR", "48\u00a0500,00\u00a0EUR"} {
		if !strings.Contains(review.body, want) {
			i := strings.Index(review.body, `id="history"`)
			t.Fatalf("review lacks %q: %s", want, review.body[i:])
		}
	}
}

func TestCoordinatorCorrection(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	coord, ck := e.user("coordinator")
	e.submitFull("riga")
	resp, _ := e.state("riga")
	base := "/surveys/" + e.sv.Slug + "/responses/riga/correct"
	wantStatus(t, e.as(ck, "GET", base+"?q=population", nil), http.StatusOK)

	// A reason is required; an invalid value is refused; both change nothing.
	r := e.form(ck, base, url.Values{"question": {"population"}, "version": {itoa(resp.Version)}, "population": {"25000"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	r = e.form(ck, base, url.Values{"question": {"population"}, "version": {itoa(resp.Version)}, "population": {"-5"},
		"reason": {"typo"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if now, _ := e.state("riga"); now.Version != resp.Version {
		t.Fatal("a refused correction changed the response")
	}

	r = e.form(ck, base, url.Values{"question": {"population"}, "version": {itoa(resp.Version)}, "population": {"25 000"},
		"reason": {"Pašvaldība pa tālruni precizēja iedzīvotāju skaitu."}})
	wantStatus(t, r, http.StatusSeeOther)
	now, _ := e.state("riga")
	sub, _ := survey.DecodeAnswers(now.SubmittedJSON)
	if now.ChangedSinceSubmit() || sub["population"] != json.Number("25000") {
		t.Fatalf("correction did not reach the submitted copy: %s", now.SubmittedJSON)
	}
	revs, _ := e.st.Revisions(ctx, now.ID)
	last := revs[len(revs)-1]
	if last.Action != "correct" || last.UserID == nil || *last.UserID != coord.ID || last.Note == nil {
		t.Fatalf("revision %+v", last)
	}
	// The municipality's open tab holds the old version. Saving the answers
	// it had, unchanged, keeps the correction (it is merged, and named);
	// changing the corrected answer too is refused, naming it.
	clash := strings.Replace(full, `"population":24000`, `"population":24500`, 1)
	if clash == full {
		t.Fatal("test data: population not found")
	}
	r = e.put("riga", resp.Version, clash)
	wantStatus(t, r, http.StatusConflict)
	if !strings.Contains(r.body, `"conflicts":["population"]`) {
		t.Errorf("409 does not name the question: %s", r.body)
	}
	r = e.put("riga", resp.Version, full)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body, `"merged":["population"]`) {
		t.Errorf("merge does not name the colleague's question: %s", r.body)
	}
	if a := e.answers("riga"); a["population"] != json.Number("25000") {
		t.Errorf("the correction was lost: population %v", a["population"])
	}
	// A correction from a stale version is refused too.
	r = e.form(ck, base, url.Values{"question": {"population"}, "version": {itoa(resp.Version)}, "population": {"26000"},
		"reason": {"x"}})
	wantStatus(t, r, http.StatusConflict)
}

func TestCreateRoundFromUpload(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ck := e.user("coordinator")
	def := `format: 1
slug: pilot-2026
title: {lv: "Izmēģinājums", en: "Pilot"}
reference_year: 2026
sections:
  - code: a
    title: {lv: "Sadaļa", en: "Section"}
    questions:
      - code: q1
        type: int
        text: {lv: "Cik?", en: "How many?"}
        min: 0
`
	post := func(defText, slug string) result {
		body, ctype := multipartBody(t, map[string]string{"slug": slug, "opens_at": "2026-12-01T09:00",
			"closes_at": "2026-12-20T23:59"}, "definition", "pilot.yaml", defText)
		return e.as(ck, "POST", "/surveys", body, "Content-Type", ctype)
	}
	r := post(strings.Replace(def, "type: int", "type: integer", 1), "")
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.body, "q1") {
		t.Fatalf("the problem does not name the question: %.800s", r.body)
	}
	if r := post(def, ""); r.status != http.StatusSeeOther {
		i := strings.Index(r.body, `class="errors"`)
		t.Fatalf("status %d: %s", r.status, r.body[i:i+600])
	}
	sv, err := e.st.SurveyBySlug(ctx, "pilot-2026")
	if err != nil || sv.TitleLV != "Izmēģinājums" || sv.OpensAt.UTC().Hour() != 7 {
		t.Fatalf("round %+v %v", sv, err)
	}
	wantStatus(t, post(def, ""), http.StatusConflict) // the slug is taken
	wantStatus(t, post(def, "pilot-2026-b"), http.StatusSeeOther)
	if !strings.Contains(e.as(ck, "GET", "/surveys", nil).body, "pilot-2026-b") {
		t.Fatal("the new round is not listed")
	}
}

func TestViewerNeverSeesPersonalData(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, coordCk := e.user("coordinator")
	_, ck := e.user("viewer")
	e.setContacts(coordCk, "riga", "Kontakts Personīgs <kontakts@riga.lv>")
	e.submitFull("riga")
	personal := []string{"kontakts@riga.lv", "Kontakts Personīgs", "anna@novads.lv", "Anna Ozola"}
	pages := []string{"/surveys", "/surveys/" + e.sv.Slug, "/surveys/" + e.sv.Slug + "/responses/riga",
		"/api/v1/surveys/" + e.sv.Slug + "/status", "/surveys/" + e.sv.Slug + "?status=submitted"}
	for _, p := range pages {
		r := e.as(ck, "GET", p, nil)
		wantStatus(t, r, http.StatusOK)
		for _, s := range personal {
			if strings.Contains(r.body, s) {
				t.Fatalf("viewer sees %q on %s", s, p)
			}
		}
	}
	// The coordinator does see them (so the check above can fail).
	r := e.as(coordCk, "GET", "/api/v1/surveys/"+e.sv.Slug+"/status", nil)
	if !strings.Contains(r.body, "kontakts@riga.lv") {
		t.Fatal("coordinator status lacks contacts")
	}
	if !strings.Contains(e.as(coordCk, "GET", "/surveys/"+e.sv.Slug+"/responses/riga", nil).body, "anna@novads.lv") {
		t.Fatal("coordinator review lacks the personal answer")
	}
	// An API token acting as the viewer behaves as the viewer.
	_, adminCk := e.user("admin")
	token := e.apiToken(adminCk, "viewer@survey.test")
	r = e.do("GET", "/api/v1/surveys/"+e.sv.Slug+"/status", nil, "Authorization", "Bearer "+token)
	wantStatus(t, r, http.StatusOK)
	if strings.Contains(r.body, "kontakts@riga.lv") || !strings.Contains(r.body, `"code":"riga"`) {
		t.Fatalf("viewer token: %.300s", r.body)
	}
}

// rawKey matches a message key that T returned because it has no text.
var rawKey = regexp.MustCompile(`[>\s](nav|login|password|account|surveys|state|round|extensions?|tracker|track|filter|kind|sort|links|send|messages?|contacts|response|review|history|action|actor|correct|return|returned|users|role|tokens|signin|forbidden|home|release|withdraw|results)\.[a-z_.]+[<\s]`)

// TestWorkspaceWordingComplete opens every workspace page in Latvian and
// English and fails on any message key shown instead of its text.
func TestWorkspaceWordingComplete(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ck := e.user("admin")
	e.submitFull("riga")
	wantStatus(t, e.form(ck, "/surveys/"+e.sv.Slug+"/feedback/release", url.Values{"scope": {"all"}}), http.StatusSeeOther)
	resp, _ := e.state("riga")
	wantStatus(t, e.form(ck, "/surveys/"+e.sv.Slug+"/responses/riga/return", url.Values{"version": {itoa(resp.Version)},
		"note": {"n"}, "comment_population": {"c"}}), http.StatusSeeOther)
	e.setContacts(ck, "riga", "a@riga.lv")
	wantStatus(t, e.form(ck, "/surveys/"+e.sv.Slug+"/messages", url.Values{"kind": {"reminder"}}), http.StatusSeeOther)
	base := "/surveys/" + e.sv.Slug
	pages := []string{"/", "/surveys", "/surveys/new", base, base + "/settings", base + "/links", base + "/messages",
		base + "/responses/riga", base + "/responses/cesis", base + "/responses/riga/correct?q=ngo_forms",
		"/contacts", "/admin/users", "/admin/tokens", "/account", "/r/" + e.tokens["riga"], "/nope",
		base + "/feedback", base + "/feedback/riga/withdraw", base + "/feedback/cesis/withdraw",
		"/r/" + e.tokens["riga"] + "/results", "/r/" + e.tokens["cesis"] + "/results"}
	for _, lang := range []string{"lv", "en"} {
		for _, p := range pages {
			sep := "?"
			if strings.Contains(p, "?") {
				sep = "&"
			}
			r := e.as(ck, "GET", p+sep+"lang="+lang, nil)
			if r.status >= 500 {
				t.Fatalf("%s: %d", p, r.status)
			}
			if m := rawKey.FindString(r.body); m != "" {
				t.Errorf("%s (%s) shows the key %q", p, lang, m)
			}
		}
		r := e.do("GET", "/login?lang="+lang, nil)
		if m := rawKey.FindString(r.body); m != "" {
			t.Errorf("/login (%s) shows the key %q", lang, m)
		}
	}
}

// Over https the session cookie is __Host- prefixed and Secure.
func TestSessionCookieOverHTTPS(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u, _ := e.user("viewer")
	base, _ := url.Parse("https://aptauja.example.lv")
	srv, err := web.New(web.Options{BaseURL: base, Manager: e.m,
		Now: func() time.Time { return e.clock() }, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "https://aptauja.example.lv/login",
		strings.NewReader(url.Values{"email": {u.Email}, "password": {password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, req)
	cookies := w.Result().Cookies()
	if w.Code != http.StatusSeeOther || len(cookies) != 1 || cookies[0].Name != "__Host-surveyd_session" ||
		!cookies[0].Secure || !cookies[0].HttpOnly || cookies[0].Path != "/" || cookies[0].Domain != "" {
		t.Fatalf("status %d cookies %+v", w.Code, cookies)
	}
}

// A page shown in answer to a POST switches language at its own address.
func TestLanguageSwitchAfterPost(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ck := e.user("admin")
	r := e.confirmLink(ck, "riga", "rotate")
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body, `class="lang-switch" href="/surveys/`+e.sv.Slug+`/links?lang=en"`) {
		t.Fatal("the language switch after rotating does not lead to the links page")
	}
	r = e.form(ck, "/admin/users/1", url.Values{"role": {"nope"}})
	if !strings.Contains(r.body, `href="/admin/users?lang=en"`) {
		t.Fatal("the language switch after a refused change does not lead to the users page")
	}
}

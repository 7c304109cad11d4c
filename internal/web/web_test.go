package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/auth"
	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/mail"
	"github.com/civitas-lv/surveyd/internal/mail/mailtest"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/internal/store/storetest"
	"github.com/civitas-lv/surveyd/internal/web"
	"github.com/civitas-lv/surveyd/survey"
	"golang.org/x/crypto/bcrypt"
)

// TestMain drops the run's databases and closes the shared Chromium
// (sharedChromium) at the end.
func TestMain(m *testing.M) { storetest.Main(m, sharedChromium.close) }

var ctx = context.Background()

// env is a server on a fresh database with the 2025 round open from
// opens to closes, links for two municipalities, and a movable clock.
type env struct {
	t      *testing.T
	srv    *web.Server
	st     *store.Store
	m      *manage.Manager
	mail   *mailtest.Server
	hasher *auth.Hasher
	sv     domain.Survey
	tokens map[string]string // municipality → token
	mu     sync.Mutex
	now    time.Time
	logs   *syncBuffer
	opens  time.Time
	closes time.Time
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvWith(t, storetest.New(t), nil)
}

// newEnvWith is newEnv on the store st, with opts (when not nil) changing
// the server's options.
func newEnvWith(t *testing.T, st *store.Store, opts func(*web.Options)) *env {
	t.Helper()
	base, _ := url.Parse("http://survey.test")
	key, err := auth.NewLinkKey([]byte("test link key, thirty-two bytes or more"))
	if err != nil {
		t.Fatal(err)
	}
	mailSrv := mailtest.Start(t)
	set, err := mail.ParseURL(mailSrv.URL(), "Aptauja <aptauja@survey.test>")
	if err != nil {
		t.Fatal(err)
	}
	hasher, err := auth.NewHasher(bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	m := &manage.Manager{Store: st, BaseURL: base, Links: key, Mail: mail.NewSender(set),
		Accounts: manage.AccountSettings{Hasher: hasher}}
	if _, err := m.LoadMunicipalities(ctx); err != nil {
		t.Fatal(err)
	}
	def, _, err := survey.Builtin("regional-2025")
	if err != nil {
		t.Fatal(err)
	}
	opens := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	closes := time.Date(2026, 12, 15, 21, 59, 0, 0, time.UTC)
	sv, _, err := m.EnsureRound(ctx, def, opens, closes)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, st: st, sv: sv, tokens: map[string]string{}, now: opens.Add(24 * time.Hour),
		logs: &syncBuffer{}, opens: opens, closes: closes, m: m, mail: mailSrv, hasher: hasher}
	links, err := m.Invite(ctx, domain.OperatorPrincipal(), sv.Slug, []string{"riga", "cesis"}, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range links {
		e.tokens[l.Municipality] = strings.TrimPrefix(l.URL, "http://survey.test/r/")
	}
	riga, _ := time.LoadLocation("Europe/Riga")
	o := web.Options{Logger: slog.New(slog.NewTextHandler(e.logs, nil)), BaseURL: base,
		TimeZone: riga, Now: func() time.Time { e.mu.Lock(); defer e.mu.Unlock(); return e.now },
		Manager: m}
	if opts != nil {
		opts(&o)
	}
	srv, err := web.New(o)
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	return e
}

func (e *env) setNow(t time.Time) { e.mu.Lock(); e.now = t; e.mu.Unlock() }

type result struct {
	status int
	body   string
	header http.Header
}

func (r result) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("not JSON (%d): %s", r.status, r.body)
	}
	return m
}

func (e *env) do(method, path string, body io.Reader, headers ...string) result {
	e.t.Helper()
	req := httptest.NewRequest(method, path, body)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	e.srv.ServeHTTP(w, req)
	return result{status: w.Code, body: w.Body.String(), header: w.Header()}
}

func (e *env) api(method, muni, suffix, body string) result {
	e.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	return e.do(method, "/api/v1/r/"+e.tokens[muni]+suffix, r, "Content-Type", "application/json")
}

func (e *env) put(muni string, version int, answers string) result {
	e.t.Helper()
	return e.api("PUT", muni, "", `{"version":`+itoa(version)+`,"answers":`+answers+`}`)
}

func (e *env) post(muni string, form url.Values) result {
	e.t.Helper()
	return e.do("POST", "/r/"+e.tokens[muni], strings.NewReader(form.Encode()),
		"Content-Type", "application/x-www-form-urlencoded")
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// state returns the stored response and its revision count.
func (e *env) state(muni string) (domain.Response, int) {
	e.t.Helper()
	r, err := e.st.Response(ctx, e.sv.ID, muni)
	if err != nil {
		return domain.Response{}, 0
	}
	revs, err := e.st.Revisions(ctx, r.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return r, len(revs)
}

func wantStatus(t *testing.T, r result, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body: %.600s", r.status, status, r.body)
	}
}

// A complete, valid set of answers.
const full = `{"resp_name":"Anna Ozola","resp_position":"Speciāliste","resp_email":"anna@novads.lv","population":24000,
"consent_contact":true,"ngo_rules":"adopted","ngo_forms":["grants"],"ngo_support_eur":48000,"ngo_supported_count":31,
"ngo_liaison":["staff"],"ngo_published":"website","del_status":"no","pb_status":"not_started","rc_status":"not_planned"}`

// password is every test user's password.
const password = "correct horse battery staple"

// user creates a user with the role (email role@survey.test, or the given
// name) and returns it with a session cookie for it.
func (e *env) user(role string, name ...string) (domain.User, *http.Cookie) {
	e.t.Helper()
	email := role + "@survey.test"
	if len(name) > 0 {
		email = name[0]
	}
	h, err := e.hasher.Hash(password)
	if err != nil {
		e.t.Fatal(err)
	}
	u, err := e.st.CreateUser(ctx, email, "", role, h)
	if err != nil {
		e.t.Fatal(err)
	}
	return u, e.session(u)
}

// session signs the user in as of the clock's now.
func (e *env) session(u domain.User) *http.Cookie {
	e.t.Helper()
	token, hash := auth.NewToken()
	now := e.clock()
	if err := e.st.CreateSession(ctx, hash, u.ID, now, now.Add(12*time.Hour)); err != nil {
		e.t.Fatal(err)
	}
	return &http.Cookie{Name: "surveyd_session", Value: token}
}

func (e *env) clock() time.Time { e.mu.Lock(); defer e.mu.Unlock(); return e.now }

// as makes a request with a session cookie (nil: none).
func (e *env) as(cookie *http.Cookie, method, path string, body io.Reader, headers ...string) result {
	e.t.Helper()
	req := httptest.NewRequest(method, path, body)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	w := httptest.NewRecorder()
	e.srv.ServeHTTP(w, req)
	return result{status: w.Code, body: w.Body.String(), header: w.Header()}
}

// form posts a form with a session cookie.
func (e *env) form(cookie *http.Cookie, path string, v url.Values) result {
	e.t.Helper()
	return e.as(cookie, "POST", path, strings.NewReader(v.Encode()), "Content-Type", "application/x-www-form-urlencoded")
}

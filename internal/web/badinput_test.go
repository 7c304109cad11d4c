package web_test

import (
	"io/fs"
	"maps"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/internal/auth"
	"github.com/civitas-lv/surveyd/static"
)

// TestBadInputChangesNothing: every refused request leaves the response,
// its version and its history exactly as they were.
func TestBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	wantStatus(t, e.put("riga", 0, `{"population":100}`), 200)
	before, revs := e.state("riga")

	big := `{"version":1,"answers":{"ngo_obstacles":"` + strings.Repeat("ā", 600_000) + `"}}`
	cases := []struct {
		name   string
		method string
		path   string
		body   string
		ctype  string
		status int
		code   string
	}{
		{"malformed JSON", "PUT", "", `{"version":1,"answers":`, "application/json", 400, "bad_request"},
		{"not an object", "PUT", "", `[1,2]`, "application/json", 400, "bad_request"},
		{"answers not an object", "PUT", "", `{"version":1,"answers":[]}`, "application/json", 400, "bad_request"},
		{"missing version", "PUT", "", `{"answers":{"population":5}}`, "application/json", 400, "bad_request"},
		{"version not a number", "PUT", "", `{"version":"1","answers":{}}`, "application/json", 400, "bad_request"},
		{"unknown field", "PUT", "", `{"version":1,"answers":{},"admin":true}`, "application/json", 400, "bad_request"},
		{"trailing data", "PUT", "", `{"version":1,"answers":{"population":5}} {}`, "application/json", 400, "bad_request"},
		{"wrong content type", "PUT", "", `{"version":1,"answers":{"population":5}}`, "text/plain", 415, "unsupported_media_type"},
		{"over 1 MiB", "PUT", "", big, "application/json", 413, "too_large"},
		{"wrong answer type", "PUT", "", `{"version":1,"answers":{"population":"many"}}`, "application/json", 422, "invalid_answers"},
		{"unknown question", "PUT", "", `{"version":1,"answers":{"population":5,"salary":1}}`, "application/json", 422, "invalid_answers"},
		{"stale version", "PUT", "", `{"version":0,"answers":{"population":5}}`, "application/json", 409, "version_conflict"},
		{"submit malformed", "POST", "/submit", `{"version":`, "application/json", 400, "bad_request"},
		{"submit over 1 MiB", "POST", "/submit", big, "application/json", 413, "too_large"},
		{"wrong method", "DELETE", "", ``, "application/json", 405, "method_not_allowed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do(c.method, "/api/v1/r/"+e.tokens["riga"]+c.path, strings.NewReader(c.body), "Content-Type", c.ctype)
			wantStatus(t, r, c.status)
			got := r.json(t)
			if got["error"] != c.code {
				t.Errorf("error code %v, want %s", got["error"], c.code)
			}
			if m, _ := got["message"].(string); m == "" {
				t.Error("no message for people")
			}
		})
	}
	// The page's form: an oversized post is refused too.
	r := e.post("riga", url.Values{"version": {"1"}, "ngo_obstacles": {strings.Repeat("x", 1<<20+10)}})
	wantStatus(t, r, http.StatusRequestEntityTooLarge)
	if !strings.Contains(r.body, "pārāk lieli") || !strings.Contains(r.body, `<a href="/r/`+e.tokens["riga"]+`">Atpakaļ uz anketu</a>`) {
		t.Error("413 page is not explained in Latvian, or has no way back to the form")
	}
	wantStatus(t, e.post("riga", url.Values{"population": {"5"}}), http.StatusBadRequest) // no version

	after, revsAfter := e.state("riga")
	if after.Version != before.Version || string(after.AnswersJSON) != string(before.AnswersJSON) || revsAfter != revs {
		t.Fatalf("bad input changed the response: v%d→v%d, %d→%d revisions", before.Version, after.Version, revs, revsAfter)
	}
}

// TestUnknownTokensLookAlike: malformed, unknown and revoked links get the
// same 404, as a page and as JSON.
func TestUnknownTokensLookAlike(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	inv, err := e.st.InvitationByTokenHash(ctx, auth.HashToken(e.tokens["cesis"]))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.RevokeInvitation(ctx, inv.ID); err != nil {
		t.Fatal(err)
	}
	unknown, _ := auth.NewToken()
	var pages, apis []string
	for _, tok := range []string{"x", "not-a-token-at-all-!!", unknown, e.tokens["cesis"], strings.Repeat("A", 500)} {
		p := e.do("GET", "/r/"+url.PathEscape(tok), nil)
		wantStatus(t, p, 404)
		pages = append(pages, normalise(p.body))
		a := e.do("GET", "/api/v1/r/"+url.PathEscape(tok), nil)
		wantStatus(t, a, 404)
		apis = append(apis, a.body)
		wantStatus(t, e.do("PUT", "/api/v1/r/"+url.PathEscape(tok), strings.NewReader(`{"version":0,"answers":{}}`)), 404)
		wantStatus(t, e.do("POST", "/r/"+url.PathEscape(tok), strings.NewReader("version=0"), "Content-Type", "application/x-www-form-urlencoded"), 404)
	}
	for i := range pages {
		if pages[i] != pages[0] || apis[i] != apis[0] {
			t.Fatalf("404 %d differs from the first:\n%s\n%s", i, apis[i], apis[0])
		}
	}
	if !strings.Contains(pages[0], "Saite nav derīga") || !strings.Contains(apis[0], `"error":"not_found"`) {
		t.Fatalf("404 wording: %s / %s", pages[0], apis[0])
	}
	// The revoked link saved nothing.
	if _, n := e.state("cesis"); n != 0 {
		t.Fatal("a revoked link changed something")
	}
}

// normalise removes what legitimately differs between two 404 pages.
func normalise(s string) string {
	s = regexp.MustCompile(`href="[^"]*\?lang=en"`).ReplaceAllString(s, "")
	return s
}

func TestCrossOriginPostRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.do("PUT", "/api/v1/r/"+e.tokens["riga"], strings.NewReader(`{"version":0,"answers":{"population":5}}`),
		"Content-Type", "application/json", "Sec-Fetch-Site", "cross-site")
	wantStatus(t, r, http.StatusForbidden)
	r = e.do("POST", "/r/"+e.tokens["riga"], strings.NewReader("version=0&population=5"),
		"Content-Type", "application/x-www-form-urlencoded", "Origin", "https://evil.example", "Host", "survey.test")
	wantStatus(t, r, http.StatusForbidden)
	if _, n := e.state("riga"); n != 0 {
		t.Fatal("a cross-origin request changed something")
	}
	// Same-origin browsers pass.
	r = e.do("PUT", "/api/v1/r/"+e.tokens["riga"], strings.NewReader(`{"version":0,"answers":{"population":5}}`),
		"Content-Type", "application/json", "Sec-Fetch-Site", "same-origin")
	wantStatus(t, r, 200)
}

func TestHome(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.do("GET", "/", nil)
	wantStatus(t, r, 200)
	if !strings.Contains(r.body, "personīgo saiti") {
		t.Fatal(r.body)
	}
	wantStatus(t, e.do("GET", "/nowhere", nil), 404)
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.do("GET", "/healthz", nil)
	wantStatus(t, r, 200)
	if r.json(t)["status"] != "ok" {
		t.Fatal(r.body)
	}
	e.st.Close() // the database goes away
	r = e.do("GET", "/healthz", nil)
	wantStatus(t, r, http.StatusServiceUnavailable)
}

// TestNoSecretsInLogs: request logs name routes, never paths with tokens,
// and never answers.
func TestNoSecretsInLogs(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	wantStatus(t, e.put("riga", 0, `{"resp_email":"anna.secret@novads.lv","population":987123}`), 200)
	e.do("GET", "/r/"+e.tokens["riga"], nil)
	e.do("GET", "/api/v1/r/"+e.tokens["riga"]+"?lang=en", nil)
	logs := e.logs.String()
	if !strings.Contains(logs, "route=/api/v1/r/:token") {
		t.Fatalf("requests are not logged by route:\n%s", logs)
	}
	for _, secret := range []string{e.tokens["riga"], "anna.secret", "987123"} {
		if strings.Contains(logs, secret) {
			t.Errorf("log contains %q", secret)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.do("GET", "/r/"+e.tokens["riga"], nil)
	h := r.header
	if !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'self'") || h.Get("Referrer-Policy") != "no-referrer" ||
		h.Get("Cache-Control") != "no-store" || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Request-Id") == "" {
		t.Fatalf("headers: %v", h)
	}
}

// TestNothingFromOutside: no template or static file refers to another host,
// and every static file a page refers to is served. It fails on any error
// walking or reading the files and when it read fewer files than there are,
// so that it cannot pass having checked nothing.
func TestNothingFromOutside(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	external := regexp.MustCompile(`(?i)(src|href|url|action)\s*[=(]\s*["']?\s*(https?:)?//`)
	check := func(name, body string) {
		if m := external.FindString(body); m != "" {
			t.Errorf("%s refers outside the service: %s", name, m)
		}
	}
	// read checks every file of fsys and returns their names and sizes.
	read := func(dir string, fsys fs.FS) map[string]int {
		files := map[string]int{}
		err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			check(dir+p, string(b))
			files[dir+p] = len(b)
			return nil
		})
		if err != nil {
			t.Fatalf("reading %s: %v", dir, err)
		}
		return files
	}
	// The templates are embedded from internal/web/templates, the test's
	// own directory's templates/; the static files are the embedded ones.
	templates := read("templates/", os.DirFS("templates"))
	statics := read("static/", static.FS)
	if len(templates) < 15 || len(statics) < 5 {
		t.Errorf("checked only %d templates and %d static files", len(templates), len(statics))
	}
	all := maps.Clone(templates)
	maps.Copy(all, statics)
	for _, name := range []string{"templates/form.html", "templates/layout.html", "templates/charts.html",
		"static/js/form.js", "static/js/charts.js", "static/css/app.css", "static/vendor/echarts/echarts.min.js"} {
		if all[name] < 100 {
			t.Errorf("%s was not checked (or is almost empty: %d bytes)", name, all[name])
		}
	}
	t.Logf("checked %d templates and %d static files", len(templates), len(statics))
	page := e.do("GET", "/r/"+e.tokens["riga"], nil)
	check("form page", page.body)
	refs := regexp.MustCompile(`(?:src|href)="(/static/[^"]+)"`).FindAllStringSubmatch(page.body, -1)
	if len(refs) < 2 { // the style sheet and form.js at least
		t.Errorf("the form page refers to %d static files", len(refs))
	}
	for _, m := range refs {
		r := e.do("GET", strings.ReplaceAll(m[1], "&amp;", "&"), nil)
		wantStatus(t, r, 200)
		if !strings.Contains(r.header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s is not cached", m[1])
		}
	}
	wantStatus(t, e.do("GET", "/static/../go.mod", nil), 404)
}

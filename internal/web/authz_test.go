package web_test

import (
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/internal/domain"
)

// authzMatrix says who may use each route. It is written out here, apart
// from routes.go, on purpose: a route added without an entry fails
// TestAuthorizationMatrix, and so does an entry whose route is gone, a
// route declared in another group than its entry says (RouteAccess), and
// a route whose requests are let in or refused otherwise than its entry
// says.
//
//	public     anyone
//	link       whoever holds the municipality's personal link (the token)
//	signedIn   any signed-in user
//	view       viewer, coordinator, admin
//	coordinate coordinator, admin
//	administer admin
var authzMatrix = map[string]string{
	"GET /healthz":          "public",
	"GET /readyz":           "public",
	"GET /":                 "public",
	"GET /static/*path":     "public",
	"GET /login":            "public",
	"POST /login":           "public",
	"POST /logout":          "public",
	"GET /password/:token":  "public",
	"POST /password/:token": "public",

	"GET /r/:token":                 "link",
	"POST /r/:token":                "link",
	"GET /r/:token/print":           "link",
	"GET /r/:token/results":         "link",
	"GET /r/:token/results.xlsx":    "link",
	"GET /api/v1/r/:token":          "link",
	"PUT /api/v1/r/:token":          "link",
	"POST /api/v1/r/:token/submit":  "link",
	"POST /api/v1/r/:token/confirm": "link",

	"GET /account":           "signedIn",
	"POST /account/password": "signedIn",

	"GET /surveys":                              "view",
	"GET /surveys/:slug":                        "view",
	"GET /surveys/:slug/responses/:code":        "view",
	"GET /api/v1/surveys/:slug/status":          "view",
	"GET /surveys/:slug/export.xlsx":            "view",
	"GET /surveys/:slug/definition.xlsx":        "view",
	"GET /surveys/:slug/charts":                 "view",
	"GET /surveys/:slug/charts/:chart/data.csv": "view",
	"GET /surveys/:slug/report":                 "view",
	"GET /surveys/:slug/opendata.zip":           "view",

	"GET /surveys/new":                              "coordinate",
	"POST /surveys":                                 "coordinate",
	"GET /surveys/:slug/settings":                   "coordinate",
	"POST /surveys/:slug/dates":                     "coordinate",
	"POST /surveys/:slug/next":                      "coordinate",
	"POST /surveys/:slug/definition":                "coordinate",
	"POST /surveys/:slug/close":                     "coordinate",
	"POST /surveys/:slug/extensions":                "coordinate",
	"POST /surveys/:slug/extensions/:code/delete":   "coordinate",
	"POST /surveys/:slug/publishable":               "coordinate",
	"POST /surveys/:slug/retention":                 "coordinate",
	"GET /surveys/:slug/preview":                    "coordinate",
	"GET /surveys/:slug/preview/:code":              "coordinate",
	"POST /surveys/:slug/preview/:code":             "coordinate",
	"POST /surveys/:slug/preview/:code/check":       "coordinate",
	"GET /surveys/:slug/links":                      "coordinate",
	"GET /surveys/:slug/links.csv":                  "coordinate",
	"GET /surveys/:slug/links/:code/rotate":         "coordinate",
	"POST /surveys/:slug/links/:code/rotate":        "coordinate",
	"GET /surveys/:slug/links/:code/revoke":         "coordinate",
	"POST /surveys/:slug/links/:code/revoke":        "coordinate",
	"GET /surveys/:slug/contact-list":               "coordinate",
	"GET /surveys/:slug/contact-list.csv":           "coordinate",
	"GET /surveys/:slug/contact-list.xlsx":          "coordinate",
	"GET /surveys/:slug/messages":                   "coordinate",
	"POST /surveys/:slug/messages":                  "coordinate",
	"GET /surveys/:slug/feedback":                   "coordinate",
	"POST /surveys/:slug/feedback/release":          "coordinate",
	"POST /surveys/:slug/feedback/send":             "coordinate",
	"GET /surveys/:slug/feedback/:code/withdraw":    "coordinate",
	"POST /surveys/:slug/feedback/:code/withdraw":   "coordinate",
	"GET /surveys/:slug/responses/:code/correct":    "coordinate",
	"POST /surveys/:slug/responses/:code/correct":   "coordinate",
	"GET /surveys/:slug/responses/:code/return":     "coordinate",
	"POST /surveys/:slug/responses/:code/return":    "coordinate",
	"GET /contacts":                                 "coordinate",
	"POST /contacts/:code":                          "coordinate",
	"POST /contacts/import":                         "coordinate",
	"POST /contacts/import/apply":                   "coordinate",
	"GET /surveys/:slug/feedback/:code":             "coordinate",
	"GET /surveys/:slug/feedback/:code/report.xlsx": "coordinate",

	"GET /admin/users":                    "administer",
	"POST /admin/users":                   "administer",
	"POST /admin/users/:id":               "administer",
	"POST /admin/users/:id/password-link": "administer",
	"GET /admin/tokens":                   "administer",
	"POST /admin/tokens":                  "administer",
	"POST /admin/tokens/:id/revoke":       "administer",
	"GET /admin/audit":                    "administer",
	"GET /admin/audit.csv":                "administer",
	"GET /admin/personal":                 "administer",
	"POST /admin/personal":                "administer",
	"POST /admin/personal/export":         "administer",
	"POST /admin/personal/erase":          "administer",
}

// roleLevel ranks what each role may do; the access kinds share the scale.
var roleLevel = map[string]int{"": 0, "viewer": 2, "coordinator": 3, "admin": 4}
var kindLevel = map[string]int{"signedIn": 1, "view": 2, "coordinate": 3, "administer": 4}

func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seen := map[string]bool{}
	var keys []string
	declared := e.srv.RouteAccess()
	for _, r := range e.srv.Routes() {
		key := r.Method + " " + r.Path
		seen[key] = true
		kind, ok := authzMatrix[key]
		if !ok {
			t.Errorf("route %s has no entry in the authorization matrix", key)
			continue
		}
		// signedIn and view let in the same roles, and public and link
		// routes have no check of their own: only the group a route is
		// declared in tells them apart.
		if declared[key] != kind {
			t.Errorf("route %s is declared in the %q group, the matrix says %q", key, declared[key], kind)
		}
		keys = append(keys, key)
	}
	for key := range authzMatrix {
		if !seen[key] {
			t.Errorf("matrix entry %s names no route", key)
		}
	}
	for key := range declared {
		if !seen[key] {
			t.Errorf("RouteAccess names %s, which is no route", key)
		}
	}
	sort.Strings(keys)
	// GET routes change nothing that decides who may use a route, so they
	// share one server; every other route gets a fresh one. All run at
	// once.
	shared := newAuthzServer(t)
	for _, key := range keys {
		t.Run(strings.NewReplacer("/", "_", ":", "", "*", "").Replace(key), func(t *testing.T) {
			t.Parallel()
			a := shared
			if !strings.HasPrefix(key, "GET ") {
				a = newAuthzServer(t)
			}
			checkRoute(t, a, key, authzMatrix[key])
		})
	}
}

// authzServer is a server with a submitted response for municipality A
// (riga) and a signed-in viewer, coordinator and admin.
type authzServer struct {
	e                          *env
	admin                      domain.User
	adminCk, viewerCk, coordCk *http.Cookie
}

func newAuthzServer(t *testing.T) *authzServer {
	a := &authzServer{e: newEnv(t)}
	a.admin, a.adminCk = a.e.user("admin")
	_, a.viewerCk = a.e.user("viewer")
	_, a.coordCk = a.e.user("coordinator")
	a.e.submitFull("riga") // so returns and corrections have something to act on
	return a
}

// checkRoute tries one route as anonymous, as municipality A's respondent
// (against A and against B), and as a viewer, a coordinator and an admin.
func checkRoute(t *testing.T, a *authzServer, key, kind string) {
	e := a.e
	method, pattern, _ := strings.Cut(key, " ")
	tokenA := e.tokens["riga"]
	admin, adminCk, viewerCk, coordCk := a.admin, a.adminCk, a.viewerCk, a.coordCk
	path := func(code, token string) string {
		return strings.NewReplacer(":slug", e.sv.Slug, ":code", code, ":token", token, ":id", itoa(int(admin.ID)), ":chart", "ngo_rules",
			"*path", "css/app.css").Replace(pattern)
	}
	headers := []string{"Content-Type", "application/x-www-form-urlencoded"}
	if strings.HasPrefix(pattern, "/api/") {
		headers = []string{"Content-Type", "application/json"}
	}
	allowed := func(r result) bool {
		return r.status != http.StatusUnauthorized && r.status != http.StatusForbidden &&
			!strings.HasPrefix(r.header.Get("Location"), "/login?next=")
	}

	if kind == "link" {
		// The link is the credential: it opens its own municipality's
		// response for anyone holding it, and nothing else.
		for who, ck := range map[string]string{"anonymous": "", "viewer": "v", "coordinator": "c"} {
			var c = map[string]*http.Cookie{"": nil, "v": viewerCk, "c": coordCk}[ck]
			if r := e.as(c, method, path("", tokenA), strings.NewReader(""), headers...); !allowed(r) || r.status == http.StatusNotFound {
				t.Errorf("%s with A's link: %d", who, r.status)
			}
		}
		// A's link as a session cookie or an API token opens nothing, and
		// an unknown link is 404 whoever asks.
		bogus := "AAAAAAAAAAAAAAAAAAAAAA"
		for _, c := range []*http.Cookie{nil, adminCk, {Name: "surveyd_session", Value: tokenA}} {
			if r := e.as(c, method, path("", bogus), strings.NewReader(""), headers...); r.status != http.StatusNotFound {
				t.Errorf("unknown link: %d", r.status)
			}
		}
		return
	}

	type principal struct {
		name, role string
		cookie     *http.Cookie
		extra      []string
	}
	principals := []principal{
		{"anonymous", "", nil, nil},
		// A respondent has A's link and nothing else; presenting it as a
		// session or a Bearer token must not work, for A's data or B's.
		{"respondent A (cookie)", "", &http.Cookie{Name: "surveyd_session", Value: tokenA}, nil},
		{"respondent A (bearer)", "", nil, []string{"Authorization", "Bearer " + tokenA}},
		{"viewer", "viewer", viewerCk, nil},
		{"coordinator", "coordinator", coordCk, nil},
		{"admin", "admin", adminCk, nil},
	}
	for _, p := range principals {
		codes := []string{"riga"}
		if p.role == "" {
			codes = []string{"riga", "cesis"} // against A and against B
		}
		for _, code := range codes {
			r := e.as(p.cookie, method, path(code, ""), strings.NewReader(""), append(append([]string{}, headers...), p.extra...)...)
			want := kind == "public" || roleLevel[p.role] >= kindLevel[kind] && p.role != ""
			got := allowed(r)
			if kind == "public" { // a failed sign-in is a 401 of the route itself
				got = r.status != http.StatusForbidden && !strings.HasPrefix(r.header.Get("Location"), "/login?next=")
			}
			if got != want {
				t.Errorf("%s %s: allowed=%v (status %d, Location %q), want allowed=%v", p.name, path(code, ""), got,
					r.status, r.header.Get("Location"), want)
				continue
			}
			if want || kind == "public" {
				continue
			}
			// How it is refused: nobody signed in → sign-in page (GET) or
			// 401; a role short of the access → 403.
			switch {
			case p.role != "" && r.status != http.StatusForbidden:
				t.Errorf("%s: status %d, want 403", p.name, r.status)
			case p.role == "" && strings.HasPrefix(pattern, "/api/") && r.status != http.StatusUnauthorized:
				t.Errorf("%s: API status %d, want 401", p.name, r.status)
			case p.role == "" && !strings.HasPrefix(pattern, "/api/") && method == "GET" && r.status != http.StatusSeeOther:
				t.Errorf("%s: status %d, want 303 to the sign-in page", p.name, r.status)
			case p.role == "" && method != "GET" && r.status != http.StatusUnauthorized:
				t.Errorf("%s: status %d, want 401", p.name, r.status)
			}
		}
	}
}

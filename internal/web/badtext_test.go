package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/internal/store/storetest"
)

// dbFingerprint sums up every table of the database (storetest.Fingerprint).
func dbFingerprint(t *testing.T, e *env) string { return storetest.Fingerprint(t, e.st) }

// badFormFields are the fields of every staff form (and the respondent's
// and sign-in forms); each request carries them all, one with a bad byte.
var badFormFields = map[string]string{
	"email": "coordinator@survey.test", "password": password, "next": "/surveys",
	"reason": "Pašvaldība precizēja", "note": "Lūdzu, pārbaudiet", "comment_population": "Vai skaits ir pareizs?",
	"municipality": "cesis", "closes_at": "2026-12-20T23:59", "opens_at": "2026-11-01T09:00", "name": "Līga",
	"role": "viewer", "user": "1", "contacts": "Anna <anna@riga.lv>", "question": "population", "version": "1",
	"population": "100", "kind": "reminder", "confirm": "1", "slug": "cits", "current_password": password,
	"new_password": "jauna parole ar garumzīmēm", "repeat_password": "jauna parole ar garumzīmēm",
	"reference_year": "2027",
}

// TestBadTextRefusedOnEveryRoute walks every route of the route table,
// as each role that may use it, with a NUL byte and with a byte that is not
// UTF-8 in a path parameter, in the query and in a form field (multipart
// for the uploads): each is refused with a 400 that says why (JSON on the
// API), never a 500, and the database does not change.
func TestBadTextRefusedOnEveryRoute(t *testing.T) {
	t.Parallel()
	a := newAuthzServer(t)
	e := a.e
	before := dbFingerprint(t, e)
	type who struct {
		name   string
		cookie *http.Cookie
	}
	anon := []who{{"anonymous", nil}}
	staff := map[string][]who{
		"public": anon, "link": anon,
		"signedIn":   {{"viewer", a.viewerCk}, {"coordinator", a.coordCk}, {"admin", a.adminCk}},
		"view":       {{"viewer", a.viewerCk}, {"coordinator", a.coordCk}, {"admin", a.adminCk}},
		"coordinate": {{"coordinator", a.coordCk}, {"admin", a.adminCk}},
		"administer": {{"admin", a.adminCk}},
	}
	good := map[string]string{":slug": e.sv.Slug, ":code": "riga", ":token": e.tokens["riga"], ":id": itoa(int(a.admin.ID)),
		":chart": "ngo_rules", "*path": "css/app.css"}
	routes := 0
	for _, rt := range e.srv.Routes() {
		key := rt.Method + " " + rt.Path
		kind, ok := authzMatrix[key]
		if !ok {
			t.Errorf("route %s has no entry in the authorization matrix", key)
			continue
		}
		routes++
		var params []string
		for _, seg := range strings.Split(rt.Path, "/") {
			if strings.HasPrefix(seg, ":") || strings.HasPrefix(seg, "*") {
				params = append(params, seg)
			}
		}
		path := func(badParam, bad string) string {
			p := rt.Path
			for _, name := range params {
				v := good[name]
				if name == badParam {
					v = "x" + bad + "y"
				}
				p = strings.Replace(p, name, v, 1)
			}
			return p
		}
		multipartRoute := key == "POST /surveys" || key == "POST /contacts/import" || key == "POST /surveys/:slug/definition"
		for _, bad := range []string{"%00", "%FF"} {
			type attempt struct{ where, path, field string }
			var tries []attempt
			for _, p := range params {
				tries = append(tries, attempt{"path " + p, path(p, bad), ""})
			}
			tries = append(tries, attempt{"query", path("", "") + "?q=a" + bad + "b&lang=lv", ""})
			if rt.Method == http.MethodPost && !strings.HasPrefix(rt.Path, "/api/") {
				for f := range badFormFields {
					tries = append(tries, attempt{"form field " + f, path("", ""), f})
				}
			}
			for _, w := range staff[kind] {
				for _, try := range tries {
					var body io.Reader
					headers := []string{}
					if try.field != "" {
						dec, _ := url.PathUnescape(bad)
						if multipartRoute {
							fields := map[string]string{}
							for k, v := range badFormFields {
								fields[k] = v
							}
							fields[try.field] = "a" + dec + "b"
							b, ct := multipartBody(t, fields, "file", "kontakti.csv", "Kods;Kontakti\nriga;anna@riga.lv\n")
							body, headers = b, []string{"Content-Type", ct}
						} else {
							v := url.Values{}
							for k, val := range badFormFields {
								v.Set(k, val)
							}
							v.Set(try.field, "a"+dec+"b")
							body, headers = strings.NewReader(v.Encode()), []string{"Content-Type", "application/x-www-form-urlencoded"}
						}
					} else if strings.HasPrefix(rt.Path, "/api/") {
						headers = []string{"Content-Type", "application/json"}
						if rt.Method != http.MethodGet {
							body = strings.NewReader(`{"version":0,"answers":{}}`)
						}
					}
					r := e.as(w.cookie, rt.Method, try.path, body, headers...)
					desc := fmt.Sprintf("%s as %s, %s in the %s", key, w.name, bad, try.where)
					if r.status != http.StatusBadRequest {
						t.Errorf("%s: status %d, want 400; body %.200s", desc, r.status, r.body)
						continue
					}
					if strings.HasPrefix(rt.Path, "/api/") {
						if got := r.json(t); got["error"] != "invalid_characters" || got["message"] == "" {
							t.Errorf("%s: JSON %s", desc, r.body)
						}
					} else if !strings.Contains(r.body, "nederīgs UTF-8") || !strings.Contains(r.body, "Nekas netika saglabāts") {
						t.Errorf("%s: the page does not say why: %.600s", desc, r.body)
					}
				}
			}
		}
		if after := dbFingerprint(t, e); after != before {
			t.Fatalf("%s: refused requests changed the database:\nbefore %s\nafter  %s", key, before, after)
		}
	}
	if routes != len(authzMatrix) {
		t.Fatalf("walked %d routes, the matrix has %d", routes, len(authzMatrix))
	}
	// The same values without the bad bytes pass the guard (so it is the
	// bytes that are refused, not the requests).
	r := e.as(a.viewerCk, "GET", "/surveys/"+e.sv.Slug+"?q=ab&lang=lv", nil)
	wantStatus(t, r, http.StatusOK)
	r = e.as(a.coordCk, "POST", "/surveys/"+e.sv.Slug+"/responses/riga/return", strings.NewReader(url.Values{
		"version": {"999"}, "note": {"Lūdzu, pārbaudiet — “pēdiņas”, ā, ž, 😀"}}.Encode()), "Content-Type", "application/x-www-form-urlencoded")
	wantStatus(t, r, http.StatusConflict) // a stale version: it reached the handler
	// The sign-in form, anonymous: 400 in Latvian, nothing recorded.
	r = e.do("POST", "/login", strings.NewReader("email=a%00b%40survey.test&password=x"), "Content-Type", "application/x-www-form-urlencoded")
	wantStatus(t, r, http.StatusBadRequest)
	if n := count(t, e, "login_failures"); n != 0 {
		t.Fatalf("%d sign-in failures recorded", n)
	}
}

func count(t *testing.T, e *env, table string) int {
	t.Helper()
	var n int
	must(t, e.st.DB().GetContext(ctx, &n, "SELECT count(*) FROM "+table))
	return n
}

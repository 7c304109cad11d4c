package web_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func multipartBody(t *testing.T, fields map[string]string, fileField, fileName, content string) (io.Reader, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	if fileField != "" {
		f, err := w.CreateFormFile(fileField, fileName)
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte(content))
	}
	w.Close()
	return &b, w.FormDataContentType()
}

// apiToken has an admin create an API token acting as the user with the
// e-mail, and returns it.
func (e *env) apiToken(adminCk *http.Cookie, email string) string {
	e.t.Helper()
	u, err := e.st.UserByEmail(ctx, email)
	if err != nil {
		e.t.Fatal(err)
	}
	r := e.form(adminCk, "/admin/tokens", url.Values{"name": {"skripts"}, "user": {itoa(int(u.ID))}})
	wantStatus(e.t, r, http.StatusOK)
	m := regexp.MustCompile(`id="newtoken" value="([A-Za-z0-9_-]{22})"`).FindStringSubmatch(r.body)
	if m == nil {
		e.t.Fatalf("no token shown: %.500s", r.body)
	}
	return m[1]
}

func TestUserAddSetPasswordAndSignIn(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, adminCk := e.user("admin")
	r := e.form(adminCk, "/admin/users", url.Values{"email": {"Liga.Koordinatore@Example.lv"}, "name": {"Līga"}, "role": {"coordinator"}})
	wantStatus(t, r, http.StatusOK)
	m := regexp.MustCompile(`id="pwlink" value="http://survey\.test(/password/[A-Za-z0-9_-]{22})"`).FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no set-password link: %.600s", r.body)
	}
	// The same address again is refused with a message.
	r = e.form(adminCk, "/admin/users", url.Values{"email": {"liga.koordinatore@example.lv"}, "role": {"viewer"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)

	wantStatus(t, e.do("GET", m[1], nil), http.StatusOK)
	set := func(pw, repeat string) result {
		return e.do("POST", m[1], strings.NewReader(url.Values{"new_password": {pw}, "repeat_password": {repeat}}.Encode()),
			"Content-Type", "application/x-www-form-urlencoded")
	}
	wantStatus(t, set("short", "short"), http.StatusUnprocessableEntity)
	wantStatus(t, set("long enough password", "long enough passwore"), http.StatusUnprocessableEntity)
	wantStatus(t, set("liga.koordinatore@example.lv", "liga.koordinatore@example.lv"), http.StatusUnprocessableEntity)
	wantStatus(t, set("Rudens lapas krīt 2026", "Rudens lapas krīt 2026"), http.StatusSeeOther)
	// The link works once.
	wantStatus(t, e.do("GET", m[1], nil), http.StatusNotFound)
	wantStatus(t, set("Another password 1234", "Another password 1234"), http.StatusNotFound)

	r = e.login("liga.koordinatore@example.lv", "Rudens lapas krīt 2026")
	wantStatus(t, r, http.StatusSeeOther)
	ck := sessionCookie(r)
	// A coordinator cannot manage users.
	wantStatus(t, e.as(ck, "GET", "/admin/users", nil), http.StatusForbidden)

	// Changing the password needs the current one and ends other sessions.
	other := sessionCookie(e.login("liga.koordinatore@example.lv", "Rudens lapas krīt 2026"))
	r = e.form(ck, "/account/password", url.Values{"current_password": {"wrong"}, "new_password": {"Ziemas sniegs 2026!"},
		"repeat_password": {"Ziemas sniegs 2026!"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	r = e.form(ck, "/account/password", url.Values{"current_password": {"Rudens lapas krīt 2026"},
		"new_password": {"Ziemas sniegs 2026!"}, "repeat_password": {"Ziemas sniegs 2026!"}})
	wantStatus(t, r, http.StatusSeeOther)
	wantStatus(t, e.as(ck, "GET", "/account", nil), http.StatusOK)
	wantStatus(t, e.as(other, "GET", "/account", nil), http.StatusSeeOther)
	wantStatus(t, e.login("liga.koordinatore@example.lv", "Ziemas sniegs 2026!"), http.StatusSeeOther)
}

func TestLastAdminAndRoles(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin, ck := e.user("admin")
	r := e.form(ck, "/admin/users/"+itoa(int(admin.ID)), url.Values{"role": {"viewer"}})
	wantStatus(t, r, http.StatusConflict)
	r = e.form(ck, "/admin/users/"+itoa(int(admin.ID)), url.Values{"role": {"admin"}, "disabled": {"on"}})
	wantStatus(t, r, http.StatusConflict)
	u, _ := e.st.UserByID(ctx, admin.ID)
	if u.Role != "admin" || !u.Active() {
		t.Fatal("the last admin was changed")
	}
	v, vck := e.user("viewer")
	wantStatus(t, e.form(ck, "/admin/users/"+itoa(int(v.ID)), url.Values{"role": {"coordinator"}}), http.StatusSeeOther)
	// The new role applies to the running session at once.
	wantStatus(t, e.as(vck, "GET", "/contacts", nil), http.StatusOK)
	wantStatus(t, e.form(ck, "/admin/users/"+itoa(int(v.ID)), url.Values{"role": {"boss"}}), http.StatusUnprocessableEntity)
}

func TestAPITokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ck := e.user("admin")
	e.user("coordinator")
	token := e.apiToken(ck, "coordinator@survey.test")
	status := "/api/v1/surveys/" + e.sv.Slug + "/status"
	wantStatus(t, e.do("GET", status, nil, "Authorization", "Bearer "+token), http.StatusOK)
	// Not for pages: a Bearer token does not sign anyone in there.
	wantStatus(t, e.do("GET", "/surveys/"+e.sv.Slug, nil, "Authorization", "Bearer "+token), http.StatusSeeOther)
	// Malformed and unknown tokens: 401 JSON.
	for _, h := range []string{"Bearer nope", "Basic abc", "Bearer AAAAAAAAAAAAAAAAAAAAAA"} {
		r := e.do("GET", status, nil, "Authorization", h)
		wantStatus(t, r, http.StatusUnauthorized)
		if r.json(t)["error"] != "unauthorized" {
			t.Fatal(r.body)
		}
	}
	// The token is stored hashed only.
	var n int
	if err := e.st.DB().GetContext(ctx, &n, `SELECT count(*) FROM api_tokens WHERE position($1::bytea in token_sha256) > 0`, []byte(token)); err != nil || n != 0 {
		t.Fatalf("token stored in clear? %d %v", n, err)
	}
	list, _ := e.st.APITokens(ctx)
	wantStatus(t, e.form(ck, "/admin/tokens/"+itoa(int(list[0].ID))+"/revoke", nil), http.StatusSeeOther)
	wantStatus(t, e.do("GET", status, nil, "Authorization", "Bearer "+token), http.StatusUnauthorized)
}

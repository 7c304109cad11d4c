package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/store/storetest"
	"github.com/civitas-lv/surveyd/internal/web"
)

// auditRows is every audit row, oldest first.
func auditRows(t *testing.T, e *env) []domain.AuditEntry {
	t.Helper()
	rows, err := e.st.AuditPage(ctx, domain.AuditFilter{}, 100000)
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
		rows[i], rows[j] = rows[j], rows[i]
	}
	return rows
}

// lastAudit is the newest row after n rows, checked to be the only new one.
func lastAudit(t *testing.T, e *env, n int, what string) domain.AuditEntry {
	t.Helper()
	rows := auditRows(t, e)
	if len(rows) != n+1 {
		t.Fatalf("%s: %d new audit rows, want 1: %+v", what, len(rows)-n, rows[n:])
	}
	return rows[n]
}

// Through HTTP the audit rows carry the client's address as Gin reads it:
// X-Forwarded-For from a trusted proxy, the peer's address otherwise.
func TestAuditAddressThroughHTTP(t *testing.T) {
	t.Parallel()
	const client = "198.51.100.77"
	xff := []string{"Content-Type", "application/x-www-form-urlencoded", "X-Forwarded-For", client}
	// httptest's requests come from 192.0.2.1: the proxy.
	e := newEnvWith(t, storetest.New(t), func(o *web.Options) { o.TrustedProxies = []string{"192.0.2.1"} })
	coord, ck := e.user(domain.RoleCoordinator)
	wantStatus(t, e.put("riga", 0, `{"resp_name":"Anna Ozola"}`), http.StatusOK)

	n := len(auditRows(t, e))
	r := e.do("POST", "/login", strings.NewReader(url.Values{"email": {coord.Email}, "password": {"nepareiza parole 1"}}.Encode()), xff...)
	wantStatus(t, r, http.StatusUnauthorized)
	row := lastAudit(t, e, n, "failed sign-in")
	if row.Action != domain.AuditSignInFailed || row.ClientAddr != client || row.UserID != nil ||
		!strings.Contains(string(row.Detail), coord.Email) || strings.Contains(string(row.Detail), "nepareiza") {
		t.Errorf("failed sign-in: %+v %s", row, row.Detail)
	}

	n++
	r = e.do("POST", "/login", strings.NewReader(url.Values{"email": {coord.Email}, "password": {password}}.Encode()), xff...)
	wantStatus(t, r, http.StatusSeeOther)
	row = lastAudit(t, e, n, "sign-in")
	if row.Action != domain.AuditSignIn || row.ClientAddr != client || row.UserID == nil || *row.UserID != coord.ID ||
		row.UserEmail != coord.Email {
		t.Errorf("sign-in: %+v", row)
	}

	n++
	wantStatus(t, e.as(ck, "GET", "/surveys/"+e.sv.Slug+"/responses/riga", nil, "X-Forwarded-For", client), http.StatusOK)
	row = lastAudit(t, e, n, "review")
	if row.Action != domain.AuditResponseView || row.ClientAddr != client || row.SurveySlug != e.sv.Slug ||
		row.Municipality != "riga" || row.UserEmail != coord.Email || row.ActorKind != domain.AuditActorUser {
		t.Errorf("review: %+v", row)
	}

	// A correction posted is one row (not a view besides).
	n++
	resp, _ := e.state("riga")
	r = e.as(ck, "POST", "/surveys/"+e.sv.Slug+"/responses/riga/correct", strings.NewReader(url.Values{
		"version": {itoa(resp.Version)}, "question": {"population"}, "population": {"24500"},
		"reason": {"Pa tālruni"}}.Encode()), xff...)
	wantStatus(t, r, http.StatusSeeOther)
	row = lastAudit(t, e, n, "correction")
	if row.Action != domain.AuditResponseCorrect || row.ClientAddr != client || row.Municipality != "riga" ||
		strings.Contains(string(row.Detail), "24500") || strings.Contains(string(row.Detail), "tālruni") {
		t.Errorf("correction: %+v %s", row, row.Detail)
	}

	n++
	wantStatus(t, e.as(ck, "POST", "/logout", nil, xff...), http.StatusSeeOther)
	row = lastAudit(t, e, n, "sign-out")
	if row.Action != domain.AuditSignOut || row.ClientAddr != client || row.UserEmail != coord.Email {
		t.Errorf("sign-out: %+v", row)
	}

	// Without a trusted proxy, X-Forwarded-For is not believed.
	e2 := newEnv(t)
	_, ck2 := e2.user(domain.RoleCoordinator)
	n = len(auditRows(t, e2))
	wantStatus(t, e2.as(ck2, "GET", "/surveys/"+e2.sv.Slug+"/responses/riga", nil, "X-Forwarded-For", client), http.StatusOK)
	if row := lastAudit(t, e2, n, "review, no proxy"); row.ClientAddr != "192.0.2.1" {
		t.Errorf("review without a trusted proxy: address %q", row.ClientAddr)
	}
}

// The audit page and its CSV are for admins only; an admin sees the rows,
// newest first, and the filters select.
func TestAuditPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, vk := e.user(domain.RoleViewer)
	coord, ck := e.user(domain.RoleCoordinator)
	_, ak := e.user(domain.RoleAdmin)
	n0 := len(auditRows(t, e)) // the links the set-up issued
	for _, k := range []*http.Cookie{vk, ck} {
		for _, path := range []string{"/admin/audit", "/admin/audit.csv", "/admin/audit?action=signin.ok"} {
			wantStatus(t, e.as(k, "GET", path, nil), http.StatusForbidden)
		}
	}
	wantStatus(t, e.as(nil, "GET", "/admin/audit", nil), http.StatusSeeOther) // to the sign-in page
	if rows := auditRows(t, e); len(rows) != n0 {
		t.Fatalf("refused reads were recorded: %+v", rows)
	}

	wantStatus(t, e.put("riga", 0, `{"resp_name":"Anna Ozola"}`), http.StatusOK)
	wantStatus(t, e.as(ck, "GET", "/surveys/"+e.sv.Slug+"/responses/riga", nil), http.StatusOK)
	wantStatus(t, e.as(ck, "GET", "/surveys/"+e.sv.Slug+"/links", nil), http.StatusOK)
	wantStatus(t, e.do("POST", "/login", strings.NewReader(url.Values{"email": {"kads@survey.test"}, "password": {"x"}}.Encode()),
		"Content-Type", "application/x-www-form-urlencoded"), http.StatusUnauthorized)

	count := func(body string) int { return strings.Count(body, "<tr data-id=") }
	r := e.as(ak, "GET", "/admin/audit", nil)
	wantStatus(t, r, http.StatusOK)
	if n := count(r.body); n != n0+3 || !strings.Contains(r.body, "Atbilžu skatīšana ar personas datiem") ||
		!strings.Contains(r.body, coord.Email) || strings.Index(r.body, `title="signin.failed"`) > strings.Index(r.body, `title="link.show"`) {
		t.Errorf("the page shows %d rows (want %d, newest first):\n%s", n, n0+3, r.body)
	}
	for _, c := range []struct {
		query string
		rows  int
	}{
		{"action=response.view", 1},
		{"action=signin.failed", 1},
		{"user=" + url.QueryEscape(coord.Email), 2},
		{"round=" + e.sv.Slug, n0 + 2},
		{"municipality=riga", 1},
		{"round=" + e.sv.Slug + "&action=link.show", 1},
		{"from=2000-01-01&to=2000-01-02", 0},
		{"from=2000-01-01&round=" + e.sv.Slug, n0 + 2},
		{"to=2099-12-31&round=" + e.sv.Slug, n0 + 2},
		{"action=user.create", 0},
	} {
		r := e.as(ak, "GET", "/admin/audit?"+c.query, nil)
		wantStatus(t, r, http.StatusOK)
		if n := count(r.body); n != c.rows {
			t.Errorf("%s: %d rows, want %d", c.query, n, c.rows)
		}
	}
	r = e.as(ak, "GET", "/admin/audit?from=vakar", nil)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body, "Datumu nevarēja nolasīt") {
		t.Error("a bad date is not reported")
	}

	r = e.as(ak, "GET", "/admin/audit.csv?action=response.view", nil)
	wantStatus(t, r, http.StatusOK)
	lines := strings.Split(strings.TrimSpace(r.body), "\n")
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") || len(lines) != 2 ||
		!strings.Contains(lines[1], "response.view") || !strings.Contains(lines[1], coord.Email) {
		t.Errorf("CSV (%s): %q", ct, r.body)
	}
	rows := auditRows(t, e)
	last := rows[len(rows)-1]
	if last.Action != domain.AuditLogExport || !strings.Contains(string(last.Detail), `"action": "response.view"`) {
		t.Errorf("the export is not recorded: %+v %s", last, last.Detail)
	}
	if r := e.as(ak, "GET", "/admin/audit.csv?to=31.12.2026", nil); r.status != http.StatusBadRequest {
		t.Errorf("CSV with a bad date: %d", r.status)
	}
}

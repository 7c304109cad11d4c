package web_test

import (
	"net/http"
	"testing"
	"time"
)

// TestReadyz: /readyz is 200 only while the database answers, its schema
// is this build's and the server is not shutting down; otherwise 503 with
// the reason. /healthz (liveness) is not affected by the schema or by
// draining.
func TestReadyz(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	want := func(what string, status int, reason string) {
		t.Helper()
		r := e.do("GET", "/readyz", nil)
		m := r.json(t)
		if r.status != status || (reason != "" && m["reason"] != reason) {
			t.Errorf("%s: %d %v, want %d reason %q", what, r.status, m, status, reason)
		}
		if r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: Cache-Control %q", what, r.header.Get("Cache-Control"))
		}
	}
	want("fresh", http.StatusOK, "")

	db := e.st.DB()
	for _, c := range []struct{ set, reason string }{
		{"UPDATE schema_migrations SET version = version - 1", "schema_behind"},
		{"UPDATE schema_migrations SET version = version + 2", "schema_ahead"},
		{"UPDATE schema_migrations SET version = version - 1, dirty = true", "schema_dirty"},
		{"DELETE FROM schema_migrations", "schema_missing"},
	} {
		var v int64
		var dirty bool
		must(t, db.QueryRow("SELECT version, dirty FROM schema_migrations").Scan(&v, &dirty))
		_, err := db.Exec(c.set)
		must(t, err)
		want(c.reason, http.StatusServiceUnavailable, c.reason)
		if r := e.do("GET", "/healthz", nil); r.status != http.StatusOK {
			t.Errorf("%s: healthz %d, want 200 (liveness ignores the schema)", c.reason, r.status)
		}
		_, err = db.Exec("DELETE FROM schema_migrations")
		must(t, err)
		_, err = db.Exec("INSERT INTO schema_migrations (version, dirty) VALUES ($1, $2)", v, dirty)
		must(t, err)
		want("restored after "+c.reason, http.StatusOK, "")
	}

	e.srv.Drain()
	want("draining", http.StatusServiceUnavailable, "shutting_down")
	if r := e.do("GET", "/healthz", nil); r.status != http.StatusOK {
		t.Errorf("draining: healthz %d, want 200", r.status)
	}
}

// TestReadyzDatabaseDown: with the database not answering, /readyz says
// 503 "database_unavailable" within its own 2-second limit.
func TestReadyzDatabaseDown(t *testing.T) {
	t.Parallel()
	e, p, _ := proxiedEnv(t)
	wantStatus(t, e.do("GET", "/readyz", nil), http.StatusOK)
	p.Freeze()
	r, took, ok := within(5*time.Second, func() result { return e.do("GET", "/readyz", nil) })
	if !ok || r.status != http.StatusServiceUnavailable || took > 3*time.Second {
		t.Fatalf("readyz while frozen: %d after %v (answered: %v)", r.status, took, ok)
	}
	if m := r.json(t); m["reason"] != "database_unavailable" {
		t.Errorf("readyz while frozen: %v", m)
	}
	p.Resume()
	eventually(t, "readyz answers 200 again", func() bool { return e.do("GET", "/readyz", nil).status == http.StatusOK })
}

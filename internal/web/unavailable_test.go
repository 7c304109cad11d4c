package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/internal/store/storetest"
	"github.com/civitas-lv/surveyd/internal/web"
)

// requestDeadline is the respondents' and staff's request deadline in
// these tests (RESPONDENT_TIMEOUT and STAFF_TIMEOUT, 10 s and 30 s by
// default).
const requestDeadline = time.Second

// proxiedEnv is newEnv on a database reached through a proxy the test can
// freeze, with requestDeadline for respondents and staff. direct reaches
// the same database without the proxy, to look at it while frozen.
func proxiedEnv(t *testing.T) (e *env, p *storetest.Proxy, direct *store.Store) {
	t.Helper()
	dsn := storetest.NewDatabase(t)
	p, viaProxy := storetest.NewProxy(t, dsn)
	st, err := store.Open(ctx, viaProxy)
	must(t, err)
	t.Cleanup(func() { p.Resume(); st.Close() })
	direct, err = store.Open(ctx, dsn)
	must(t, err)
	t.Cleanup(func() { direct.Close() })
	e = newEnvWith(t, st, func(o *web.Options) {
		o.RespondentTimeout, o.StaffTimeout = requestDeadline, requestDeadline
	})
	return e, p, direct
}

// wantUnavailable checks a 503 with Retry-After, answered in time.
func wantUnavailable(t *testing.T, what string, r result, took time.Duration, ok bool, limit time.Duration) {
	t.Helper()
	switch {
	case !ok:
		t.Errorf("%s: no answer %v after it started (the deadline is %v)", what, took, requestDeadline)
	case r.status != http.StatusServiceUnavailable:
		t.Errorf("%s: status %d, want 503; body %.300s", what, r.status, r.body)
	case took > limit:
		t.Errorf("%s: 503 after %v, want it within %v", what, took, limit)
	case r.header.Get("Retry-After") == "":
		t.Errorf("%s: 503 without Retry-After", what)
	}
	if n, err := strconv.Atoi(r.header.Get("Retry-After")); ok && r.status == 503 && (err != nil || n < 1) {
		t.Errorf("%s: Retry-After %q is not a number of seconds", what, r.header.Get("Retry-After"))
	}
}

// TestFrozenDatabase: while PostgreSQL stops answering, a save answers 503
// with Retry-After within the request's deadline (JSON on the API, a page
// in Latvian on the form), the health check says 503 at once, nothing is
// written half-way, and the same save succeeds once the database answers.
func TestFrozenDatabase(t *testing.T) {
	t.Parallel()
	e, p, direct := proxiedEnv(t)
	_, coord := e.user("coordinator")
	wantStatus(t, e.put("riga", 0, `{"population":1000}`), 200)

	p.Freeze()
	limit := requestDeadline + time.Second // the deadline and some slack for a busy machine

	r, took, ok := within(5*time.Second, func() result { return e.put("riga", 1, `{"population":2000}`) })
	wantUnavailable(t, "API save", r, took, ok, limit)
	if ok && r.status == 503 {
		if m := r.json(t); m["error"] != "unavailable" || !strings.Contains(fmt.Sprint(m["message"]), "Serveris īslaicīgi nepieejams") {
			t.Errorf("API save: body %v", m)
		}
	}

	r, took, ok = within(5*time.Second, func() result {
		return e.post("riga", url.Values{"version": {"1"}, "population": {"3000"}})
	})
	wantUnavailable(t, "form post", r, took, ok, limit)
	if ok && r.status == 503 && !strings.Contains(r.body, "Serveris īslaicīgi nepieejams") {
		t.Errorf("form post: the page does not say the server is unavailable: %.600s", r.body)
	}

	r, took, ok = within(5*time.Second, func() result { return e.as(coord, "GET", "/surveys/"+e.sv.Slug, nil) })
	wantUnavailable(t, "tracker page", r, took, ok, limit)

	r, took, ok = within(5*time.Second, func() result { return e.do("GET", "/healthz", nil) })
	if !ok || r.status != http.StatusServiceUnavailable || took > 3*time.Second {
		t.Errorf("healthz while frozen: %d after %v (answered: %v)", r.status, took, ok)
	}

	// Nothing of the refused saves is in the database, not even after the
	// held-back bytes reach it.
	p.Resume()
	eventually(t, "healthz answers 200 again", func() bool { return e.do("GET", "/healthz", nil).status == 200 })
	time.Sleep(200 * time.Millisecond)
	resp, err := direct.Response(ctx, e.sv.ID, "riga")
	must(t, err)
	revs, err := direct.Revisions(ctx, resp.ID)
	must(t, err)
	if a, _ := resp.Answers(); resp.Version != 1 || len(revs) != 1 || fmt.Sprint(a["population"]) != "1000" {
		t.Fatalf("after the freeze: version %d, %d revisions, answers %v; want version 1 as saved before", resp.Version, len(revs), a)
	}

	// The same save goes through now.
	r = e.put("riga", 1, `{"population":2000}`)
	wantStatus(t, r, 200)
	if v := r.json(t)["version"]; v != float64(2) {
		t.Errorf("version %v after the retried save, want 2", v)
	}
}

// TestBrowserFormFrozenDatabase: the form says in Latvian that the server
// is briefly unavailable, keeps what was typed, and saves it by itself once
// the database answers again.
func TestBrowserFormFrozenDatabase(t *testing.T) {
	t.Parallel()
	for _, size := range []struct{ w, h int }{{1366, 900}, {390, 844}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			t.Parallel()
			e, p, direct := proxiedEnv(t)
			e.realTime()
			ts := httptest.NewServer(e.srv)
			defer ts.Close()
			defer p.Resume() // before closing the server, which waits for its requests
			bctx := browserAt(t, size.w, size.h)
			must(t, chromedp.Do(bctx, chromedp.Navigate(ts.URL+"/r/"+e.tokens["riga"]), chromedp.WaitVisible(chromedp.CSS("#answers"))))

			p.Freeze()
			typeIn(t, bctx, "resp_name", "Ilze Kalniņa")
			leave(t, bctx)
			waitFor(t, 10*time.Second, "the save bar says the server is unavailable", func() bool {
				return strings.Contains(saveState(t, bctx), "Serveris īslaicīgi nepieejams")
			})
			want := "Serveris īslaicīgi nepieejams; ievadītais paliek šajā lapā, mēģinām vēlreiz"
			if s := saveState(t, bctx); !strings.Contains(s, want) {
				t.Errorf("save bar %q, want %q", s, want)
			}
			if !inView(t, bctx, "#save-state") {
				t.Error("the message is not in view")
			}
			if v := eval[bool](t, bctx, `document.documentElement.scrollWidth > window.innerWidth`); v {
				t.Error("the page scrolls sideways")
			}
			screenshot(t, bctx, fmt.Sprintf("form-unavailable-%d", size.w))
			if v := value(t, bctx, "#q-resp_name"); v != "Ilze Kalniņa" {
				t.Errorf("the field holds %q after the failed save", v)
			}

			p.Resume()
			waitFor(t, 40*time.Second, "the answer saved after the database came back", func() bool {
				r, err := direct.Response(ctx, e.sv.ID, "riga")
				if err != nil {
					return false
				}
				a, _ := r.Answers()
				return a["resp_name"] == "Ilze Kalniņa"
			})
			waitFor(t, 10*time.Second, "the save bar says saved", func() bool {
				return strings.HasPrefix(saveState(t, bctx), "Saglabāts")
			})
		})
	}
}

// waitFor polls cond every 100 ms until it holds or limit passes.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting: %s", limit, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

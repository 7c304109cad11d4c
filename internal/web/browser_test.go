package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/civitas-lv/surveyd/survey"
)

// chromePath finds Chromium: $CHROME_PATH, then PATH, then the repository's
// scripts/chromium-ensure (which installs Debian's package). Never skips.
func chromePath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROME_PATH"); p != "" {
		return p
	}
	// Chromium's headless shell, else whatever scripts/chromium-ensure
	// finds or installs (it says why).
	if p, err := exec.LookPath("chromium-headless-shell"); err == nil {
		return p
	}
	out, err := exec.Command(filepath.Join("..", "..", "scripts", "chromium-ensure")).Output()
	if err != nil {
		t.Fatalf("Chromium is needed for the browser tests and scripts/chromium-ensure failed: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// browser opens a page for the test in the shared headless Chromium.
func browser(t *testing.T) context.Context {
	t.Helper()
	return browserAt(t, 1200, 1000)
}

// browserAt opens a page of the given size (emulated: a headless window
// is never narrower than 500 px) for the test in the shared Chromium, in
// a browser context of its own (its own cookies and storage, as a
// separate browser would have), closed when the test ends. Its actions
// may take 3 minutes in all: the longest tests took 90 s on a machine
// loaded several times over.
func browserAt(t *testing.T, width, height int) context.Context {
	t.Helper()
	ctx, cancelCtx := chromedp.NewContext(sharedChromium.get(t), chromedp.WithNewBrowserContext())
	t.Cleanup(cancelCtx)
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(cancel)
	must(t, chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), int64(height))))
	return ctx
}

// sharedChromium is the one headless Chromium of the test binary, started
// by the first browser test: starting one per test cost more CPU than
// most of the tests themselves. Tests are kept apart by browser contexts.
var sharedChromium chromium

// chromium is a headless Chromium started once.
type chromium struct {
	once   sync.Once
	ctx    context.Context // the browser's first tab: new tabs open beside it
	cancel func()
	err    error
}

// get starts Chromium on its first call and returns the context new tabs
// are made from.
func (c *chromium) get(t *testing.T) context.Context {
	t.Helper()
	c.once.Do(func() {
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(chromePath(t)),
			chromedp.NoSandbox, // tests may run as root
			chromedp.Flag("disable-gpu", true),
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.WindowSize(1366, 1000),
		)
		actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		bctx, cancelBrowser := chromedp.NewContext(actx)
		c.ctx, c.cancel = bctx, func() { cancelBrowser(); cancelAlloc() }
		c.err = chromedp.Do(bctx) // starts the browser
	})
	if c.err != nil {
		t.Fatalf("starting Chromium: %v", c.err)
	}
	return c.ctx
}

// close ends Chromium, if it was started, and removes its profile.
func (c *chromium) close() {
	if c.cancel != nil {
		c.cancel()
	}
}

// realTime puts the server on the wall clock (the browser's) and opens the
// round around it, whatever today's date (newEnv's window is fixed).
func (e *env) realTime() {
	e.t.Helper()
	now := time.Now()
	e.setNow(now)
	sv, err := e.st.SetSurveyDates(ctx, e.sv.ID, now.Add(-time.Hour), now.Add(30*24*time.Hour))
	must(e.t, err)
	e.sv, e.opens, e.closes = sv, sv.OpensAt, sv.ClosesAt
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	must(t, err)
	return v
}

// eventually polls cond until it holds or 15 s pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (e *env) answers(muni string) survey.Answers {
	r, _ := e.st.Response(ctx, e.sv.ID, muni)
	a, _ := r.Answers()
	return a
}

// TestBrowserShowIfMatchesServer: for many answer sets the browser shows
// exactly the questions the server's definition says are visible — the
// JavaScript evaluator and survey's evaluator agree.
func TestBrowserShowIfMatchesServer(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.realTime()
	ts := httptest.NewServer(e.srv)
	defer ts.Close()
	ctx := browser(t)
	def, err := parseDef(e.sv)
	must(t, err)
	must(t, chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/r/"+e.tokens["cesis"]), chromedp.WaitVisible(chromedp.CSS("#answers"))))

	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 40 {
		a, err := def.Synthesize(rng, nil)
		must(t, err)
		for k := range a { // leave gaps: unanswered questions make conditions undecided
			if rng.Float64() < 0.25 {
				delete(a, k)
			}
		}
		js, _ := json.Marshal(a)
		got := eval[map[string]bool](t, ctx, fmt.Sprintf(fillScript, js))
		want := def.Visible(a)
		for code, shown := range want {
			if got[code] != shown {
				t.Errorf("set %d: %s shown in the browser = %v, by the server = %v (answers %s)", i, code, got[code], shown, js)
			}
		}
	}
}

// fillScript puts an answer set into the form, lets the page react, and
// returns which questions are shown.
const fillScript = `(function (a) {
  var form = document.getElementById('answers');
  form.querySelectorAll('input[type=radio], input[type=checkbox]').forEach(function (el) { el.checked = false; });
  form.querySelectorAll('input[type=text], input[type=email], input[type=tel], textarea').forEach(function (el) { el.value = ''; });
  Object.keys(a).forEach(function (k) {
    var v = a[k];
    form.querySelectorAll('[name="' + k + '"]').forEach(function (el) {
      if (el.type === 'radio' || el.type === 'checkbox') el.checked = Array.isArray(v) ? v.indexOf(el.value) >= 0 : String(v) === el.value;
      else el.value = String(v);
    });
  });
  form.dispatchEvent(new Event('change', { bubbles: true }));
  var out = {};
  form.querySelectorAll('.q[data-code]').forEach(function (w) { out[w.getAttribute('data-code')] = !w.hidden; });
  return out;
})(%s)`

package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"
)

// nextCases are values of the sign-in page's next parameter as they stand
// in a URL's query or a form body (percent-encoded), and where the browser
// must be sent: the place asked for when it is a path on this site (as
// the browser reads it: tabs and newlines dropped, \ read as /), else the
// workspace's home.
var nextCases = []struct{ raw, want string }{
	{"/%09/evil.example", "/surveys"},    // a tab: the browser drops it and reads //evil.example
	{"/%09/x", "/surveys"},               // the same, "/\t/x"
	{"%09//evil.example", "/surveys"},    // a leading tab
	{"/%0A/evil.example", "/surveys"},    // a newline
	{"/%0D%0A/evil.example", "/surveys"}, // CR LF
	{"%20//evil.example", "/surveys"},    // a leading space, which the browser trims
	{"//x", "/surveys"},                  // scheme-relative: another host
	{"//evil.example/surveys", "/surveys"},
	{`/\x`, "/surveys"},   // /\ is // to a browser
	{`\\x`, "/surveys"},   // so is \\
	{"/%5Cx", "/surveys"}, // the same backslash, encoded
	{"/%5C/evil.example", "/surveys"},
	{"https:x", "/surveys"}, // a scheme
	{"https://evil.example/", "/surveys"},
	{"javascript:alert(1)", "/surveys"},
	{"JaVaScRiPt%3Aalert(document.domain)", "/surveys"},
	{"data:text/html,hello", "/surveys"},
	{"surveys", "/surveys"},           // not a path from the root
	{"", "/surveys"},                  // nothing asked
	{"/%00/evil.example", "/surveys"}, // a NUL (refused before the handler: 400)
	{"/surveys", "/surveys"},          // on this site: as asked
	{"/surveys?x=1", "/surveys?x=1"},
	{"/surveys/regional-2025?status=submitted", "/surveys/regional-2025?status=submitted"},
	{"/sur%09veys", "/surveys"}, // a tab inside: where the browser would go anyway
}

// TestSignInNextStaysOnSite: after signing in, and at once for someone
// already signed in, the next parameter leads only to a path on this site.
func TestSignInNextStaysOnSite(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u, ck := e.user("coordinator")
	for _, c := range nextCases {
		form := "email=" + url.QueryEscape(u.Email) + "&password=" + url.QueryEscape(password) + "&next=" + c.raw
		r := e.do("POST", "/login", strings.NewReader(form), "Content-Type", "application/x-www-form-urlencoded")
		g := e.as(ck, "GET", "/login?next="+c.raw, nil)
		for _, x := range []struct {
			how string
			r   result
		}{{"sign-in", r}, {"signed in", g}} {
			if strings.Contains(c.raw, "%00") { // refused at the edge, before any redirect
				if x.r.status != http.StatusBadRequest {
					t.Errorf("%s, next=%s: status %d, want 400", x.how, c.raw, x.r.status)
				}
				continue
			}
			if x.r.status != http.StatusSeeOther || x.r.header.Get("Location") != c.want {
				t.Errorf("%s, next=%s: %d to %q, want 303 to %q", x.how, c.raw, x.r.status, x.r.header.Get("Location"), c.want)
			}
		}
	}
}

// TestBrowserSignInNextStaysOnSite: in Chromium, a signed-in coordinator
// opening a sign-in link whose next parameter hides another host behind a
// tab stays on this site (before the fix Chromium dropped the tab and went
// to the other host); signing in from that link ends on this site's
// workspace too (before, the page's CSP form-action stopped the redirect
// and sign-in seemed to do nothing).
func TestBrowserSignInNextStaysOnSite(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	coord, _ := e.user("coordinator")
	ts := httptest.NewServer(e.srv)
	defer ts.Close()
	var visits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		visits.Add(1)
		io.WriteString(w, "<!doctype html><title>elsewhere</title><p>another site</p>")
	}))
	defer other.Close()
	here := strings.TrimPrefix(ts.URL, "http://")
	link := ts.URL + "/login?next=/%09/" + strings.TrimPrefix(other.URL, "http://") + "/"
	c := browser(t)
	at := func() string {
		loc, err := chromedp.Run(c, chromedp.Location())
		must(t, err)
		return loc
	}
	ends := func(what string) {
		t.Helper()
		eventually(t, what+": the browser leaves the sign-in page", func() bool {
			u := at()
			return u != "about:blank" && !strings.Contains(u, "/login")
		})
		if u, _ := url.Parse(at()); u.Host != here || u.Path != "/surveys" || visits.Load() != 0 {
			t.Fatalf("%s: the browser is at %s (the other site had %d visits), want this site's %s/surveys", what, at(), visits.Load(), here)
		}
	}
	signIn(t, c, ts.URL, coord.Email)
	must(t, chromedp.Do(c, chromedp.Navigate("about:blank")))
	must(t, chromedp.Do(c, chromedp.Navigate(link)))
	ends("signed in, opening the link")

	follow(t, c, `form[action="/logout"] button[type=submit]`) // signed out
	must(t, chromedp.Do(c, chromedp.Navigate(link),
		chromedp.SendKeys(chromedp.CSS("#email"), coord.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), password)))
	must(t, chromedp.Do(c, chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`))))
	ends("signing in from the link")
}

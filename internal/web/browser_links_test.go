package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/civitas-lv/surveyd/internal/domain"
)

// signIn signs the browser in through the sign-in form.
func signIn(t *testing.T, c context.Context, base, email string) {
	t.Helper()
	must(t, chromedp.Do(c, chromedp.Navigate(base+"/login"),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), password)))
	follow(t, c, `form[action="/login"] button[type=submit]`)
	wantPath(t, c, "/surveys")
}

// TestBrowserRevokeNeedsConfirmation: in Chromium, one click on "Atsaukt"
// opens the confirmation page and revokes nothing; "Nē, atstāt kā ir"
// leaves the link alone; the confirmation button revokes it.
func TestBrowserRevokeNeedsConfirmation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.realTime()
	coord, _ := e.user("coordinator")
	ts := httptest.NewServer(e.srv)
	defer ts.Close()
	c := browser(t)
	signIn(t, c, ts.URL, coord.Email)
	links := "/surveys/" + e.sv.Slug + "/links"
	before := e.activeLink("riga")

	must(t, chromedp.Do(c, chromedp.Navigate(ts.URL+links)))
	wantText(t, c, `#l-riga a[href$="/riga/revoke"]`, "Atsaukt")
	follow(t, c, `#l-riga a[href$="/riga/revoke"]`)
	wantPath(t, c, links+"/riga/revoke")
	wantExact(t, c, "main h1", "Atsaukt saiti: Rīgas valstspilsēta")
	if l := e.activeLink("riga"); l == nil || l.ID != before.ID {
		t.Fatalf("one click on Atsaukt changed the link: %+v", l)
	}
	wantStatus(t, e.do("GET", "/r/"+e.tokens["riga"], nil), http.StatusOK)

	// "No": back to the links page, nothing changed.
	follow(t, c, `form.confirm-form a.button`)
	wantPath(t, c, links)
	if l := e.activeLink("riga"); l == nil || l.ID != before.ID {
		t.Fatalf("cancelling changed the link: %+v", l)
	}

	// Again, and confirm: the link stops working.
	follow(t, c, `#l-riga a[href$="/riga/revoke"]`)
	wantText(t, c, "main", "Pašvaldība saiti ir atvērusi")
	wantExact(t, c, `form.confirm-form button[type=submit]`, "Jā, atsaukt saiti")
	follow(t, c, `form.confirm-form button[type=submit]`)
	wantPath(t, c, links)
	wantText(t, c, ".flash", "Saite atsaukta; tā vairs nedarbojas.")
	wantText(t, c, "#l-riga", "Saite atsaukta")
	if l := e.activeLink("riga"); l != nil {
		t.Fatalf("confirming left a working link: %+v", l)
	}
	wantStatus(t, e.do("GET", "/r/"+e.tokens["riga"], nil), http.StatusNotFound)
	// Cēsis was never touched.
	wantStatus(t, e.do("GET", "/r/"+e.tokens["cesis"], nil), http.StatusOK)
}

// fitsWidth loads the page at the width and fails when the page scrolls
// sideways or an element of the main part reaches past the window. With
// $SCREENSHOT_DIR set, it also saves a full-page screenshot there.
func fitsWidth(t *testing.T, c context.Context, url, name string, width int64) {
	t.Helper()
	must(t, chromedp.Do(c, chromedp.EmulateViewport(width, 900), chromedp.Navigate(url)))
	fitsNow(t, c, name, width)
}

// fitsNow is fitsWidth for the page the browser shows.
func fitsNow(t *testing.T, c context.Context, name string, width int64) {
	t.Helper()
	fits(t, c, name, width, false)
}

// fitsScrolling is fitsNow for a page whose wide tables scroll sideways
// inside their own .table-wrap: such a table may be wider than the window
// as long as its wrapper fits.
func fitsScrolling(t *testing.T, c context.Context, name string, width int64) {
	t.Helper()
	fits(t, c, name, width, true)
}

func fits(t *testing.T, c context.Context, name string, width int64, tablesScroll bool) {
	t.Helper()
	type overflow struct {
		Scroll int      `json:"scroll"`
		Inner  int      `json:"inner"`
		Wide   []string `json:"wide"`
	}
	o := eval[overflow](t, c, fmt.Sprintf(`(function (tablesScroll) {
		var w = window.innerWidth, wide = [];
		document.querySelectorAll('main *').forEach(function (el) {
			var r = el.getBoundingClientRect(), wrap = el.closest('.table-wrap');
			if (tablesScroll && wrap && wrap !== el && getComputedStyle(wrap).overflowX === 'auto' && wrap.getBoundingClientRect().right <= w + 1) return;
			if (r.width > 0 && r.right > w + 1 && !el.closest('.sr-only')) {
				var cls = el.className.baseVal === undefined ? el.className : el.className.baseVal;
				wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (cls ? '.' + String(cls).replace(/ /g, '.') : '') + ' → ' + Math.round(r.right));
			}
		});
		return {scroll: document.documentElement.scrollWidth, inner: w, wide: wide.slice(0, 8)};
	})(%t)`, tablesScroll))
	if dir := os.Getenv("SCREENSHOT_DIR"); dir != "" {
		png, err := chromedp.Run(c, chromedp.FullScreenshot(100))
		must(t, err)
		must(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.png", name, width)), png, 0o644))
	}
	if o.Scroll > o.Inner || len(o.Wide) > 0 {
		t.Errorf("%s at %d px: the page is %d px wide in a %d px window; too wide: %s", name, width, o.Scroll, o.Inner,
			strings.Join(o.Wide, ", "))
	}
}

// TestBrowserWorkspacePagesFitPhone: the links page, the confirmation
// pages, the contacts page with its import and the import's preview, and
// the return form fit a 390 px phone and a 1366 px screen without
// scrolling sideways (set $SCREENSHOT_DIR to keep screenshots of them).
func TestBrowserWorkspacePagesFitPhone(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.realTime()
	coord, ck := e.user("coordinator")
	e.setContacts(ck, "cesis", "Ilze Kalniņa <ilze.kalnina@cesis.lv>\nJānis Bērziņš <janis.berzins@cesis.lv>")
	e.setContacts(ck, "riga", "Anna Ozola <anna.ozola@riga.lv>")
	if _, err := e.m.Invite(ctx, domain.OperatorPrincipal(), e.sv.Slug, []string{"ogre"}, false); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, e.confirmLink(ck, "ogre", "revoke"), http.StatusSeeOther)
	e.submitFull("riga")
	file := filepath.Join(t.TempDir(), "kontakti.csv")
	must(t, os.WriteFile(file, []byte("Pašvaldība;E-pasts;Vārds\nRīgas valstspilsēta;anna.ozola@riga.lv;Anna Ozola-Bērziņa\n"+
		"riga;sabiedribas.lidzdaliba.un.nvo.atbalsts@riga.lv;\nCēsu novads;nav-adrese;\nNekurienes novads;x@y.lv;\n"+
		"Valmieras novads;dace.liepa@valmiera.lv;Dace Liepa\n"), 0o600))
	ts := httptest.NewServer(e.srv)
	t.Cleanup(ts.Close)
	links := ts.URL + "/surveys/" + e.sv.Slug + "/links"
	for _, w := range []int64{1366, 390} { // each width in a browser context of its own, at once
		t.Run(fmt.Sprint(w), func(t *testing.T) {
			t.Parallel()
			c := browser(t)
			signIn(t, c, ts.URL, coord.Email)
			fitsWidth(t, c, links, "links", w)
			fitsWidth(t, c, links+"/cesis/rotate", "confirm-rotate", w)
			fitsWidth(t, c, links+"/riga/revoke?lang=en", "confirm-revoke-en", w)
			fitsWidth(t, c, ts.URL+"/contacts?lang=lv", "contacts", w)
			must(t, chromedp.Do(c, chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{file})))
			follow(t, c, `form[action="/contacts/import"] button[type=submit]`)
			wantText(t, c, "main h1", "Kontaktu imports: priekšskatījums")
			fitsNow(t, c, "import-preview", w)
			fitsWidth(t, c, ts.URL+"/surveys/"+e.sv.Slug+"/responses/riga/return", "return", w)
			must(t, chromedp.Do(c, chromedp.Click(chromedp.CSS("#rs-ngo > summary")),
				chromedp.Click(chromedp.CSS("#rq-ngo_support_eur .comment-toggle > summary")),
				chromedp.WaitVisible(chromedp.CSS("#c-ngo_support_eur"))))
			fitsNow(t, c, "return-open", w)
		})
	}
}

// TestBrowserAdminPagesFitPhone: the users and API-token pages (tables of
// forms, with labels only a screen reader reads), the account page, the
// new round's form and a round's settings fit a 390 px phone and a 1366 px
// screen without scrolling sideways.
func TestBrowserAdminPagesFitPhone(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.realTime()
	admin, ak := e.user("admin")
	e.user("coordinator")
	wantStatus(t, e.form(ak, "/admin/tokens", url.Values{"user": {itoa(int(admin.ID))},
		"name": {"Pārskata skripts ar garu nosaukumu"}}), http.StatusOK)
	ts := httptest.NewServer(e.srv)
	t.Cleanup(ts.Close)
	for _, w := range []int64{1366, 390} { // each width in a browser context of its own, at once
		t.Run(fmt.Sprint(w), func(t *testing.T) {
			t.Parallel()
			c := browser(t)
			signIn(t, c, ts.URL, admin.Email)
			fitsWidth(t, c, ts.URL+"/admin/users", "users", w)
			fitsWidth(t, c, ts.URL+"/admin/tokens?lang=en", "tokens-en", w)
			// The "acts as" choice holds long addresses: it stays inside its panel.
			if v := eval[[]float64](t, c, `[document.querySelector('#t-user').getBoundingClientRect().right,
			document.querySelector('#t-user').closest('.panel').getBoundingClientRect().right]`); v[0] > v[1] {
				t.Errorf("tokens at %d px: the user choice ends at %.0f px, past its panel's edge at %.0f px", w, v[0], v[1])
			}
			fitsWidth(t, c, ts.URL+"/account", "account", w)
			fitsWidth(t, c, ts.URL+"/surveys/new", "round-new", w)
			fitsWidth(t, c, ts.URL+"/surveys/"+e.sv.Slug+"/settings", "round-settings", w)
			fitsWidth(t, c, ts.URL+"/admin/audit?lang=lv", "audit", w) // rows: the sign-in, the token, the pages read
			// The action choice holds long names: it stays inside the filters.
			if v := eval[[]float64](t, c, `[document.querySelector('#a-action').getBoundingClientRect().right,
			document.querySelector('#a-action').closest('.filters').getBoundingClientRect().right]`); v[0] > v[1] {
				t.Errorf("audit at %d px: the action choice ends at %.0f px, past the filters' edge at %.0f px", w, v[0], v[1])
			}
			fitsWidth(t, c, ts.URL+"/admin/audit?lang=en&action=api_token.create", "audit-en", w)
		})
	}
}

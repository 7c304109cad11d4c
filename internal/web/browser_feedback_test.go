package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserFeedbackRelease walks the release in Chromium: a coordinator
// goes from the tracker to the feedback page, ticks Rīga and releases its
// feedback (and queues its e-mail with the form's second button); Rīga's
// official opens "Rezultāti" from the link on its own form and reads its
// report; Cēsis's link shows no results and no link to them.
// TestBrowserFeedbackPagesFit checks the pages' widths, at the same time.
func TestBrowserFeedbackRelease(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.realTime()
	coord, ck := e.user("coordinator")
	e.setContacts(ck, "riga", "Anna Ozola <anna.ozola@riga.lv>")
	e.setContacts(ck, "cesis", "Jānis Bērziņš <janis.berzins@cesis.lv>\nsabiedribas.lidzdaliba.un.nvo.atbalsts@cesis.lv")
	e.submitFull("riga")
	e.submitWith("cesis", cesisAnswers)
	ts := httptest.NewServer(e.srv)
	defer ts.Close()
	tracker := "/surveys/" + e.sv.Slug
	feedback := tracker + "/feedback"

	// The coordinator releases Rīga's feedback, from the tracker.
	c := browser(t)
	signIn(t, c, ts.URL, coord.Email)
	must(t, chromedp.Do(c, chromedp.Navigate(ts.URL+tracker)))
	wantExact(t, c, `main a.button[href="`+feedback+`"]`, "Atgriezeniskā saite")
	follow(t, c, `main a.button[href="`+feedback+`"]`)
	wantPath(t, c, feedback)
	wantExact(t, c, "main h1", "Atgriezeniskā saite pašvaldībām")
	wantText(t, c, "#release-counts", "Iesniegušas: 2 · publicēta: 0")
	wantText(t, c, "#f-riga", "Nav publicēta")
	must(t, chromedp.Do(c, chromedp.Click(chromedp.CSS(`label[for="fc-riga"]`))))
	if !eval[bool](t, c, `document.getElementById('fc-riga').checked`) || eval[bool](t, c, `document.getElementById('fc-cesis').checked`) {
		t.Fatal("clicking Rīga's name did not tick Rīga alone")
	}
	wantExact(t, c, "#release-chosen", "Publicēt atgriezenisko saiti atzīmētajām")
	follow(t, c, "#release-chosen")
	wantPath(t, c, feedback)
	wantText(t, c, "#release-flash", "Atgriezeniskā saite publicēta. Pašvaldību skaits: 1.")
	wantText(t, c, "#release-counts", "Iesniegušas: 2 · publicēta: 1")
	wantText(t, c, "#f-riga", "Publicēta")
	wantText(t, c, "#f-cesis", "Nav publicēta")
	// The e-mail for the ticked ones goes from the same form (its second
	// button posts elsewhere), without JavaScript's help.
	must(t, chromedp.Do(c, chromedp.Click(chromedp.CSS(`label[for="fc-riga"]`))))
	wantExact(t, c, "#send-chosen", "Nosūtīt e-pastu atzīmētajām")
	follow(t, c, "#send-chosen")
	wantPath(t, c, feedback)
	wantText(t, c, "#release-flash", "Vēstules ierindotas sūtīšanai: 1.")
	wantText(t, c, "#f-riga", "Gaida nosūtīšanu")

	// Rīga, in a window of its own, opens its results from its form.
	m, cancelM := chromedp.NewContext(c, chromedp.WithNewBrowserContext())
	defer cancelM()
	riga := "/r/" + e.tokens["riga"]
	must(t, chromedp.Do(m, chromedp.Navigate(ts.URL+riga), chromedp.WaitVisible(chromedp.CSS("#answers"))))
	wantExact(t, m, "#results-link", "Rezultāti")
	follow(t, m, "#results-link")
	wantPath(t, m, riga+"/results")
	wantExact(t, m, "main h1", "Rezultāti")
	wantText(t, m, ".intro .muni", "Rīgas valstspilsēta")
	wantText(t, m, "#results-released", "Publicēti")
	if n := eval[int](t, m, `document.querySelectorAll('#results-report *').length`); n == 0 {
		t.Fatal("the results page shows no report")
	}
	page := textOf(t, m, "main")
	for _, v := range cesisPersonal {
		if strings.Contains(page, v) {
			t.Errorf("Rīga's results show Cēsis's %q", v)
		}
	}
	wantExact(t, m, "#results-xlsx", "Lejupielādēt Excel failā (.xlsx)")
	follow(t, m, "#results-form")
	wantPath(t, m, riga)

	// Cēsis's link shows neither results nor a link to them.
	z, cancelZ := chromedp.NewContext(c, chromedp.WithNewBrowserContext())
	defer cancelZ()
	cesis := "/r/" + e.tokens["cesis"]
	must(t, chromedp.Do(z, chromedp.Navigate(ts.URL+cesis), chromedp.WaitVisible(chromedp.CSS("#answers"))))
	if n := eval[int](t, z, `document.querySelectorAll('#results-link').length`); n != 0 {
		t.Fatal("Cēsis's form links to results")
	}
	must(t, chromedp.Do(z, chromedp.Navigate(ts.URL+cesis+"/results")))
	wantExact(t, z, "main h1", "Rezultāti")
	wantText(t, z, "#results-none", "Jūsu pašvaldības rezultāti vēl nav publicēti.")
	if n := eval[int](t, z, `document.querySelectorAll('#results-report, #results-xlsx').length`); n != 0 {
		t.Fatal("Cēsis's link shows a report")
	}
	if strings.Contains(textOf(t, z, "main"), "Rīgas valstspilsēta") {
		t.Fatal("Cēsis's results page names Rīga")
	}

	// The tracker says it was released and opened.
	must(t, chromedp.Do(c, chromedp.Navigate(ts.URL+tracker)))
	wantText(t, c, "#m-riga .feedback-state", "publicēta")
	wantText(t, c, "#m-riga .feedback-state", "atvērusi")
	wantExact(t, c, "#m-cesis .feedback-state", "—")
}

// TestBrowserFeedbackPagesFit: with Rīga's feedback released (through the
// server, as TestBrowserFeedbackRelease does in the browser), the feedback
// pages, Rīga's results and form and Cēsis's empty results fit a 1366 px
// screen and a 390 px phone without scrolling sideways (set
// $SCREENSHOT_DIR to keep screenshots); each width a parallel subtest in
// browser contexts of its own.
func TestBrowserFeedbackPagesFit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.realTime()
	coord, ck := e.user("coordinator")
	e.setContacts(ck, "riga", "Anna Ozola <anna.ozola@riga.lv>")
	e.setContacts(ck, "cesis", "Jānis Bērziņš <janis.berzins@cesis.lv>\nsabiedribas.lidzdaliba.un.nvo.atbalsts@cesis.lv")
	e.submitFull("riga")
	e.submitWith("cesis", cesisAnswers)
	wantStatus(t, e.release(ck, url.Values{"scope": {"chosen"}, "municipality": {"riga"}}), http.StatusOK)
	if e.feedbackOf("riga") == nil || e.feedbackOf("cesis") != nil {
		t.Fatal("Rīga's feedback alone is not released")
	}
	ts := httptest.NewServer(e.srv)
	t.Cleanup(ts.Close)
	feedback := "/surveys/" + e.sv.Slug + "/feedback"
	riga, cesis := "/r/"+e.tokens["riga"], "/r/"+e.tokens["cesis"]
	for _, w := range []int64{1366, 390} {
		t.Run(fmt.Sprint(w), func(t *testing.T) {
			t.Parallel()
			c := browser(t)
			signIn(t, c, ts.URL, coord.Email)
			m, cancelM := chromedp.NewContext(c, chromedp.WithNewBrowserContext())
			defer cancelM()
			z, cancelZ := chromedp.NewContext(c, chromedp.WithNewBrowserContext())
			defer cancelZ()
			fitsWidth(t, c, ts.URL+feedback+"?lang=lv", "feedback", w)
			fitsWidth(t, c, ts.URL+feedback+"?lang=en", "feedback-en", w)
			fitsWidth(t, c, ts.URL+feedback+"/riga/withdraw?lang=lv", "feedback-withdraw", w)
			fitsWidth(t, m, ts.URL+riga+"/results", "results", w)
			fitsWidth(t, m, ts.URL+riga+"/results?lang=en", "results-en", w)
			fitsWidth(t, m, ts.URL+riga+"?lang=lv", "form-with-results-link", w)
			fitsWidth(t, z, ts.URL+cesis+"/results", "results-none", w)
		})
	}
}

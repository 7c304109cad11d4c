package web_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestBrowserPrintView opens the form at 1366 px, follows its "Drukāt /
// saglabāt PDF" link, finds every question shown for the submitted answers
// listed with its answer, and, with print media emulated, the print button,
// the top bar and the way back hidden while the answers stay.
func TestBrowserPrintView(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.realTime()
	resp := e.submitAnswers("riga", printAnswers)
	def, err := parseDef(e.sv)
	must(t, err)
	answers, _ := resp.Answers()
	ts := httptest.NewServer(e.srv)
	defer ts.Close()
	ctx := browser(t)

	must(t, chromedp.Do(ctx, chromedp.EmulateViewport(1366, 900),
		chromedp.Navigate(ts.URL+"/r/"+e.tokens["riga"]), chromedp.WaitVisible(chromedp.CSS("#answers"))))
	wantExact(t, ctx, "#round-status #print-link", "Drukāt / saglabāt PDF")
	follow(t, ctx, "#print-link")
	wantPath(t, ctx, "/r/"+e.tokens["riga"]+"/print")

	// Every visible question with its answer, no hidden one, no control.
	rows := eval[map[string][]string](t, ctx, `(function () {
	  var out = {};
	  document.querySelectorAll('.print-row').forEach(function (r) {
	    out[r.id.slice(3)] = [r.querySelector('dt').innerText, r.querySelector('dd').innerText];
	  });
	  return out;
	})()`)
	visible := def.Visible(answers)
	shown := 0
	for _, q := range def.Questions() {
		row, listed := rows[q.Code]
		if listed != visible[q.Code] {
			t.Errorf("%s: listed %v, visible %v", q.Code, listed, visible[q.Code])
			continue
		}
		if !listed {
			continue
		}
		shown++
		if row[0] != q.Text.LV {
			t.Errorf("%s: label %q", q.Code, row[0])
		}
		if _, answered := answers[q.Code]; answered == (row[1] == "Nav atbildes") || row[1] == "" {
			t.Errorf("%s: answer %q (answered: %v)", q.Code, row[1], answered)
		}
	}
	if len(rows) != shown || shown < 15 {
		t.Errorf("%d rows, %d visible questions", len(rows), shown)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('input, textarea, select').length`); n != 0 {
		t.Errorf("%d form controls on the copy", n)
	}
	if got := eval[string](t, ctx, `document.querySelector('#pa-consent_contact dd').innerText`); got != "Jā" {
		t.Errorf("consent reads %q", got)
	}

	// On screen: the button works with the script; in print: only the copy.
	displayed := `(function (sel) { var el = document.querySelector(sel); return !!el && getComputedStyle(el).display !== 'none' && el.getClientRects().length > 0; })`
	for _, sel := range []string{"#print-button", ".topbar", ".lang-switch", `a[href="/r/` + e.tokens["riga"] + `"]`} {
		if !eval[bool](t, ctx, displayed+`('`+sel+`')`) {
			t.Errorf("on screen %s is not shown", sel)
		}
	}
	// The button opens the print dialog (stubbed: headless has none).
	eval[bool](t, ctx, `window.print = function () { window.printed = true; }, true`)
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#print-button"))))
	if !eval[bool](t, ctx, `window.printed === true`) {
		t.Error("the button does not print")
	}
	must(t, chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return err
	})))
	if !eval[bool](t, ctx, `matchMedia('print').matches`) {
		t.Fatal("print media is not emulated")
	}
	for _, sel := range []string{"#print-button", ".print-tools", ".topbar", ".skip", ".footer", `a[href="/r/` + e.tokens["riga"] + `"]`} {
		if eval[bool](t, ctx, displayed+`('`+sel+`')`) {
			t.Errorf("in print %s is shown", sel)
		}
	}
	for _, sel := range []string{".print-facts", "#pa-resp_name", "#pa-pb_status", "h1"} {
		if !eval[bool](t, ctx, displayed+`('`+sel+`')`) {
			t.Errorf("in print %s is hidden", sel)
		}
	}
	if text := eval[string](t, ctx, `document.body.innerText`); strings.Contains(text, e.tokens["riga"]) {
		t.Error("the token is in the page's text")
	}
}

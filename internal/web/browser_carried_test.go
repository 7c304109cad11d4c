package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowserCarried: at desktop and phone widths the carried-over
// answers' markers and "confirm" buttons are shown and fit; a question's
// button works from the keyboard and the section's button confirms the
// rest of its section, each leaving the page at that section.
func TestBrowserCarried(t *testing.T) {
	t.Parallel()
	for _, size := range []struct{ w, h int }{{1366, 900}, {390, 844}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.realTime()
			sv, token := e.nextRound()
			ts := httptest.NewServer(e.srv)
			defer ts.Close()
			ctx := browserAt(t, size.w, size.h)
			page := ts.URL + "/r/" + token + "#s-ngo"
			must(t, chromedp.Do(ctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("#carried-ngo_rules"))))
			fitsNow(t, ctx, "carried", int64(size.w))
			wantText(t, ctx, "#carried-ngo_rules", "2025. gada atbilde — apstipriniet vai labojiet")
			wantText(t, ctx, "#carried-s-ngo", "Apstiprināt visas šīs sadaļas atbildes")
			if !eval[bool](t, ctx, `document.getElementById('q-ngo_rules').getAttribute('aria-describedby').indexOf('carried-ngo_rules') === 0`) {
				t.Error("the marker is not tied to its question")
			}
			// Progress: the carried answers count as unanswered.
			if got := textOf(t, ctx, "#prog-sr-ngo"); !strings.Contains(got, "0") {
				t.Errorf("the NGO section's progress reads %q with nothing confirmed", got)
			}

			// One question's button, from the keyboard.
			tctx, cancel := context.WithTimeout(ctx, 15*time.Second)
			defer cancel()
			must(t, chromedp.Do(tctx, chromedp.Focus(chromedp.CSS(`#carried-ngo_rules button`)), chromedp.KeyEvent(kb.Enter),
				chromedp.WaitVisible(chromedp.CSS(".flash")), chromedp.WaitNotPresent(chromedp.CSS("#carried-ngo_rules"))))
			wantText(t, ctx, ".flash", "Iepriekšējā gada atbildes apstiprinātas.")
			if !eval[bool](t, ctx, `!document.querySelector('section[data-section="ngo"]').hidden`) {
				t.Error("after confirming, the page is not at the NGO section")
			}
			if c := carriedOf(t, e, sv.ID); c["ngo_rules"] != "" || c["ngo_forms"] == "" {
				t.Fatalf("carried after confirming ngo_rules: %v", c)
			}
			// The section's button: the rest of the NGO section.
			must(t, chromedp.Do(tctx, chromedp.Click(chromedp.CSS(`#carried-s-ngo button`)),
				chromedp.WaitNotPresent(chromedp.CSS("#carried-s-ngo")), chromedp.WaitVisible(chromedp.CSS(".flash"))))
			fitsNow(t, ctx, "carried-confirmed", int64(size.w))
			if n := eval[int](t, ctx, `document.querySelectorAll('section[data-section="ngo"] .carried').length`); n != 0 {
				t.Errorf("%d markers left in the NGO section", n)
			}
			c := carriedOf(t, e, sv.ID)
			if len(c) != 3 || c["ngo_forms"] != "" || c["del_status"] == "" {
				t.Fatalf("carried after confirming the NGO section: %v", c)
			}

			// Changing a carried answer confirms it: the marker goes at
			// once, and the save that follows confirms it on the server.
			must(t, chromedp.Do(tctx, chromedp.Navigate(ts.URL+"/r/"+token+"#s-del"), chromedp.WaitVisible(chromedp.CSS("#carried-del_status")),
				chromedp.Click(chromedp.CSS(`label[for="q-del_status-planned"]`)), chromedp.WaitNotPresent(chromedp.CSS("#carried-del_status"))))
			// The list of sections no longer counts it: the delegation
			// section had one carried answer, the NGO section none left.
			if eval[bool](t, ctx, `!!document.getElementById('cc-del') || !!document.getElementById('cc-ngo')`) {
				t.Error("the list of sections still counts answers to confirm in sections that have none")
			}
			wantText(t, ctx, "#cc-pb", "jāapstiprina: 1")
			deadline := time.Now().Add(10 * time.Second)
			for carriedOf(t, e, sv.ID)["del_status"] != "" {
				if time.Now().After(deadline) {
					t.Fatal("the changed answer was not confirmed by its save")
				}
				time.Sleep(100 * time.Millisecond)
			}
		})
	}
}

func carriedOf(t *testing.T, e *env, surveyID int64) map[string]string {
	t.Helper()
	r, err := e.st.Response(ctx, surveyID, "riga")
	must(t, err)
	c, err := r.Carried()
	must(t, err)
	return c
}

package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/civitas-lv/surveyd/internal/domain"
)

// inView reports whether the element is on screen whole (and shown), and
// not covered (by the sticky save bar, say) at its top, middle and bottom.
func inView(t *testing.T, ctx context.Context, sel string) bool {
	t.Helper()
	return eval[bool](t, ctx, `(function(){var el=document.querySelector(`+jsString(sel)+`);
		if(!el)return false;var r=el.getBoundingClientRect();
		if(!(r.height>0&&r.top>=0&&r.bottom<=window.innerHeight+1))return false;
		var x=r.left+Math.min(r.width/2,20);
		return [r.top+2,(r.top+r.bottom)/2,r.bottom-2].every(function(y){var h=document.elementFromPoint(x,y);return h&&(el===h||el.contains(h));});})()`)
}

func jsString(s string) string { b, _ := json.Marshal(s); return string(b) }

// screenshot keeps a picture of the page when $SCREENSHOT_DIR is set (for
// looking at the pages by eye; the assertions do not depend on it).
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("SCREENSHOT_DIR")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	must(t, err)
	must(t, os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644))
}

// leave moves the focus out of a field, which saves it.
func leave(t *testing.T, ctx context.Context) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.activeElement && document.activeElement.blur(), true)`))
	must(t, err)
}

func saveState(t *testing.T, ctx context.Context) string {
	return eval[string](t, ctx, `document.getElementById('save-state').textContent`)
}

// TestBrowserFormOpensAtTopAndMessagesInView: at desktop and phone widths
// the form opens at its top with the municipality's name in view; after
// submitting, the thank-you message is in view; a returned form's note is
// in view when the municipality opens it.
func TestBrowserFormOpensAtTopAndMessagesInView(t *testing.T) {
	t.Parallel()
	for _, size := range []struct{ w, h int }{{1366, 900}, {390, 844}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.realTime()
			ts := httptest.NewServer(e.srv)
			defer ts.Close()
			ctx := browserAt(t, size.w, size.h)
			page := ts.URL + "/r/" + e.tokens["riga"]

			must(t, chromedp.Do(ctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("#answers"))))
			screenshot(t, ctx, fmt.Sprintf("form-open-%d", size.w))
			if y := eval[float64](t, ctx, `window.scrollY`); y != 0 {
				t.Errorf("the form opens scrolled to %v", y)
			}
			if !inView(t, ctx, ".intro .muni") || !strings.Contains(textOf(t, ctx, ".intro .muni"), "Rīgas valstspilsēta") {
				t.Error("the municipality's name is not in view on opening")
			}
			if w := eval[int](t, ctx, `window.innerWidth`); w != size.w {
				t.Fatalf("the page is %d px wide, want %d", w, size.w)
			}
			if v := eval[bool](t, ctx, `document.documentElement.scrollWidth > window.innerWidth`); v {
				t.Error("the form scrolls sideways")
			}
			must(t, chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab)))
			if cls := eval[string](t, ctx, `document.activeElement.className`); cls != "skip" {
				t.Errorf("the first Tab reaches %q, not the skip link", cls)
			}

			// Submitting a complete response: the confirmation is in view.
			wantStatus(t, e.put("riga", 0, full), 200)
			must(t, chromedp.Do(ctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("#answers"))))
			submitForm(t, ctx)
			screenshot(t, ctx, fmt.Sprintf("form-submitted-%d", size.w))
			if !inView(t, ctx, ".flash") {
				t.Error("the submit confirmation is not in view")
			}
			if !inView(t, ctx, ".intro .muni") && size.w > 1000 {
				t.Error("the page scrolled past its header after submitting")
			}
			// The tracker and the form agree that it is complete.
			wantText(t, ctx, "#overall", "Visi obligātie jautājumi aizpildīti")

			// A returned form shows the coordinator's note in view.
			r, _ := e.state("riga")
			coord, _ := e.user("coordinator")
			_, err := e.st.ReturnResponse(ctx, e.sv.ID, "riga", r.Version, coord.ID, "Lūdzu, precizējiet iedzīvotāju skaitu.",
				map[string]string{"population": "Skaitlis šķiet par mazu."})
			must(t, err)
			must(t, chromedp.Do(ctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("#answers"))))
			screenshot(t, ctx, fmt.Sprintf("form-returned-%d", size.w))
			if !inView(t, ctx, "#returned") {
				t.Error("the returned form's note is not in view")
			}
			wantText(t, ctx, `.sections a[data-section="resp"] .comment-mark`, "komentāri: 1")
		})
	}
}

// TestBrowserSaveStatusAndWarnings: a value the server refuses, typed back
// to the saved one, clears the "unsaved" status; a cross-field rule warns
// beside its field as soon as both are answered, and the draft still saves;
// submitting an incomplete form shows the problems in view. At desktop and
// phone widths.
func TestBrowserSaveStatusAndWarnings(t *testing.T) {
	t.Parallel()
	for _, size := range []struct{ w, h int }{{1366, 900}, {390, 844}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			t.Parallel()
			saveStatusAndWarnings(t, size.w, size.h)
		})
	}
}

func saveStatusAndWarnings(t *testing.T, width, height int) {
	e := newEnv(t)
	e.realTime()
	ts := httptest.NewServer(e.srv)
	defer ts.Close()
	ctx := browserAt(t, width, height)
	must(t, chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/r/"+e.tokens["riga"]), chromedp.WaitVisible(chromedp.CSS("#answers"))))

	typeIn(t, ctx, "population", "1500")
	leave(t, ctx)
	eventually(t, "1500 saved", func() bool { return fmt.Sprint(e.answers("riga")["population"]) == "1500" })
	eventually(t, "saved shown", func() bool { return strings.HasPrefix(saveState(t, ctx), "Saglabāts ") })
	retype(t, ctx, "population", "-5")
	leave(t, ctx)
	eventually(t, "-5 refused at its question", func() bool {
		return eval[string](t, ctx, `document.getElementById('err-population').textContent`) != ""
	})
	retype(t, ctx, "population", "1500")
	leave(t, ctx)
	eventually(t, "the status clears when the saved value is back", func() bool {
		return strings.HasPrefix(saveState(t, ctx), "Saglabāts ") &&
			eval[string](t, ctx, `document.getElementById('err-population').textContent`) == ""
	})
	if fmt.Sprint(e.answers("riga")["population"]) != "1500" {
		t.Fatal("a refused value reached the database")
	}
	// A number too long to be an answer is marked, not cleared.
	retype(t, ctx, "population", strings.Repeat("9", 400))
	leave(t, ctx)
	eventually(t, "the long number marked at its question", func() bool {
		return eval[string](t, ctx, `document.getElementById('err-population').textContent`) != ""
	})
	time.Sleep(300 * time.Millisecond)
	if fmt.Sprint(e.answers("riga")["population"]) != "1500" {
		t.Fatalf("a 400-digit number changed the saved answer to %v", e.answers("riga")["population"])
	}
	retype(t, ctx, "population", "1500")
	leave(t, ctx)

	// Winners 20 of 12 admitted: a warning beside winners; the draft saves.
	section(t, ctx, "pb")
	choose(t, ctx, "pb_status-voted")
	typeIn(t, ctx, "pb_ideas_submitted", "40")
	typeIn(t, ctx, "pb_ideas_admitted", "12")
	typeIn(t, ctx, "pb_winners", "20")
	leave(t, ctx)
	eventually(t, "the warning beside winners", func() bool {
		return strings.Contains(eval[string](t, ctx, `document.getElementById('warn-pb_winners').textContent`), "nevar")
	})
	screenshot(t, ctx, fmt.Sprintf("form-warning-%d", width))
	eventually(t, "the draft with the warning saved", func() bool { return fmt.Sprint(e.answers("riga")["pb_winners"]) == "20" })
	if !inView(t, ctx, "#warn-pb_winners") {
		t.Error("the warning is not in view beside its field")
	}
	retype(t, ctx, "pb_winners", "8")
	leave(t, ctx)
	eventually(t, "the warning goes once the rule holds", func() bool {
		return eval[string](t, ctx, `document.getElementById('warn-pb_winners').textContent`) == ""
	})

	// Submitting an incomplete form lists the problems, in view.
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#submit-button")),
		chromedp.WaitVisible(chromedp.CSS("#error-summary li"))))
	if n := eval[int](t, ctx, `document.querySelectorAll('#error-summary li').length`); n < 3 {
		t.Errorf("error summary has %d items", n)
	}
	if !inView(t, ctx, "#error-summary h2") {
		t.Error("the error summary is not in view")
	}
	if r, _ := e.st.Response(ctx, e.sv.ID, "riga"); r.Status != domain.StatusDraft {
		t.Fatal("an incomplete form was submitted")
	}
}

// TestBrowserCoEditing: two colleagues on the same link in two browser
// windows. Changes to different questions both save with no conflict and
// each page shows the other's answer; a change to the same question asks,
// for that question only, which answer to keep, with the form keeping its
// full width; nothing either typed is lost.
func TestBrowserCoEditing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.realTime()
	ts := httptest.NewServer(e.srv)
	defer ts.Close()
	a := browserAt(t, 1366, 900)
	page := ts.URL + "/r/" + e.tokens["riga"]
	wantStatus(t, e.put("riga", 0, `{"resp_name":"Anna Ozola"}`), 200)
	must(t, chromedp.Do(a, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("#answers"))))
	b, cancelB := chromedp.NewContext(a, chromedp.WithNewBrowserContext())
	defer cancelB()
	must(t, chromedp.Do(b, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("#answers"))))
	formWidth := eval[float64](t, b, `document.getElementById('answers').getBoundingClientRect().width`)

	// Different questions: both kept, no conflict.
	typeIn(t, a, "resp_position", "Vadītāja")
	leave(t, a)
	eventually(t, "A's position saved", func() bool { return e.answers("riga")["resp_position"] == "Vadītāja" })
	typeIn(t, b, "population", "24000")
	leave(t, b)
	eventually(t, "B's population merged", func() bool {
		got := e.answers("riga")
		return fmt.Sprint(got["population"]) == "24000" && got["resp_position"] == "Vadītāja"
	})
	eventually(t, "B shows what A filled in", func() bool {
		return value(t, b, "#q-resp_position") == "Vadītāja" &&
			strings.Contains(eval[string](t, b, `document.getElementById('merged-note').textContent`), "Amats")
	})
	if eval[bool](t, b, `!!document.getElementById('conflict-live')`) {
		t.Fatal("changes to different questions led to a conflict")
	}
	screenshot(t, b, "coedit-merged")

	// The same question: B is asked about that question only.
	retype(t, a, "resp_email", "anna@riga.lv")
	leave(t, a)
	eventually(t, "A's e-mail saved", func() bool { return e.answers("riga")["resp_email"] == "anna@riga.lv" })
	typeIn(t, b, "resp_email", "janis@riga.lv")
	typeIn(t, b, "resp_phone", "+371 67012345")
	leave(t, b)
	must(t, chromedp.Do(b, chromedp.WaitVisible(chromedp.CSS("#choose-resp_email"))))
	screenshot(t, b, "coedit-conflict")
	if n := eval[int](t, b, `document.querySelectorAll('.choose').length`); n != 1 {
		t.Errorf("%d questions ask for a choice, want 1", n)
	}
	if eval[string](t, b, `document.getElementById('conflict-live').parentNode.id`) != "messages" {
		t.Error("the conflict box is not above the form")
	}
	if w := eval[float64](t, b, `document.getElementById('answers').getBoundingClientRect().width`); w < formWidth-1 {
		t.Errorf("the form narrowed from %v to %v px with the conflict box", formWidth, w)
	}
	if !inView(t, b, "#conflict-live h2") {
		t.Error("the conflict message is not in view")
	}
	if got := e.answers("riga"); got["resp_email"] != "anna@riga.lv" || got["resp_phone"] != nil {
		t.Fatalf("the colliding save was stored: %v", got)
	}
	txt := textOf(t, b, "#choose-resp_email")
	if !strings.Contains(txt, "anna@riga.lv") || !strings.Contains(txt, "janis@riga.lv") {
		t.Errorf("the choice does not show both answers: %q", txt)
	}
	must(t, chromedp.Do(b, chromedp.Click(chromedp.CSS(`#choose-resp_email [data-choice="mine"]`))))
	eventually(t, "B's choice saved with everything else", func() bool {
		got := e.answers("riga")
		return got["resp_email"] == "janis@riga.lv" && got["resp_phone"] == "+371 67012345" &&
			got["resp_position"] == "Vadītāja" && fmt.Sprint(got["population"]) == "24000" && got["resp_name"] == "Anna Ozola"
	})
	if w := eval[float64](t, b, `document.getElementById('answers').getBoundingClientRect().width`); w < formWidth-1 {
		t.Errorf("the form narrowed to %v px after the choice", w)
	}

	// Taking the colleague's answer.
	must(t, chromedp.Do(a, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("#answers"))))
	// A saves first, then B changes the same question on its older page
	// (typed after A's save: typing saves by itself after 2.5 s, which a
	// busy machine can take between B's typing and A's).
	retype(t, a, "population", "25000")
	leave(t, a)
	eventually(t, "A's population saved", func() bool { return fmt.Sprint(e.answers("riga")["population"]) == "25000" })
	retype(t, b, "population", "26000")
	leave(t, b)
	must(t, chromedp.Do(b, chromedp.WaitVisible(chromedp.CSS("#choose-population"))))
	must(t, chromedp.Do(b, chromedp.Click(chromedp.CSS(`#choose-population [data-choice="theirs"]`))))
	eventually(t, "B took A's answer", func() bool {
		return value(t, b, "#q-population") == "25000" && strings.HasPrefix(saveState(t, b), "Saglabāts ")
	})
	time.Sleep(300 * time.Millisecond)
	if got := e.answers("riga"); fmt.Sprint(got["population"]) != "25000" || got["resp_email"] != "janis@riga.lv" {
		t.Errorf("after taking the colleague's answer: %v", got)
	}
}

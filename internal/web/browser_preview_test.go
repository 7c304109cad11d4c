package web_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserPreview: in Chromium at 1366 and 390 px, a coordinator opens
// a round that has not opened yet from its settings page as Cēsis would
// see it; the page fits the width and says it is a preview; choosing
// grants reveals the amount question and moves the progress; a negative
// amount shows the server's message at its question; "Pārbaudīt
// iesniegšanu" lists what is missing; then a complete form passes the
// check. Nothing is stored.
func TestBrowserPreview(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.realTime()
	now := time.Now()
	sv, err := e.st.SetSurveyDates(ctx, e.sv.ID, now.Add(24*time.Hour), now.Add(30*24*time.Hour))
	must(t, err)
	e.sv = sv
	coord, _ := e.user("coordinator")
	ts := httptest.NewServer(e.srv)
	defer ts.Close()
	c := browserAt(t, 1366, 900)
	signIn(t, c, ts.URL, coord.Email)
	before := dbFingerprint(t, e) // signed in
	page := "/surveys/" + sv.Slug + "/preview/cesis"
	for _, w := range []int64{1366, 390} {
		fitsWidth(t, c, ts.URL+"/surveys/"+sv.Slug+"/settings", "preview-settings", w)
		must(t, chromedp.Do(c, chromedp.SetValue(chromedp.CSS("#preview-m"), "cesis")))
		follow(t, c, "#preview-open")
		wantPath(t, c, page)
		fitsNow(t, c, "preview", w)
		wantText(t, c, "#preview-banner", "Priekšskatījums — atbildes netiek saglabātas")
		wantText(t, c, "#preview-banner", "Vēl nav atvērta")
		wantText(t, c, ".intro .muni", "Cēsu novads")
		wantText(t, c, "#save-state", "Priekšskatījums: nekas netiek saglabāts")

		// show_if and progress, as the real form.
		section(t, c, "ngo")
		overall := textOf(t, c, "#overall")
		if eval[bool](t, c, `!document.getElementById('qw-ngo_support_eur').hidden`) {
			t.Fatalf("%d px: the amount question shows before grants are chosen", w)
		}
		choose(t, c, "ngo_forms-grants")
		eventually(t, "the amount question appears", func() bool {
			return eval[bool](t, c, `!document.getElementById('qw-ngo_support_eur').hidden`)
		})
		if got := textOf(t, c, "#overall"); got == overall {
			t.Errorf("%d px: the progress stays %q after an answer", w, got)
		}
		eventually(t, "the check answers", func() bool { return strings.Contains(saveState(t, c), "Pārbaudīts") })

		// A value the server refuses: its message at the question.
		typeIn(t, c, "ngo_support_eur", "-5")
		leave(t, c)
		eventually(t, "the refused amount's message", func() bool {
			return eval[string](t, c, `document.getElementById('err-ngo_support_eur').textContent`) != ""
		})
		wantText(t, c, "#save-state", "Dažas vērtības jāizlabo")

		// The submit check lists what is missing.
		must(t, chromedp.Do(c, chromedp.Click(chromedp.CSS("#submit-button"))))
		eventually(t, "the submit check's errors", func() bool {
			return strings.Contains(eval[string](t, c, `document.getElementById('error-summary').innerText`), "Anketu vēl nevar iesniegt")
		})
		wantPath(t, c, page)

		// Complete, and the submit check passes.
		eval[bool](t, c, `(function () {
			var set = function (id, v) { var el = document.getElementById(id); el.value = v; };
			var tick = function (id) { document.getElementById(id).checked = true; };
			set('q-resp_name', 'Anna Ozola'); set('q-resp_position', 'Speciāliste'); set('q-resp_email', 'anna@novads.lv');
			set('q-population', '24 000'); tick('q-consent_contact-true'); tick('q-ngo_rules-adopted');
			set('q-ngo_support_eur', '48 000'); set('q-ngo_supported_count', '31'); tick('q-ngo_liaison-staff');
			tick('q-ngo_published-website'); tick('q-del_status-no'); tick('q-pb_status-not_started'); tick('q-rc_status-not_planned');
			document.getElementById('answers').dispatchEvent(new Event('change', {bubbles: true}));
			return true;
		})()`)
		must(t, chromedp.Do(c, chromedp.Click(chromedp.CSS("#submit-button"))))
		eventually(t, "the submit check passes", func() bool {
			return eval[bool](t, c, `!!document.getElementById('preview-ok')`)
		})
		wantText(t, c, "#preview-ok", "Pārbaude izdevās")
		if s := eval[string](t, c, `document.getElementById('error-summary').innerText`); strings.TrimSpace(s) != "" {
			t.Errorf("%d px: errors stay after a passing check: %q", w, s)
		}
		fitsNow(t, c, "preview-checked", w)
		// A change makes the passed check old: its message goes.
		choose(t, c, "ngo_rules-drafting")
		eventually(t, "the passed check's message goes", func() bool {
			return eval[bool](t, c, `!document.getElementById('preview-ok')`)
		})
	}
	if after := dbFingerprint(t, e); after != before {
		t.Errorf("the preview changed the database:\nbefore %s\nafter  %s", before, after)
	}
}

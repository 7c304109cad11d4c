package web_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserPersonalDataFits: the admins' personal-data page — the
// search, what was found (long values), the confirmation and the outcome —
// fits a 1366 px screen and a 390 px phone without scrolling sideways; in
// Chromium the first click on "Dzēst…" only asks, the confirmation erases.
func TestBrowserPersonalDataFits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.realTime()
	_, base := e.state("riga")
	const email = "ilze.meklejama-ar-garu-adresi@pasvaldibas-attistibas-nodala.example.lv"
	wantStatus(t, e.put("riga", base, `{"resp_name":"Ilze Meklējamā-Garāuzvārda","resp_email":"`+email+
		`","resp_position":"Attīstības un projektu vadības nodaļas vadītājas vietniece","resp_phone":"+371 20001234"}`),
		http.StatusOK)
	admin, _ := e.user("admin")
	ts := httptest.NewServer(e.srv)
	defer ts.Close()
	c := browser(t)
	signIn(t, c, ts.URL, admin.Email)
	for _, w := range []int64{1366, 390} {
		fitsWidth(t, c, ts.URL+"/admin/personal", "personal", w)
		must(t, chromedp.Do(c, chromedp.SendKeys(chromedp.CSS("#person-q"), email)))
		follow(t, c, `form[action="/admin/personal"] button[type=submit]`)
		wantText(t, c, "#person-responses", "Ilze Meklējamā-Garāuzvārda")
		fitsNow(t, c, "personal-found", w)
		follow(t, c, "#person-erase")
		wantText(t, c, "main h1", "Dzēst personas datus?")
		fitsNow(t, c, "personal-confirm", w)
	}
	follow(t, c, "#erase-confirm")
	wantText(t, c, "#person-none", "nekas netika atrasts")
	fitsNow(t, c, "personal-erased", 390)
	if r, _ := e.state("riga"); len(r.AnswersJSON) > 2 {
		t.Fatalf("answers left after erasing: %s", r.AnswersJSON)
	}
}

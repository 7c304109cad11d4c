package web_test

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/store/storetest"
)

// TestBrowserErasureReachesOpenPage: a respondent's page is open when the
// respondent's personal data is erased; the next change typed on it is
// saved, the erased answers are not written back but cleared from the
// page, and the save bar says why they changed.
func TestBrowserErasureReachesOpenPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.realTime()
	ts := httptest.NewServer(e.srv)
	defer ts.Close()
	const name, email, phone = "Ilze Dzēšamā", "ilze.dzesama@example.lv", "+371 20004321"
	wantStatus(t, e.put("riga", 0, `{"resp_name":"`+name+`","resp_email":"`+email+`","resp_phone":"`+phone+`","population":1000}`), 200)
	b := browserAt(t, 1366, 900)
	must(t, chromedp.Do(b, chromedp.Navigate(ts.URL+"/r/"+e.tokens["riga"]), chromedp.WaitVisible(chromedp.CSS("#answers"))))
	if value(t, b, "#q-resp_name") != name {
		t.Fatal("the page does not show the name")
	}
	if _, er, err := e.m.ErasePerson(ctx, domain.OperatorPrincipal(), domain.PersonQuery{Email: email}); err != nil || er.Responses != 1 {
		t.Fatalf("erasing: %+v %v", er, err)
	}
	retype(t, b, "population", "1200")
	leave(t, b)
	eventually(t, "the change saved", func() bool { return fmt.Sprint(e.answers("riga")["population"]) == "1200" })
	eventually(t, "the erased answers cleared from the page", func() bool {
		return value(t, b, "#q-resp_name") == "" && value(t, b, "#q-resp_email") == "" && value(t, b, "#q-resp_phone") == "" &&
			strings.HasPrefix(saveState(t, b), "Saglabāts ")
	})
	note := eval[string](t, b, `document.getElementById('merged-note').textContent`)
	if !strings.Contains(note, "tika dzēsti personas dati") || !strings.Contains(note, "Vārds, uzvārds") {
		t.Errorf("the save bar says %q", note)
	}
	screenshot(t, b, "erased-open-page")
	time.Sleep(500 * time.Millisecond)
	if hits := storetest.Traces(t, e.st, nil, name, email, phone); len(hits) != 0 {
		t.Fatalf("the erased answers are back: %v", hits)
	}
	if a := e.answers("riga"); len(a) != 1 {
		t.Errorf("stored %v, want the population only", a)
	}
}

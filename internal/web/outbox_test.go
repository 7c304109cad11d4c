package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// "Send invitations" only queues: it answers at once with 303 to the
// messages page, however slow the SMTP server is (here it hangs on every
// message while the service's delivery loop runs), and that page shows
// how far sending has got each time it is reloaded.
func TestSendButtonAnswersAtOnceWithSMTPHanging(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ck := e.user("coordinator")
	e.setContacts(ck, "riga", "anna@riga.lv")
	e.setContacts(ck, "cesis", "ilze@cesis.lv\njanis@cesis.lv")
	e.mail.HangAfter(0)
	rctx, stop := context.WithCancel(ctx)
	loop := make(chan struct{})
	go func() {
		defer close(loop)
		e.m.RunOutbox(rctx, time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	defer func() { stop(); e.mail.Release(); <-loop }()

	done := make(chan result, 1)
	start := time.Now()
	go func() {
		done <- e.form(ck, "/surveys/"+e.sv.Slug+"/messages", url.Values{"kind": {"invitation"}, "scope": {"new"}})
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the send button did not answer within 5 s while the SMTP server hangs")
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("the send button took %v", took)
	}
	wantStatus(t, r, http.StatusSeeOther)
	loc := r.header.Get("Location")
	if loc != "/surveys/"+e.sv.Slug+"/messages?queued=3" {
		t.Fatalf("the send button led to %q", loc)
	}
	progress := func(queued, sending, sent, failed int) func(string) bool {
		return func(body string) bool {
			for _, c := range []struct {
				status, label string
				n             int
			}{{"queued", "gaida nosūtīšanu", queued}, {"sending", "tiek sūtītas", sending}, {"sent", "nosūtītas", sent},
				{"failed", "neizdevās", failed}} {
				if !strings.Contains(body, `<li class="count-`+c.status+`"><span class="n">`+itoa(c.n)+`</span> `+c.label+`</li>`) {
					return false
				}
			}
			return true
		}
	}
	reload := func(what string, want func(string) bool) string {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			r := e.as(ck, "GET", loc, nil)
			wantStatus(t, r, http.StatusOK)
			if want(r.body) {
				return r.body
			}
			if time.Now().After(deadline) {
				t.Fatalf("waited 10 s for the page to show %s: %.3000s", what, r.body)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	body := reload("one being sent, two waiting", progress(2, 1, 0, 0))
	for _, want := range []string{"Vēstules ierindotas sūtīšanai: 3.", "Vēstules tiek sūtītas fonā", "Tiek sūtīta", "Gaida nosūtīšanu"} {
		if !strings.Contains(body, want) {
			t.Errorf("the messages page lacks %q", want)
		}
	}
	// A second press while they wait queues nothing more, and says why.
	r = e.form(ck, "/surveys/"+e.sv.Slug+"/messages", url.Values{"kind": {"invitation"}, "scope": {"new"}})
	wantStatus(t, r, http.StatusSeeOther)
	r = e.as(ck, "GET", r.header.Get("Location"), nil)
	if !strings.Contains(r.body, "Jaunas vēstules sūtīšanai netika ierindotas.") ||
		!strings.Contains(r.body, "otra netika ierindota (2): Cēsu novads, Rīgas valstspilsēta") {
		t.Fatalf("second press: %.3000s", r.body)
	}
	e.mail.Release()
	body = reload("all three sent", progress(0, 0, 3, 0))
	if !strings.Contains(body, "Neviena vēstule negaida nosūtīšanu.") || len(e.mail.Messages()) != 3 {
		t.Fatalf("after sending: %d messages; %.3000s", len(e.mail.Messages()), body)
	}
}

// TestBrowserMessagesPageFits: the messages page — what was just queued,
// the progress counts and every message, a failed one with its SMTP error
// — fits a 390 px phone and a 1366 px screen without scrolling sideways
// (set $SCREENSHOT_DIR to keep screenshots).
func TestBrowserMessagesPageFits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.realTime()
	coord, ck := e.user("coordinator")
	e.setContacts(ck, "riga", "Anna Ozola <anna.ozola@riga.lv>")
	e.setContacts(ck, "cesis", "Ilze Kalniņa <ilze.kalnina@cesis.lv>\nsabiedribas.lidzdaliba.un.nvo.atbalsts@cesis.lv")
	e.mail.RejectRecipient("sabiedribas.lidzdaliba.un.nvo.atbalsts@cesis.lv")
	e.send(ck, url.Values{"kind": {"invitation"}, "scope": {"new"}})
	r := e.form(ck, "/surveys/"+e.sv.Slug+"/messages", url.Values{"kind": {"reminder"}, "municipality": {"cesis"}})
	wantStatus(t, r, http.StatusSeeOther)
	ts := httptest.NewServer(e.srv)
	defer ts.Close()
	c := browser(t)
	signIn(t, c, ts.URL, coord.Email)
	for _, w := range []int64{1366, 390} {
		fitsWidth(t, c, ts.URL+r.header.Get("Location")+"&lang=lv", "messages", w)
		wantText(t, c, ".flash", "Vēstules ierindotas sūtīšanai: 2.")
		wantText(t, c, ".count-queued", "2 gaida nosūtīšanu")
		wantText(t, c, ".count-sent", "2 nosūtītas")
		wantText(t, c, ".count-failed", "1 neizdevās")
		wantText(t, c, "main table", "Mailbox unavailable")
		fitsWidth(t, c, ts.URL+"/surveys/"+e.sv.Slug+"/messages?lang=en", "messages-en", w)
		wantText(t, c, ".count-queued", "2 waiting to be sent")
	}
}

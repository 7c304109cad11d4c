package mailtest_test

import (
	"errors"
	"net/smtp"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/mail/mailtest"
)

const raw = "From: a@example.lv\r\n" +
	"To: b@example.lv\r\n" +
	"Subject: =?utf-8?q?Atg=C4=81din=C4=81jums?=\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"Labdien, =C5=A1odien!\r\n" +
	".dot line\r\n"

func send(s *mailtest.Server, to ...string) error {
	return smtp.SendMail(s.Addr(), nil, "a@example.lv", to, []byte(raw))
}

func code(err error) int {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return 0
}

func TestServer(t *testing.T) {
	t.Parallel()
	s := mailtest.Start(t)
	if want := "smtp://" + s.Addr() + "?tls=none"; s.URL() != want || !strings.HasPrefix(want, "smtp://127.0.0.1:") {
		t.Errorf("URL() = %q", s.URL())
	}

	if err := send(s, "b@example.lv", "c@example.lv"); err != nil {
		t.Fatal(err)
	}
	msgs := s.Messages()
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if m.From != "a@example.lv" || strings.Join(m.To, ",") != "b@example.lv,c@example.lv" {
		t.Errorf("envelope = %q -> %q", m.From, m.To)
	}
	if m.Subject != "Atgādinājums" {
		t.Errorf("Subject = %q", m.Subject)
	}
	if m.Text != "Labdien, šodien!\n.dot line\n" {
		t.Errorf("Text = %q", m.Text)
	}
	if m.Header.Get("To") != "b@example.lv" || string(m.Raw) != raw {
		t.Errorf("Header/Raw not captured: %v %q", m.Header, m.Raw)
	}
	msgs[0].To[0] = "changed"
	if s.Messages()[0].To[0] != "b@example.lv" {
		t.Error("Messages does not return a copy")
	}

	s.RejectRecipient("C@example.lv")
	err := send(s, "b@example.lv", "c@example.lv")
	if code(err) != 550 {
		t.Errorf("rejected recipient: err = %v, want 550", err)
	}

	s.FailNext(1)
	if err := send(s, "b@example.lv"); code(err) != 451 {
		t.Errorf("FailNext: err = %v, want 451", err)
	}
	if err := send(s, "b@example.lv"); err != nil {
		t.Errorf("after FailNext(1) ran out: %v", err)
	}
	if n := len(s.Messages()); n != 2 {
		t.Errorf("got %d messages, want 2", n)
	}

	s.Reset()
	if n := len(s.Messages()); n != 0 {
		t.Errorf("after Reset: %d messages", n)
	}
	if err := send(s, "c@example.lv"); err != nil {
		t.Errorf("Reset did not clear RejectRecipient: %v", err)
	}
}

// HangAfter(n) accepts n messages, then holds every later DATA until
// Release; those are accepted then.
func TestHangAfterAndRelease(t *testing.T) {
	t.Parallel()
	s := mailtest.Start(t)
	s.HangAfter(1)
	if err := send(s, "b@example.lv"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- send(s, "c@example.lv") }()
	for s.Hanging() == 0 {
		select {
		case err := <-done:
			t.Fatalf("the second message was answered (%v) while the server hangs", err)
		case <-time.After(5 * time.Millisecond):
		}
	}
	if n := len(s.Messages()); n != 1 {
		t.Fatalf("%d messages accepted while hanging, want 1", n)
	}
	s.Release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := len(s.Messages()); n != 2 || s.Hanging() != 0 {
		t.Fatalf("after Release: %d messages, %d hanging", n, s.Hanging())
	}
}

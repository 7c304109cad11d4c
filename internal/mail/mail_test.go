package mail

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/mail/mailtest"
)

const (
	fromAddr   = "Aptauja <aptauja@example.lv>"
	diacritics = "ā č ē ģ ī ķ ļ ņ š ū ž Ā Č Ē Ģ Ī Ķ Ļ Ņ Š Ū Ž"
	subjectLV  = "Atgādinājums: aptauja par sabiedrības līdzdalību"
)

func TestParseURL(t *testing.T) {
	t.Parallel()
	from := mail.Address{Name: "Aptauja", Address: "aptauja@example.lv"}
	tests := []struct {
		raw  string
		want Settings
	}{
		{"smtp://mail.example.lv", Settings{Host: "mail.example.lv", Port: "587", TLS: TLSStartTLS}},
		{"smtp://localhost", Settings{Host: "localhost", Port: "25", TLS: TLSStartTLS}},
		{"smtp://127.0.0.1/", Settings{Host: "127.0.0.1", Port: "25", TLS: TLSStartTLS}},
		{"smtp://u:p@mail.example.lv:2525?tls=starttls", Settings{Host: "mail.example.lv", Port: "2525", Username: "u", Password: "p", TLS: TLSStartTLS}},
		{"smtps://user%40x.lv:p%40ss%3A%2Fw@mail.example.lv", Settings{Host: "mail.example.lv", Port: "465", Username: "user@x.lv", Password: "p@ss:/w", TLS: TLSImplicit}},
		{"smtps://mail.example.lv:4465?tls=implicit", Settings{Host: "mail.example.lv", Port: "4465", TLS: TLSImplicit}},
		{"smtp://mail.example.lv:465?tls=implicit", Settings{Host: "mail.example.lv", Port: "465", TLS: TLSImplicit}},
		{"smtp://relay.internal?tls=none", Settings{Host: "relay.internal", Port: "587", TLS: TLSNone}},
		{"smtp://u:p@localhost:1025?tls=none", Settings{Host: "localhost", Port: "1025", Username: "u", Password: "p", TLS: TLSNone}},
		{"smtp://[::1]:2525", Settings{Host: "::1", Port: "2525", TLS: TLSStartTLS}},
	}
	for _, tt := range tests {
		got, err := ParseURL(tt.raw, fromAddr)
		if err != nil {
			t.Errorf("ParseURL(%q): %v", tt.raw, err)
			continue
		}
		tt.want.From = from
		if got != tt.want {
			t.Errorf("ParseURL(%q) =\n %#v, want\n %#v", tt.raw, got, tt.want)
		}
	}

	// Every bad URL carries the password "s3cr3t" (or a piece of it).
	bad := []string{
		"http://u:s3cr3t@mail.example.lv",
		"mail.example.lv",
		"smtp://u:s3cr3t@mail.example.lv?tls=none",
		"smtp://u:s3cr3t@mail.example.lv:25?tls=none",
		"smtps://u:s3cr3t@mail.example.lv?tls=starttls",
		"smtp://u:s3cr3t@mail.example.lv?tls=tls",
		"smtp://u:s3cr3t@mail.example.lv?tls=none&tls=starttls",
		"smtp://u:s3cr3t@mail.example.lv?user=x",
		"smtp://u:s3cr3t@mail.example.lv/path",
		"smtp://u:s3cr3t@mail.example.lv#frag",
		"smtp://u:s3cr3t@mail.example.lv:port",
		"smtp://u:s3cr3t@",
		"smtp://:s3cr3t@mail.example.lv",
		"smtp:u:s3cr3t@mail.example.lv",
		"smtp:///u:s3cr3t@mail.example.lv",
		"smtp://u:s3/cr3t@mail.example.lv",
		"smtp://u:s3?cr3t@mail.example.lv",
		"smtp://u:s3cr3t%zz@mail.example.lv",
		"smtp://u:s3cr3t@mail.example.lv:25:25",
		"smtp://u:s3cr3t@mail example.lv",
		"smtp://u:1234/cr3t@mail.example.lv",
		"smtp://u:12?tls=cr3t@mail.example.lv",
		"smtp://u:12?cr3t=1@mail.example.lv",
		"smtp://u:12#cr3t@mail.example.lv",
		"smtp://u:s3cr3t@[::1",
	}
	for _, raw := range bad {
		_, err := ParseURL(raw, fromAddr)
		if err == nil {
			t.Errorf("ParseURL(%q): no error", raw)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "cr3t") {
			t.Errorf("ParseURL(%q): error reveals the password: %s", raw, msg)
		}
	}

	for _, from := range []string{"", "aptauja", "Aptauja <aptauja@example.lv", "a@example.lv\r\nBcc: x@example.lv"} {
		if _, err := ParseURL("smtp://mail.example.lv", from); err == nil {
			t.Errorf("ParseURL with from %q: no error", from)
		}
	}

	s, err := ParseURL("smtp://u:s3cr3t@mail.example.lv", fromAddr)
	if err != nil {
		t.Fatal(err)
	}
	if str := s.String(); strings.Contains(str, "s3cr3t") || !strings.Contains(str, "mail.example.lv:587") {
		t.Errorf("Settings.String() = %q", str)
	}
}

func TestCompose(t *testing.T) {
	t.Parallel()
	from := mail.Address{Name: "Aptauja", Address: "aptauja@example.lv"}
	now := time.Date(2026, 3, 14, 9, 30, 0, 0, time.FixedZone("EET", 2*3600))
	text := "Labdien!\n\nAizpildiet aptauju: " + diacritics + "\n" +
		".rinda, kas sākas ar punktu\n" +
		"Rinda ar atstarpi beigās \n" +
		strings.Repeat("Ļoti gara rinda ", 12) + "\n" +
		"= vienādības zīme"
	m := Message{
		To: []mail.Address{
			{Name: "Rīgas dome", Address: "dome@riga.lv"},
			{Address: "info@cesis.lv"},
		},
		Subject: subjectLV + " — " + diacritics,
		Text:    text,
		Headers: map[string]string{"Auto-Submitted": "auto-generated", "X-Aptauja": "Līdzdalība"},
	}
	raw, err := Compose(from, m, now, "")
	if err != nil {
		t.Fatal(err)
	}

	for i, line := range strings.Split(string(raw), "\r\n") {
		if strings.ContainsAny(line, "\r\n") {
			t.Errorf("line %d has a bare CR or LF: %q", i, line)
		}
		if len(line) > 78 {
			t.Errorf("line %d longer than 78 characters: %q", i, line)
		}
	}
	for _, c := range raw {
		if c > 127 {
			t.Fatalf("message is not 7-bit:\n%s", raw)
		}
	}

	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	h := msg.Header
	if d, err := h.Date(); err != nil || !d.Equal(now) {
		t.Errorf("Date = %q (%v), want %v", h.Get("Date"), err, now)
	}
	if got, err := h.AddressList("From"); err != nil || len(got) != 1 || *got[0] != from {
		t.Errorf("From = %v (%v)", got, err)
	}
	if got, err := h.AddressList("To"); err != nil || len(got) != 2 || *got[0] != m.To[0] || *got[1] != m.To[1] {
		t.Errorf("To = %v (%v)", got, err)
	}
	var dec mime.WordDecoder
	if got, err := dec.DecodeHeader(h.Get("Subject")); err != nil || got != m.Subject {
		t.Errorf("Subject = %q (%v), want %q", got, err, m.Subject)
	}
	if got, _ := dec.DecodeHeader(h.Get("X-Aptauja")); got != "Līdzdalība" {
		t.Errorf("X-Aptauja = %q", got)
	}
	if got := h.Get("Auto-Submitted"); got != "auto-generated" {
		t.Errorf("Auto-Submitted = %q", got)
	}
	if id := h.Get("Message-Id"); !regexp.MustCompile(`^<[0-9a-f]{32}@example\.lv>$`).MatchString(id) {
		t.Errorf("Message-ID = %q", id)
	}
	for k, want := range map[string]string{
		"MIME-Version":              "1.0",
		"Content-Type":              "text/plain; charset=utf-8",
		"Content-Transfer-Encoding": "quoted-printable",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.ReplaceAll(text, "\n", "\r\n"); string(body) != want {
		t.Errorf("body =\n%q\nwant\n%q", body, want)
	}

	raw2, err := Compose(from, m, now, "mail.example.lv")
	if err != nil {
		t.Fatal(err)
	}
	msg2, _ := mail.ReadMessage(bytes.NewReader(raw2))
	id1, id2 := h.Get("Message-Id"), msg2.Header.Get("Message-Id")
	if id1[:33] == id2[:33] || !strings.HasSuffix(id2, "@mail.example.lv>") {
		t.Errorf("Message-IDs %q and %q", id1, id2)
	}
}

func TestComposeRefuses(t *testing.T) {
	t.Parallel()
	from := mail.Address{Name: "Aptauja", Address: "aptauja@example.lv"}
	good := func() Message {
		return Message{To: []mail.Address{{Address: "dome@riga.lv"}}, Subject: "Aptauja", Text: "x"}
	}
	tests := map[string]func(m *Message){
		"no recipients":       func(m *Message) { m.To = nil },
		"empty subject":       func(m *Message) { m.Subject = "" },
		"blank subject":       func(m *Message) { m.Subject = " \t" },
		"CRLF in subject":     func(m *Message) { m.Subject = "Aptauja\r\nBcc: evil@example.com" },
		"LF in subject":       func(m *Message) { m.Subject = "Aptauja\nBcc: evil@example.com" },
		"LF in address":       func(m *Message) { m.To[0].Address = "dome@riga.lv\nBcc: evil@example.com" },
		"CR in name":          func(m *Message) { m.To[0].Name = "Dome\rBcc: evil@example.com" },
		"bad address":         func(m *Message) { m.To[0].Address = "dome" },
		"empty address":       func(m *Message) { m.To = append(m.To, mail.Address{Name: "X"}) },
		"CRLF in header":      func(m *Message) { m.Headers = map[string]string{"X-A": "1\r\nBcc: evil@example.com"} },
		"CRLF in header name": func(m *Message) { m.Headers = map[string]string{"X-A\r\nBcc": "evil@example.com"} },
		"colon in name":       func(m *Message) { m.Headers = map[string]string{"X-A:": "1"} },
		"space in name":       func(m *Message) { m.Headers = map[string]string{"X A": "1"} },
		"empty name":          func(m *Message) { m.Headers = map[string]string{"": "1"} },
		"Bcc header":          func(m *Message) { m.Headers = map[string]string{"Bcc": "evil@example.com"} },
		"reserved header":     func(m *Message) { m.Headers = map[string]string{"content-type": "text/html"} },
	}
	for name, mutate := range tests {
		m := good()
		mutate(&m)
		_, err := Compose(from, m, time.Now(), "")
		if !errors.Is(err, ErrInvalidMessage) || !IsPermanent(err) {
			t.Errorf("%s: err = %v, want ErrInvalidMessage", name, err)
		}
	}
	if _, err := Compose(mail.Address{Address: "a@example.lv\r\nX: y"}, good(), time.Now(), ""); err == nil {
		t.Error("CRLF in From: no error")
	}
	if _, err := Compose(from, good(), time.Now(), "evil>\r\nX: y"); err == nil {
		t.Error("CRLF in Message-ID domain: no error")
	}
	if _, err := Compose(from, good(), time.Now(), ""); err != nil {
		t.Errorf("good message: %v", err)
	}
}

func newTestSender(t *testing.T) (*mailtest.Server, *Sender) {
	t.Helper()
	srv := mailtest.Start(t)
	set, err := ParseURL(srv.URL(), fromAddr)
	if err != nil {
		t.Fatal(err)
	}
	return srv, NewSender(set)
}

func TestSend(t *testing.T) {
	t.Parallel()
	srv, s := newTestSender(t)
	ctx := context.Background()
	m := Message{
		To:      []mail.Address{{Name: "Rīgas dome", Address: "dome@riga.lv"}, {Address: "info@cesis.lv"}},
		Subject: subjectLV,
		Text:    "Labdien!\n" + diacritics + "\n.punkts\n",
		Headers: map[string]string{"Auto-Submitted": "auto-generated"},
	}
	if err := s.Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()
	if len(got) != 1 {
		t.Fatalf("server got %d messages", len(got))
	}
	g := got[0]
	if g.From != "aptauja@example.lv" || strings.Join(g.To, " ") != "dome@riga.lv info@cesis.lv" {
		t.Errorf("envelope %q -> %q", g.From, g.To)
	}
	if g.Subject != m.Subject || g.Text != m.Text || g.Header.Get("Auto-Submitted") != "auto-generated" {
		t.Errorf("got Subject %q, Text %q, Header %v", g.Subject, g.Text, g.Header)
	}

	t.Run("rejected recipient", func(t *testing.T) {
		srv.Reset()
		srv.RejectRecipient("info@cesis.lv")
		err := s.Send(ctx, m)
		if err == nil || !IsPermanent(err) || !strings.Contains(err.Error(), "smtp RCPT TO <info@cesis.lv>: 550") {
			t.Errorf("err = %v, want permanent RCPT TO error", err)
		}
		if n := len(srv.Messages()); n != 0 {
			t.Errorf("%d messages delivered despite the rejected recipient", n)
		}
	})

	t.Run("temporary failure", func(t *testing.T) {
		srv.Reset()
		srv.FailNext(1)
		err := s.Send(ctx, m)
		if err == nil || IsPermanent(err) || !strings.Contains(err.Error(), "smtp DATA: 451") {
			t.Errorf("err = %v, want temporary DATA error", err)
		}
		if err := s.Send(ctx, m); err != nil {
			t.Errorf("retry: %v", err)
		}
		if n := len(srv.Messages()); n != 1 {
			t.Errorf("got %d messages, want 1", n)
		}
	})

	t.Run("invalid message", func(t *testing.T) {
		err := s.Send(ctx, Message{To: m.To})
		if !errors.Is(err, ErrInvalidMessage) || !IsPermanent(err) {
			t.Errorf("err = %v", err)
		}
	})

	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(ctx)
		cancel()
		err := s.Send(ctx, m)
		if !errors.Is(err, context.Canceled) || IsPermanent(err) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	})

	t.Run("silent server", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0") // accepts, never greets
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		set := s.settings
		set.Host, set.Port, _ = strings.Cut(ln.Addr().String(), ":")
		slow := NewSender(set)
		slow.Timeout = 100 * time.Millisecond
		start := time.Now()
		err = slow.Send(ctx, m)
		if !errors.Is(err, context.DeadlineExceeded) || IsPermanent(err) || !strings.HasPrefix(err.Error(), "smtp greeting") {
			t.Errorf("err = %v, want DeadlineExceeded at greeting", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Send took %v despite the 100ms timeout", d)
		}
	})

	t.Run("server down", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ln.Close()
		set := s.settings
		set.Host, set.Port, _ = strings.Cut(ln.Addr().String(), ":")
		err = NewSender(set).Send(ctx, m)
		if err == nil || IsPermanent(err) || !strings.HasPrefix(err.Error(), "smtp dial") {
			t.Errorf("err = %v, want temporary dial error", err)
		}
	})
}

// A server that does not offer STARTTLS must not receive credentials unless
// it is on loopback.
func TestSendRefusesCleartextCredentials(t *testing.T) {
	t.Parallel()
	srv := mailtest.Start(t)
	s := NewSender(Settings{
		Host:     "mail.example.lv",
		Username: "aptauja",
		Password: "s3cr3t",
		From:     mail.Address{Address: "aptauja@example.lv"},
	})
	s.dial = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, srv.Addr())
	}
	err := s.Send(context.Background(), Message{To: []mail.Address{{Address: "dome@riga.lv"}}, Subject: "x"})
	if err == nil || !strings.Contains(err.Error(), "does not offer STARTTLS") || strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("err = %v", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages delivered", n)
	}

	s.settings.TLS = TLSNone
	if err := s.Send(context.Background(), Message{To: []mail.Address{{Address: "dome@riga.lv"}}, Subject: "x"}); err == nil {
		t.Error("TLSNone with credentials to a remote host: no error")
	}
}

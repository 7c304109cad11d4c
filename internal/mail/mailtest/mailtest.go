// Package mailtest provides an in-process SMTP server that captures
// messages, for tests of code that sends e-mail.
package mailtest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is a message captured by the Server.
type Message struct {
	From    string   // envelope sender (MAIL FROM)
	To      []string // envelope recipients that were accepted (RCPT TO)
	Subject string   // decoded Subject header
	Text    string   // decoded body, line endings normalised to "\n"
	Header  mail.Header
	Raw     []byte // the message as received, CRLF line endings
}

func (m Message) clone() Message {
	m.To = slices.Clone(m.To)
	m.Raw = slices.Clone(m.Raw)
	h := make(mail.Header, len(m.Header))
	for k, v := range m.Header {
		h[k] = slices.Clone(v)
	}
	m.Header = h
	return m
}

// Server is an SMTP server on 127.0.0.1 without TLS or authentication. Its
// methods are safe for concurrent use.
type Server struct {
	addr string

	mu       sync.Mutex
	msgs     []Message
	rejected map[string]bool // lower-case addresses
	failNext int
	// hangAfter counts the messages still accepted before DATA hangs; -1:
	// never. hanging is how many DATA commands wait on release.
	hangAfter int
	hanging   int
	release   chan struct{}
	closed    chan struct{}
}

// Start starts a Server on a free port of 127.0.0.1. It is closed when the
// test and its subtests complete.
func Start(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: listen: %v", err)
	}
	s := &Server{addr: ln.Addr().String(), rejected: map[string]bool{}, hangAfter: -1,
		release: make(chan struct{}), closed: make(chan struct{})}

	log := &testLogger{t: t}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{s: s}, nil
	}))
	srv.Domain = "mailtest.localhost"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.MaxMessageBytes = 10 << 20
	srv.ErrorLog = log

	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil {
			log.Printf("serve: %v", err)
		}
	}()
	t.Cleanup(func() {
		close(s.closed) // lets hanging DATA commands go
		srv.Close()
		<-done
		log.stop()
	})
	return s
}

// URL returns the server's address as an SMTP URL that mail.ParseURL
// accepts: smtp://127.0.0.1:PORT?tls=none.
func (s *Server) URL() string { return "smtp://" + s.addr + "?tls=none" }

// Addr returns the server's host:port.
func (s *Server) Addr() string { return s.addr }

// Messages returns a copy of the messages received so far, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.msgs))
	for i, m := range s.msgs {
		out[i] = m.clone()
	}
	return out
}

// Reset discards the captured messages and clears the effects of
// RejectRecipient and FailNext (not of HangAfter: see Release).
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = nil
	clear(s.rejected)
	s.failNext = 0
}

// HangAfter makes the server accept n more messages and then stop
// answering: every later DATA command waits, after the message has been
// transferred and before it is accepted, until Release is called or the
// server closes (then it is refused with a temporary 451). This is an SMTP
// server that hangs in the middle of a batch.
func (s *Server) HangAfter(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hangAfter = n
}

// Release ends HangAfter: waiting DATA commands go on (their messages are
// accepted), and so do later ones.
func (s *Server) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hangAfter >= 0 {
		s.hangAfter = -1
		close(s.release)
		s.release = make(chan struct{})
	}
}

// Hanging returns how many DATA commands are waiting for Release.
func (s *Server) Hanging() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hanging
}

// hang waits, when HangAfter says so, until Release; false when the
// server closed meanwhile.
func (s *Server) hang() bool {
	s.mu.Lock()
	if s.hangAfter < 0 {
		s.mu.Unlock()
		return true
	}
	if s.hangAfter > 0 {
		s.hangAfter--
		s.mu.Unlock()
		return true
	}
	s.hanging++
	release := s.release
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.hanging--
		s.mu.Unlock()
	}()
	select {
	case <-release:
		return true
	case <-s.closed:
		return false
	}
}

// RejectRecipient makes RCPT TO addr (compared case-insensitively) fail with
// a permanent 550 reply.
func (s *Server) RejectRecipient(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejected[strings.ToLower(addr)] = true
}

// FailNext makes the next n DATA commands fail with a temporary 451 reply
// after the message has been transferred. The message is not captured.
func (s *Server) FailNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = n
}

func (s *Server) isRejected(addr string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rejected[strings.ToLower(addr)]
}

// takeFailure consumes one FailNext failure, if any is left.
func (s *Server) takeFailure() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failNext > 0 {
		s.failNext--
		return true
	}
	return false
}

func (s *Server) add(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, m)
}

// session implements smtp.Session for one connection.
type session struct {
	s    *Server
	from string
	to   []string
}

func (se *session) Reset()        { se.from, se.to = "", nil }
func (se *session) Logout() error { return nil }

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	se.from = from
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if se.s.isRejected(to) {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "Mailbox unavailable (mailtest)"}
	}
	se.to = append(se.to, to)
	return nil
}

func (se *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if !se.s.hang() || se.s.takeFailure() {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary failure (mailtest)"}
	}
	m, err := parse(raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "mailtest: " + err.Error()}
	}
	m.From, m.To = se.from, slices.Clone(se.to)
	se.s.add(m)
	return nil
}

// parse decodes the Subject and the body of a single-part message.
func parse(raw []byte) (Message, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Message{}, fmt.Errorf("malformed message: %v", err)
	}
	var dec mime.WordDecoder
	subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return Message{}, fmt.Errorf("malformed Subject: %v", err)
	}
	body := msg.Body
	switch cte := strings.ToLower(msg.Header.Get("Content-Transfer-Encoding")); cte {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body) // skips CR and LF
	case "", "7bit", "8bit", "binary":
	default:
		return Message{}, fmt.Errorf("unsupported Content-Transfer-Encoding %q", cte)
	}
	text, err := io.ReadAll(body)
	if err != nil {
		return Message{}, fmt.Errorf("malformed body: %v", err)
	}
	return Message{
		Subject: subject,
		Text:    strings.ReplaceAll(string(text), "\r\n", "\n"),
		Header:  msg.Header,
		Raw:     raw,
	}, nil
}

// testLogger reports server errors through t.Logf until the test is over.
type testLogger struct {
	mu      sync.Mutex
	t       testing.TB
	stopped bool
}

func (l *testLogger) Printf(format string, v ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.stopped {
		l.t.Logf("mailtest: "+format, v...)
	}
}

func (l *testLogger) Println(v ...any) { l.Printf("%s", fmt.Sprintln(v...)) }

func (l *testLogger) stop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stopped = true
}

package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"slices"
	"strings"
	"time"
)

// ErrInvalidMessage is wrapped by errors about a message that can never be
// sent as it is (empty To or Subject, header injection, bad addresses).
var ErrInvalidMessage = errors.New("invalid message")

// Message is a plain-text e-mail.
type Message struct {
	To      []mail.Address
	Subject string
	Text    string
	// Headers are optional extra header fields, e.g. "Auto-Submitted":
	// "auto-generated". They may not replace the fields Compose writes
	// itself, nor be Cc or Bcc (all recipients belong in To).
	Headers map[string]string
}

// reserved reports whether Message.Headers may not set the field name.
func reserved(name string) bool {
	switch strings.ToLower(name) {
	case "date", "from", "to", "cc", "bcc", "subject", "message-id",
		"mime-version", "content-type", "content-transfer-encoding":
		return true
	}
	return false
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("mail: %w: %s", ErrInvalidMessage, fmt.Sprintf(format, args...))
}

// Compose renders m as an RFC 5322 message with CRLF line endings: a
// text/plain UTF-8 body in quoted-printable, a Q-encoded Subject, and a
// random Message-ID in messageIDDomain (the domain of from if empty).
//
// Compose refuses an empty To list, an empty Subject, and any address or
// header containing CR or LF; such errors wrap [ErrInvalidMessage].
func Compose(from mail.Address, m Message, now time.Time, messageIDDomain string) ([]byte, error) {
	if err := checkAddress("From", from); err != nil {
		return nil, err
	}
	if len(m.To) == 0 {
		return nil, invalid("no recipients")
	}
	to := make([]string, len(m.To))
	for i, a := range m.To {
		if err := checkAddress("To", a); err != nil {
			return nil, err
		}
		to[i] = a.String()
	}
	if strings.TrimSpace(m.Subject) == "" {
		return nil, invalid("empty subject")
	}
	if hasNewline(m.Subject) {
		return nil, invalid("subject contains CR or LF")
	}
	if messageIDDomain == "" {
		messageIDDomain = domainOf(from.Address)
	}
	if messageIDDomain == "" || strings.ContainsAny(messageIDDomain, "<>@ \t\r\n") {
		return nil, invalid("bad Message-ID domain %q", messageIDDomain)
	}
	names := make([]string, 0, len(m.Headers))
	for name, value := range m.Headers {
		if !validFieldName(name) {
			return nil, invalid("bad header name %q", name)
		}
		if reserved(name) {
			return nil, invalid("header %s may not be set in Message.Headers", name)
		}
		if hasNewline(value) {
			return nil, invalid("header %s contains CR or LF", name)
		}
		names = append(names, name)
	}
	slices.Sort(names)

	var id [16]byte
	rand.Read(id[:]) // never returns an error

	var b bytes.Buffer
	header := func(name, value string) {
		first, _, _ := strings.Cut(value, "\r\n")
		if len(name)+2+len(first) > 76 && strings.HasPrefix(value, "=?") {
			// RFC 2047 limits lines with encoded-words to 76 characters.
			b.WriteString(name + ":\r\n " + value + "\r\n")
		} else {
			b.WriteString(name + ": " + value + "\r\n")
		}
	}
	header("Date", now.Format(time.RFC1123Z))
	header("From", from.String())
	header("To", strings.Join(to, ",\r\n "))
	header("Subject", encodeHeader(m.Subject))
	header("Message-ID", "<"+hex.EncodeToString(id[:])+"@"+messageIDDomain+">")
	for _, name := range names {
		header(name, encodeHeader(m.Headers[name]))
	}
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")

	qp := quotedprintable.NewWriter(&b)
	qp.Write([]byte(m.Text)) // writes to a bytes.Buffer do not fail
	qp.Close()
	return b.Bytes(), nil
}

// encodeHeader Q-encodes non-ASCII text and folds the encoded words onto
// continuation lines so that no line exceeds the recommended 78 characters.
func encodeHeader(s string) string {
	return strings.ReplaceAll(mime.QEncoding.Encode("utf-8", s), "?= =?", "?=\r\n =?")
}

// checkAddress rejects addresses that could inject header lines or that do
// not survive a round trip through net/mail.
func checkAddress(field string, a mail.Address) error {
	if hasNewline(a.Name) || hasNewline(a.Address) {
		return invalid("%s address contains CR or LF", field)
	}
	if a.Address == "" {
		return invalid("empty %s address", field)
	}
	if p, err := mail.ParseAddress(a.String()); err != nil || p.Address != a.Address {
		return invalid("bad %s address %q", field, a.Address)
	}
	return nil
}

func hasNewline(s string) bool { return strings.ContainsAny(s, "\r\n") }

// validFieldName reports whether name is an RFC 5322 field name: printable
// US-ASCII except colon.
func validFieldName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < '!' || c > '~' || c == ':' {
			return false
		}
	}
	return true
}

func domainOf(addr string) string {
	if i := strings.LastIndex(addr, "@"); i >= 0 {
		return addr[i+1:]
	}
	return ""
}

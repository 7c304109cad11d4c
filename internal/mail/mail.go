// Package mail sends the service's e-mail (invitations and reminders to
// municipalities) over SMTP.
//
// Configuration comes from an SMTP URL (see [ParseURL]); messages are
// plain-text UTF-8, encoded as quoted-printable (see [Compose]) and delivered
// by a [Sender], one connection per message. Credentials are never sent over
// an unencrypted connection to a remote host.
//
// Only the standard library is used; tests use the in-process server in
// package mailtest.
package mail

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strings"
)

// Mode selects how the connection to the SMTP server is protected.
type Mode int

const (
	// TLSStartTLS connects in clear and upgrades with STARTTLS when the
	// server offers it. The upgrade is required when credentials are
	// configured and the host is not loopback. It is the zero value.
	TLSStartTLS Mode = iota
	// TLSImplicit speaks TLS from the first byte (smtps://, usually port 465).
	TLSImplicit
	// TLSNone never uses TLS. It is only selected by an explicit ?tls=none.
	TLSNone
)

// String returns the name used in the tls URL parameter.
func (m Mode) String() string {
	switch m {
	case TLSStartTLS:
		return "starttls"
	case TLSImplicit:
		return "implicit"
	case TLSNone:
		return "none"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// Settings describe how to reach the SMTP server and whom mail is from.
type Settings struct {
	Host               string
	Port               string
	Username, Password string
	TLS                Mode
	From               mail.Address
}

// String returns the settings as an SMTP URL with the password redacted,
// suitable for logs.
func (s Settings) String() string {
	u := url.URL{Scheme: "smtp", Host: net.JoinHostPort(s.Host, s.port())}
	if s.TLS == TLSImplicit {
		u.Scheme = "smtps"
	} else {
		u.RawQuery = "tls=" + s.TLS.String()
	}
	if s.Username != "" {
		u.User = url.UserPassword(s.Username, s.Password)
	}
	return u.Redacted() + " from " + s.From.String()
}

// port returns the configured port or the default for the mode and host.
func (s Settings) port() string {
	switch {
	case s.Port != "":
		return s.Port
	case s.TLS == TLSImplicit:
		return "465"
	case isLoopback(s.Host):
		return "25"
	}
	return "587"
}

// check enforces the rule that credentials never travel in clear to a
// remote host.
func (s Settings) check() error {
	if s.Host == "" {
		return errors.New("mail: SMTP host is empty")
	}
	if s.From.Address == "" {
		return errors.New("mail: sender address is empty")
	}
	if s.TLS == TLSNone && s.Username != "" && !isLoopback(s.Host) {
		return fmt.Errorf("mail: refusing to send credentials to %s without TLS (tls=none is only allowed with credentials on loopback)", s.Host)
	}
	return nil
}

// validHost reports whether host is an IP address or a DNS name.
func validHost(host string) bool {
	if net.ParseIP(host) != nil {
		return true
	}
	for _, c := range host {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
			return false
		}
	}
	return true
}

// isLoopback reports whether host names the local machine. The set matches
// what net/smtp.PlainAuth accepts without TLS.
func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// ParseURL parses an SMTP URL and a sender address into Settings.
//
// Accepted forms are smtp://[user[:pass]@]host[:port] (STARTTLS, port 587,
// or 25 for localhost/127.0.0.1) and smtps://[user[:pass]@]host[:port]
// (implicit TLS, port 465). User and password are URL-decoded. The optional
// query parameter tls=none|starttls|implicit overrides the mode of smtp://
// URLs. from is an RFC 5322 address such as "Aptauja <aptauja@example.lv>".
//
// Errors never contain the password.
func ParseURL(raw, from string) (Settings, error) {
	var s Settings
	u, err := url.Parse(raw)
	if err != nil {
		return s, fmt.Errorf("mail: invalid SMTP URL %q: %s", redactRaw(raw), parseErrorReason(raw))
	}
	// The reasons below quote no part of the parsed URL: a password with
	// unescaped reserved characters may have ended up in any of them.
	bad := func(reason string) (Settings, error) {
		return Settings{}, fmt.Errorf("mail: invalid SMTP URL %q: %s", redactRaw(raw), reason)
	}

	switch u.Scheme {
	case "smtp":
		s.TLS = TLSStartTLS
	case "smtps":
		s.TLS = TLSImplicit
	default:
		return bad("scheme must be smtp or smtps")
	}
	if u.Opaque != "" || u.Host == "" {
		return bad("missing host (expected smtp://host[:port])")
	}
	if u.Path != "" && u.Path != "/" {
		return bad("unexpected path (reserved characters in the password must be percent-encoded)")
	}
	if u.Fragment != "" {
		return bad("unexpected fragment")
	}
	s.Host = u.Hostname()
	s.Port = u.Port()
	if s.Host == "" {
		return bad("missing host")
	}
	if !validHost(s.Host) {
		return bad("invalid host")
	}

	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return bad("malformed query")
	}
	for k, v := range q {
		if k != "tls" {
			return bad("unknown query parameter (only tls is supported)")
		}
		if len(v) != 1 {
			return bad("parameter tls given more than once")
		}
	}
	if q.Has("tls") {
		switch q.Get("tls") {
		case "none":
			s.TLS = TLSNone
		case "starttls":
			s.TLS = TLSStartTLS
		case "implicit":
			s.TLS = TLSImplicit
		default:
			return bad("tls must be none, starttls or implicit")
		}
		if u.Scheme == "smtps" && s.TLS != TLSImplicit {
			return bad("smtps:// always uses implicit TLS; use smtp:// with tls=" + s.TLS.String())
		}
	}
	if s.Port == "" {
		s.Port = s.port()
	}

	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
		if s.Username == "" {
			return bad("empty user name")
		}
	}

	if from == "" {
		return Settings{}, errors.New("mail: sender address is empty")
	}
	addr, err := mail.ParseAddress(from)
	if err != nil {
		return Settings{}, fmt.Errorf("mail: invalid sender address %q: %v", from, err)
	}
	s.From = *addr

	if err := s.check(); err != nil {
		return Settings{}, err
	}
	return s, nil
}

// redactRaw replaces the password in raw with "xxxxx" so that the URL can
// be quoted in an error message. It works on the text, not on a parsed URL,
// because a password with unescaped reserved characters ('/', '?', '#', '@')
// can make url.Parse put parts of it into the host, path or query. Host names
// cannot contain '@', so everything from the first ':' after the scheme up to
// the last '@' is masked.
func redactRaw(raw string) string {
	at := strings.LastIndex(raw, "@")
	if at < 0 {
		return raw
	}
	start := 0
	if i := strings.Index(raw, "://"); i >= 0 && i < at {
		start = i + len("://")
	} else if i := strings.Index(raw, ":"); i >= 0 && i < at {
		start = i + 1
	}
	colon := strings.Index(raw[start:at], ":")
	if colon < 0 {
		return raw
	}
	return raw[:start+colon] + ":xxxxx" + raw[at:]
}

// parseErrorReason describes why raw failed to parse without quoting the
// password: the redacted URL is parsed again for the reason, and if that
// succeeds the fault must lie in the password itself.
func parseErrorReason(raw string) string {
	_, err := url.Parse(redactRaw(raw))
	var uerr *url.Error
	switch {
	case errors.As(err, &uerr):
		return uerr.Err.Error()
	case err != nil:
		return err.Error()
	}
	return "malformed password (reserved characters and % must be percent-encoded)"
}

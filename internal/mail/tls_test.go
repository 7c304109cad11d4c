package mail

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// TestSendTLSAuth exercises the production path against a server that
// demands TLS before AUTH PLAIN: STARTTLS on submission and implicit TLS.
func TestSendTLSAuth(t *testing.T) {
	t.Parallel()
	const host = "mail.example.lv"
	cert, roots := selfSigned(t, host)

	for _, mode := range []Mode{TLSStartTLS, TLSImplicit} {
		t.Run(mode.String(), func(t *testing.T) {
			addr, got := startTLSAuthServer(t, mode, cert, "aptauja", "p@ss:wörd")
			s := NewSender(Settings{
				Host:     host,
				Username: "aptauja",
				Password: "p@ss:wörd",
				TLS:      mode,
				From:     mail.Address{Address: "aptauja@example.lv"},
			})
			s.tlsConfig = &tls.Config{RootCAs: roots}
			s.dial = func(ctx context.Context, network, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, network, addr)
			}
			m := Message{To: []mail.Address{{Address: "dome@riga.lv"}}, Subject: "Aptauja", Text: "Labdien!"}
			if err := s.Send(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			select {
			case raw := <-got:
				if !strings.Contains(raw, "Labdien!") {
					t.Errorf("server got %q", raw)
				}
			default:
				t.Fatal("server got no message")
			}

			s.tlsConfig = nil // the self-signed certificate is not trusted
			if err := s.Send(context.Background(), m); err == nil || !strings.Contains(err.Error(), "certificate") {
				t.Errorf("untrusted certificate: err = %v", err)
			}
		})
	}
}

// startTLSAuthServer starts a go-smtp server that offers STARTTLS (or speaks
// implicit TLS), accepts only the given PLAIN credentials, and only over TLS.
// Received messages are sent on the returned channel.
func startTLSAuthServer(t *testing.T, mode Mode, cert tls.Certificate, user, pass string) (string, <-chan string) {
	got := make(chan string, 10)
	be := smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &authSession{conn: c, user: user, pass: pass, got: got}, nil
	})
	srv := smtp.NewServer(be)
	srv.Domain = "mail.example.lv"
	srv.ErrorLog = &discardLogger{}
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}

	var ln net.Listener
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if mode == TLSImplicit {
		ln = tls.NewListener(ln, srv.TLSConfig)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return addr, got
}

type authSession struct {
	conn       *smtp.Conn
	user, pass string
	authed     bool
	got        chan<- string
}

func (s *authSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *authSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if _, isTLS := s.conn.TLSConnectionState(); !isTLS || user != s.user || pass != s.pass {
			return smtp.ErrAuthFailed
		}
		s.authed = true
		return nil
	}), nil
}

func (s *authSession) Mail(string, *smtp.MailOptions) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	return nil
}

func (s *authSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *authSession) Reset()                               {}
func (s *authSession) Logout() error                        { return nil }

func (s *authSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.got <- string(b)
	return err
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}
func (discardLogger) Println(...any)        {}

// selfSigned returns a certificate for host and a pool that trusts it.
func selfSigned(t *testing.T, host string) (tls.Certificate, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: host},
		DNSNames:              []string{host},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, roots
}

package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"time"
)

// Transport sends a message. *Sender implements it; callers can substitute
// a fake in tests.
type Transport interface {
	Send(ctx context.Context, m Message) error
}

var _ Transport = (*Sender)(nil)

// DefaultTimeout bounds a whole Send when its context has no deadline.
const DefaultTimeout = 30 * time.Second

// Sender delivers messages over SMTP, one connection per message. It is safe
// for concurrent use as long as its fields are not changed meanwhile.
type Sender struct {
	// HelloName is the host name announced with EHLO.
	HelloName string
	// Timeout bounds a whole Send (dial to QUIT) when the context has no
	// deadline. Zero means no limit.
	Timeout time.Duration

	settings Settings
	// Tests replace these.
	dial      func(ctx context.Context, network, addr string) (net.Conn, error)
	tlsConfig *tls.Config
}

// NewSender returns a Sender for s with HelloName "localhost" and
// Timeout [DefaultTimeout].
func NewSender(s Settings) *Sender {
	return &Sender{
		HelloName: "localhost",
		Timeout:   DefaultTimeout,
		settings:  s,
		dial:      (&net.Dialer{}).DialContext,
	}
}

// Send composes m (see [Compose]) and delivers it to all of m.To. If any
// recipient is refused, nothing is sent. Errors name the failed SMTP step,
// e.g. "smtp RCPT TO <a@example.lv>: 550 ..."; see [IsPermanent] to decide
// whether retrying can help. Once the server has accepted the message, a
// failing QUIT is ignored so that callers do not send it twice.
func (s *Sender) Send(ctx context.Context, m Message) error {
	set := s.settings
	if err := set.check(); err != nil {
		return err
	}
	msg, err := Compose(set.From, m, time.Now(), domainOf(set.From.Address))
	if err != nil {
		return err
	}
	if _, ok := ctx.Deadline(); !ok && s.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.Timeout)
		defer cancel()
	}

	addr := net.JoinHostPort(set.Host, set.port())
	conn, err := s.dial(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("smtp dial %s: %w", addr, err)
	}
	defer conn.Close()
	if d, ok := ctx.Deadline(); ok {
		conn.SetDeadline(d)
	}
	// Cancellation interrupts any blocked read or write.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	if err := s.deliver(ctx, conn, set, m.To, msg); err != nil {
		if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
			<-ctx.Done() // the conn deadline may fire just before ctx's timer
		}
		if cerr := context.Cause(ctx); cerr != nil {
			return fmt.Errorf("%w (%w)", err, cerr)
		}
		return err
	}
	return nil
}

// deliver runs the SMTP dialogue on conn.
func (s *Sender) deliver(ctx context.Context, conn net.Conn, set Settings, to []mail.Address, msg []byte) error {
	if set.TLS == TLSImplicit {
		tc := tls.Client(conn, s.tlsConfigFor(set.Host))
		if err := tc.HandshakeContext(ctx); err != nil {
			return stepErr("TLS handshake", err)
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, set.Host)
	if err != nil {
		return stepErr("greeting", err)
	}
	defer c.Close()
	if err := c.Hello(s.HelloName); err != nil {
		return stepErr("EHLO", err)
	}

	if set.TLS == TLSStartTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(s.tlsConfigFor(set.Host)); err != nil {
				return stepErr("STARTTLS", err)
			}
		} else if set.Username != "" && !isLoopback(set.Host) {
			return fmt.Errorf("smtp STARTTLS: %s does not offer STARTTLS; refusing to send credentials in clear", set.Host)
		}
	}

	if set.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return errors.New("smtp AUTH: credentials are configured but the server does not offer AUTH")
		}
		if err := c.Auth(smtp.PlainAuth("", set.Username, set.Password, set.Host)); err != nil {
			return stepErr("AUTH", err)
		}
	}

	if err := c.Mail(set.From.Address); err != nil {
		return stepErr("MAIL FROM", err)
	}
	for _, a := range to {
		if err := c.Rcpt(a.Address); err != nil {
			return stepErr("RCPT TO <"+a.Address+">", err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return stepErr("DATA", err)
	}
	if _, err := w.Write(msg); err != nil {
		return stepErr("DATA", err)
	}
	if err := w.Close(); err != nil {
		return stepErr("DATA", err)
	}
	c.Quit() // the message is accepted; a failing QUIT changes nothing
	return nil
}

func (s *Sender) tlsConfigFor(host string) *tls.Config {
	cfg := &tls.Config{}
	if s.tlsConfig != nil {
		cfg = s.tlsConfig.Clone()
	}
	cfg.ServerName = host
	if cfg.MinVersion < tls.VersionTLS12 {
		cfg.MinVersion = tls.VersionTLS12
	}
	return cfg
}

func stepErr(step string, err error) error {
	return fmt.Errorf("smtp %s: %w", step, err)
}

// IsPermanent reports whether err is a permanent failure that retrying will
// not fix: a 5xx SMTP reply (*textproto.Error with Code >= 500) or an
// invalid message ([ErrInvalidMessage]). Network errors, timeouts and 4xx
// replies are temporary.
func IsPermanent(err error) bool {
	if errors.Is(err, ErrInvalidMessage) {
		return true
	}
	var te *textproto.Error
	return errors.As(err, &te) && te.Code >= 500
}

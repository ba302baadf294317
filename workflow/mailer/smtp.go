package mailer

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"

	"github.com/regdesk/regdesk/store"
)

// SMTPConfig configures SMTPSender.
type SMTPConfig struct {
	// URL is smtp://[user:pass@]host[:port] (STARTTLS required, except to a
	// relay on this machine without credentials; port 587 by default) or
	// smtps://[user:pass@]host[:port] (implicit TLS, port 465).
	URL string
	// TLSConfig overrides the TLS settings (tests trust their own CA).
	TLSConfig *tls.Config
	// Timeout bounds the connection and each SMTP command; 0 means 30 s.
	Timeout time.Duration
	// IdleConns is how many open connections are kept between messages for
	// the next ones (0 means 16, one per mail worker; -1 keeps none). A
	// connection is reused only after a NOOP shows it still works, and is
	// dropped after IdleTimeout unused.
	IdleConns int
	// IdleTimeout is how long a kept connection may sit unused; 0 means 30 s
	// (servers commonly hang up after a minute or more).
	IdleTimeout time.Duration
}

// SMTPSender delivers mail to an SMTP server. Connections are kept open
// between messages: the TCP, TLS and AUTH handshakes cost more than a
// small message.
type SMTPSender struct {
	client      *gomail.Client // holds the settings; connections are per message
	tlsRequired bool           // STARTTLS or fail (smtps is TLS anyway)
	idle        chan idleConn
	idleTimeout time.Duration
}

type idleConn struct {
	c     *smtp.Client
	since time.Time
}

// isLoopback reports whether host is this machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// NewSMTPSender checks the URL and prepares the client options.
func NewSMTPSender(cfg SMTPConfig) (*SMTPSender, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, errors.New("mailer: --smtp: want a URL such as smtp://user:pass@mail.example.com:587")
	}
	bad := func(why string) error {
		return fmt.Errorf("mailer: --smtp %s: %s", u.Redacted(), why)
	}
	if u.Scheme != "smtp" && u.Scheme != "smtps" {
		return nil, bad("the scheme must be smtp:// or smtps://")
	}
	if u.Hostname() == "" {
		return nil, bad("no host")
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return nil, bad("only scheme, credentials, host and port are allowed")
	}
	port := 587
	if u.Scheme == "smtps" {
		port = 465
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil || port < 1 || port > 65535 {
			return nil, bad("the port must be a number from 1 to 65535")
		}
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	opts := []gomail.Option{gomail.WithPort(port), gomail.WithTimeout(timeout)}
	if cfg.TLSConfig != nil {
		opts = append(opts, gomail.WithTLSConfig(cfg.TLSConfig))
	} else {
		opts = append(opts, gomail.WithTLSConfig(&tls.Config{ServerName: u.Hostname(), MinVersion: tls.VersionTLS12}))
	}
	user := u.User.Username()
	s := &SMTPSender{}
	switch {
	case u.Scheme == "smtps":
		opts = append(opts, gomail.WithSSL())
	case user != "" || !isLoopback(u.Hostname()):
		// Never send credentials, or mail holding activation and reset
		// links, across a network in the clear: a server that does not
		// offer STARTTLS (or an attacker stripping it) gets nothing.
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
		s.tlsRequired = true
	default:
		// A relay on this machine (a local Postfix) may speak plain SMTP.
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if user != "" {
		pass, _ := u.User.Password()
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(user), gomail.WithPassword(pass))
	}
	if s.client, err = gomail.NewClient(u.Hostname(), opts...); err != nil {
		return nil, bad(err.Error())
	}
	idle := cfg.IdleConns
	if idle == 0 {
		idle = 16
	}
	s.idle = make(chan idleConn, max(idle, 0))
	s.idleTimeout = cfg.IdleTimeout
	if s.idleTimeout <= 0 {
		s.idleTimeout = 30 * time.Second
	}
	return s, nil
}

// Addr is the server's host:port, for logs.
func (s *SMTPSender) Addr() string { return s.client.ServerAddr() }

// Send delivers one message. A 5xx reply is a *PermanentError (via
// IsPermanent); everything else (refused connection, 4xx, timeout) is
// temporary.
func (s *SMTPSender) Send(ctx context.Context, from string, m store.Mail) error {
	msg, err := build(from, m)
	if err != nil {
		return err
	}
	conn, reused, err := s.conn(ctx)
	if err != nil {
		return fmt.Errorf("mailer: send mail #%d via %s: %w", m.ID, s.client.ServerAddr(), err)
	}
	err = s.client.SendWithSMTPClient(conn, msg)
	if err != nil && reused && !msg.IsDelivered() && isConnCheck(err) {
		// The kept connection had gone away (the NOOP failed): one more
		// try on a new one; nothing was sent on the old.
		s.client.CloseWithSMTPClient(conn)
		if conn, err = s.dial(ctx); err == nil {
			err = s.client.SendWithSMTPClient(conn, msg)
		}
	}
	if err != nil && !msg.IsDelivered() {
		if conn != nil {
			s.client.CloseWithSMTPClient(conn)
		}
		return fmt.Errorf("mailer: send mail #%d via %s: %w", m.ID, s.client.ServerAddr(), err)
	}
	if err != nil {
		// Delivered, but the reset after it failed: the connection is not
		// fit for another message, the message is out.
		s.client.CloseWithSMTPClient(conn)
		return nil
	}
	s.put(conn)
	return nil
}

// conn takes a kept connection when one is fresh enough, else dials.
func (s *SMTPSender) conn(ctx context.Context) (*smtp.Client, bool, error) {
	for {
		select {
		case ic := <-s.idle:
			if time.Since(ic.since) < s.idleTimeout {
				return ic.c, true, nil
			}
			s.client.CloseWithSMTPClient(ic.c)
			continue
		default:
		}
		c, err := s.dial(ctx)
		return c, false, err
	}
}

func (s *SMTPSender) dial(ctx context.Context) (*smtp.Client, error) {
	return s.client.DialToSMTPClientWithContext(ctx)
}

// put keeps a connection for the next message, or closes it when enough
// are kept.
func (s *SMTPSender) put(c *smtp.Client) {
	select {
	case s.idle <- idleConn{c: c, since: time.Now()}:
	default:
		s.client.CloseWithSMTPClient(c)
	}
}

// Close says goodbye (QUIT) on every kept connection.
func (s *SMTPSender) Close() error {
	for {
		select {
		case ic := <-s.idle:
			s.client.CloseWithSMTPClient(ic.c)
		default:
			return nil
		}
	}
}

// isConnCheck: the send failed on the check of a kept connection (the
// NOOP), before any message was started.
func isConnCheck(err error) bool {
	var se *gomail.SendError
	return errors.As(err, &se) && se.Reason == gomail.ErrConnCheck
}

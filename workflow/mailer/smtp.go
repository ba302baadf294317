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
}

// SMTPSender delivers mail to an SMTP server, one connection per message.
type SMTPSender struct {
	host        string
	opts        []gomail.Option
	tlsRequired bool // STARTTLS or fail (smtps is TLS anyway)
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
	s := &SMTPSender{host: u.Hostname()}
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
	s.opts = opts
	return s, nil
}

// Addr is the server's host:port, for logs.
func (s *SMTPSender) Addr() string {
	c, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return s.host
	}
	return c.ServerAddr()
}

// Send delivers one message. A 5xx reply is a *PermanentError (via
// IsPermanent); everything else (refused connection, 4xx, timeout) is
// temporary.
func (s *SMTPSender) Send(ctx context.Context, from string, m store.Mail) error {
	msg, err := build(from, m)
	if err != nil {
		return err
	}
	c, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return &PermanentError{fmt.Errorf("mailer: smtp client: %w", err)}
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("mailer: send mail #%d via %s: %w", m.ID, c.ServerAddr(), err)
	}
	return nil
}

package mailer_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow/mailer"
	"github.com/regdesk/regdesk/workflow/mailer/smtptest"
)

const from = "Regdesk Test <no-reply@example.test>"

func sample(id int64) store.Mail {
	return store.Mail{ID: id, MessageID: "<abc123@example.test>", Kind: "welcome", Ref: "UR-000001",
		To: "ada@example.com", Subject: "Welcome to Example, Ada", Text: "Hello Ada,\nyour login is ada.\n",
		HTML:      "<p>Hello Ada,</p><p>your login is <b>ada</b>.</p>",
		CreatedAt: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)}
}

// checkMessage parses raw as RFC 5322 and checks headers and both parts.
func checkMessage(t *testing.T, raw []byte, m store.Mail) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("not RFC 5322: %v\n%s", err, raw)
	}
	h := msg.Header
	for k, want := range map[string]string{"Message-Id": m.MessageID, "Subject": m.Subject} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if a, err := mail.ParseAddress(h.Get("From")); err != nil || a.Address != "no-reply@example.test" || a.Name != "Regdesk Test" {
		t.Errorf("From = %q (%v)", h.Get("From"), err)
	}
	if a, err := mail.ParseAddress(h.Get("To")); err != nil || a.Address != m.To {
		t.Errorf("To = %q (%v)", h.Get("To"), err)
	}
	if d, err := h.Date(); err != nil || !d.Equal(m.CreatedAt) {
		t.Errorf("Date = %q (%v), want %v", h.Get("Date"), err, m.CreatedAt)
	}
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type = %q (%v)", h.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	parts := map[string]string{}
	for {
		p, err := mr.NextPart() // decodes quoted-printable
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		b, _ := io.ReadAll(p)
		parts[ct] = strings.ReplaceAll(string(b), "\r\n", "\n")
	}
	if parts["text/plain"] != m.Text {
		t.Errorf("text part = %q, want %q", parts["text/plain"], m.Text)
	}
	if parts["text/html"] != m.HTML {
		t.Errorf("html part = %q, want %q", parts["text/html"], m.HTML)
	}
}

func TestSMTPSender_Send(t *testing.T) {
	ctx := context.Background()
	t.Run("STARTTLS and AUTH PLAIN", func(t *testing.T) {
		srv := smtptest.New(t, smtptest.Options{STARTTLS: true, User: "mailer", Password: "s3cret pass"})
		s, err := mailer.NewSMTPSender(mailer.SMTPConfig{URL: srv.URL(), TLSConfig: srv.ClientTLS(), Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		m := sample(7)
		if err := s.Send(ctx, from, m); err != nil {
			t.Fatal(err)
		}
		got := srv.Wait(1, 5*time.Second)[0]
		if !got.TLS || got.User != "mailer" || got.From != "no-reply@example.test" ||
			len(got.To) != 1 || got.To[0] != m.To {
			t.Fatalf("session: tls=%v user=%q from=%q to=%v", got.TLS, got.User, got.From, got.To)
		}
		checkMessage(t, got.Data, m)
	})
	t.Run("implicit TLS", func(t *testing.T) {
		srv := smtptest.New(t, smtptest.Options{Implicit: true, User: "u", Password: "p"})
		s, err := mailer.NewSMTPSender(mailer.SMTPConfig{URL: srv.URL(), TLSConfig: srv.ClientTLS(), Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Send(ctx, from, sample(1)); err != nil {
			t.Fatal(err)
		}
		if got := srv.Wait(1, 5*time.Second)[0]; !got.TLS || got.User != "u" {
			t.Fatalf("tls=%v user=%q", got.TLS, got.User)
		}
	})
	t.Run("plain server without credentials", func(t *testing.T) {
		srv := smtptest.New(t, smtptest.Options{})
		s, err := mailer.NewSMTPSender(mailer.SMTPConfig{URL: srv.URL(), Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Send(ctx, from, sample(1)); err != nil {
			t.Fatal(err)
		}
		if got := srv.Wait(1, 5*time.Second)[0]; got.TLS || got.User != "" {
			t.Fatalf("tls=%v user=%q", got.TLS, got.User)
		}
	})
	t.Run("credentials never go over an unencrypted connection", func(t *testing.T) {
		srv := smtptest.New(t, smtptest.Options{User: "u", Password: "p"}) // no STARTTLS offered
		s, err := mailer.NewSMTPSender(mailer.SMTPConfig{URL: srv.URL(), Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		err = s.Send(ctx, from, sample(1))
		if err == nil || mailer.IsPermanent(err) {
			t.Fatalf("err = %v, want a temporary error", err)
		}
		if n := len(srv.Messages()); n != 0 {
			t.Fatalf("%d messages delivered", n)
		}
	})
	t.Run("wrong password is temporary (fix the config, mail waits)", func(t *testing.T) {
		srv := smtptest.New(t, smtptest.Options{STARTTLS: true, User: "u", Password: "right"})
		s, _ := mailer.NewSMTPSender(mailer.SMTPConfig{URL: "smtp://u:wrong@" + srv.Addr(),
			TLSConfig: srv.ClientTLS(), Timeout: 5 * time.Second})
		if err := s.Send(ctx, from, sample(1)); err == nil || mailer.IsPermanent(err) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("5xx is permanent, 4xx temporary", func(t *testing.T) {
		replies := map[int]error{
			1: &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"},
			2: &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"},
		}
		srv := smtptest.New(t, smtptest.Options{Reply: func(n int) error { return replies[n] }})
		s, _ := mailer.NewSMTPSender(mailer.SMTPConfig{URL: srv.URL(), Timeout: 5 * time.Second})
		if err := s.Send(ctx, from, sample(1)); !mailer.IsPermanent(err) {
			t.Fatalf("550: err = %v, want permanent", err)
		}
		if err := s.Send(ctx, from, sample(2)); err == nil || mailer.IsPermanent(err) {
			t.Fatalf("451: err = %v, want temporary", err)
		}
		if err := s.Send(ctx, from, sample(3)); err != nil {
			t.Fatalf("third: %v", err)
		}
	})
	t.Run("server down is temporary", func(t *testing.T) {
		srv := smtptest.New(t, smtptest.Options{})
		srv.Stop()
		s, _ := mailer.NewSMTPSender(mailer.SMTPConfig{URL: srv.URL(), Timeout: 2 * time.Second})
		if err := s.Send(ctx, from, sample(1)); err == nil || mailer.IsPermanent(err) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("bad recipient is permanent", func(t *testing.T) {
		srv := smtptest.New(t, smtptest.Options{})
		s, _ := mailer.NewSMTPSender(mailer.SMTPConfig{URL: srv.URL(), Timeout: 2 * time.Second})
		m := sample(1)
		m.To = "not an address"
		if err := s.Send(ctx, from, m); !mailer.IsPermanent(err) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestNewSMTPSender_BadURL(t *testing.T) {
	for _, u := range []string{"", "mail.example.com:25", "http://mail.example.com", "smtp://",
		"smtp://mail.example.com:99999", "smtp://mail.example.com:x", "smtp://mail.example.com/path",
		"smtp://mail.example.com?tls=no", "smtp://[::1"} {
		if _, err := mailer.NewSMTPSender(mailer.SMTPConfig{URL: u}); err == nil {
			t.Errorf("%q accepted", u)
		}
	}
	_, err := mailer.NewSMTPSender(mailer.SMTPConfig{URL: "ftp://user:topsecret@mail.example.com"})
	if err == nil || strings.Contains(err.Error(), "topsecret") {
		t.Errorf("error %v shows the password", err)
	}
	for u, want := range map[string]string{
		"smtp://mail.example.com":        "mail.example.com:587",
		"smtps://mail.example.com":       "mail.example.com:465",
		"smtp://u:p@mail.example.com:25": "mail.example.com:25",
	} {
		s, err := mailer.NewSMTPSender(mailer.SMTPConfig{URL: u})
		if err != nil || s.Addr() != want {
			t.Errorf("%s: addr %v, %v; want %s", u, s, err, want)
		}
	}
}

func TestFileSender_Send(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mail")
	s, err := mailer.NewFileSender(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := sample(42)
	m.Kind = "set/password" // never a path
	for range 2 {           // a retry rewrites the same file
		if err := s.Send(context.Background(), from, m); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "000042-set_password.eml" {
		t.Fatalf("files: %v", entries)
	}
	raw, err := os.ReadFile(filepath.Join(dir, entries[0].Name()))
	if err != nil {
		t.Fatal(err)
	}
	checkMessage(t, raw, m)
	if fi, _ := os.Stat(filepath.Join(dir, entries[0].Name())); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v: mail holds links with tokens", fi.Mode().Perm())
	}
}

// TestSMTPSender_keepsConnections: messages one after another share one
// connection (one TLS and AUTH handshake); a kept connection the server has
// dropped is noticed and replaced without losing the message; Close says
// goodbye.
func TestSMTPSender_keepsConnections(t *testing.T) {
	ctx := context.Background()
	srv := smtptest.New(t, smtptest.Options{STARTTLS: true, User: "mailer", Password: "pw"})
	s, err := mailer.NewSMTPSender(mailer.SMTPConfig{URL: srv.URL(), TLSConfig: srv.ClientTLS(), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if err := s.Send(ctx, from, sample(int64(i+1))); err != nil {
			t.Fatal(err)
		}
	}
	if got := srv.Wait(5, 5*time.Second); len(got) != 5 || srv.Connections() != 1 {
		t.Fatalf("%d messages over %d connections, want 5 over 1", len(got), srv.Connections())
	}
	srv.Stop() // drops the kept connection
	srv.Start()
	if err := s.Send(ctx, from, sample(6)); err != nil {
		t.Fatalf("after the server dropped the connection: %v", err)
	}
	if got := srv.Wait(6, 5*time.Second); len(got) != 6 || srv.Connections() != 2 {
		t.Fatalf("%d messages over %d connections, want 6 over 2", len(got), srv.Connections())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Send(ctx, from, sample(7)); err != nil {
		t.Fatalf("after Close: %v", err)
	}
	if srv.Wait(7, 5*time.Second); srv.Connections() != 3 {
		t.Fatalf("after Close the next message opened %d connections in all, want 3", srv.Connections())
	}

	t.Run("none kept", func(t *testing.T) {
		srv := smtptest.New(t, smtptest.Options{})
		s, err := mailer.NewSMTPSender(mailer.SMTPConfig{URL: srv.URL(), Timeout: 5 * time.Second, IdleConns: -1})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			if err := s.Send(ctx, from, sample(int64(i+1))); err != nil {
				t.Fatal(err)
			}
		}
		if srv.Wait(3, 5*time.Second); srv.Connections() != 3 {
			t.Fatalf("%d connections for 3 messages with none kept", srv.Connections())
		}
	})
}

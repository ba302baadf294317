package mailer

import "testing"

// Without SMTP credentials STARTTLS was optional even to a remote server, so
// anyone on the path could strip it and read every activation and reset link.
func TestSMTPSTARTTLSOptionalToRemoteServer(t *testing.T) {
	for url, want := range map[string]bool{
		"smtp://mail.example.com":        true,
		"smtp://mail.example.com:25":     true,
		"smtp://192.0.2.25:587":          true,
		"smtp://u:p@127.0.0.1:587":       true, // credentials never go in the clear
		"smtp://127.0.0.1:2525":          false,
		"smtp://localhost:25":            false,
		"smtp://[::1]:25":                false,
		"smtps://mail.example.com":       false, // TLS from the first byte
		"smtps://u:p@mail.example.com:1": false,
	} {
		s, err := NewSMTPSender(SMTPConfig{URL: url})
		if err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		if s.tlsRequired != want {
			t.Errorf("%s: STARTTLS required = %v, want %v", url, s.tlsRequired, want)
		}
	}
}

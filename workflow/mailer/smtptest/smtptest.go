// Package smtptest runs a real SMTP server (github.com/emersion/go-smtp)
// inside a test: STARTTLS or implicit TLS with a certificate made for the
// test, AUTH PLAIN, scripted replies, and stop/start to simulate an outage.
package smtptest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Options configure a Server.
type Options struct {
	// STARTTLS offers STARTTLS; Implicit serves TLS from the first byte (smtps).
	STARTTLS, Implicit bool
	// User and Password, when set, make AUTH PLAIN required before MAIL.
	User, Password string
	// Reply decides the answer to the n-th DATA command (1-based); nil or a
	// nil result accepts the message. Return an *smtp.SMTPError to refuse.
	Reply func(n int) error
}

// Message is one message the server accepted.
type Message struct {
	From string
	To   []string
	Data []byte
	User string // authenticated user, if any
	TLS  bool   // the session was encrypted
}

// Server is a running test SMTP server.
type Server struct {
	t    testing.TB
	opts Options
	addr string
	cert tls.Certificate
	pool *x509.CertPool
	pem  []byte

	mu    sync.Mutex
	srv   *smtp.Server
	ln    net.Listener
	msgs  []Message
	datas int
	conns map[string]bool // client addresses seen: one per connection
}

// New starts a server on a free loopback port; it stops when the test ends.
func New(t testing.TB, o Options) *Server {
	t.Helper()
	s := &Server{t: t, opts: o}
	s.makeCert()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtptest: listen: %v", err)
	}
	s.addr = ln.Addr().String()
	s.serve(ln)
	t.Cleanup(s.Stop)
	return s
}

// Addr is host:port.
func (s *Server) Addr() string { return s.addr }

// URL is the server's smtp:// (or smtps://) URL with its credentials.
func (s *Server) URL() string {
	u := url.URL{Scheme: "smtp", Host: s.addr}
	if s.opts.Implicit {
		u.Scheme = "smtps"
	}
	if s.opts.User != "" {
		u.User = url.UserPassword(s.opts.User, s.opts.Password)
	}
	return u.String()
}

// ClientTLS trusts the server's certificate.
func (s *Server) ClientTLS() *tls.Config {
	return &tls.Config{RootCAs: s.pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
}

// CAFile writes the certificate as PEM into dir (for SSL_CERT_FILE in a
// child process) and returns its path.
func (s *Server) CAFile(dir string) string {
	p := filepath.Join(dir, "smtptest-ca.pem")
	if err := os.WriteFile(p, s.pem, 0o600); err != nil {
		s.t.Fatalf("smtptest: %v", err)
	}
	return p
}

// Stop closes the server: connections are refused until Start.
func (s *Server) Stop() {
	s.mu.Lock()
	srv, ln := s.srv, s.ln
	s.srv, s.ln = nil, nil
	s.mu.Unlock()
	if srv != nil {
		// Close the listener too: Serve may not have registered it yet.
		ln.Close()
		srv.Close()
	}
}

// Start listens again on the same address after Stop.
func (s *Server) Start() {
	s.t.Helper()
	var ln net.Listener
	var err error
	deadline := time.Now().Add(5 * time.Second)
	for {
		if ln, err = net.Listen("tcp", s.addr); err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond) // the port is released asynchronously
	}
	if err != nil {
		s.t.Fatalf("smtptest: listen again on %s: %v", s.addr, err)
	}
	s.serve(ln)
}

// Connections is how many connections clients have opened so far.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// Messages returns a copy of what the server accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Wait polls until the server holds at least n messages, failing the test
// after d.
func (s *Server) Wait(n int, d time.Duration) []Message {
	s.t.Helper()
	deadline := time.Now().Add(d)
	for {
		if m := s.Messages(); len(m) >= n {
			return m
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("smtptest: %d of %d messages after %v", len(s.Messages()), n, d)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (s *Server) serve(ln net.Listener) {
	srv := smtp.NewServer(backend{s})
	srv.Domain = "smtptest.localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.MaxMessageBytes = 1 << 20
	srv.ErrorLog = quietLog{}
	if s.opts.STARTTLS || s.opts.Implicit {
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{s.cert}, MinVersion: tls.VersionTLS12}
	}
	if s.opts.Implicit {
		ln = tls.NewListener(ln, srv.TLSConfig)
	}
	s.mu.Lock()
	s.srv, s.ln = srv, ln
	s.mu.Unlock()
	go srv.Serve(ln)
}

func (s *Server) makeCert() {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		s.t.Fatalf("smtptest: key: %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "smtptest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		s.t.Fatalf("smtptest: certificate: %v", err)
	}
	leaf, _ := x509.ParseCertificate(der)
	s.cert = tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
	s.pool = x509.NewCertPool()
	s.pool.AddCert(leaf)
	s.pem = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

type quietLog struct{}

func (quietLog) Printf(string, ...any) {}
func (quietLog) Println(...any)        {}

type backend struct{ s *Server }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	b.s.mu.Lock()
	if b.s.conns == nil {
		b.s.conns = map[string]bool{}
	}
	b.s.conns[c.Conn().RemoteAddr().String()] = true // STARTTLS starts a new session on the same one
	b.s.mu.Unlock()
	_, isTLS := c.TLSConnectionState()
	return &session{s: b.s, tls: isTLS, conn: c}, nil
}

type session struct {
	s    *Server
	conn *smtp.Conn
	tls  bool
	user string
	msg  Message
}

var errAuthRequired = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "authentication required"}

func (se *session) AuthMechanisms() []string {
	if se.s.opts.User == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (se *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != se.s.opts.User || pass != se.s.opts.Password {
			return errors.New("invalid credentials")
		}
		se.user = user
		return nil
	}), nil
}

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	if se.s.opts.User != "" && se.user == "" {
		return errAuthRequired
	}
	_, se.tls = se.conn.TLSConnectionState()
	se.msg = Message{From: from, User: se.user, TLS: se.tls}
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	se.msg.To = append(se.msg.To, to)
	return nil
}

func (se *session) Data(r io.Reader) error {
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil {
		return err
	}
	s := se.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.datas++
	if s.opts.Reply != nil {
		if err := s.opts.Reply(s.datas); err != nil {
			return err
		}
	}
	se.msg.Data = buf.Bytes()
	s.msgs = append(s.msgs, se.msg)
	return nil
}

func (se *session) Reset()        { se.msg = Message{} }
func (se *session) Logout() error { return nil }

// Package sshserver serves the approvers' screens over SSH: key
// authentication against the approvers in the database, a login deadline and
// caps on connections still logging in, modern algorithms only, and one
// Bubble Tea program per session on that session's own terminal.
package sshserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/ssh"

	"github.com/regdesk/regdesk/store"
)

// DefaultAddr is where `regdesk serve` listens for approvers unless told otherwise.
const DefaultAddr = "127.0.0.1:2222"

// HostKeyFile is the host key's file name in the data directory.
const HostKeyFile = "ssh_host_ed25519_key"

const (
	// sshLoginGrace bounds how long a session may sit without any traffic
	// (it stays above it with keepalives); the login itself has its own
	// deadline that never restarts (Config.LoginDeadline).
	sshLoginGrace = 2 * time.Minute
	sshKeepAlive  = 30 * time.Second
)

// Config configures the approvers' SSH server.
type Config struct {
	Addr        string    // listen address; DefaultAddr when empty
	HostKeyPath string    // ed25519 host key, created (0600) on first start
	DB          *store.DB // approvers and their keys
	Logger      *slog.Logger
	// NewModel builds the program's model for one session of an approver
	// authenticated by key; an error ends the session with a one-line message.
	NewModel func(sess ssh.Session, approver string) (tea.Model, error)
	Now      func() time.Time // time.Now when nil

	IdleTimeout time.Duration // without keyboard or mouse input; 30m when zero
	MaxSessions int           // concurrent sessions; 32 when zero
	ConnBurst   int           // connections one IP may open at once; 10 when zero
	ConnRefill  time.Duration // one more connection per IP every ConnRefill; 6s when zero
	// KeyCheck is how often a session checks that its key is still
	// registered (`approvers remove` ends open sessions); 30s when zero.
	KeyCheck time.Duration
	// LoginDeadline is how long a connection has from accept to a running
	// session, however it trickles bytes; 30s when zero.
	LoginDeadline time.Duration
	// MaxLoggingIn caps connections still logging in, overall (64 when
	// zero) and per network, /24 or /48 (PerNetLoggingIn, 8 when zero).
	MaxLoggingIn, PerNetLoggingIn int
}

// Server serves one Bubble Tea program per approver session.
type Server struct {
	cfg     Config
	log     *slog.Logger
	srv     *ssh.Server
	limiter *sshRateLimiter
	logins  *sshLogins
	hostFP  string

	mu        sync.Mutex
	closing   bool
	listeners map[net.Listener]struct{}
	sessions  map[*sshSession]struct{}
	running   sync.WaitGroup // session handlers
}

// sshSession is one running session, known to Shutdown.
type sshSession struct {
	program *tea.Program // nil until the program is built
}

// New checks the configuration and loads (or creates) the host key.
func New(cfg Config) (*Server, error) {
	switch {
	case cfg.DB == nil:
		return nil, errors.New("ssh: no database")
	case cfg.NewModel == nil:
		return nil, errors.New("ssh: no model factory")
	case cfg.HostKeyPath == "":
		return nil, errors.New("ssh: no host key path")
	case cfg.IdleTimeout < 0, cfg.MaxSessions < 0, cfg.ConnBurst < 0, cfg.ConnRefill < 0, cfg.KeyCheck < 0:
		return nil, errors.New("ssh: idle timeout, session cap, connection rate and key check must not be negative")
	}
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.MaxSessions == 0 {
		cfg.MaxSessions = 32
	}
	if cfg.ConnBurst == 0 {
		cfg.ConnBurst = 10
	}
	if cfg.ConnRefill == 0 {
		cfg.ConnRefill = 6 * time.Second
	}
	if cfg.KeyCheck == 0 {
		cfg.KeyCheck = 30 * time.Second
	}
	if cfg.LoginDeadline <= 0 {
		cfg.LoginDeadline = 30 * time.Second
	}
	if cfg.MaxLoggingIn <= 0 {
		cfg.MaxLoggingIn = 64
	}
	if cfg.PerNetLoggingIn <= 0 {
		cfg.PerNetLoggingIn = 8
	}
	signer, err := sshHostSigner(cfg.HostKeyPath)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:       cfg,
		log:       cfg.Logger.With("component", "ssh"),
		limiter:   newSSHRateLimiter(cfg.ConnBurst, cfg.ConnRefill, cfg.Now),
		logins:    &sshLogins{max: cfg.MaxLoggingIn, perNet: cfg.PerNetLoggingIn, byNet: map[string]int{}},
		hostFP:    fingerprint(signer.PublicKey()),
		listeners: map[net.Listener]struct{}{},
		sessions:  map[*sshSession]struct{}{},
	}
	s.srv = &ssh.Server{
		Addr:        cfg.Addr,
		HostSigners: []ssh.Signer{signer},
		Version:     "regdesk",
		IdleTimeout: sshLoginGrace,
		// Outermost first.
		Handler:          s.recoverMW(s.identifyMW(s.terminalMW(s.capMW(s.runProgram)))),
		PublicKeyHandler: s.publicKeyAuth,
		// Keyboard-interactive only ever refuses, but it lets plain ssh show
		// an unknown key's owner why and what to do.
		KeyboardInteractiveHandler: s.refuseInteractive,
		ConnCallback:               s.admitConn,
		ServerConfigCallback:       sshServerConfig,
		ConnectionFailedCallback: func(c net.Conn, err error) {
			s.log.Info("ssh refused", "remote", c.RemoteAddr().String(), "err", err)
		},
	}
	return s, nil
}

// HostKeyFingerprint is the SHA256 fingerprint clients see on first connect.
func (s *Server) HostKeyFingerprint() string { return s.hostFP }

// ListenAndServe listens on the configured address and serves until Shutdown,
// after which it returns nil.
func (s *Server) ListenAndServe() error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("ssh: listen: %w", err)
	}
	return s.Serve(ln)
}

// Serve serves on ln until Shutdown, after which it returns nil.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		ln.Close()
		return nil
	}
	s.listeners[ln] = struct{}{}
	s.mu.Unlock()
	s.log.Info("ssh listening", "addr", ln.Addr().String(), "host_key", s.hostFP)
	err := s.srv.Serve(ln)
	s.mu.Lock()
	closing := s.closing
	delete(s.listeners, ln)
	s.mu.Unlock()
	if closing {
		return nil
	}
	return fmt.Errorf("ssh: serve: %w", err)
}

// Shutdown stops accepting connections, tells every connected approver that
// regdesk is shutting down, waits for their sessions to end (or ctx), then
// closes the remaining connections.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	for ln := range s.listeners {
		ln.Close()
	}
	n := len(s.sessions)
	for sess := range s.sessions {
		if p := sess.program; p != nil {
			go p.Quit()
		}
	}
	s.mu.Unlock()
	s.log.Info("ssh shutting down", "sessions", n)

	done := make(chan struct{})
	go func() {
		s.running.Wait()
		close(done)
	}()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = fmt.Errorf("ssh: shutdown: %w", ctx.Err())
	}
	if cerr := s.srv.Close(); cerr != nil && err == nil && !errors.Is(cerr, net.ErrClosed) {
		err = fmt.Errorf("ssh: shutdown: %w", cerr)
	}
	return err
}

// Run serves on ln until ctx ends, then shuts down, giving sessions up to
// grace to end; it is how `regdesk serve` runs the server.
func (s *Server) Run(ctx context.Context, ln net.Listener, grace time.Duration) error {
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := s.Shutdown(sctx)
	if serr := <-errc; serr != nil && err == nil {
		err = serr
	}
	return err
}

func (s *Server) isClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

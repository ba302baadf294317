package sshserver

import (
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// Only modern algorithms: curve25519 and ML-KEM hybrid key exchange, AEAD
// ciphers, encrypt-then-MAC MACs (used only with a non-AEAD cipher, which
// none of these is, but a client asks). ssh-audit reports no failure.
var (
	sshKeyExchanges = []string{gossh.KeyExchangeMLKEM768X25519, gossh.KeyExchangeCurve25519,
		"curve25519-sha256@libssh.org"}
	sshCiphers = []string{gossh.CipherChaCha20Poly1305, gossh.CipherAES256GCM, gossh.CipherAES128GCM}
	sshMACs    = []string{gossh.HMACSHA256ETM, gossh.HMACSHA512ETM}
)

// sshServerConfig is the key exchange, cipher and MAC list of every connection.
func sshServerConfig(ssh.Context) *gossh.ServerConfig {
	return &gossh.ServerConfig{Config: gossh.Config{KeyExchanges: sshKeyExchanges,
		Ciphers: sshCiphers, MACs: sshMACs}}
}

// sshNetwork is the network a connection is counted in: /24 for IPv4 and
// /48 for IPv6, where one site gets a whole /48 to spread over.
func sshNetwork(addr net.Addr) string {
	ap, err := netip.ParseAddrPort(addr.String())
	if err != nil {
		return addr.String()
	}
	a := ap.Addr().Unmap()
	bits := 24
	if a.Is6() {
		bits = 48
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return a.String()
	}
	return p.String()
}

// sshLogins counts connections that have not logged in yet, overall and
// per network, so a flood of half-open handshakes cannot crowd out approvers.
type sshLogins struct {
	max, perNet int
	mu          sync.Mutex
	total       int
	byNet       map[string]int
}

// admit counts a new connection from net, or refuses it over a cap.
func (l *sshLogins) admit(network string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.total >= l.max || l.byNet[network] >= l.perNet {
		return false
	}
	l.total++
	l.byNet[network]++
	return true
}

func (l *sshLogins) done(network string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.total--
	if l.byNet[network]--; l.byNet[network] <= 0 {
		delete(l.byNet, network)
	}
}

type sshLoginKey struct{}

// loginConn is a connection until its login: closed when the deadline
// passes, however slowly the client keeps sending (unlike an idle timer,
// it never restarts), unless a session has started by then.
type loginConn struct {
	net.Conn
	once    sync.Once
	timer   *time.Timer
	release func()
}

// loggedIn stops the deadline and frees the connection's place in the
// count of connections still logging in.
func (c *loginConn) loggedIn() { c.once.Do(func() { c.timer.Stop(); c.release() }) }

func (c *loginConn) Close() error {
	c.once.Do(func() { c.timer.Stop(); c.release() })
	return c.Conn.Close()
}

// admitConn refuses a connection over the rate or the caps on connections
// still logging in, and gives the rest a login deadline.
func (s *Server) admitConn(ctx ssh.Context, c net.Conn) net.Conn {
	network := sshNetwork(c.RemoteAddr())
	if !s.limiter.allow(network) {
		s.log.Warn("ssh rate limited", "remote", c.RemoteAddr().String(), "network", network)
		return nil
	}
	if !s.logins.admit(network) {
		s.log.Warn("ssh refused: too many connections logging in", "remote", c.RemoteAddr().String(),
			"network", network)
		return nil
	}
	lc := &loginConn{Conn: c, release: func() { s.logins.done(network) }}
	// The deadline may pass before AfterFunc has returned (a short deadline
	// on a busy machine), so its function must not read lc.timer; there is
	// nothing to stop once it has fired anyway.
	lc.timer = time.AfterFunc(s.cfg.LoginDeadline, func() {
		s.log.Info("ssh login deadline passed", "remote", c.RemoteAddr().String())
		lc.once.Do(lc.release)
		lc.Conn.Close()
	})
	ctx.SetValue(sshLoginKey{}, lc)
	return lc
}

// markLoggedIn ends the login deadline of a session's connection.
func markLoggedIn(ctx ssh.Context) {
	if lc, ok := ctx.Value(sshLoginKey{}).(*loginConn); ok {
		lc.loggedIn()
	}
}

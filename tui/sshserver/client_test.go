package sshserver

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/store/storetest"
)

// sshTestWait bounds every wait for a screen or an exit; generous for -race.
const sshTestWait = 15 * time.Second

// sshTestEnv is a running Server on a random local port with its own
// database, for tests that connect with a real SSH client.
type sshTestEnv struct {
	t       testing.TB
	DB      *store.DB
	Server  *Server
	Addr    string
	HostKey gossh.PublicKey
	logs    *sshSyncBuffer
	served  chan error
}

// newSSHTestEnv starts a server; configure may set NewModel (required), DB,
// Now and limits. The server is shut down when the test ends.
func newSSHTestEnv(t testing.TB, configure func(*Config)) *sshTestEnv {
	t.Helper()
	logs := &sshSyncBuffer{}
	cfg := Config{
		HostKeyPath: filepath.Join(t.TempDir(), HostKeyFile),
		Logger:      slog.New(slog.NewTextHandler(logs, nil)),
	}
	configure(&cfg)
	if cfg.DB == nil {
		cfg.DB = storetest.New(t)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e := &sshTestEnv{t: t, DB: cfg.DB, Server: srv, Addr: ln.Addr().String(), logs: logs,
		served: make(chan error, 1)}
	e.HostKey = srv.srv.HostSigners[0].PublicKey()
	// Run as serve runs it: until its context ends.
	ctx, stop := context.WithCancel(context.Background())
	go func() { e.served <- srv.Run(ctx, ln, sshTestWait) }()
	t.Cleanup(func() {
		stop()
		if err := <-e.served; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return e
}

// Logs is everything the server logged so far.
func (e *sshTestEnv) Logs() string { return e.logs.String() }

// AddApprover registers an approver with a fresh ed25519 key and returns
// the key's signer.
func (e *sshTestEnv) AddApprover(name string) gossh.Signer {
	e.t.Helper()
	signer := sshTestKey(e.t)
	pub := signer.PublicKey()
	ctx := context.Background()
	err := e.DB.WithTx(ctx, func(tx *store.Tx) error {
		a, err := tx.InsertApprover(ctx, name, "")
		if err != nil {
			return err
		}
		return tx.AddApproverKey(ctx, a.ID, store.ApproverKey{
			PublicKey:   strings.TrimSpace(string(gossh.MarshalAuthorizedKey(pub))),
			Fingerprint: gossh.FingerprintSHA256(pub)})
	})
	if err != nil {
		e.t.Fatalf("add approver %s: %v", name, err)
	}
	return signer
}

func sshTestKey(t testing.TB) gossh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return signer
}

// Dial connects as user with the given auth methods, checking the host key.
func (e *sshTestEnv) Dial(user string, auth ...gossh.AuthMethod) (*gossh.Client, error) {
	return gossh.Dial("tcp", e.Addr, &gossh.ClientConfig{
		User:            user,
		Auth:            auth,
		HostKeyCallback: gossh.FixedHostKey(e.HostKey),
		Timeout:         sshTestWait,
	})
}

// sshTermOptions shape a test terminal; zero values give an 80x24
// xterm-256color with a black background.
type sshTermOptions struct {
	User          string // SSH user name; "anyone" when empty (regdesk ignores it)
	Width, Height int
	Term          string
	Env           map[string]string
	Background    string // the OSC 11 reply, e.g. "rgb:ffff/ffff/ffff"
	NoPTY         bool
	Command       string // exec this instead of starting a shell
}

// sshTerm is one interactive session seen from the client side: it answers
// the program's background-colour queries like a terminal would and keeps
// the screen (see sshScreen) and every byte the server wrote.
type sshTerm struct {
	t      testing.TB
	client *gossh.Client
	sess   *gossh.Session
	stdin  io.WriteCloser
	bg     string

	mu     sync.Mutex
	raw    bytes.Buffer
	screen *sshScreen

	done    chan struct{}
	exitErr error
}

// Open dials with signer's key, requests a pty (unless NoPTY) and starts a
// shell; the session is closed when the test ends.
func (e *sshTestEnv) Open(signer gossh.Signer, o sshTermOptions) *sshTerm {
	e.t.Helper()
	if o.User == "" {
		o.User = "anyone"
	}
	if o.Width == 0 {
		o.Width, o.Height = 80, 24
	}
	if o.Term == "" {
		o.Term = "xterm-256color"
	}
	if o.Background == "" {
		o.Background = "rgb:0000/0000/0000"
	}
	client, err := e.Dial(o.User, gossh.PublicKeys(signer))
	if err != nil {
		e.t.Fatalf("dial: %v", err)
	}
	sess, err := client.NewSession()
	if err != nil {
		client.Close()
		e.t.Fatalf("new session: %v", err)
	}
	tm := &sshTerm{t: e.t, client: client, sess: sess, bg: o.Background, done: make(chan struct{})}
	tm.screen = newSSHScreen(o.Width, o.Height, tm.answerBackground)
	e.t.Cleanup(tm.Close)
	for k, v := range o.Env {
		if err := sess.Setenv(k, v); err != nil {
			e.t.Fatalf("setenv %s: %v", k, err)
		}
	}
	sess.Stdout = sshTermWriter{tm}
	sess.Stderr = sshTermWriter{tm}
	if tm.stdin, err = sess.StdinPipe(); err != nil {
		e.t.Fatal(err)
	}
	if !o.NoPTY {
		if err := sess.RequestPty(o.Term, o.Height, o.Width, gossh.TerminalModes{}); err != nil {
			e.t.Fatalf("pty: %v", err)
		}
	}
	if o.Command != "" {
		err = sess.Start(o.Command)
	} else {
		err = sess.Shell()
	}
	if err != nil {
		e.t.Fatalf("start: %v", err)
	}
	go func() {
		tm.exitErr = tm.sess.Wait()
		close(tm.done)
	}()
	return tm
}

type sshTermWriter struct{ tm *sshTerm }

func (w sshTermWriter) Write(p []byte) (int, error) {
	w.tm.mu.Lock()
	defer w.tm.mu.Unlock()
	w.tm.raw.Write(p)
	w.tm.screen.Write(p)
	return len(p), nil
}

// answerBackground replies to an OSC 11 query like a terminal would; off the
// reading goroutine, so a full input window cannot stall output.
func (tm *sshTerm) answerBackground() {
	go fmt.Fprintf(tm.stdin, "\x1b]11;%s\x07", tm.bg)
}

// Screen is the terminal's text as the approver would see it now.
func (tm *sshTerm) Screen() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.screen.String()
}

func (tm *sshTerm) tail() string {
	raw := tm.Raw()
	return raw[max(0, len(raw)-600):]
}

// Raw is every byte the server sent, escape sequences included.
func (tm *sshTerm) Raw() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.raw.String()
}

// Send types keys (raw bytes: "q", "\r", "\x1b[B" for down).
func (tm *sshTerm) Send(keys string) {
	tm.t.Helper()
	if _, err := io.WriteString(tm.stdin, keys); err != nil {
		tm.t.Fatalf("send %q: %v", keys, err)
	}
}

// Resize sends a window-change request.
func (tm *sshTerm) Resize(width, height int) {
	tm.t.Helper()
	tm.mu.Lock()
	tm.screen.Resize(width, height)
	tm.mu.Unlock()
	msg := struct{ W, H, PW, PH uint32 }{uint32(width), uint32(height), 0, 0}
	if _, err := tm.sess.SendRequest("window-change", false, gossh.Marshal(&msg)); err != nil {
		tm.t.Fatalf("window-change: %v", err)
	}
}

// WaitFor polls the screen until it contains want, failing the test with
// the screen after sshTestWait. It returns the screen.
func (tm *sshTerm) WaitFor(want string) string {
	tm.t.Helper()
	deadline := time.Now().Add(sshTestWait)
	for {
		screen := tm.Screen()
		if strings.Contains(screen, want) {
			return screen
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("screen never showed %q; it shows:\n%s\nlast bytes: %q", want, screen, tm.tail())
		}
		select {
		case <-tm.done:
			// Output may still be arriving with the close; one last look.
			if screen := tm.Screen(); strings.Contains(screen, want) {
				return screen
			}
			tm.t.Fatalf("session ended before showing %q; it showed:\n%s\nlast bytes: %q",
				want, tm.Screen(), tm.tail())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// WaitExit waits for the session to end and returns its exit status.
func (tm *sshTerm) WaitExit() int {
	tm.t.Helper()
	select {
	case <-tm.done:
	case <-time.After(sshTestWait):
		tm.t.Fatalf("session did not end; screen:\n%s", tm.Screen())
	}
	if tm.exitErr == nil {
		return 0
	}
	if ee, ok := tm.exitErr.(*gossh.ExitError); ok {
		return ee.ExitStatus()
	}
	tm.t.Fatalf("session ended without a status: %v", tm.exitErr)
	return -1
}

// Close ends the session and the connection.
func (tm *sshTerm) Close() {
	tm.sess.Close()
	tm.client.Close()
}

type sshSyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *sshSyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *sshSyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// WantLog waits until one log line holds every part (the server may log a
// disconnect after the client saw it), failing the test after sshTestWait.
func (e *sshTestEnv) WantLog(parts ...string) {
	e.t.Helper()
	deadline := time.Now().Add(sshTestWait)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for ; ; <-tick.C {
		logs := e.Logs()
		for line := range strings.SplitSeq(logs, "\n") {
			if sshHasAll(line, parts) {
				return
			}
		}
		if time.Now().After(deadline) {
			e.t.Errorf("no log line holds all of %q; logs:\n%s", parts, logs)
			return
		}
	}
}

func sshHasAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"
)

// TestServe_SSHSession connects to serve's own SSH server (not a copy of
// its wiring) with a real SSH client: the key's approver gets the
// Registration screen, whatever SSH user name the client sends.
func TestServe_SSHSession(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	key := string(gossh.MarshalAuthorizedKey(signer.PublicKey()))
	var out bytes.Buffer
	if err := run(context.Background(), []string{"approvers", "add", "alice", "--key", "-", "--data", data},
		strings.NewReader(key), &out, &out); err != nil {
		t.Fatalf("approvers add: %v\n%s", err, out.String())
	}

	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--data", data, "--http", "127.0.0.1:0", "--ssh", "127.0.0.1:0"},
			nil, &stdout, &stderr)
	}()
	defer func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop")
		}
	}()
	var addr string
	waitFor(t, 20*time.Second, "the SSH banner", func() bool {
		_, rest, ok := strings.Cut(stdout.String(), "approvers: ssh -p ")
		if !ok {
			return false
		}
		port, host, ok := strings.Cut(strings.TrimSpace(strings.SplitN(rest, "\n", 2)[0]), " ")
		addr = host + ":" + port
		return ok
	})

	client, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{User: "root",
		Auth:            []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), // the host key is created by this serve
		Timeout:         20 * time.Second})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer client.Close()
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	var screen lockedBuffer
	sess.Stdout, sess.Stderr = &screen, &screen
	stdin, err := sess.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	if err := sess.RequestPty("xterm-256color", 40, 120, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "the Registration screen as alice", func() bool {
		text := ansi.Strip(screen.String())
		return strings.Contains(text, "Registration") && strings.Contains(text, "as alice")
	})
	if text := ansi.Strip(screen.String()); strings.Contains(text, "as root") {
		t.Errorf("the SSH user name became the actor:\n%s", text)
	}
	_, _ = io.WriteString(stdin, "q")
	waitFor(t, 20*time.Second, "the disconnect in serve's log", func() bool {
		return strings.Contains(stderr.String(), `"msg":"ssh disconnect"`) &&
			strings.Contains(stderr.String(), `"approver":"alice"`)
	})
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

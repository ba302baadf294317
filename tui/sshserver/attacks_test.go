package sshserver

import (
	"bufio"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// Attack 8: an unauthenticated connection that sent one byte every 20 s
// stayed open indefinitely (the idle timer restarted on every byte).
func TestSSHBeforeLogin_trickleOutlivesDeadline(t *testing.T) {
	e := newSSHTestEnv(t, func(c *Config) { withTestModels(c); c.LoginDeadline = 300 * time.Millisecond })
	c, err := net.Dial("tcp", e.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// A version line and the start of a 1 KiB packet, then one byte at a
	// time, never finishing the handshake.
	if _, err := io.WriteString(c, "SSH-2.0-trickle\r\n\x00\x00\x04\x00\x0a\x14"); err != nil {
		t.Fatal(err)
	}
	closed := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, c)
		close(closed)
	}()
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-closed:
			e.WantLog(`msg="ssh login deadline passed"`)
			return
		case <-tick.C:
			_, _ = c.Write([]byte{'a'}) // keeps an idle timer from firing
		case <-deadline:
			t.Fatal("a connection trickling bytes outlived the login deadline")
		}
	}
}

// The per-address limit was a rate, not a cap on open connections, and
// counted every IPv6 address apart: a few addresses could hold every
// handshake slot. Connections still logging in are capped per network.
func TestSSHBeforeLogin_capPerNetwork(t *testing.T) {
	e := newSSHTestEnv(t, func(c *Config) {
		withTestModels(c)
		c.PerNetLoggingIn, c.ConnBurst = 2, 100
		c.LoginDeadline = time.Minute
	})
	var open []net.Conn
	defer func() {
		for _, c := range open {
			c.Close()
		}
	}()
	banner := func(c net.Conn) bool {
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		line, err := bufio.NewReader(c).ReadString('\n')
		return err == nil && strings.HasPrefix(line, "SSH-2.0-")
	}
	for i := range 2 {
		c, err := net.Dial("tcp", e.Addr)
		if err != nil {
			t.Fatal(err)
		}
		open = append(open, c)
		if !banner(c) {
			t.Fatalf("connection %d not served", i+1)
		}
	}
	c, err := net.Dial("tcp", e.Addr)
	if err != nil {
		t.Fatal(err)
	}
	open = append(open, c)
	if banner(c) {
		t.Fatal("a third connection logging in from one network was served")
	}
	e.WantLog(`too many connections logging in`, "network=127.0.0.0/24")
	// Once one of them is gone, an approver gets in.
	open[0].Close()
	alice := e.AddApprover("alice")
	waitUntil(t, func() bool {
		cl, err := e.Dial("alice", gossh.PublicKeys(alice))
		if err != nil {
			return false
		}
		cl.Close()
		return true
	})
	if got := sshNetwork(&net.TCPAddr{IP: net.ParseIP("2001:db8:1:2:3::9"), Port: 1}); got != "2001:db8:1::/48" {
		t.Fatalf("IPv6 network %q, want the /48", got)
	}
}

// waitUntil polls cond for up to 10 s.
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not met within 10s")
}

// ssh-audit reported 4 failures (NIST-curve key exchange, hmac-sha1-96) and
// warnings for encrypt-and-MAC modes. Only modern algorithms are offered.
func TestSSHAlgorithms_sshAudit(t *testing.T) {
	bin, err := exec.LookPath("ssh-audit")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ssh-audit is not installed (Debian package ssh-audit); CI needs it")
		}
		t.Skip("ssh-audit is not installed (Debian package ssh-audit)")
	}
	e := newSSHTestEnv(t, withTestModels)
	host, port, _ := net.SplitHostPort(e.Addr)
	out, err := exec.Command(bin, "--no-colors", "-p", port, host).CombinedOutput()
	text := string(out)
	if strings.Contains(text, "(fail)") || strings.Contains(text, "-- [fail]") {
		t.Fatalf("ssh-audit reports failures:\n%s", text)
	}
	if err != nil {
		// ssh-audit exits non-zero for warnings too; only failures count.
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() > 2 {
			t.Fatalf("ssh-audit: %v\n%s", err, text)
		}
	}
	for _, want := range []string{"(kex) curve25519-sha256", "(enc) chacha20-poly1305@openssh.com", "(key) ssh-ed25519"} {
		if !strings.Contains(text, want) {
			t.Errorf("ssh-audit output lacks %s:\n%s", want, text)
		}
	}
}

// A deadline that passes at once (before admitConn has kept its timer)
// closes the connection like any other: no race on the timer, no panic.
func TestSSHBeforeLogin_deadlinePassesAtOnce(t *testing.T) {
	e := newSSHTestEnv(t, func(c *Config) { withTestModels(c); c.LoginDeadline = time.Nanosecond })
	for range 20 {
		c, err := net.Dial("tcp", e.Addr)
		if err != nil {
			t.Fatal(err)
		}
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.Copy(io.Discard, c); err != nil {
			t.Fatalf("the connection was not closed by the server: %v", err)
		}
		c.Close()
	}
	e.WantLog(`msg="ssh login deadline passed"`)
}

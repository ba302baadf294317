package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// tmuxTerm is a command running in a terminal of its own: a detached tmux
// session on a private tmux server, driven with keys and read by capturing
// the screen, as a person at that terminal would.
type tmuxTerm struct {
	t    *testing.T
	sock string
}

// needTmux skips the test where tmux is not installed, except under CI,
// which must run the terminal tests and fails instead.
func needTmux(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tmux is not installed; CI must run the terminal tests (apt-get install tmux)")
		}
		t.Skip("tmux is not installed; skipping this terminal test (apt-get install tmux)")
	}
}

// startTmux runs the shell command line in a width×height terminal, ended
// with the test.
func startTmux(t *testing.T, width, height int, command string) *tmuxTerm {
	t.Helper()
	needTmux(t)
	// The test's own temporary folder names the server: unique among the
	// tests running at once (TestX123456789/001).
	dir := t.TempDir()
	m := &tmuxTerm{t: t, sock: "regdesk-" + filepath.Base(filepath.Dir(dir)) + "-" + filepath.Base(dir)}
	m.tmux("new-session", "-d", "-s", "main", "-x", strconv.Itoa(width), "-y", strconv.Itoa(height), command)
	t.Cleanup(func() { exec.Command("tmux", "-L", m.sock, "kill-server").Run() })
	return m
}

func (m *tmuxTerm) tmux(args ...string) string {
	m.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", m.sock}, args...)...).CombinedOutput()
	if err != nil {
		m.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// keys presses keys in tmux's names ("Enter", "C-s"); "-l" first types
// the rest literally.
func (m *tmuxTerm) keys(k ...string) {
	m.t.Helper()
	m.tmux(append([]string{"send-keys", "-t", "main"}, k...)...)
}

// screen is what the terminal shows now.
func (m *tmuxTerm) screen() string {
	m.t.Helper()
	return m.tmux("capture-pane", "-p", "-t", "main")
}

// waitFor waits until the screen shows every one of texts and returns it;
// the test fails with the last screen if it never does.
func (m *tmuxTerm) waitFor(texts ...string) string {
	m.t.Helper()
	deadline := time.Now().Add(30 * time.Second) // generous: the binary may run under the race detector
	for {
		s := m.screen()
		ok := true
		for _, x := range texts {
			ok = ok && strings.Contains(s, x)
		}
		if ok {
			return s
		}
		if time.Now().After(deadline) {
			m.t.Fatalf("the screen never showed %q:\n%s", texts, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

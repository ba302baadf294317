package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/regdesk/regdesk/tui/sshserver"
	"github.com/regdesk/regdesk/tui/termtest"
)

// approverTerm is an approver's SSH session on a serve process's
// Registration screen, through a real SSH client and a terminal emulator,
// so the test reads the screen as the approver sees it.
type approverTerm struct {
	t     *testing.T
	name  string
	stdin io.Writer

	mu     sync.Mutex
	screen *termtest.Screen
}

// addApprover registers name with a fresh ed25519 key through the CLI and
// returns the key.
func addApprover(t *testing.T, data, db, name string) ssh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	var out, errb strings.Builder
	key := strings.NewReader(string(ssh.MarshalAuthorizedKey(signer.PublicKey())))
	if err := run(context.Background(), []string{"approvers", "add", name, "--key", "-", "--data", data, "--db", db},
		key, &out, &errb); err != nil {
		t.Fatalf("approvers add %s: %v: %s", name, err, errb.String())
	}
	return signer
}

// sshAddr is the approvers' SSH address serve printed.
func (p *proc) sshAddr(t *testing.T) string {
	t.Helper()
	select {
	case a := <-p.ssh:
		return a
	case <-time.After(30 * time.Second):
		t.Fatalf("serve printed no SSH address:\n%s", p.stderr.String())
		return ""
	}
}

// openApprover logs name in to the SSH server at addr (whose host key is in
// data) with signer, on a 120×40 xterm.
func openApprover(t *testing.T, addr, data, name string, signer ssh.Signer) *approverTerm {
	t.Helper()
	pem, err := os.ReadFile(filepath.Join(data, sshserver.HostKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	host, err := ssh.ParsePrivateKey(pem)
	if err != nil {
		t.Fatal(err)
	}
	client, err := ssh.Dial("tcp", addr, &ssh.ClientConfig{User: name, Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback: ssh.FixedHostKey(host.PublicKey()), Timeout: 30 * time.Second})
	if err != nil {
		t.Fatalf("ssh %s as %s: %v", addr, name, err)
	}
	t.Cleanup(func() { client.Close() })
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	a := &approverTerm{t: t, name: name}
	stdin, err := sess.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	a.stdin = stdin
	// Answer the program's background-colour query as a terminal does.
	a.screen = termtest.New(120, 40, func() { go fmt.Fprint(stdin, "\x1b]11;rgb:0000/0000/0000\x07") })
	sess.Stdout, sess.Stderr = a, a
	if err := sess.RequestPty("xterm-256color", 40, 120, ssh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	return a
}

func (a *approverTerm) Write(p []byte) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.screen.Write(p)
}

// Screen is the approver's screen now.
func (a *approverTerm) Screen() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.screen.String()
}

func (a *approverTerm) send(keys string) {
	a.t.Helper()
	if _, err := io.WriteString(a.stdin, keys); err != nil {
		a.t.Fatalf("%s types %q: %v", a.name, keys, err)
	}
}

// waitFor polls the screen until ok holds, for at most d.
func (a *approverTerm) waitFor(d time.Duration, what string, ok func(string) bool) (string, bool) {
	deadline := time.Now().Add(d)
	for {
		s := a.Screen()
		if ok(s) {
			return s, true
		}
		if time.Now().After(deadline) {
			return s, false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// mustSee is waitFor that fails the test.
func (a *approverTerm) mustSee(d time.Duration, what string, ok func(string) bool) string {
	a.t.Helper()
	s, seen := a.waitFor(d, what, ok)
	if !seen {
		a.t.Fatalf("%s's screen never showed %s:\n%s", a.name, what, s)
	}
	return s
}

func contains(texts ...string) func(string) bool {
	return func(s string) bool {
		for _, x := range texts {
			if !strings.Contains(s, x) {
				return false
			}
		}
		return true
	}
}

// tabCount reads a tab's count from the Registration screen's tab bar
// ("Verified 3"); -1 when the tab is not shown.
func tabCount(screen, tab string) int {
	m := regexp.MustCompile(`(?m)` + tab + ` (\d+)`).FindStringSubmatch(screen)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// settle waits, as an approver would, until the selected row has the
// status the tab lists (the screen has caught up with another approver's
// change), rereading once after a while; false when the tab is empty.
func (a *approverTerm) settle(tab, status string) bool {
	selected := func(s string) bool {
		for _, line := range strings.Split(s, "\n") {
			if strings.HasPrefix(line, "▌") {
				return strings.HasSuffix(line, " "+status)
			}
		}
		return false
	}
	for range 2 {
		s, ok := a.waitFor(5*time.Second, "a selected "+status+" row", func(s string) bool {
			return tabCount(s, tab) == 0 || selected(s)
		})
		if ok {
			return tabCount(s, tab) != 0
		}
		a.send("r") // reread
	}
	return tabCount(a.Screen(), tab) != 0
}

// listed reports whether the screen's table has a row for number.
func listed(screen, number string) bool {
	for _, line := range strings.Split(screen, "\n") {
		if f := strings.Fields(strings.TrimPrefix(line, "▌")); len(f) > 0 && f[0] == number {
			return true
		}
	}
	return false
}

var (
	approveQuestion = regexp.MustCompile(`Approve (REG-\d+)\?`)
	createQuestion  = regexp.MustCompile(`Create the customer for (REG-\d+)\?`)
)

// approveSelected approves the selected request as the approver would: a,
// then y in the confirmation. It returns the number the dialog named, or ""
// when there was none to approve, and whether the screen then said it was
// approved (false: refused, someone else was quicker).
func (a *approverTerm) approveSelected() (string, bool) {
	a.t.Helper()
	if !a.settle("Verified", "verified") {
		return "", false
	}
	a.send("a")
	s, _ := a.waitFor(10*time.Second, "the approve dialog", func(s string) bool {
		return approveQuestion.MatchString(s) || strings.Contains(s, "Cannot approve") || strings.Contains(s, "Nothing selected")
	})
	m := approveQuestion.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	a.send("y")
	done := "✓ " + m[1] + " approved"
	s = a.mustSee(20*time.Second, "the outcome of approving "+m[1], func(s string) bool {
		return !approveQuestion.MatchString(s) && (strings.Contains(s, done) || strings.Contains(s, "✗ "))
	})
	return m[1], strings.Contains(s, done)
}

// createSelected creates the customer of the selected approved request: c,
// enter on the form, y in the confirmation.
func (a *approverTerm) createSelected() (string, bool) {
	a.t.Helper()
	if !a.settle("Approved", "approved") {
		return "", false
	}
	a.send("c")
	s, _ := a.waitFor(10*time.Second, "the create form", func(s string) bool {
		return strings.Contains(s, "(next number)") || strings.Contains(s, "Cannot create") || strings.Contains(s, "Nothing selected")
	})
	if !strings.Contains(s, "(next number)") {
		return "", false
	}
	a.send("\r")
	s, seen := a.waitFor(10*time.Second, "the create confirmation", createQuestion.MatchString)
	m := createQuestion.FindStringSubmatch(s)
	if !seen || m == nil {
		a.send("\x1b") // the form stayed (an error on it): leave it
		return "", false
	}
	a.send("y")
	done := m[1] + ": customer C"
	s = a.mustSee(20*time.Second, "the outcome of creating "+m[1], func(s string) bool {
		return !createQuestion.MatchString(s) && (strings.Contains(s, done) || strings.Contains(s, "✗ "))
	})
	return m[1], strings.Contains(s, done)
}

package sshserver

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/store/storetest"
)

// sshTestModel shows who it serves and what the session's terminal told it;
// q quits, x counts, p panics in Update, c panics in a command.
type sshTestModel struct {
	approver string
	width    int
	height   int
	bg       string
	profile  string
	keys     int
}

func (m sshTestModel) Init() tea.Cmd { return tea.RequestBackgroundColor }

func (m sshTestModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
	case tea.BackgroundColorMsg:
		m.bg = "light"
		if msg.IsDark() {
			m.bg = "dark"
		}
	case tea.ColorProfileMsg:
		m.profile = msg.Profile.String()
	case tea.KeyPressMsg:
		switch msg.String() {
		case "q":
			return m, tea.Quit
		case "x":
			m.keys++
		case "p":
			panic("test model: p pressed")
		case "c":
			return m, func() tea.Msg { panic("test model: command for c") }
		}
	}
	return m, nil
}

func (m sshTestModel) View() tea.View {
	v := tea.NewView(fmt.Sprintf("approver=%s size=%dx%d bg=%s profile=%s keys=%d.",
		m.approver, m.width, m.height, m.bg, m.profile, m.keys))
	v.AltScreen = true
	return v
}

func sshTestModels(sess ssh.Session, approver string) (tea.Model, error) {
	switch approver {
	case "panicky":
		panic("test factory: panicky")
	case "broken":
		return nil, errors.New("test factory: broken")
	}
	return sshTestModel{approver: approver}, nil
}

func withTestModels(cfg *Config) { cfg.NewModel = sshTestModels }

func TestServer_Session(t *testing.T) {
	e := newSSHTestEnv(t, withTestModels)
	alice := e.AddApprover("alice")

	// The SSH user name is not the identity: the key is.
	tm := e.Open(alice, sshTermOptions{User: "root"})
	tm.WaitFor("approver=alice size=80x24 bg=dark profile=ANSI256")
	tm.Resize(120, 40)
	tm.WaitFor("size=120x40")
	tm.Send("x")
	tm.WaitFor("keys=1.")
	tm.Send("q")
	if code := tm.WaitExit(); code != 0 {
		t.Errorf("exit status %d, want 0", code)
	}
	fp := gossh.FingerprintSHA256(alice.PublicKey())
	e.WantLog(`msg="ssh connect"`, "approver=alice", "key="+fp, "user=root", "term=xterm-256color")
	e.WantLog(`msg="ssh disconnect"`, "approver=alice", "key="+fp, "duration=")
}

func TestServer_PerSessionTerminal(t *testing.T) {
	e := newSSHTestEnv(t, withTestModels)
	alice, bob := e.AddApprover("alice"), e.AddApprover("bob")

	a := e.Open(alice, sshTermOptions{Width: 100, Height: 30})
	b := e.Open(bob, sshTermOptions{Width: 90, Height: 20, Background: "rgb:ffff/ffff/ffff",
		Env: map[string]string{"COLORTERM": "truecolor"}})
	a.WaitFor("approver=alice size=100x30 bg=dark profile=ANSI256")
	b.WaitFor("approver=bob size=90x20 bg=light profile=TrueColor")
}

func TestServer_Refusals(t *testing.T) {
	e := newSSHTestEnv(t, withTestModels)
	e.AddApprover("alice")

	t.Run("unknown key", func(t *testing.T) {
		stranger := sshTestKey(t)
		fp := gossh.FingerprintSHA256(stranger.PublicKey())
		var told string
		_, err := e.Dial("alice", gossh.PublicKeys(stranger),
			gossh.KeyboardInteractive(func(_, instruction string, qs []string, _ []bool) ([]string, error) {
				told += instruction
				return make([]string, len(qs)), nil
			}))
		if err == nil {
			t.Fatal("an unknown key got in")
		}
		for _, want := range []string{"does not know your SSH key (" + fp + ")", "regdesk approvers add"} {
			if !strings.Contains(told, want) {
				t.Errorf("refusal %q lacks %q", told, want)
			}
		}
		e.WantLog(`msg="ssh key not registered"`, "key="+fp, "user=alice")
	})
	t.Run("password", func(t *testing.T) {
		asked := false
		_, err := e.Dial("alice", gossh.PasswordCallback(func() (string, error) {
			asked = true
			return "hunter2", nil
		}))
		if err == nil {
			t.Fatal("a password got in")
		}
		if asked {
			t.Error("the server offered password authentication")
		}
	})
	t.Run("keyboard-interactive", func(t *testing.T) {
		answered := 0
		_, err := e.Dial("alice", gossh.KeyboardInteractive(
			func(_, _ string, qs []string, _ []bool) ([]string, error) {
				answered += len(qs)
				return make([]string, len(qs)), nil
			}))
		if err == nil {
			t.Fatal("keyboard-interactive got in")
		}
		if answered != 0 {
			t.Errorf("the server asked %d questions", answered)
		}
	})
	t.Run("removed approver", func(t *testing.T) {
		carol := e.AddApprover("carol")
		if err := e.DB.WithTx(context.Background(), func(tx *store.Tx) error {
			return tx.DeleteApprover(context.Background(), "carol")
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Dial("carol", gossh.PublicKeys(carol)); err == nil {
			t.Fatal("a removed approver's key got in")
		}
	})
}

func TestServer_NeedsTerminal(t *testing.T) {
	e := newSSHTestEnv(t, withTestModels)
	alice := e.AddApprover("alice")

	t.Run("no pty", func(t *testing.T) {
		tm := e.Open(alice, sshTermOptions{NoPTY: true})
		tm.WaitFor("regdesk needs an interactive terminal: ssh -t -p ")
		if raw := tm.Raw(); strings.Contains(raw, "\x1b") || strings.Contains(raw, "approver=") {
			t.Errorf("a session without a pty got the program:\n%q", raw)
		}
		if code := tm.WaitExit(); code != 1 {
			t.Errorf("exit status %d, want 1", code)
		}
	})
	t.Run("command", func(t *testing.T) {
		tm := e.Open(alice, sshTermOptions{Command: "approve REG-1"})
		tm.WaitFor("regdesk takes no commands")
		if code := tm.WaitExit(); code != 1 {
			t.Errorf("exit status %d, want 1", code)
		}
	})
	t.Run("command without pty", func(t *testing.T) {
		// "ssh HOST ls": the answer is about the command, not about -t.
		tm := e.Open(alice, sshTermOptions{NoPTY: true, Command: "ls"})
		tm.WaitFor("regdesk takes no commands")
		if strings.Contains(tm.Raw(), "interactive terminal") {
			t.Errorf("told to add -t for a command:\n%q", tm.Raw())
		}
		if code := tm.WaitExit(); code != 1 {
			t.Errorf("exit status %d, want 1", code)
		}
	})
}

func TestServer_PanicIsolation(t *testing.T) {
	e := newSSHTestEnv(t, withTestModels)
	alice, bob := e.AddApprover("alice"), e.AddApprover("bob")
	a := e.Open(alice, sshTermOptions{})
	a.WaitFor("approver=alice")

	presses := 0
	for _, tc := range []struct{ name, key string }{
		{"in update", "p"},
		{"in a command", "c"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := e.Open(bob, sshTermOptions{})
			b.WaitFor("approver=bob")
			b.Send(tc.key)
			b.WaitFor("Sorry, regdesk hit an internal error and closed this session (ref ")
			if code := b.WaitExit(); code != 1 {
				t.Errorf("exit status %d, want 1", code)
			}
			a.Send("x")
			presses++
			a.WaitFor(fmt.Sprintf("keys=%d.", presses))
		})
	}
	t.Run("in the factory", func(t *testing.T) {
		tm := e.Open(e.AddApprover("panicky"), sshTermOptions{})
		tm.WaitFor("Sorry, regdesk hit an internal error")
		tm.WaitExit()
	})
	t.Run("factory error", func(t *testing.T) {
		tm := e.Open(e.AddApprover("broken"), sshTermOptions{})
		tm.WaitFor("regdesk could not open your session (ref ")
		tm.WaitExit()
	})
	a.Resize(70, 20)
	a.WaitFor("size=70x20")
	e.WantLog(`msg="ssh session panic"`, "approver=bob", `panic="test model: p pressed"`, "sshTestModel.Update")
}

func TestServer_Limits(t *testing.T) {
	t.Run("session cap", func(t *testing.T) {
		e := newSSHTestEnv(t, func(c *Config) { withTestModels(c); c.MaxSessions = 1 })
		alice := e.AddApprover("alice")
		a := e.Open(alice, sshTermOptions{})
		a.WaitFor("approver=alice")
		b := e.Open(alice, sshTermOptions{})
		b.WaitFor("regdesk has all 1 sessions in use; please try again later.")
		b.WaitExit()
		a.Send("q")
		a.WaitExit()
		c := e.Open(alice, sshTermOptions{})
		c.WaitFor("approver=alice")
	})
	t.Run("rate per address", func(t *testing.T) {
		clock := storetest.NewClock()
		e := newSSHTestEnv(t, func(c *Config) {
			withTestModels(c)
			c.Now = clock.Now
			c.ConnBurst, c.ConnRefill = 2, time.Minute
		})
		alice := e.AddApprover("alice")
		dial := func() error {
			c, err := e.Dial("alice", gossh.PublicKeys(alice))
			if err == nil {
				c.Close()
			}
			return err
		}
		for i := range 2 {
			if err := dial(); err != nil {
				t.Fatalf("connection %d: %v", i+1, err)
			}
		}
		if err := dial(); err == nil {
			t.Fatal("third connection within the burst was allowed")
		}
		clock.Advance(time.Minute)
		if err := dial(); err != nil {
			t.Fatalf("after a refill: %v", err)
		}
		e.WantLog(`msg="ssh rate limited"`, "remote=127.0.0.1")
	})
	t.Run("idle timeout", func(t *testing.T) {
		e := newSSHTestEnv(t, func(c *Config) { withTestModels(c); c.IdleTimeout = 300 * time.Millisecond })
		tm := e.Open(e.AddApprover("alice"), sshTermOptions{})
		tm.WaitFor("approver=alice")
		tm.WaitFor("regdesk closed this session after 300ms without input.")
		if code := tm.WaitExit(); code != 0 {
			t.Errorf("exit status %d, want 0", code)
		}
	})
}

func TestServer_KeyRemoved(t *testing.T) {
	e := newSSHTestEnv(t, func(c *Config) { withTestModels(c); c.KeyCheck = 20 * time.Millisecond })
	alice, bob := e.AddApprover("alice"), e.AddApprover("bob")
	a, b := e.Open(alice, sshTermOptions{}), e.Open(bob, sshTermOptions{})
	a.WaitFor("approver=alice")
	b.WaitFor("approver=bob")
	ctx := context.Background()
	if err := e.DB.WithTx(ctx, func(tx *store.Tx) error { return tx.DeleteApprover(ctx, "bob") }); err != nil {
		t.Fatal(err)
	}
	b.WaitFor(sshMsgRevoked)
	b.WaitExit()
	a.Send("x")
	a.WaitFor("keys=1.")
}

func TestServer_Shutdown(t *testing.T) {
	e := newSSHTestEnv(t, withTestModels)
	alice, bob := e.AddApprover("alice"), e.AddApprover("bob")
	a, b := e.Open(alice, sshTermOptions{}), e.Open(bob, sshTermOptions{})
	a.WaitFor("approver=alice")
	b.WaitFor("approver=bob")

	ctx, cancel := context.WithTimeout(context.Background(), sshTestWait)
	defer cancel()
	if err := e.Server.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	for _, tm := range []*sshTerm{a, b} {
		tm.WaitFor(sshMsgShutdown)
		tm.WaitExit()
	}
	if _, err := e.Dial("alice", gossh.PublicKeys(alice)); err == nil {
		t.Error("a connection was accepted after Shutdown")
	}
}

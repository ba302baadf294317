package tui

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/regdesk/regdesk/workflow"
)

// TestGolden runs the real program (teatest) at fixed sizes with the ASCII
// colour profile and a fake clock, and compares the final screen of each
// main state with testdata/TestGolden/*.golden (go test -update rewrites them).
func TestGolden(t *testing.T) {
	f := newFixture(t)
	f.seed(60)
	r := f.signUp("Contoso Ltd", "Carla", "carla@contoso.test", true)
	f.signUp("Contoso Ltd", "Carl", "carl@contoso.test", true)
	if _, err := f.svc.Approve(context.Background(), workflow.Action{Number: r.Number, Actor: "bob"}); err != nil {
		t.Fatal(err)
	}
	states := []struct {
		name  string
		keys  []string
		ready []string // texts the screen shows once the state is reached
	}{
		{"registration", nil, []string{"REG-000"}},
		{"details", []string{"G", "enter"}, []string{"Audit trail"}},
		{"approve", []string{"G", "a"}, []string{"Approve REG-"}},
		{"reject", []string{"G", "x"}, []string{"Comment for the prospect"}},
		{"create", []string{"tab", "tab", "G", "c"}, []string{"(next number)"}},
		{"search", []string{"/", "c", "o", "n", "t", "o", "s", "o", "enter"}, []string{"esc clears", "carl@contoso"}},
		{"user_requests", []string{"2", "shift+tab"}, []string{"No user requests here."}},
		{"parameters", []string{"4"}, []string{"sequence.registration"}},
		{"help", []string{"?"}, []string{"prev filter"}},
		{"bulk_marked", []string{"shift+tab", "G", "k", "k", "k", "space", "space", "space"}, []string{"3 marked"}},
		{"bulk_confirm", []string{"shift+tab", "G", "k", "k", "k", "space", "space", "space", "a"}, []string{"Approve 3 marked requests?"}},
		{"bulk_reject", []string{"space", "space", "x"}, []string{"Reject 2 marked requests", "Comment for the prospect"}},
		{"risky", []string{"shift+tab", "!"}, []string{"risky only", "high"}},
		{"insights", []string{"6"}, []string{"sign-ups per day", "By approver"}},
		{"insights_year", []string{"6", "tab", "tab"}, []string{"▸ 365 days", "sign-ups per day"}},
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, s := range states {
			t.Run(fmt.Sprintf("%s_%dx%d", s.name, size[0], size[1]), func(t *testing.T) {
				app := New(f.config("alice"))
				t.Cleanup(func() { app.Close() })
				snap := &snapshotter{}
				tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(size[0], size[1]),
					teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.ASCII), tea.WithFilter(snap.filter)))
				waitFor(t, tm, snap, "All 62", "REG-000")
				for _, k := range s.keys {
					tm.Send(keyMsg(k))
					waitFor(t, tm, snap)
				}
				waitFor(t, tm, snap, s.ready...)
				if err := tm.Quit(); err != nil {
					t.Fatal(err)
				}
				final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*App)
				golden.RequireEqual(t, []byte(ansi.Strip(final.render())+"\n"))
			})
		}
	}
}

// probeMsg asks the test's filter to take a snapshot of the screen.
type probeMsg struct{}

// snapshotter keeps the latest screen, rendered on the program's own
// goroutine (in a filter) so tests never read the model concurrently.
// A screen whose rows are still on their way (a search typed faster than
// the store answers) is kept as "" so that waitFor keeps polling.
type snapshotter struct{ last atomic.Value }

func (s *snapshotter) filter(m tea.Model, msg tea.Msg) tea.Msg {
	if _, ok := msg.(probeMsg); ok {
		a := m.(*App)
		screen := ansi.Strip(a.render())
		for _, sc := range a.screens {
			if r, ok := sc.(*registration); ok && r.fetching() {
				screen = ""
			}
		}
		s.last.Store(screen)
	}
	return msg
}

// waitFor polls the screen until it shows every text and nothing is loading.
func waitFor(t *testing.T, tm *teatest.TestModel, snap *snapshotter, texts ...string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		tm.Send(probeMsg{})
		if got, _ := snap.last.Load().(string); got != "" {
			ok := !strings.Contains(got, "loading")
			for _, x := range texts {
				ok = ok && strings.Contains(got, x)
			}
			if ok {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("screen never showed %q:\n%s", texts, got)
			}
		} else if time.Now().After(deadline) {
			t.Fatal("no screen drawn, or its rows never arrived")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

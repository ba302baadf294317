package tui

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"
)

// TestApp_Live: a request verified elsewhere (the portal, another approver)
// appears without a keypress, through the data_version poll.
func TestApp_Live(t *testing.T) {
	f := newFixture(t)
	f.signUp("First Co", "Fiona", "fiona@first.test", true)
	cfg := f.config("alice")
	cfg.PollInterval = 20 * time.Millisecond
	app := New(cfg)
	t.Cleanup(func() { app.Close() })
	snap := &snapshotter{}
	tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(100, 30),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.ASCII), tea.WithFilter(snap.filter)))
	waitFor(t, tm, snap, "First Co", "Verified 1")
	f.signUp("Second Co", "Sam", "sam@second.test", true)
	waitFor(t, tm, snap, "Second Co", "Verified 2")
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

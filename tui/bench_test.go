package tui

import (
	"context"
	"strconv"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/sample"
)

// benchDB opens the database of n sample requests that the workflow/sample
// benchmarks share (built once, as a million rows take a while to write).
func benchDB(b *testing.B, n int) (*store.DB, *workflow.Service) {
	b.Helper()
	ctx := context.Background()
	path, err := sample.CachedDB(ctx, n)
	if err != nil {
		b.Fatal(err)
	}
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db, workflow.New(workflow.Config{DB: db})
}

func itoa(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmtInt(n/1_000_000) + "M"
	case n >= 1000 && n%1000 == 0:
		return fmtInt(n/1000) + "k"
	}
	return fmtInt(n)
}

func fmtInt(n int) string { return strconv.Itoa(n) }

func benchApp(b *testing.B, db *store.DB, svc *workflow.Service) *App {
	dark := true
	a := New(Config{Service: svc, DB: db, Actor: "bench", PollInterval: -1, Dark: &dark,
		Profile: colorprofile.ANSI256, Location: time.UTC})
	run(b, a, a.Init())
	send(b, a, tea.WindowSizeMsg{Width: 120, Height: 40})
	press(b, a, "shift+tab") // All: every row of the table
	_ = a.render()
	return a
}

// BenchmarkRegistration_Open opens the screen on every request (All) and
// draws it: the cost must not depend on how many requests there are.
func BenchmarkRegistration_Open(b *testing.B) {
	for _, n := range []int{1000, 1_000_000} {
		b.Run(itoa(n), func(b *testing.B) {
			db, svc := benchDB(b, n)
			b.ResetTimer()
			for b.Loop() {
				a := benchApp(b, db, svc)
				a.Close()
			}
		})
	}
}

// BenchmarkRegistration_MoveCursor moves down one row and redraws, fetching
// a new window whenever the cursor nears its edge, as a held-down j does.
// Every moveSpan moves it jumps back to the top (g), at both sizes, so the
// two measure the same work: the 1k table never runs out of rows to wrap
// on, and the 1M one wraps as often.
func BenchmarkRegistration_MoveCursor(b *testing.B) {
	const moveSpan = 500 // fewer than the smaller table's rows
	for _, n := range []int{1000, 1_000_000} {
		b.Run(itoa(n), func(b *testing.B) {
			db, svc := benchDB(b, n)
			a := benchApp(b, db, svc)
			defer a.Close()
			i := 0
			b.ResetTimer()
			for b.Loop() {
				if i++; i%moveSpan == 0 {
					press(b, a, "g")
				} else {
					press(b, a, "j")
				}
				_ = a.render()
			}
		})
	}
}

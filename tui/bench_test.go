package tui

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

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

// BenchmarkRegistration_MarkAndBulkApprove500 marks 500 verified requests
// with space in a million-row database (the cursor walking the list and
// fetching new windows as it goes), then approves them with a and y: 500
// transactions, each with its audit row. It works on a copy of the cached
// sample, as it changes the data.
func BenchmarkRegistration_MarkAndBulkApprove500(b *testing.B) {
	ctx := context.Background()
	src, err := sample.CachedDB(ctx, 1_000_000)
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "bulk.db")
	if err := copyFile(src, path); err != nil {
		b.Fatal(err)
	}
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	svc := workflow.New(workflow.Config{DB: db})
	dark := true
	var mark, approve time.Duration
	b.ResetTimer()
	for b.Loop() {
		a := New(Config{Service: svc, DB: db, Actor: "bench", PollInterval: -1, Dark: &dark,
			Profile: colorprofile.ANSI256, Location: time.UTC})
		run(b, a, a.Init())
		send(b, a, tea.WindowSizeMsg{Width: 120, Height: 40})
		reg := a.screens[0].(*registration)
		start := time.Now()
		for range 500 {
			press(b, a, "space")
			_ = a.render()
		}
		mark += time.Since(start)
		if reg.marks.len() != 500 {
			b.Fatalf("%d marked", reg.marks.len())
		}
		start = time.Now()
		press(b, a, "a", "y")
		approve += time.Since(start)
		if !strings.Contains(ansi.Strip(a.render()), "Approved 500 requests") {
			b.Fatalf("after the bulk approve:\n%s", ansi.Strip(a.render()))
		}
		a.Close()
	}
	b.ReportMetric(float64(mark.Microseconds())/float64(b.N)/500, "µs/mark")
	b.ReportMetric(float64(approve.Milliseconds())/float64(b.N)/500, "ms/approval")
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// BenchmarkInsights_Screen rereads (r) and draws the Insights screen (6)
// for the week, the month and the year before the sample's last day, at 1k
// and 1M requests: the figures come from daily rollups, so the year at a
// million requests costs about what the week does.
func BenchmarkInsights_Screen(b *testing.B) {
	ctx := context.Background()
	end := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for _, n := range []int{1000, 1_000_000} {
		for tab, days := range insightPeriods {
			if days == 90 {
				continue
			}
			b.Run(itoa(n)+"/days="+fmtInt(days), func(b *testing.B) {
				path, err := sample.CachedDB(ctx, n)
				if err != nil {
					b.Fatal(err)
				}
				db, err := store.Open(ctx, path, store.Options{Now: func() time.Time { return end }})
				if err != nil {
					b.Fatal(err)
				}
				defer db.Close()
				dark := true
				a := New(Config{Service: workflow.New(workflow.Config{DB: db}), DB: db, Actor: "bench",
					PollInterval: -1, Dark: &dark, Profile: colorprofile.ANSI256, Location: time.UTC})
				defer a.Close()
				run(b, a, a.Init())
				send(b, a, tea.WindowSizeMsg{Width: 120, Height: 40})
				press(b, a, "6")
				var in *insights
				for _, s := range a.screens {
					if s, ok := s.(*insights); ok {
						in = s
					}
				}
				for in.tabs.active != tab {
					press(b, a, "right")
				}
				b.ResetTimer()
				for b.Loop() {
					press(b, a, "r")
					_ = a.render()
				}
				b.StopTimer()
				if in.data == nil || in.data.Days != days || in.data.Signups == 0 {
					b.Fatalf("the screen shows no figures for %d days: %+v", days, in.data)
				}
			})
		}
	}
}

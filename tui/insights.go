package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/guptarohit/asciigraph"

	"github.com/regdesk/regdesk/workflow"
)

// insightPeriods are the periods the Insights screen offers, in days.
var insightPeriods = []int{7, 30, 90, 365}

// insights draws how the desk is doing: sign-ups per day as a chart, with
// the verification rate, the verified queue's age, how long decisions take,
// what they were and who made them, and expiries beside it.
type insights struct {
	s       *session
	tabs    tabs
	data    *workflow.Insights
	seq     uint64
	loading bool
	again   bool // the data changed while a load was running

	width, height int
}

type insightsMsg struct {
	seq  uint64
	data workflow.Insights
	err  error
}

func newInsights(s *session) *insights {
	labels := make([]string, len(insightPeriods))
	for i, d := range insightPeriods {
		labels[i] = fmt.Sprintf("%d days", d)
	}
	t := newTabs(labels...)
	t.active = 1 // 30 days
	return &insights{s: s, tabs: t}
}

// Init loads nothing: the figures are read when the screen is first shown.
func (in *insights) Init() tea.Cmd   { return nil }
func (in *insights) Capturing() bool { return false }

// Reload rereads, one load at a time, so a busy portal never queues a load
// per change (the figures come from daily rollups and cost little each).
func (in *insights) Reload() tea.Cmd {
	if in.loading {
		in.again = true
		return nil
	}
	return in.load()
}

// reloadsOnlyWhenShown: the app rereads this screen when it is shown, not
// on every change in the database.
func (in *insights) reloadsOnlyWhenShown() {}

func (in *insights) load() tea.Cmd {
	in.seq = in.s.next()
	in.loading, in.again = true, false
	seq, svc, db, ctx, days := in.seq, in.s.svc, in.s.db, in.s.ctx, insightPeriods[in.tabs.active]
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		data, err := svc.Insights(ctx, db.Read(), days)
		return insightsMsg{seq, data, err}
	}
}

func (in *insights) Update(msg tea.Msg, active bool) tea.Cmd {
	switch msg := msg.(type) {
	case insightsMsg:
		if msg.seq != in.seq {
			return nil
		}
		in.loading = false
		if msg.err != nil {
			in.s.fail("load insights", msg.err)
			return nil
		}
		for i := range msg.data.Approvers {
			msg.data.Approvers[i].Approver = Sanitize(msg.data.Approvers[i].Approver)
		}
		for i := range msg.data.RejectedByReason {
			msg.data.RejectedByReason[i].Reason = Sanitize(msg.data.RejectedByReason[i].Reason)
		}
		in.data = &msg.data
		if in.again {
			return in.load()
		}
	case tea.KeyPressMsg:
		if !active {
			return nil
		}
		k := in.s.keys
		switch {
		case key.Matches(msg, k.NextTab), msg.String() == "right", msg.String() == "l":
			in.tabs.next()
			in.data = nil // not the figures of another period meanwhile
			return in.load()
		case key.Matches(msg, k.PrevTab), msg.String() == "left", msg.String() == "h":
			in.tabs.prev()
			in.data = nil
			return in.load()
		case key.Matches(msg, k.Reread):
			in.s.info("Reread.")
			return in.load()
		}
	}
	return nil
}

func (in *insights) SetSize(w, h int) {
	in.width, in.height = w, h
	in.tabs.SetWidth(w)
}

func (in *insights) Help() helpMap {
	k := in.s.keys
	period := key.NewBinding(key.WithKeys("tab", "right"), key.WithHelp("tab/→", "period"))
	return helpMap{short: []key.Binding{period, k.Reread}, full: [][]key.Binding{{period, k.PrevTab, k.Reread}}}
}

func (in *insights) View() string {
	st := in.s.styles
	w, h := in.width, in.height
	head := in.tabs.View(st)
	if in.data == nil {
		return head + "\n" + st.Muted.Render(" loading…")
	}
	d := in.data
	head = truncate(head+st.Muted.Render(fmt.Sprintf("   %s – %s UTC", d.Since.Format(time.DateOnly), d.Until.Format("2006-01-02 15:04"))), w)

	bottom := in.decisionsView(w)
	chartH := max(h-2-lipgloss.Height(bottom), 5)
	figures := in.figuresView()
	figW := lipgloss.Width(figures)
	var top string
	if w-figW-3 >= 40 {
		// The chart is as tall as it needs (up to chartH); the decisions
		// follow it, and what room is left stays below them.
		chart := in.chart(w-figW-3, chartH)
		ch := min(max(lipgloss.Height(chart), lipgloss.Height(figures)), chartH)
		top = lipgloss.JoinHorizontal(lipgloss.Top, fit(chart, w-figW-3, ch), "   ", figures)
	} else {
		top = in.chart(w, chartH-lipgloss.Height(figures)) + "\n" + figures
	}
	return strings.Join([]string{head, top, bottom}, "\n")
}

// chart plots sign-ups per day in w×h cells, dates on the x axis.
func (in *insights) chart(w, h int) string {
	d := in.data
	series := make([]float64, len(d.PerDay))
	for i, day := range d.PerDay {
		series[i] = float64(day.Signups)
	}
	if len(series) == 1 {
		series = append(series, series[0]) // a line needs two points
	}
	maxV := 0.0
	for _, v := range series {
		maxV = max(maxV, v)
	}
	first, last := d.Since, d.Since.AddDate(0, 0, len(d.PerDay)-1)
	span := last.Sub(first).Hours() / 24
	render := func(pw, ph int) string {
		// Sign-ups are counted in whole numbers, and so is the axis: with
		// fewer sign-ups a day than rows, a row is one sign-up (the chart
		// no taller than the figures need, at least ten rows) rather than
		// a fraction of one.
		ph = min(ph, max(int(maxV), 10))
		return asciigraph.Plot(series,
			asciigraph.Height(ph), asciigraph.Width(pw),
			asciigraph.LowerBound(0), asciigraph.UpperBound(max(maxV, float64(ph))), asciigraph.Precision(0),
			asciigraph.XAxisRange(0, max(span, 1)), asciigraph.XAxisTickCount(min(4, max(len(d.PerDay), 2))),
			asciigraph.XAxisValueFormatter(func(v float64) string {
				return first.AddDate(0, 0, int(v+0.5)).Format("Jan 2")
			}),
			asciigraph.Caption("sign-ups per day"))
	}
	// The plot's labels and axes take room the options do not count, so
	// draw once, measure, and draw again to fit w×h.
	ph := max(h-4, 2)
	pw := max(w-8, 10)
	plot := render(pw, ph)
	if extra := lipgloss.Width(plot) - w; extra > 0 {
		pw = max(pw-extra, 10)
	}
	if extra := lipgloss.Height(plot) - h; extra > 0 {
		ph = max(ph-extra, 2)
	}
	plot = render(pw, ph)
	return in.s.styles.Value.Render(plot)
}

// figuresView is the column of key figures beside the chart.
func (in *insights) figuresView() string {
	st := in.s.styles
	d := in.data
	row := func(label, value string) string {
		return st.Label.Render(cell(label, 13)) + st.Value.Render(value)
	}
	rate := "—"
	if d.Signups > 0 {
		rate = fmt.Sprintf("%.0f%%", d.VerificationRate*100)
	}
	queue := "empty"
	if d.Queue.Waiting > 0 {
		queue = count(d.Queue.Waiting) + " waiting"
	}
	lines := []string{
		st.Section.Render("Sign-ups"),
		row("received", count(d.Signups)),
		row("verified", rate+" ("+count(d.Verified)+")"),
		row("expired", count(d.Expired)),
		st.Section.Render("Verified queue"),
		row("now", queue),
	}
	if d.Queue.Waiting > 0 {
		lines = append(lines, row("oldest", secs(d.Queue.OldestAgeSeconds)+" waiting"),
			row("median", secs(d.Queue.MedianAgeSeconds)+" waiting"))
	}
	lines = append(lines, st.Section.Render("Verified → decision"))
	if d.DecisionTime.Decisions == 0 {
		lines = append(lines, st.Muted.Render("no decisions yet"))
	} else {
		lines = append(lines, row("median", secs(d.DecisionTime.MedianSeconds)),
			row("90% within", secs(d.DecisionTime.P90Seconds)),
			row("decisions", count(d.DecisionTime.Decisions)))
	}
	return strings.Join(lines, "\n")
}

// decisionsView draws the period's decisions by outcome and reason beside
// the decisions per approver, as bars.
func (in *insights) decisionsView(w int) string {
	st := in.s.styles
	d := in.data
	type bar struct {
		label string
		n     int64
		style lipgloss.Style
		note  string
	}
	var left []bar
	left = append(left, bar{"approved", d.Approved, st.OK, ""})
	for _, r := range d.RejectedByReason {
		left = append(left, bar{"✗ " + r.Reason, r.N, st.Err, ""})
	}
	var right []bar
	for _, a := range d.Approvers {
		right = append(right, bar{a.Approver, a.Approved + a.Rejected, st.Info,
			fmt.Sprintf("%d✓ %d✗", a.Approved, a.Rejected)})
	}
	colW := (w - 3) / 2
	draw := func(title string, bars []bar, width int) []string {
		lines := []string{st.Section.Render(title)}
		if len(bars) == 0 || (len(bars) == 1 && bars[0].n == 0) {
			return append(lines, st.Muted.Render("none in this period"))
		}
		var maxN int64 = 1
		for _, b := range bars {
			maxN = max(maxN, b.n)
		}
		barW := max(width-16-8-10, 4)
		for i, b := range bars {
			if i == 5 {
				lines = append(lines, st.Muted.Render(fmt.Sprintf("… %d more", len(bars)-5)))
				break
			}
			n := int(b.n * int64(barW) / maxN)
			if b.n > 0 && n == 0 {
				n = 1
			}
			line := st.Label.Render(cell(b.label, 16)) + b.style.Render(strings.Repeat("█", n)) +
				st.Value.Render(" "+count(b.n)) + st.Muted.Render(" "+b.note)
			lines = append(lines, truncate(line, width))
		}
		return lines
	}
	title := fmt.Sprintf("Decisions  %s approved · %s rejected", count(d.Approved), count(d.Rejected))
	l := draw(title, left, colW)
	r := draw("By approver", right, colW)
	for len(l) < len(r) {
		l = append(l, "")
	}
	out := make([]string, len(l))
	for i := range l {
		out[i] = cell(l[i], colW)
		if i < len(r) {
			out[i] += "   " + r[i]
		}
	}
	return strings.Join(out, "\n")
}

// secs is a duration in seconds the way the screen says ages: 5m, 3h, 12d.
func secs(s int64) string {
	if s < 60 {
		return "<1m"
	}
	return span(time.Duration(s) * time.Second)
}

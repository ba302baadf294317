package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// truncate cuts a styled line to w cells.
func truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// cell truncates or pads plain text to exactly w cells.
func cell(s string, w int) string {
	if w <= 0 {
		return ""
	}
	s = truncate(s, w)
	if n := ansi.StringWidth(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

// fit makes a block exactly w×h: long lines are cut, short ones padded, and
// missing lines added, so a shorter frame never leaves stale cells behind.
func fit(block string, w, h int) string {
	lines := strings.Split(block, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	for i, l := range lines {
		lines[i] = cell(l, w)
	}
	return strings.Join(lines, "\n")
}

// overlay draws box centred over body.
func overlay(body, box string, w, h int) string {
	body = fit(body, w, h)
	bw, bh := lipgloss.Width(box), lipgloss.Height(box)
	x, y := max((w-bw)/2, 0), max((h-bh)/3, 0)
	return lipgloss.NewCompositor(lipgloss.NewLayer(body),
		lipgloss.NewLayer(box).X(x).Y(y).Z(1)).Render()
}

// column is a table column: a title and a width share.
type column struct {
	title string
	width int // fixed cells; 0 means it shares what is left
	share int // weight among the flexible columns
}

// layoutColumns gives each column a width for a table w cells wide, with
// one space between columns.
func layoutColumns(cols []column, w int) []int {
	out := make([]int, len(cols))
	rest := w - (len(cols) - 1)
	shares := 0
	for i, c := range cols {
		out[i] = c.width
		rest -= c.width
		shares += c.share
	}
	if rest < 0 || shares == 0 {
		return out
	}
	left := rest
	for i, c := range cols {
		if c.share > 0 {
			out[i] = rest * c.share / shares
			left -= out[i]
		}
	}
	for i := len(cols) - 1; i >= 0 && left > 0; i-- {
		if cols[i].share > 0 {
			out[i] += left
			left = 0
		}
	}
	return out
}

// row joins cells to the column widths.
func row(widths []int, cells ...string) string {
	parts := make([]string, len(widths))
	for i, w := range widths {
		v := ""
		if i < len(cells) {
			v = cells[i]
		}
		parts[i] = cell(v, w)
	}
	return strings.Join(parts, " ")
}

// count formats a tab count compactly: 1,234 or 45.2k or 1.0M.
func count(n int64) string {
	switch {
	case n >= 1_000_000:
		return fmt.Sprintf("%.1fM", float64(n)/1e6)
	case n >= 100_000:
		return fmt.Sprintf("%dk", n/1000)
	case n >= 10_000:
		return fmt.Sprintf("%.1fk", float64(n)/1e3)
	case n >= 1000:
		return fmt.Sprintf("%d,%03d", n/1000, n%1000)
	}
	return fmt.Sprint(n)
}

// when formats a timestamp in the session's zone: the date, and the time of
// day when there is room.
func when(t time.Time, long bool, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	if long {
		return t.In(loc).Format("2006-01-02 15:04")
	}
	return t.In(loc).Format("2006-01-02")
}

// ago says how long before now t was.
func ago(now, t time.Time) string {
	d := now.Sub(t)
	if d < time.Minute {
		return "just now"
	}
	return span(d) + " ago"
}

// span is a duration in its largest whole unit: 5m, 3h, 12d.
func span(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

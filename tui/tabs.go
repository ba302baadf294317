package tui

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
)

// tabs is a row of filter tabs, each with an optional live count; the
// active one is marked. On a narrow terminal it tightens the spacing first
// and shortens the counts only when that is not enough.
type tabs struct {
	labels []string
	counts []int64 // nil: the tabs show no counts
	active int
	width  int
}

func newTabs(labels ...string) tabs { return tabs{labels: labels} }

func (t *tabs) SetWidth(w int) { t.width = w }
func (t *tabs) next()          { t.active = (t.active + 1) % len(t.labels) }
func (t *tabs) prev()          { t.active = (t.active + len(t.labels) - 1) % len(t.labels) }

func (t tabs) View(st Styles) string {
	render := func(compact, short bool) string {
		parts := make([]string, len(t.labels))
		for i, l := range t.labels {
			label := l
			if t.counts != nil {
				label += " " + tabCount(t.counts[i], short)
			}
			switch {
			case i == t.active:
				parts[i] = st.TabActive.Render("▸ " + label)
			case compact:
				parts[i] = st.Tab.Render(label)
			default:
				parts[i] = st.Tab.Render("  " + label)
			}
		}
		return strings.Join(parts, " ")
	}
	out := render(false, false)
	if lipgloss.Width(out) > t.width {
		out = render(true, false)
	}
	if lipgloss.Width(out) > t.width {
		out = render(true, true)
	}
	return truncate(out, t.width)
}

// tabCount is a count as a tab shows it: exact while it is short, else
// 1.2k (not 1k for 1,182), 45k, 1.0M.
func tabCount(n int64, short bool) string {
	switch {
	case !short || n < 1000:
		return count(n)
	case n < 10_000:
		return fmt.Sprintf("%.1fk", float64(n)/1e3)
	case n < 1_000_000:
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprintf("%.1fM", float64(n)/1e6)
}

package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
)

// marks are the requests marked for a bulk decision, as they were when
// marked: the decision applies only at that version, so a request that
// changed since is skipped and listed. Marks are ids, so they cost nothing
// whatever the size of the list, and they stay across tabs and searches.
type marks struct {
	order []int64
	byID  map[int64]store.Request
}

func (m *marks) len() int          { return len(m.order) }
func (m *marks) has(id int64) bool { _, ok := m.byID[id]; return ok }

// toggle marks r, or unmarks it; it reports whether r is marked now.
func (m *marks) toggle(r store.Request) bool {
	if m.has(r.ID) {
		delete(m.byID, r.ID)
		for i, id := range m.order {
			if id == r.ID {
				m.order = append(m.order[:i], m.order[i+1:]...)
				break
			}
		}
		return false
	}
	if m.byID == nil {
		m.byID = map[int64]store.Request{}
	}
	m.byID[r.ID] = r
	m.order = append(m.order, r.ID)
	return true
}

func (m *marks) clear() { m.order, m.byID = nil, nil }

// list is the marked requests in the order they were marked.
func (m *marks) list() []store.Request {
	out := make([]store.Request, len(m.order))
	for i, id := range m.order {
		out[i] = m.byID[id]
	}
	return out
}

// regBulkMsg is the outcome of a bulk decision.
type regBulkMsg struct {
	verb   string // "Approved", "Rejected"
	result workflow.BulkResult
}

func (r *registration) toggleMark() tea.Cmd {
	cur, ok := r.current()
	if !ok {
		r.s.info("Nothing selected to mark.")
		return nil
	}
	r.marks.toggle(cur)
	if n := r.marks.len(); n > 0 {
		r.s.info("%d marked: a approves, x rejects them; esc clears the marks.", n)
	} else {
		r.s.info("No request marked.")
	}
	return r.move(1)
}

// badge is the marked count, shown beside the status line.
func (r *registration) badge() string {
	if n := r.marks.len(); n > 0 {
		return fmt.Sprintf("• %d marked", n)
	}
	return ""
}

// markedLines names the marked requests for a confirmation: all of them up
// to a screenful, then how many more.
func markedLines(rs []store.Request, wantStatus ...domain.RequestStatus) []string {
	const shown = 8
	var lines []string
	for i, q := range rs {
		if i == shown {
			lines = append(lines, fmt.Sprintf("  … and %d more", len(rs)-shown))
			break
		}
		line := fmt.Sprintf("  %s · %s", q.Number, q.CompanyName)
		if !contains(wantStatus, q.Status) {
			line += fmt.Sprintf(" (%s: will be skipped)", q.Status)
		}
		lines = append(lines, line)
	}
	return lines
}

func contains(ss []domain.RequestStatus, s domain.RequestStatus) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func countOf(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func (r *registration) bulkActions() []workflow.Action {
	var out []workflow.Action
	for _, q := range r.marks.list() {
		out = append(out, workflow.Action{Number: q.Number, Actor: r.s.actor, Version: q.Version})
	}
	return out
}

// bulkRun runs a bulk decision in a Cmd; each request is its own
// transaction, so it may take a while for hundreds.
func (r *registration) bulkRun(verb string, fn func(ctx context.Context) workflow.BulkResult) func() tea.Cmd {
	ctx := r.s.ctx
	return func() tea.Cmd {
		return func() tea.Msg {
			ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
			defer cancel()
			return regBulkMsg{verb: verb, result: fn(ctx)}
		}
	}
}

func (r *registration) bulkApprove() tea.Cmd {
	rs := r.marks.list()
	actions := r.bulkActions()
	svc := r.s.svc
	lines := append([]string{}, markedLines(rs, domain.Verified)...)
	lines = append(lines, "",
		"Each verified one moves to approved on its own, recorded as approved by "+r.s.actor+".",
		"A request that changed since you marked it is skipped and listed, not approved.")
	return r.s.confirm("Approve "+countOf(len(rs), "marked request", "marked requests")+"?", "Approve", lines,
		r.bulkRun("Approved", func(ctx context.Context) workflow.BulkResult { return svc.BulkApprove(ctx, actions) }))
}

func (r *registration) bulkReject() tea.Cmd {
	rs := r.marks.list()
	return openDialog(&rejectDialog{s: r.s, r: r, reqs: rs, width: 60,
		comment: newInput(r.s.styles, "optional; every prospect reads it", 1000)})
}

// bulkDone clears the marks, rereads, and lists what was skipped.
func (r *registration) bulkDone(m regBulkMsg) tea.Cmd {
	r.marks.clear()
	skipped := m.result.Skipped()
	done := m.result.Done()
	var names []string
	for _, o := range m.result.Outcomes {
		if o.Done {
			names = append(names, o.Number)
		}
	}
	if len(skipped) == 0 {
		if len(names) > 6 {
			names = append(names[:3], fmt.Sprintf("… and %d more", len(names)-3))
		}
		r.s.ok("%s %s: %s.", m.verb, countOf(done, "request", "requests"), strings.Join(names, ", "))
		return r.Reload()
	}
	lines := []string{fmt.Sprintf("%s %d of %d.", m.verb, done, len(m.result.Outcomes)), "",
		countOf(len(skipped), "request was", "requests were") + " skipped and left as they are:"}
	for _, o := range skipped {
		lines = append(lines, "  "+Sanitize(o.Reason))
	}
	r.s.info("%s %d of %d; %d skipped (listed).", m.verb, done, len(m.result.Outcomes), len(skipped))
	return tea.Batch(r.Reload(), openDialog(&noticeDialog{s: r.s, title: "Some requests were skipped",
		lines: lines, width: 60, after: r.s.status}))
}

// noticeDialog tells something that needs reading; any of enter, esc or q
// closes it.
type noticeDialog struct {
	s     *session
	title string
	lines []string
	width int
	after statusLine // the status line once it closes
}

func (d *noticeDialog) Init() tea.Cmd  { return nil }
func (d *noticeDialog) SetWidth(w int) { d.width = w }
func (d *noticeDialog) Update(msg tea.Msg) (tea.Cmd, bool) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil, false
	}
	switch k.String() {
	case "enter", "esc", "q":
		return closeDialog(d.after, nil), true
	}
	return nil, true
}

func (d *noticeDialog) View() string {
	st := d.s.styles
	var b strings.Builder
	b.WriteString(st.DialogTitle.Render(d.title) + "\n\n")
	for _, l := range d.lines {
		b.WriteString(wrap(l, d.width-4) + "\n")
	}
	b.WriteString("\n" + st.Key.Render("enter") + st.Muted.Render(" close"))
	return b.String()
}

func (d *noticeDialog) Help() helpMap {
	closeKey := key.NewBinding(key.WithKeys("enter", "esc"), key.WithHelp("enter", "close"))
	return helpMap{short: []key.Binding{closeKey}, full: [][]key.Binding{{closeKey}}}
}

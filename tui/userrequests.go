package tui

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
)

var urTabs = []struct {
	label  string
	status domain.UserRequestStatus
}{
	{"Failed", domain.URFailed}, {"Pending approval", domain.URPendingApproval},
	{"Draft", domain.URDraft}, {"Submitted", domain.URSubmitted},
	{"Completed", domain.URCompleted}, {"All", ""},
}

// userRequests lists user requests: their status, step history, and the
// human actions (retry a failed one, approve or reject a pending one,
// provision a draft).
type userRequests struct {
	s        *session
	tabs     tabs
	rows     []store.UserRequest
	more     bool
	cur      cursor
	seq      uint64
	loaded   bool
	steps    []store.Step
	stepsFor int64
	stepsSeq uint64
	detail   bool

	width, height int
}

const urPage = 200

type (
	urPageMsg struct {
		seq    uint64
		rows   []store.UserRequest
		append bool
		more   bool
		err    error
	}
	urStepsMsg struct {
		seq   uint64
		id    int64
		steps []store.Step
		err   error
	}
	urActionMsg struct {
		message string
		err     error
	}
)

func newUserRequests(s *session) *userRequests {
	labels := make([]string, len(urTabs))
	for i, t := range urTabs {
		labels[i] = t.label
	}
	return &userRequests{s: s, cur: cursor{h: 18}, tabs: newTabs(labels...)}
}

func (u *userRequests) Init() tea.Cmd   { return u.load(0, 0) }
func (u *userRequests) Capturing() bool { return false }
func (u *userRequests) Reload() tea.Cmd { return u.load(0, max(len(u.rows), urPage)) }
func (u *userRequests) selected() *store.UserRequest {
	if u.cur.sel < len(u.rows) {
		return &u.rows[u.cur.sel]
	}
	return nil
}

// load reads limit rows after afterID (0: from the start, replacing the list).
func (u *userRequests) load(afterID int64, limit int) tea.Cmd {
	if limit == 0 {
		limit = urPage
	}
	u.seq = u.s.next()
	seq, db, ctx, status := u.seq, u.s.db, u.s.ctx, urTabs[u.tabs.active].status
	return func() tea.Msg {
		rows, err := db.Read().UserRequests(ctx, store.ListUserRequests{Status: status, AfterID: afterID, Limit: limit + 1})
		more := len(rows) > limit
		if more {
			rows = rows[:limit]
		}
		for i := range rows {
			r := &rows[i]
			r.Username, r.Email, r.LastError, r.CreatedBy = Sanitize(r.Username), Sanitize(r.Email),
				Sanitize(r.LastError), Sanitize(r.CreatedBy)
			r.PasswordHash = ""
		}
		return urPageMsg{seq: seq, rows: rows, append: afterID > 0, more: more, err: err}
	}
}

func (u *userRequests) loadSteps() tea.Cmd {
	sel := u.selected()
	if sel == nil {
		return nil
	}
	u.stepsSeq = u.s.next()
	seq, db, ctx, id := u.stepsSeq, u.s.db, u.s.ctx, sel.ID
	return func() tea.Msg {
		steps, err := db.Read().Steps(ctx, id)
		for i := range steps {
			steps[i].Detail, steps[i].Actor = Sanitize(steps[i].Detail), Sanitize(steps[i].Actor)
		}
		return urStepsMsg{seq, id, steps, err}
	}
}

func (u *userRequests) Update(msg tea.Msg, active bool) tea.Cmd {
	switch msg := msg.(type) {
	case urPageMsg:
		if msg.seq != u.seq {
			return nil
		}
		if msg.err != nil {
			u.s.fail("load user requests", msg.err)
			return nil
		}
		if msg.append {
			u.rows = append(u.rows, msg.rows...)
		} else {
			u.rows = msg.rows
		}
		u.more, u.loaded = msg.more, true
		u.cur.n = len(u.rows)
		u.cur.clamp()
		return u.loadSteps()
	case urStepsMsg:
		if msg.seq == u.stepsSeq && msg.err == nil {
			u.steps, u.stepsFor = msg.steps, msg.id
		} else if msg.err != nil {
			u.s.fail("load steps", msg.err)
		}
	case urActionMsg:
		if msg.err != nil {
			u.s.fail("user request", msg.err)
		} else {
			u.s.ok("%s", msg.message)
		}
		return u.Reload()
	case tea.KeyPressMsg, tea.MouseWheelMsg:
		if !active {
			return nil
		}
		return u.key(msg)
	}
	return nil
}

func (u *userRequests) key(msg tea.Msg) tea.Cmd {
	k := u.s.keys
	if moved, ok := u.cur.navKey(k, msg); ok {
		var cmds []tea.Cmd
		if u.more && u.cur.sel >= len(u.rows)-u.cur.h {
			cmds = append(cmds, u.load(u.rows[len(u.rows)-1].ID, urPage))
		}
		if moved {
			cmds = append(cmds, u.loadSteps())
		}
		return tea.Batch(cmds...)
	}
	kp, _ := msg.(tea.KeyPressMsg)
	switch {
	case key.Matches(kp, k.NextTab):
		u.tabs.next()
		u.rows, u.loaded, u.cur = nil, false, cursor{h: u.cur.h}
		return u.load(0, 0)
	case key.Matches(kp, k.PrevTab):
		u.tabs.prev()
		u.rows, u.loaded, u.cur = nil, false, cursor{h: u.cur.h}
		return u.load(0, 0)
	case key.Matches(kp, k.Details):
		u.detail = !u.detail
	case key.Matches(kp, k.Back):
		u.detail = false
	case key.Matches(kp, k.Reread):
		u.s.info("Reread.")
		return u.Reload()
	case key.Matches(kp, k.Retry):
		return u.action(domain.RetryUserRequest, u.s.svc.RetryUserRequest, domain.URFailed)
	case key.Matches(kp, k.Approve):
		return u.action(domain.ApproveUserRequest, u.s.svc.ApproveUserRequest, domain.URPendingApproval)
	case key.Matches(kp, k.Reject):
		return u.action(domain.RejectUserRequest, u.s.svc.RejectUserRequest, domain.URPendingApproval)
	case key.Matches(kp, k.Provision):
		return u.action(domain.ProvisionUser, u.s.svc.ProvisionUser, domain.URDraft)
	}
	return nil
}

// action confirms w on the selected user request, when it is in one of
// the statuses w applies to, then runs fn.
func (u *userRequests) action(w domain.Wording, fn func(context.Context, workflow.Action) (store.UserRequest, error),
	statuses ...domain.UserRequestStatus) tea.Cmd {
	sel := u.selected()
	if sel == nil {
		return nil
	}
	if !slices.Contains(statuses, sel.Status) {
		u.s.info("Cannot %s %s: it is %s.", w.Verb, sel.Number, sel.Status)
		return nil
	}
	x := *sel
	a := workflow.Action{Number: x.Number, Actor: u.s.actor, Version: x.Version}
	ctx := u.s.ctx
	return u.s.confirm(w.Question(x.Number), w.Button, []string{
		fmt.Sprintf("Login %q (%s) for customer %s, %s.", x.Username, x.Role, x.CustomerAccount, x.Email),
		"",
		w.Effect,
	}, func() tea.Cmd {
		return func() tea.Msg {
			ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
			defer cancel()
			out, err := fn(ctx, a)
			return urActionMsg{fmt.Sprintf("%s (now %s).", w.Outcome(x.Number), out.Status), err}
		}
	})
}

func (u *userRequests) Help() helpMap {
	k := u.s.keys
	short := []key.Binding{k.NextTab, k.Down, k.Details}
	if sel := u.selected(); sel != nil {
		switch sel.Status {
		case domain.URFailed:
			short = append(short, k.Retry)
		case domain.URPendingApproval:
			short = append(short, k.Approve, k.Reject)
		case domain.URDraft:
			short = append(short, k.Provision)
		}
	}
	short = append(short, k.Reread)
	return helpMap{short: short, full: [][]key.Binding{
		{k.NextTab, k.PrevTab, k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Details, k.Back, k.Reread},
		{k.Retry, k.Approve, k.Reject, k.Provision},
	}}
}

var urColumns = []column{{width: 1}, {title: "NUMBER", width: 9}, {title: "REQUEST", width: 10},
	{title: "ACCOUNT", width: 8}, {title: "USER", share: 3}, {title: "ROLE", width: 14},
	{title: "STEP", share: 2}, {title: "TRY", width: 3}, {title: "STATUS", width: 16}}

// SetSize lays the screen out: tabs, then the list and, when shown, the
// details under it (or beside it on a wide terminal).
func (u *userRequests) SetSize(w, h int) {
	u.width, u.height = w, h
	u.tabs.SetWidth(w)
	_, listH := u.listSize()
	u.cur.setHeight(listH)
}

func (u *userRequests) listSize() (w, h int) {
	w, h = u.width, u.height-1
	switch {
	case u.width >= 150:
		w = u.width * 58 / 100
	case u.detail:
		h /= 2
	}
	return w, h
}

func (u *userRequests) View() string {
	st := u.s.styles
	w, h := u.width, u.height-1
	lines := []string{u.tabs.View(st)}
	if !u.loaded {
		return strings.Join(append(lines, st.Muted.Render(" loading…")), "\n")
	}
	listW, listH := u.listSize()
	// STATUS is as wide as the longest status loaded ("pending_approval" is
	// rare): the room goes to USER and STEP, which clip first.
	cols := slices.Clone(urColumns)
	cols[len(cols)-1].width = len("STATUS")
	for _, x := range u.rows {
		cols[len(cols)-1].width = max(cols[len(cols)-1].width, len(string(x.Status)))
	}
	list := u.cur.table(st, cols, listW, listH, "No user requests here.", func(i int) []string {
		x := u.rows[i]
		return []string{"", x.Number, x.RequestNumber, x.CustomerAccount, x.Username, x.Role, x.Step,
			strconv.Itoa(x.Attempts), string(x.Status)}
	})
	switch {
	case w >= 150:
		lines = append(lines, sideBySide(st, list, u.detailView(w-listW-3, h), listW, h))
	case u.detail:
		lines = append(lines, fit(list, w, listH), st.Rule.Render(strings.Repeat("─", w)), u.detailView(w, h-listH-1))
	default:
		lines = append(lines, list)
	}
	return strings.Join(lines, "\n")
}

func (u *userRequests) detailView(w, h int) string {
	st := u.s.styles
	sel := u.selected()
	if sel == nil {
		return ""
	}
	lines := []string{st.Section.Render(sel.Number) + "  " + st.Status(string(sel.Status)) + "  " + st.Value.Render(sel.Username)}
	lines = append(lines, kv(st, "Customer", sel.CustomerAccount+"  from "+sel.RequestNumber),
		kv(st, "Email", sel.Email), kv(st, "Role", sel.Role),
		kv(st, "Created", when(sel.CreatedAt, true, u.s.loc)+" by "+sel.CreatedBy))
	if sel.LastError != "" {
		lines = append(lines, st.Label.Render(cell("Last error", 12))+st.Err.Render(sel.LastError))
	}
	lines = append(lines, "", st.Section.Render("Steps"))
	if u.stepsFor == sel.ID {
		for _, s := range u.steps {
			oc := st.OK
			switch s.Outcome {
			case "failed":
				oc = st.Err
			case "retry":
				oc = st.Warn
			}
			line := "  " + when(s.At, true, u.s.loc) + "  " + cell(s.Step, 22) + " " + oc.Render(cell(s.Outcome, 7))
			if s.Attempt > 0 {
				line += fmt.Sprintf(" #%d", s.Attempt)
			}
			line += " " + st.Muted.Render(s.Detail)
			lines = append(lines, line)
		}
	}
	return fit(strings.Join(lines, "\n"), w, max(h, 1))
}

// sideBySide puts a list and a details pane next to each other.
func sideBySide(st Styles, list, side string, listW, h int) string {
	l := strings.Split(fit(list, listW, h), "\n")
	r := strings.Split(side, "\n")
	out := make([]string, h)
	for i := range out {
		right := ""
		if i < len(r) {
			right = r[i]
		}
		out[i] = l[i] + " " + st.Rule.Render("│") + " " + right
	}
	return strings.Join(out, "\n")
}

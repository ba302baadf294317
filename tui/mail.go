package tui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/regdesk/regdesk/store"
)

var mailTabs = []struct{ label, status string }{
	{"Failed", store.MailFailed}, {"Queued", store.MailQueued}, {"Sent", store.MailSent}, {"All", ""},
}

// mail shows the outbox, newest first, and requeues failed messages. Bodies
// are never shown: they carry activation links.
type mail struct {
	s      *session
	tabs   tabs
	rows   []store.Mail
	more   bool
	cur    cursor
	seq    uint64
	loaded bool
	counts map[string]int64

	width, height int
}

const mailPage = 200

type (
	mailPageMsg struct {
		seq    uint64
		rows   []store.Mail
		counts map[string]int64
		append bool
		more   bool
		err    error
	}
	mailActionMsg struct {
		message string
		err     error
	}
)

func newMail(s *session) *mail {
	labels := make([]string, len(mailTabs))
	for i, t := range mailTabs {
		labels[i] = t.label
	}
	return &mail{s: s, cur: cursor{h: 18}, tabs: newTabs(labels...)}
}

func (m *mail) Init() tea.Cmd   { return m.load(0, 0) }
func (m *mail) Capturing() bool { return false }
func (m *mail) Reload() tea.Cmd { return m.load(0, max(len(m.rows), mailPage)) }

func (m *mail) load(beforeID int64, limit int) tea.Cmd {
	if limit == 0 {
		limit = mailPage
	}
	m.seq = m.s.next()
	seq, db, ctx, status := m.seq, m.s.db, m.s.ctx, mailTabs[m.tabs.active].status
	return func() tea.Msg {
		q := db.Read()
		rows, err := q.Mails(ctx, store.ListMail{Status: status, BeforeID: beforeID, Limit: limit + 1})
		if err != nil {
			return mailPageMsg{seq: seq, err: err}
		}
		counts, err := q.MailCounts(ctx)
		more := len(rows) > limit
		if more {
			rows = rows[:limit]
		}
		for i := range rows {
			r := &rows[i]
			r.Kind, r.Ref, r.To, r.Subject, r.LastError = Sanitize(r.Kind), Sanitize(r.Ref),
				Sanitize(r.To), Sanitize(r.Subject), Sanitize(r.LastError)
			r.Text, r.HTML = "", ""
		}
		return mailPageMsg{seq: seq, rows: rows, counts: counts, append: beforeID > 0, more: more, err: err}
	}
}

func (m *mail) selected() *store.Mail {
	if m.cur.sel < len(m.rows) {
		return &m.rows[m.cur.sel]
	}
	return nil
}

func (m *mail) Update(msg tea.Msg, active bool) tea.Cmd {
	switch msg := msg.(type) {
	case mailPageMsg:
		if msg.seq != m.seq {
			return nil
		}
		if msg.err != nil {
			m.s.fail("load mail", msg.err)
			return nil
		}
		if msg.append {
			m.rows = append(m.rows, msg.rows...)
		} else {
			m.rows = msg.rows
		}
		m.counts, m.more, m.loaded = msg.counts, msg.more, true
		m.cur.n = len(m.rows)
		m.cur.clamp()
	case mailActionMsg:
		if msg.err != nil {
			m.s.fail("retry mail", msg.err)
		} else {
			m.s.ok("%s", msg.message)
		}
		return m.Reload()
	case tea.KeyPressMsg, tea.MouseWheelMsg:
		if active {
			return m.key(msg)
		}
	}
	return nil
}

func (m *mail) key(msg tea.Msg) tea.Cmd {
	k := m.s.keys
	if _, ok := m.cur.navKey(k, msg); ok {
		if m.more && m.cur.sel >= len(m.rows)-m.cur.h {
			return m.load(m.rows[len(m.rows)-1].ID, mailPage)
		}
		return nil
	}
	kp, _ := msg.(tea.KeyPressMsg)
	switch {
	case key.Matches(kp, k.NextTab), key.Matches(kp, k.PrevTab):
		if key.Matches(kp, k.PrevTab) {
			m.tabs.prev()
		} else {
			m.tabs.next()
		}
		m.rows, m.loaded, m.cur = nil, false, cursor{h: m.cur.h}
		return m.load(0, 0)
	case key.Matches(kp, k.Reread):
		m.s.info("Reread.")
		return m.Reload()
	case key.Matches(kp, k.Retry):
		return m.retry()
	}
	return nil
}

func (m *mail) retry() tea.Cmd {
	sel := m.selected()
	if sel == nil {
		return nil
	}
	if sel.Status != store.MailFailed {
		m.s.info("Only failed mail can be retried; this one is %s.", sel.Status)
		return nil
	}
	x := *sel
	svc, ctx, actor := m.s.svc, m.s.ctx, m.s.actor
	return m.s.confirm("Retry this mail?", "Retry", []string{
		fmt.Sprintf("#%d %s mail to %s: %q", x.ID, x.Kind, x.To, x.Subject),
		"Last error: " + x.LastError,
		"",
		"It goes back in the queue and the mail worker sends it again.",
	}, func() tea.Cmd {
		return func() tea.Msg {
			ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
			defer cancel()
			_, err := svc.RetryMail(ctx, x.ID, actor)
			return mailActionMsg{fmt.Sprintf("Mail #%d to %s queued again.", x.ID, x.To), err}
		}
	})
}

func (m *mail) Help() helpMap {
	k := m.s.keys
	short := []key.Binding{k.NextTab, k.Down}
	if sel := m.selected(); sel != nil && sel.Status == store.MailFailed {
		short = append(short, k.Retry)
	}
	short = append(short, k.Reread)
	return helpMap{short: short, full: [][]key.Binding{
		{k.NextTab, k.PrevTab, k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Retry, k.Reread}}}
}

var mailColumns = []column{{width: 1}, {title: "ID", width: 6}, {title: "CREATED", width: 16},
	{title: "KIND", width: 12}, {title: "REF", width: 10}, {title: "TO", share: 2},
	{title: "SUBJECT", share: 3}, {title: "TRY", width: 3}, {title: "STATUS", width: 6}}

// SetSize lays the screen out: tabs, the list, a rule and two lines about
// the selected mail.
func (m *mail) SetSize(w, h int) {
	m.width, m.height = w, h
	m.tabs.SetWidth(w)
	m.cur.setHeight(h - 4)
}

func (m *mail) View() string {
	st := m.s.styles
	w, h := m.width, m.height
	t := m.tabs
	t.counts = make([]int64, len(mailTabs))
	for i, x := range mailTabs {
		if x.status != "" {
			t.counts[i] = m.counts[x.status]
			continue
		}
		for _, v := range m.counts {
			t.counts[i] += v
		}
	}
	lines := []string{t.View(st)}
	if !m.loaded {
		return strings.Join(append(lines, st.Muted.Render(" loading…")), "\n")
	}
	listH := h - 4
	list := m.cur.table(st, mailColumns, w, listH, "No mail here.", func(i int) []string {
		x := m.rows[i]
		return []string{"", strconv.FormatInt(x.ID, 10), when(x.CreatedAt, true, m.s.loc), x.Kind, x.Ref,
			x.To, x.Subject, strconv.Itoa(x.Attempts), x.Status}
	})
	lines = append(lines, fit(list, w, listH), st.Rule.Render(strings.Repeat("─", w)))
	if sel := m.selected(); sel != nil {
		state := "queued"
		switch {
		case sel.SentAt != nil:
			state = "sent " + when(*sel.SentAt, true, m.s.loc)
		case sel.Status == store.MailFailed:
			state = "failed after " + strconv.Itoa(sel.Attempts) + " attempts"
		}
		lines = append(lines, truncate(st.Section.Render(fmt.Sprintf("#%d", sel.ID))+"  "+st.Value.Render(sel.Subject)+"  "+st.Muted.Render(state), w))
		if sel.LastError != "" {
			lines = append(lines, truncate(st.Err.Render("last error: "+sel.LastError), w))
		}
	}
	return strings.Join(lines, "\n")
}

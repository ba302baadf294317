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

var webhookTabs = []struct{ label, status string }{
	{"Failed", store.DeliveryFailed}, {"Queued", store.DeliveryQueued},
	{"Delivered", store.DeliveryDelivered}, {"All", ""},
}

// webhooks shows webhook deliveries, newest first, and queues failed ones
// again. Payloads are not shown: they carry a prospect's personal data.
type webhooks struct {
	s      *session
	tabs   tabs
	rows   []store.Delivery
	more   bool
	cur    cursor
	seq    uint64
	loaded bool
	counts map[string]int64

	width, height int
}

const webhookPage = 200

type (
	webhookPageMsg struct {
		seq    uint64
		rows   []store.Delivery
		counts map[string]int64
		append bool
		more   bool
		err    error
	}
	webhookActionMsg struct {
		message string
		err     error
	}
)

func newWebhooks(s *session) *webhooks {
	labels := make([]string, len(webhookTabs))
	for i, t := range webhookTabs {
		labels[i] = t.label
	}
	return &webhooks{s: s, cur: cursor{h: 18}, tabs: newTabs(labels...)}
}

func (m *webhooks) Init() tea.Cmd   { return m.load(0, 0) }
func (m *webhooks) Capturing() bool { return false }
func (m *webhooks) Reload() tea.Cmd { return m.load(0, max(len(m.rows), webhookPage)) }

func (m *webhooks) load(beforeID int64, limit int) tea.Cmd {
	if limit == 0 {
		limit = webhookPage
	}
	m.seq = m.s.next()
	seq, db, ctx, status := m.seq, m.s.db, m.s.ctx, webhookTabs[m.tabs.active].status
	return func() tea.Msg {
		q := db.Read()
		rows, err := q.Deliveries(ctx, store.ListDeliveries{Status: status, BeforeID: beforeID, Limit: limit + 1})
		if err != nil {
			return webhookPageMsg{seq: seq, err: err}
		}
		counts, err := q.DeliveryCounts(ctx)
		more := len(rows) > limit
		if more {
			rows = rows[:limit]
		}
		for i := range rows {
			r := &rows[i]
			r.URL, r.LastError, r.Event.Type, r.Event.Ref, r.Event.EventID = Sanitize(r.URL),
				Sanitize(r.LastError), Sanitize(r.Event.Type), Sanitize(r.Event.Ref), Sanitize(r.Event.EventID)
			r.Event.Payload = nil
		}
		return webhookPageMsg{seq: seq, rows: rows, counts: counts, append: beforeID > 0, more: more, err: err}
	}
}

func (m *webhooks) selected() *store.Delivery {
	if m.cur.sel < len(m.rows) {
		return &m.rows[m.cur.sel]
	}
	return nil
}

func (m *webhooks) Update(msg tea.Msg, active bool) tea.Cmd {
	switch msg := msg.(type) {
	case webhookPageMsg:
		if msg.seq != m.seq {
			return nil
		}
		if msg.err != nil {
			m.s.fail("load webhook deliveries", msg.err)
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
	case webhookActionMsg:
		if msg.err != nil {
			m.s.fail("retry delivery", msg.err)
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

func (m *webhooks) key(msg tea.Msg) tea.Cmd {
	k := m.s.keys
	if _, ok := m.cur.navKey(k, msg); ok {
		if m.more && m.cur.sel >= len(m.rows)-m.cur.h {
			return m.load(m.rows[len(m.rows)-1].ID, webhookPage)
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

func (m *webhooks) retry() tea.Cmd {
	sel := m.selected()
	if sel == nil {
		return nil
	}
	if sel.Status != store.DeliveryFailed {
		m.s.info("Only a failed delivery can be retried; this one is %s.", sel.Status)
		return nil
	}
	x := *sel
	svc, ctx, actor := m.s.svc, m.s.ctx, m.s.actor
	return m.s.confirm("Retry this delivery?", "Retry", []string{
		fmt.Sprintf("#%d %s to %s", x.ID, x.Event.Type, x.URL),
		"Last error: " + x.LastError,
		"",
		"It goes back in the queue with the same webhook-id, so the receiver can drop a repeat.",
	}, func() tea.Cmd {
		return func() tea.Msg {
			ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
			defer cancel()
			_, err := svc.RetryDelivery(ctx, x.ID, actor)
			return webhookActionMsg{fmt.Sprintf("Delivery #%d of %s queued again.", x.ID, x.Event.Type), err}
		}
	})
}

func (m *webhooks) Help() helpMap {
	k := m.s.keys
	short := []key.Binding{k.NextTab, k.Down}
	if sel := m.selected(); sel != nil && sel.Status == store.DeliveryFailed {
		short = append(short, k.Retry)
	}
	short = append(short, k.Reread)
	return helpMap{short: short, full: [][]key.Binding{
		{k.NextTab, k.PrevTab, k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Retry, k.Reread}}}
}

var webhookColumns = []column{{width: 1}, {title: "ID", width: 6}, {title: "CREATED", width: 16},
	{title: "EVENT", width: 17}, {title: "REF", width: 10}, {title: "URL", share: 3},
	{title: "TRY", width: 3}, {title: "CODE", width: 4}, {title: "STATUS", width: 9}}

// SetSize lays the screen out: tabs, the list, a rule and two lines about
// the selected delivery.
func (m *webhooks) SetSize(w, h int) {
	m.width, m.height = w, h
	m.tabs.SetWidth(w)
	m.cur.setHeight(h - 4)
}

func (m *webhooks) View() string {
	st := m.s.styles
	w, h := m.width, m.height
	t := m.tabs
	t.counts = make([]int64, len(webhookTabs))
	for i, x := range webhookTabs {
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
	list := m.cur.table(st, webhookColumns, w, listH, "No webhook deliveries here.", func(i int) []string {
		x := m.rows[i]
		code := ""
		if x.ResponseCode != 0 {
			code = strconv.Itoa(x.ResponseCode)
		}
		return []string{"", strconv.FormatInt(x.ID, 10), when(x.CreatedAt, true, m.s.loc), x.Event.Type,
			x.Event.Ref, x.URL, strconv.Itoa(x.Attempts), code, x.Status}
	})
	lines = append(lines, fit(list, w, listH), st.Rule.Render(strings.Repeat("─", w)))
	if sel := m.selected(); sel != nil {
		state := "queued"
		switch {
		case sel.DeliveredAt != nil:
			state = "delivered " + when(*sel.DeliveredAt, true, m.s.loc)
		case sel.Status == store.DeliveryFailed:
			state = "failed after " + strconv.Itoa(sel.Attempts) + " attempts"
		case sel.Attempts > 0:
			state = "retrying; " + strconv.Itoa(sel.Attempts) + " attempts so far"
		}
		lines = append(lines, truncate(st.Section.Render(fmt.Sprintf("#%d", sel.ID))+"  "+
			st.Value.Render(sel.Event.EventID)+"  "+st.Muted.Render(state), w))
		if sel.LastError != "" {
			lines = append(lines, truncate(st.Err.Render("last error: "+sel.LastError), w))
		}
	}
	return strings.Join(lines, "\n")
}

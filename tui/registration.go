package tui

import (
	"context"
	"math"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
)

// regTabs are the Registration screen's status filters: the work queue first.
var regTabs = []struct {
	label  string
	status domain.RequestStatus
}{
	{"Verified", domain.Verified}, {"Requested", domain.Requested},
	{"Approved", domain.Approved}, {"Created", domain.Created},
	{"Rejected", domain.Rejected}, {"Expired", domain.Expired}, {"All", ""},
}

// wideWidth is the terminal width from which details show beside the table.
const wideWidth = 150

// windowSize is how many rows are kept around the cursor: six screens, so a
// new window is fetched only every couple of screens. The cost of a fetch
// depends on it, never on the size of the table.
func (r *registration) windowSize() int { return max(120, 6*r.listHeight()) }

// registration is the home screen: the customer requests queue.
type registration struct {
	s      *session
	tabs   tabs
	search searchBox
	requestWindow
	pageSeq uint64
	// answered is the sequence number of the last page answer taken; while
	// it lags pageSeq a newer page (a search being typed) is on its way.
	answered uint64
	// cancelFetch stops the page query in flight when another is asked for.
	cancelFetch context.CancelFunc

	counts    map[domain.RequestStatus]int64
	countsSeq uint64

	// risky keeps only requests with a risk signal in the list.
	risky bool
	marks marks

	detailsPane

	width, height int
}

func newRegistration(s *session) *registration {
	labels := make([]string, len(regTabs))
	for i, t := range regTabs {
		labels[i] = t.label
	}
	return &registration{s: s, tabs: newTabs(labels...),
		search:        newLiveSearchBox(s.styles, "number, company, contact, email or tax id"),
		requestWindow: requestWindow{viewH: 18}}
}

func (r *registration) Init() tea.Cmd {
	return tea.Batch(r.loadCounts(), r.loadFirst())
}

func (r *registration) Capturing() bool { return r.search.typing }

// fetching reports a page asked for and not answered yet: the rows shown
// may be those of an earlier search.
func (r *registration) fetching() bool { return r.answered != r.pageSeq }

// Messages of the Registration screen.
type (
	regPageMsg struct {
		seq          uint64
		rows         []store.Request
		anchor       int // index of the row to select (-1: keep by id or first)
		startReached bool
		endReached   bool
		// left is the selected row, reread, when a reread found it gone
		// from the list (someone changed it).
		left *store.Request
		err  error
	}
	regCountsMsg struct {
		seq    uint64
		counts map[domain.RequestStatus]int64
		err    error
	}
	regDetailsMsg struct {
		seq     uint64
		details *requestDetails
		err     error
	}
	regActionMsg struct {
		verb    string
		req     *store.Request
		message string
		err     error
	}
)

func (r *registration) filter() store.ListRequests {
	return store.ListRequests{Status: regTabs[r.tabs.active].status, Search: r.search.value, Risky: r.risky}
}

func (r *registration) loadCounts() tea.Cmd {
	r.countsSeq = r.s.next()
	seq, db, ctx := r.countsSeq, r.s.db, r.s.ctx
	return func() tea.Msg {
		c, err := db.Read().RequestCounts(ctx)
		return regCountsMsg{seq, c, err}
	}
}

// fetch runs a page query for a window of rows.
func (r *registration) fetch(f func(context.Context, *store.Queries, store.ListRequests) regPageMsg) tea.Cmd {
	r.pageSeq = r.s.next()
	if r.cancelFetch != nil {
		r.cancelFetch() // its answer would be dropped anyway
	}
	ctx, cancel := context.WithTimeout(r.s.ctx, 10*time.Second)
	r.cancelFetch = cancel
	seq, db, base := r.pageSeq, r.s.db, r.filter()
	return func() tea.Msg {
		defer cancel()
		m := f(ctx, db.Read(), base)
		m.seq = seq
		for i := range m.rows {
			m.rows[i] = cleanRequest(m.rows[i])
		}
		return m
	}
}

func (r *registration) loadFirst() tea.Cmd {
	window := r.windowSize()
	return r.fetch(func(ctx context.Context, q *store.Queries, p store.ListRequests) regPageMsg {
		p.Limit = window + 1
		rows, err := q.Requests(ctx, p)
		end := len(rows) <= window
		if !end {
			rows = rows[:window]
		}
		return regPageMsg{rows: rows, anchor: 0, startReached: true, endReached: end, err: err}
	})
}

func (r *registration) loadLast() tea.Cmd {
	window := r.windowSize()
	return r.fetch(func(ctx context.Context, q *store.Queries, p store.ListRequests) regPageMsg {
		p.Limit = window + 1
		p.Before = &store.Cursor{ID: math.MaxInt64}
		rows, err := q.Requests(ctx, p)
		start := len(rows) <= window
		if !start {
			rows = rows[1:]
		}
		return regPageMsg{rows: rows, anchor: len(rows) - 1, startReached: start, endReached: true, err: err}
	})
}

// loadAround fetches a window centred on c (c itself included when it
// still matches the filter).
func (r *registration) loadAround(c store.Cursor, watch string) tea.Cmd {
	window := r.windowSize()
	return r.fetch(func(ctx context.Context, q *store.Queries, p store.ListRequests) regPageMsg {
		before, after := p, p
		before.Before, before.Limit = &c, window/2+1
		// The row itself and those after it: start just before c.
		from := store.Cursor{ID: c.ID - 1}
		after.After, after.Limit = &from, window/2+1
		b, err := q.Requests(ctx, before)
		if err != nil {
			return regPageMsg{err: err}
		}
		a, err := q.Requests(ctx, after)
		if err != nil {
			return regPageMsg{err: err}
		}
		m := regPageMsg{startReached: len(b) <= window/2, endReached: len(a) <= window/2, anchor: -1}
		if !m.startReached {
			b = b[1:]
		}
		if !m.endReached {
			a = a[:len(a)-1]
		}
		m.rows = append(b, a...)
		m.anchor = min(len(b), len(m.rows)-1)
		if watch != "" && !slices.ContainsFunc(m.rows, func(q store.Request) bool { return q.ID == c.ID }) {
			if q, err := q.RequestByNumber(ctx, watch); err == nil {
				q = cleanRequest(q)
				m.left = &q
			}
		}
		return m
	})
}

// reload rereads the window around the selected row (the row may have left
// the filter; then the cursor lands on its neighbour).
func (r *registration) Reload() tea.Cmd {
	cmds := []tea.Cmd{r.loadCounts()}
	if cur, ok := r.current(); ok {
		cmds = append(cmds, r.loadAround(store.CursorOf(cur), cur.Number))
	} else {
		cmds = append(cmds, r.loadFirst())
	}
	return tea.Batch(cmds...)
}

func (r *registration) Update(msg tea.Msg, active bool) tea.Cmd {
	switch msg := msg.(type) {
	case regCountsMsg:
		if msg.seq != r.countsSeq {
			return nil
		}
		if msg.err != nil {
			r.s.fail("load counts", msg.err)
			return nil
		}
		r.counts = msg.counts
	case regPageMsg:
		if msg.seq != r.pageSeq {
			return nil
		}
		r.answered = msg.seq
		if msg.err != nil {
			r.s.fail("load requests", msg.err)
			return nil
		}
		return r.setPage(msg)
	case regDetailsMsg:
		if msg.seq != r.detailsSeq {
			return nil
		}
		if msg.err != nil {
			r.s.fail("load details", msg.err)
			return nil
		}
		r.details = msg.details
	case regActionMsg:
		return r.actionDone(msg)
	case regBulkMsg:
		return r.bulkDone(msg)
	case tea.WindowSizeMsg:
		wide := msg.Width >= wideWidth
		if wide != r.wide {
			r.wide = wide
			return r.loadDetails()
		}
	case tea.KeyPressMsg:
		if active {
			return r.key(msg)
		}
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			return r.move(-3)
		case tea.MouseWheelDown:
			return r.move(3)
		}
	}
	return nil
}

// setPage installs a fetched window; when the selected row left the list
// because someone changed it, the status line says so.
func (r *registration) setPage(m regPageMsg) tea.Cmd {
	if cur, ok := r.current(); ok && r.loaded && m.left != nil && r.s.status.kind != "err" && m.left.ID == cur.ID && m.left.Status != cur.Status &&
		m.left.DecidedBy != r.s.actor { // what the approver did themselves needs no telling
		// The selected row changed under the approver and left the list:
		// say so rather than silently landing on its neighbour (an error
		// on screen already says who changed it).
		by := ""
		if m.left.DecidedBy != "" && (m.left.Status == domain.Approved || m.left.Status == domain.Rejected) {
			by = " by " + m.left.DecidedBy
		}
		r.s.info("%s is now %s%s, so it left this list.", m.left.Number, m.left.Status, by)
	}
	r.install(m.rows, m.anchor, m.startReached, m.endReached)
	return r.loadDetails()
}

// move moves the cursor within the window and fetches a new window when the
// cursor nears an edge that is not the end of the list.
func (r *registration) move(d int) tea.Cmd {
	moved, refill := r.step(d)
	var cmds []tea.Cmd
	if refill {
		cmds = append(cmds, r.loadAround(store.CursorOf(r.rows[r.sel]), ""))
	}
	if moved {
		r.scroll = 0
		cmds = append(cmds, r.loadDetails())
	}
	return tea.Batch(cmds...)
}

// SetSize lays the screen out in w×h: the tabs, the search line when there
// is one, the table header and its rows.
func (r *registration) SetSize(w, h int) {
	r.width, r.height = w, h
	r.tabs.SetWidth(w)
	r.search.SetWidth(w)
	r.setHeight(r.bodyHeight() - 1)
}

// bodyHeight is the height under the tabs and the search line.
func (r *registration) bodyHeight() int {
	h := r.height - 1
	if r.search.active() {
		h--
	}
	if r.risky {
		h--
	}
	return max(h, 1)
}

func (r *registration) key(msg tea.KeyPressMsg) tea.Cmd {
	k := r.s.keys
	if r.search.typing {
		was := r.search.value
		cmd, _, committed := r.search.Update(msg)
		if r.search.value != was {
			// The list follows the typing; answers to earlier keystrokes
			// are dropped by their sequence number.
			cmd = tea.Batch(cmd, r.loadFirst())
		}
		if committed {
			switch {
			case r.search.value != "":
				r.s.info("Searching for “%s”; esc clears.", r.search.value)
			case r.search.before != "":
				r.s.info("Search cleared.")
			default:
				r.s.status = statusLine{}
			}
		}
		return cmd
	}
	if r.showDetail {
		switch {
		case key.Matches(msg, k.Back), key.Matches(msg, k.Details):
			r.showDetail = false
			return nil
		case key.Matches(msg, k.Down):
			r.scroll = min(r.scroll+1, max(len(r.detailLines(r.width))-r.bodyHeight(), 0))
			return nil
		case key.Matches(msg, k.Up):
			r.scroll = max(r.scroll-1, 0)
			return nil
		}
	}
	switch {
	case key.Matches(msg, k.NextTab):
		r.tabs.next()
		return r.tabChanged()
	case key.Matches(msg, k.PrevTab):
		r.tabs.prev()
		return r.tabChanged()
	case key.Matches(msg, k.Down):
		return r.move(1)
	case key.Matches(msg, k.Up):
		return r.move(-1)
	case key.Matches(msg, k.PageDown):
		return r.move(r.listHeight())
	case key.Matches(msg, k.PageUp):
		return r.move(-r.listHeight())
	case key.Matches(msg, k.Top):
		if r.startReached {
			return r.move(-len(r.rows))
		}
		r.loaded = false
		return r.loadFirst()
	case key.Matches(msg, k.Bottom):
		if r.endReached {
			return r.move(len(r.rows))
		}
		r.loaded = false
		return r.loadLast()
	case key.Matches(msg, k.Search):
		return r.search.focus()
	case key.Matches(msg, k.Back) && r.search.value == "" && r.marks.len() > 0:
		r.s.info("%s cleared.", countOf(r.marks.len(), "mark", "marks"))
		r.marks.clear()
		return nil
	case key.Matches(msg, k.Back):
		if r.search.clear() {
			r.loaded = false
			r.s.info("Search cleared.")
			return r.loadFirst()
		}
	case key.Matches(msg, k.Details):
		r.showDetail = true
		r.scroll = 0
		return r.loadDetails()
	case key.Matches(msg, k.Reread):
		r.s.info("Reread.")
		return r.Reload()
	case key.Matches(msg, k.Mark):
		return r.toggleMark()
	case key.Matches(msg, k.Risky):
		r.risky = !r.risky
		r.reset()
		r.details = nil
		if r.risky {
			r.s.info("Only requests with a risk signal; ! shows every request.")
		} else {
			r.s.info("Every request again.")
		}
		return r.loadFirst()
	case key.Matches(msg, k.Approve) && r.marks.len() > 0:
		return r.bulkApprove()
	case key.Matches(msg, k.Reject) && r.marks.len() > 0:
		return r.bulkReject()
	case key.Matches(msg, k.Approve):
		return r.approve()
	case key.Matches(msg, k.Reject):
		return r.reject()
	case key.Matches(msg, k.Create):
		return r.create()
	case key.Matches(msg, k.Resend):
		return r.resend()
	case key.Matches(msg, k.Provision):
		return r.provision()
	case key.Matches(msg, k.Correct):
		return r.edit()
	}
	return nil
}

func (r *registration) tabChanged() tea.Cmd {
	r.reset()
	r.details = nil
	return r.loadFirst()
}

// Help lists the keys that apply to the selected request right now.
func (r *registration) Help() helpMap {
	k := r.s.keys
	if r.search.typing {
		return r.search.Help()
	}
	var short []key.Binding
	full := [][]key.Binding{
		{k.NextTab, k.PrevTab, k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Search, k.Details, k.Back, k.Reread, k.Risky},
		{k.Approve, k.Reject, k.Create, k.Resend, k.Provision, k.Correct, k.Mark},
	}
	if r.marks.len() > 0 {
		approve, reject, unmark := k.Approve, k.Reject, k.Back
		approve.SetHelp("a", "approve marked")
		reject.SetHelp("x", "reject marked")
		unmark.SetHelp("esc", "clear marks")
		return helpMap{short: []key.Binding{approve, reject, k.Mark, unmark}, full: full}
	}
	if cur, ok := r.current(); ok {
		switch cur.Status {
		case domain.Verified:
			short = append(short, k.Approve, k.Reject, k.Correct)
		case domain.Approved:
			short = append(short, k.Create, k.Reject, k.Correct)
		case domain.Requested:
			short = append(short, k.Resend)
		case domain.Created:
			if r.details != nil && r.details.userRequest != nil && r.details.userRequest.Status == domain.URDraft {
				short = append(short, k.Provision)
			}
		}
	}
	if r.showDetail {
		short = append(short, k.Back, k.Down)
	} else {
		short = append(short, k.Details, k.NextTab, k.Search)
	}
	short = append(short, k.Reread)
	return helpMap{short: short, full: full}
}

func (r *registration) View() string {
	st := r.s.styles
	w := r.width
	lines := []string{r.tabsView(w)}
	if r.search.active() {
		lines = append(lines, r.search.View(st))
	}
	if r.risky {
		lines = append(lines, st.Warn.Render("! ")+st.Value.Render("risky only")+st.Muted.Render("   ! shows every request"))
	}
	bodyH := r.bodyHeight()
	if r.showDetail {
		lines = append(lines, r.detailsView(w, bodyH))
		return strings.Join(lines, "\n")
	}
	if w >= wideWidth {
		listW := w * 58 / 100
		list := r.tableView(listW, bodyH)
		side := r.detailsView(w-listW-3, bodyH)
		sep := st.Rule.Render(strings.TrimSuffix(strings.Repeat("│\n", bodyH), "\n"))
		lines = append(lines, lipgloss.JoinHorizontal(lipgloss.Top, fit(list, listW, bodyH), " ", sep, " ", side))
		return strings.Join(lines, "\n")
	}
	lines = append(lines, r.tableView(w, bodyH))
	return strings.Join(lines, "\n")
}

// tabsView draws the status tabs with the live counts, w cells wide.
func (r *registration) tabsView(w int) string {
	t := r.tabs
	t.SetWidth(w)
	t.counts = make([]int64, len(regTabs))
	for i, x := range regTabs {
		if x.status != "" {
			t.counts[i] = r.counts[x.status]
			continue
		}
		for _, v := range r.counts {
			t.counts[i] += v
		}
	}
	return t.View(r.s.styles)
}

var regColumns = []column{
	{title: "", width: 2}, // the cursor, then • when marked for a bulk decision
	{title: "NUMBER", width: 10},
	{title: "CREATED", width: 10},
	{title: "COMPANY", share: 4},
	{title: "CONTACT", share: 3},
	{title: "EMAIL", share: 4},
	{title: "CO", width: 2},
	{title: "RISK", width: 4},
	{title: "STATUS", width: 9},
}

// tableView draws only the visible rows of the window.
func (r *registration) tableView(w, h int) string {
	st := r.s.styles
	cols := append([]column(nil), regColumns...)
	long := w >= 110
	if long {
		cols[2].width = 16
	}
	for _, q := range r.rows[r.top:min(r.top+r.viewH, len(r.rows))] {
		cols[1].width = max(cols[1].width, len(q.Number))
	}
	widths := layoutColumns(cols, w)
	titles := make([]string, len(cols))
	for i, c := range cols {
		titles[i] = c.title
	}
	out := []string{st.Header.Render(row(widths, titles...))}
	if !r.loaded {
		return strings.Join(append(out, st.Muted.Render(" loading…")), "\n")
	}
	if len(r.rows) == 0 {
		msg := " No " + strings.ToLower(regTabs[r.tabs.active].label) + " requests."
		if regTabs[r.tabs.active].status == "" {
			msg = " No requests."
		}
		if r.search.value != "" {
			msg = " Nothing matches this search. esc clears it."
		}
		return strings.Join(append(out, st.Muted.Render(msg)), "\n")
	}
	end := min(r.top+r.viewH, len(r.rows))
	for i := r.top; i < end; i++ {
		q := r.rows[i]
		gutter := " "
		if i == r.sel {
			gutter = "▌"
		}
		mark := "  "
		if r.marks.has(q.ID) {
			mark = " •"
		}
		cells := []string{mark, q.Number, when(q.CreatedAt, long, r.s.loc), q.CompanyName,
			q.FirstName + " " + q.LastName, q.Email, q.Country}
		if erased(q) {
			cells[3] = "(erased)" // rather than a blank row that looks broken
		}
		n := len(widths)
		line := row(widths[:n-2], cells...)
		level := workflow.RiskLevel(q.RiskScore)
		riskCell := cell(strings.Replace(level, "medium", "med", 1), widths[n-2])
		statusCell := cell(string(q.Status), widths[n-1])
		if i == r.sel {
			out = append(out, st.Gutter.Render(gutter)+st.Selected.Render(line[1:]+" "+riskCell+" "+statusCell))
		} else {
			out = append(out, st.Cell.Render(line)+" "+st.Risk(level).Render(riskCell)+" "+st.StatusColor[string(q.Status)].Render(statusCell))
		}
	}
	return strings.Join(out, "\n")
}

// erased reports whether a request's personal data was removed (retention
// purge or erasure on request).
func erased(q store.Request) bool {
	return q.PurgedAt != nil
}

// cleanRequest sanitizes every string a prospect could have typed.
func cleanRequest(q store.Request) store.Request {
	for _, p := range []*string{&q.CompanyName, &q.TaxID, &q.Street, &q.City, &q.State,
		&q.PostalCode, &q.Country, &q.FirstName, &q.LastName, &q.JobTitle, &q.Email, &q.Phone,
		&q.Language, &q.Username, &q.DecidedBy, &q.RejectReason, &q.RejectComment,
		&q.CustomerAccount, &q.SourceIP, &q.Number, &q.TermsVersion} {
		*p = Sanitize(*p)
	}
	q.Status = domain.RequestStatus(Sanitize(string(q.Status)))
	q.PasswordHash = ""
	return q
}

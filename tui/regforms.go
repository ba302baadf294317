package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
)

// rejectDialog asks for a reason code and an optional comment, for the
// selected request or, in a bulk reject, for every marked one (reqs).
type rejectDialog struct {
	s       *session
	r       *registration
	req     store.Request
	reqs    []store.Request
	reasons choice
	comment textinput.Model
	focus   int // 0 reason, 1 comment
	loaded  bool
	width   int
}

type reasonsMsg struct {
	reasons []string
	err     error
}

func (r *registration) reject() tea.Cmd {
	cur, ok := r.selected("reject", domain.Verified, domain.Approved)
	if !ok {
		return nil
	}
	return openDialog(&rejectDialog{s: r.s, r: r, req: cur, width: 60,
		comment: newInput(r.s.styles, "optional; the prospect reads it", 1000)})
}

// Init loads the reason codes.
func (d *rejectDialog) Init() tea.Cmd {
	db, ctx := d.s.db, d.s.ctx
	return func() tea.Msg {
		p, err := workflow.LoadParams(ctx, db.Read())
		return reasonsMsg{p.RejectReasons(), err}
	}
}

func (d *rejectDialog) SetWidth(w int) {
	d.width = w
	d.comment.SetWidth(w - 6)
}

func (d *rejectDialog) Update(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case reasonsMsg:
		if msg.err != nil {
			return closeDialog(d.s.failLine("load reasons", msg.err), nil), true
		}
		d.reasons = choice{options: msg.reasons}
		d.loaded = true
		return nil, true
	case tea.KeyPressMsg:
		k := d.s.keys
		switch {
		case msg.String() == "esc":
			return closeDialog(cancelled, nil), true
		case msg.String() == "tab", msg.String() == "shift+tab":
			d.focus = 1 - d.focus
			if d.focus == 1 {
				return d.comment.Focus(), true
			}
			d.comment.Blur()
			return nil, true
		case msg.String() == "enter":
			if !d.loaded {
				return nil, true
			}
			return d.confirm(), true
		case d.focus == 0 && (msg.String() == "left" || key.Matches(msg, k.Up) || msg.String() == "h"):
			d.reasons.move(-1)
			return nil, true
		case d.focus == 0 && (msg.String() == "right" || key.Matches(msg, k.Down) || msg.String() == "l"):
			d.reasons.move(1)
			return nil, true
		case d.focus == 1:
			var cmd tea.Cmd
			d.comment, cmd = d.comment.Update(msg)
			return cmd, true
		}
		return nil, true
	}
	return nil, false
}

func (d *rejectDialog) confirm() tea.Cmd {
	reason, comment := d.reasons.value(), strings.TrimSpace(d.comment.Value())
	if len(d.reqs) > 0 {
		return d.confirmBulk(reason, comment)
	}
	q := d.req
	a := workflow.Action{Number: q.Number, Actor: d.s.actor, Version: q.Version}
	svc := d.s.svc
	lines := []string{
		fmt.Sprintf("%s · %s", q.Number, q.CompanyName),
		"",
		fmt.Sprintf("The request moves from %s to rejected with reason %q.", q.Status, reason),
		fmt.Sprintf("%s gets the rejection email at %s saying: %q.", q.FirstName, q.Email, workflow.ReasonLabel(reason)),
	}
	if comment != "" {
		lines = append(lines, "With your comment: "+Sanitize(comment))
	} else {
		lines = append(lines, "No comment is added.")
	}
	return d.s.confirm("Reject "+q.Number+"?", "Reject", lines, d.r.act("reject", func(ctx context.Context) (*store.Request, string, error) {
		out, err := svc.Reject(ctx, a, reason, comment)
		return &out, fmt.Sprintf("Rejected %s (%s, %s); rejection email queued to %s.", q.Number, q.CompanyName, reason, q.Email), err
	}))
}

// confirmBulk asks once before rejecting every marked request.
func (d *rejectDialog) confirmBulk(reason, comment string) tea.Cmd {
	actions := d.r.bulkActions()
	svc := d.s.svc
	lines := append([]string{}, markedLines(d.reqs, domain.Verified, domain.Approved)...)
	lines = append(lines, "",
		fmt.Sprintf("Each verified or approved one moves to rejected on its own with reason %q, and its prospect gets a rejection email saying: %q.",
			reason, workflow.ReasonLabel(reason)))
	if comment != "" {
		lines = append(lines, "With your comment: "+Sanitize(comment))
	} else {
		lines = append(lines, "No comment is added.")
	}
	lines = append(lines, "A request that changed since you marked it is skipped and listed, not rejected.")
	return d.s.confirm("Reject "+countOf(len(d.reqs), "marked request", "marked requests")+"?", "Reject", lines,
		d.r.bulkRun("Rejected", func(ctx context.Context) workflow.BulkResult {
			return svc.BulkReject(ctx, actions, reason, comment)
		}))
}

func (d *rejectDialog) View() string {
	st, w := d.s.styles, d.width
	var b strings.Builder
	if len(d.reqs) > 0 {
		b.WriteString(st.DialogTitle.Render("Reject "+countOf(len(d.reqs), "marked request", "marked requests")) + "  " +
			st.Muted.Render("one reason for all") + "\n\n")
	} else {
		b.WriteString(st.DialogTitle.Render("Reject "+d.req.Number) + "  " + st.Muted.Render(d.req.CompanyName) + "\n\n")
	}
	if !d.loaded {
		return b.String() + st.Muted.Render("loading reasons…")
	}
	label := func(i int, s string) string {
		if d.focus == i {
			return st.Key.Render("› " + s)
		}
		return st.Label.Render("  " + s)
	}
	b.WriteString(label(0, "Reason ") + "\n" + d.reasons.viewWrapped(st, d.focus == 0, w-2, "  ") + "\n")
	b.WriteString("  " + st.Muted.Render(workflow.ReasonLabel(d.reasons.value())) + "\n\n")
	b.WriteString(label(1, "Comment for the prospect") + "\n  " + d.comment.View() + "\n\n")
	b.WriteString(st.Key.Render("enter") + st.Muted.Render(" review   ") + st.Key.Render("tab") +
		st.Muted.Render(" next field   ") + st.Key.Render("esc") + st.Muted.Render(" cancel"))
	return b.String()
}

func (d *rejectDialog) Help() helpMap {
	k := d.s.keys
	enter := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "review"))
	pick := key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("←/→", "reason"))
	esc := key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
	return helpMap{short: []key.Binding{pick, k.Field, enter, esc}, full: [][]key.Binding{{pick, k.Field, enter, esc}}}
}

// createDialog chooses a new customer (from a template) or an existing
// account, and the user's role.
type createDialog struct {
	s         *session
	r         *registration
	req       store.Request
	mode      choice // new customer / existing account
	templates []store.Template
	tmpl      choice
	role      choice
	preview   string
	workflow  bool
	search    textinput.Model
	results   []store.Customer
	resSel    int
	searchSeq uint64
	focus     int // 0 mode, 1 template or search, 2 results (existing), 3 role
	loaded    bool
	// suggestWhy says why the dialog opened on an existing account.
	suggestWhy string
	width      int
}

type createInfoMsg struct {
	templates []store.Template
	preview   string
	params    workflow.Params
	// suggest is an existing account to join, and why.
	suggest, suggestWhy string
	err                 error
}

type customerSearchMsg struct {
	seq     uint64
	results []store.Customer
	err     error
}

const (
	modeNew      = "new customer"
	modeExisting = "existing account"
)

func (r *registration) create() tea.Cmd {
	cur, ok := r.selected("create a customer for", domain.Approved)
	if !ok {
		return nil
	}
	return openDialog(&createDialog{s: r.s, r: r, req: cur, mode: choice{options: []string{modeNew, modeExisting}},
		role:   choice{options: []string{store.RoleCustomerUser, store.RoleCustomerAdmin}},
		search: newInput(r.s.styles, "account, name or tax id", 100), width: 60})
}

func (d *createDialog) SetWidth(w int) {
	d.width = w
	d.search.SetWidth(w - 16)
}

// Init loads the templates, the parameters and the next account number.
func (d *createDialog) Init() tea.Cmd {
	svc, db, ctx, req := d.s.svc, d.s.db, d.s.ctx, d.req
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		m := createInfoMsg{}
		if m.params, m.err = workflow.LoadParams(ctx, db.Read()); m.err != nil {
			return m
		}
		if m.templates, m.err = db.Read().Templates(ctx); m.err != nil {
			return m
		}
		if m.preview, m.err = svc.NextAccountPreview(ctx); m.err != nil {
			return m
		}
		// A customer with the same email domain: suggest joining it.
		risk, err := svc.Risk(ctx, db.Read(), req)
		for _, sg := range risk.Signals {
			if sg.Code == workflow.RiskExistingCustomer {
				m.suggest, m.suggestWhy = sg.Ref, Sanitize(sg.Reason)
			}
		}
		m.err = err
		return m
	}
}

func (d *createDialog) searchCustomers() tea.Cmd {
	d.searchSeq = d.s.next()
	seq, db, ctx, text := d.searchSeq, d.s.db, d.s.ctx, strings.TrimSpace(d.search.Value())
	return func() tea.Msg {
		cs, err := db.Read().Customers(ctx, store.ListCustomers{Search: text, Limit: 6})
		for i := range cs {
			cs[i].Name, cs[i].City, cs[i].Country, cs[i].TaxID = Sanitize(cs[i].Name),
				Sanitize(cs[i].City), Sanitize(cs[i].Country), Sanitize(cs[i].TaxID)
		}
		return customerSearchMsg{seq, cs, err}
	}
}

func (d *createDialog) existing() bool { return d.mode.value() == modeExisting }

// fields is the focus order for the current mode.
func (d *createDialog) fields() []int {
	if d.existing() {
		return []int{0, 1, 2, 3}
	}
	return []int{0, 1, 3}
}

func (d *createDialog) Update(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case createInfoMsg:
		if msg.err != nil {
			return closeDialog(d.s.failLine("prepare create", msg.err), nil), true
		}
		d.templates, d.preview, d.loaded = msg.templates, Sanitize(msg.preview), true
		d.workflow = msg.params.Bool(workflow.ParamWorkflowEnabled)
		for i, t := range d.templates {
			d.tmpl.options = append(d.tmpl.options, t.Code)
			if t.Code == msg.params.String(workflow.ParamDefaultTemplate) {
				d.tmpl.sel = i
			}
		}
		if msg.params.String(workflow.ParamDefaultRole) == store.RoleCustomerAdmin {
			d.role.sel = 1
		}
		if msg.suggest != "" {
			d.mode.sel, d.suggestWhy = 1, msg.suggestWhy
			d.search.SetValue(msg.suggest)
			return d.searchCustomers(), true
		}
		return nil, true
	case customerSearchMsg:
		if msg.seq != d.searchSeq {
			return nil, true
		}
		if msg.err != nil {
			d.s.fail("search customers", msg.err)
			return nil, true
		}
		d.results, d.resSel = msg.results, 0
		return nil, true
	case tea.KeyPressMsg:
		return d.key(msg), true
	}
	return nil, false
}

func (d *createDialog) key(msg tea.KeyPressMsg) tea.Cmd {
	k := d.s.keys
	s := msg.String()
	fields := d.fields()
	pos := 0
	for i, f := range fields {
		if f == d.focus {
			pos = i
		}
	}
	switch {
	case s == "esc":
		return closeDialog(cancelled, nil)
	case s == "tab" || s == "shift+tab":
		if s == "tab" {
			pos = (pos + 1) % len(fields)
		} else {
			pos = (pos + len(fields) - 1) % len(fields)
		}
		d.focus = fields[pos]
		if d.focus == 1 && d.existing() {
			return d.search.Focus()
		}
		d.search.Blur()
		return nil
	case s == "enter":
		if d.loaded {
			return d.confirm()
		}
		return nil
	}
	left := s == "left" || (d.focus != 1 && s == "h")
	right := s == "right" || (d.focus != 1 && s == "l")
	switch d.focus {
	case 0:
		if left || right || s == "space" {
			d.mode.move(1)
			if d.existing() && d.results == nil {
				return d.searchCustomers()
			}
		}
	case 1:
		if d.existing() {
			if key.Matches(msg, k.Down) && s != "j" {
				d.focus = 2
				return nil
			}
			before := d.search.Value()
			var cmd tea.Cmd
			d.search, cmd = d.search.Update(msg)
			if d.search.Value() != before {
				return tea.Batch(cmd, d.searchCustomers())
			}
			return cmd
		}
		if left {
			d.tmpl.move(-1)
		} else if right {
			d.tmpl.move(1)
		}
	case 2:
		if key.Matches(msg, k.Down) {
			d.resSel = min(d.resSel+1, max(len(d.results)-1, 0))
		} else if key.Matches(msg, k.Up) {
			d.resSel = max(d.resSel-1, 0)
		}
	case 3:
		if left || right || s == "space" {
			d.role.move(1)
		}
	}
	return nil
}

func (d *createDialog) template() (store.Template, bool) {
	for _, t := range d.templates {
		if t.Code == d.tmpl.value() {
			return t, true
		}
	}
	return store.Template{}, false
}

func (d *createDialog) confirm() tea.Cmd {
	q := d.req
	in := workflow.CreateInput{Action: workflow.Action{Number: q.Number, Actor: d.s.actor, Version: q.Version},
		Role: d.role.value()}
	var lines []string
	lines = append(lines, fmt.Sprintf("%s · %s", q.Number, q.CompanyName), "")
	if d.existing() {
		if len(d.results) == 0 {
			d.s.info("Pick an existing account first (type to search).")
			return nil
		}
		c := d.results[d.resSel]
		in.Existing = c.Account
		lines = append(lines, fmt.Sprintf("%s %s joins existing customer %s (%s) as a contact person.",
			q.FirstName, q.LastName, c.Account, c.Name))
	} else {
		t, _ := d.template()
		in.Template = t.Code
		lines = append(lines, fmt.Sprintf("Creates customer %s %q from template %s (%s, %s, %s), with %s %s as its contact person.",
			d.preview, q.CompanyName, t.Code, t.CustomerGroup, t.Currency, t.PaymentTerms, q.FirstName, q.LastName))
	}
	lines = append(lines, fmt.Sprintf("A user request for login %q with role %s is %s.", q.Username, in.Role,
		map[bool]string{true: "submitted to the workflow at once", false: "left as a draft (workflow disabled: provision with p)"}[d.workflow]),
		"The request moves from approved to created.")
	svc := d.s.svc
	return d.s.confirm("Create the customer for "+q.Number+"?", "Create", lines, d.r.act("create", func(ctx context.Context) (*store.Request, string, error) {
		res, err := svc.Create(ctx, in)
		what := "joined " + res.Customer.Account
		if res.NewCustomer {
			what = "customer " + res.Customer.Account + " created"
		}
		return &res.Request, fmt.Sprintf("%s: %s; user request %s is %s.", q.Number, what,
			res.UserRequest.Number, res.UserRequest.Status), err
	}))
}

func (d *createDialog) View() string {
	st, w := d.s.styles, d.width
	var b strings.Builder
	b.WriteString(st.DialogTitle.Render("Create customer for "+d.req.Number) + "  " + st.Muted.Render(d.req.CompanyName) + "\n\n")
	if !d.loaded {
		return b.String() + st.Muted.Render("loading templates…")
	}
	label := func(f int, s string) string {
		if d.focus == f {
			return st.Key.Render("› " + s)
		}
		return st.Label.Render("  " + s)
	}
	b.WriteString(label(0, cell("Customer", 10)) + d.mode.view(st, d.focus == 0) + "\n")
	if d.suggestWhy != "" && d.existing() {
		b.WriteString(st.Warn.Render(wrap("Suggested: "+d.suggestWhy, w-2)) + "\n")
	}
	b.WriteString("\n")
	if d.existing() {
		b.WriteString(label(1, cell("Search", 10)) + d.search.View() + "\n")
		if len(d.results) == 0 {
			b.WriteString(st.Muted.Render("            no matching account") + "\n")
		}
		for i, c := range d.results {
			line := fmt.Sprintf("%-8s %s · %s %s", c.Account, c.Name, c.City, c.Country)
			if i == d.resSel {
				mark := "• "
				if d.focus == 2 {
					mark = "› "
				}
				b.WriteString("          " + st.Selected.Render(truncate(mark+line, w-12)) + "\n")
			} else {
				b.WriteString("          " + st.Value.Render(truncate("  "+line, w-12)) + "\n")
			}
		}
	} else {
		t, _ := d.template()
		b.WriteString(label(-1, cell("Account", 10)) + st.Value.Render(d.preview) + st.Muted.Render("  (next number)") + "\n")
		b.WriteString(label(1, cell("Template", 10)) + d.tmpl.view(st, d.focus == 1) + "\n")
		b.WriteString(st.Muted.Render(fmt.Sprintf("            %s · group %s · %s · %s", t.Name, t.CustomerGroup, t.Currency, t.PaymentTerms)) + "\n")
	}
	b.WriteString("\n" + label(3, cell("Role", 10)) + d.role.view(st, d.focus == 3) + "\n\n")
	b.WriteString(st.Key.Render("enter") + st.Muted.Render(" review   ") + st.Key.Render("tab") +
		st.Muted.Render(" next field   ") + st.Key.Render("←/→") + st.Muted.Render(" change   ") +
		st.Key.Render("esc") + st.Muted.Render(" cancel"))
	return b.String()
}

func (d *createDialog) Help() helpMap {
	k := d.s.keys
	enter := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "review"))
	pick := key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("←/→", "change"))
	esc := key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
	keys := []key.Binding{k.Field, pick, enter, esc}
	if d.existing() && (d.focus == 1 || d.focus == 2) {
		account := key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "pick account"))
		keys = []key.Binding{k.Field, account, enter, esc}
	}
	return helpMap{short: keys, full: [][]key.Binding{keys}}
}

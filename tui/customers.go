package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/regdesk/regdesk/store"
)

// customers lists customer accounts; the details show contacts and users,
// and a user can be inactivated there.
type customers struct {
	s       *session
	rows    []store.Customer
	more    bool
	cur     cursor
	seq     uint64
	loaded  bool
	search  searchBox
	detail  *customerDetail
	dSeq    uint64
	focused bool // the users list has the cursor
	userSel int

	width, height int
}

type customerDetail struct {
	id        int64
	contacts  []store.Contact
	users     []store.User
	twoFactor map[int64]bool // users with two-step login on
}

const custPage = 200

type (
	custPageMsg struct {
		seq    uint64
		rows   []store.Customer
		append bool
		more   bool
		err    error
	}
	custDetailMsg struct {
		seq uint64
		d   *customerDetail
		err error
	}
	custActionMsg struct {
		action  string // for the error line: "inactivate user"
		message string
		err     error
	}
)

func newCustomers(s *session) *customers {
	return &customers{s: s, cur: cursor{h: 18}, search: newSearchBox(s.styles, "account, name or tax id")}
}

func (c *customers) Init() tea.Cmd   { return c.load(0, 0) }
func (c *customers) Capturing() bool { return c.search.typing }
func (c *customers) Reload() tea.Cmd { return c.load(0, max(len(c.rows), custPage)) }

func (c *customers) selected() *store.Customer {
	if c.cur.sel < len(c.rows) {
		return &c.rows[c.cur.sel]
	}
	return nil
}

// load reads a page of customers in creation order, after the one with id
// afterID (0: from the start).
func (c *customers) load(afterID int64, limit int) tea.Cmd {
	if limit == 0 {
		limit = custPage
	}
	c.seq = c.s.next()
	seq, db, ctx, search := c.seq, c.s.db, c.s.ctx, c.search.value
	return func() tea.Msg {
		rows, err := db.Read().Customers(ctx, store.ListCustomers{Search: search, AfterID: afterID, Limit: limit + 1})
		more := len(rows) > limit
		if more {
			rows = rows[:limit]
		}
		for i := range rows {
			r := &rows[i]
			for _, p := range []*string{&r.Account, &r.Name, &r.TaxID, &r.Street, &r.City, &r.State,
				&r.PostalCode, &r.Country, &r.Template, &r.CustomerGroup, &r.Currency, &r.Language,
				&r.PaymentTerms, &r.CreatedBy} {
				*p = Sanitize(*p)
			}
		}
		return custPageMsg{seq: seq, rows: rows, append: afterID != 0, more: more, err: err}
	}
}

func (c *customers) loadDetail() tea.Cmd {
	sel := c.selected()
	if sel == nil {
		return nil
	}
	c.dSeq = c.s.next()
	seq, db, ctx, id := c.dSeq, c.s.db, c.s.ctx, sel.ID
	return func() tea.Msg {
		d := &customerDetail{id: id, twoFactor: map[int64]bool{}}
		var err error
		if d.contacts, err = db.Read().Contacts(ctx, id); err != nil {
			return custDetailMsg{seq: seq, err: err}
		}
		if d.users, err = db.Read().Users(ctx, id); err != nil {
			return custDetailMsg{seq: seq, err: err}
		}
		for i := range d.contacts {
			x := &d.contacts[i]
			x.FirstName, x.LastName, x.JobTitle, x.Email, x.Phone = Sanitize(x.FirstName),
				Sanitize(x.LastName), Sanitize(x.JobTitle), Sanitize(x.Email), Sanitize(x.Phone)
		}
		for i := range d.users {
			x := &d.users[i]
			t, err := db.Read().UserTOTP(ctx, x.ID)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return custDetailMsg{seq: seq, err: err}
			}
			d.twoFactor[x.ID] = err == nil && t.Enabled()
			x.Username, x.Email, x.InactivatedBy, x.PasswordHash = Sanitize(x.Username),
				Sanitize(x.Email), Sanitize(x.InactivatedBy), ""
		}
		return custDetailMsg{seq: seq, d: d}
	}
}

func (c *customers) Update(msg tea.Msg, active bool) tea.Cmd {
	switch msg := msg.(type) {
	case custPageMsg:
		if msg.seq != c.seq {
			return nil
		}
		if msg.err != nil {
			c.s.fail("load customers", msg.err)
			return nil
		}
		if msg.append {
			c.rows = append(c.rows, msg.rows...)
		} else {
			c.rows = msg.rows
		}
		c.more, c.loaded = msg.more, true
		c.cur.n = len(c.rows)
		c.cur.clamp()
		return c.loadDetail()
	case custDetailMsg:
		if msg.seq != c.dSeq {
			return nil
		}
		if msg.err != nil {
			c.s.fail("load customer", msg.err)
			return nil
		}
		c.detail = msg.d
		c.userSel = min(c.userSel, max(len(msg.d.users)-1, 0))
	case custActionMsg:
		if msg.err != nil {
			c.s.fail(msg.action, msg.err)
		} else {
			c.s.ok("%s", msg.message)
		}
		return c.loadDetail()
	case tea.KeyPressMsg, tea.MouseWheelMsg:
		if active {
			return c.key(msg)
		}
	}
	return nil
}

func (c *customers) key(msg tea.Msg) tea.Cmd {
	k := c.s.keys
	kp, _ := msg.(tea.KeyPressMsg)
	if c.search.typing {
		cmd, done, committed := c.search.Update(kp)
		if done && committed {
			c.cur = cursor{h: c.cur.h}
			return c.load(0, 0)
		}
		return cmd
	}
	if c.focused {
		switch {
		case key.Matches(kp, k.Down):
			c.userSel = min(c.userSel+1, max(len(c.detail.users)-1, 0))
			return nil
		case key.Matches(kp, k.Up):
			c.userSel = max(c.userSel-1, 0)
			return nil
		case key.Matches(kp, k.Back), key.Matches(kp, k.Details):
			c.focused = false
			return nil
		case key.Matches(kp, k.Inactivate):
			return c.inactivate()
		case key.Matches(kp, k.ResetTwoFactor):
			return c.resetTwoFactor()
		}
	}
	if moved, ok := c.cur.navKey(k, msg); ok {
		var cmds []tea.Cmd
		if c.more && c.cur.sel >= len(c.rows)-c.cur.h {
			cmds = append(cmds, c.load(c.rows[len(c.rows)-1].ID, custPage))
		}
		if moved {
			c.userSel = 0
			cmds = append(cmds, c.loadDetail())
		}
		return tea.Batch(cmds...)
	}
	switch {
	case key.Matches(kp, k.Search):
		return c.search.focus()
	case key.Matches(kp, k.Back):
		if c.search.clear() {
			c.cur = cursor{h: c.cur.h}
			return c.load(0, 0)
		}
	case key.Matches(kp, k.Details):
		if c.detail != nil && len(c.detail.users) > 0 {
			c.focused = true
		} else {
			c.s.info("This customer has no users.")
		}
	case key.Matches(kp, k.Inactivate), key.Matches(kp, k.ResetTwoFactor):
		c.s.info("Press enter to pick a user first.")
	case key.Matches(kp, k.Reread):
		c.s.info("Reread.")
		return c.Reload()
	}
	return nil
}

func (c *customers) inactivate() tea.Cmd {
	if c.detail == nil || c.userSel >= len(c.detail.users) {
		return nil
	}
	u := c.detail.users[c.userSel]
	if !u.Active {
		c.s.info("%s is inactive already (by %s).", u.Username, u.InactivatedBy)
		return nil
	}
	svc, ctx, actor := c.s.svc, c.s.ctx, c.s.actor
	return c.s.confirm("Inactivate user "+u.Username+"?", "Inactivate", []string{
		fmt.Sprintf("%s <%s>, %s", u.Username, u.Email, u.Role),
		"",
		"The login stops working at once and every session of this user ends.",
		"The contact person and the customer account stay as they are.",
	}, func() tea.Cmd {
		return func() tea.Msg {
			ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
			defer cancel()
			_, err := svc.InactivateUser(ctx, u.ID, actor)
			return custActionMsg{"inactivate user", fmt.Sprintf("User %s inactivated; sessions ended.", u.Username), err}
		}
	})
}

// resetTwoFactor turns off a user's two-step login, for a customer who lost
// the phone and the recovery codes (audited under the approver's name).
func (c *customers) resetTwoFactor() tea.Cmd {
	if c.detail == nil || c.userSel >= len(c.detail.users) {
		return nil
	}
	u := c.detail.users[c.userSel]
	if !c.detail.twoFactor[u.ID] {
		c.s.info("%s has no two-step login to reset.", u.Username)
		return nil
	}
	svc, ctx, actor := c.s.svc, c.s.ctx, c.s.actor
	return c.s.confirm("Reset two-step login of "+u.Username+"?", "Reset", []string{
		fmt.Sprintf("%s <%s>, %s", u.Username, u.Email, u.Role),
		"",
		"Only for a customer who lost the phone and the recovery codes: check",
		"who is asking first. The login then needs only the password, and",
		"the customer can set up two-step login again on /account/security.",
	}, func() tea.Cmd {
		return func() tea.Msg {
			ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
			defer cancel()
			_, err := svc.ResetTwoFactor(ctx, u.Username, actor)
			return custActionMsg{"reset two-step login", fmt.Sprintf("Two-step login of %s reset; they log in with the password.", u.Username), err}
		}
	})
}

func (c *customers) Help() helpMap {
	k := c.s.keys
	if c.search.typing {
		return c.search.Help()
	}
	users := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "pick user"))
	short := []key.Binding{k.Down, k.Search, users, k.Reread}
	if c.focused {
		short = []key.Binding{k.Down, k.Inactivate, k.ResetTwoFactor, k.Back}
	}
	return helpMap{short: short, full: [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Search, users, k.Inactivate, k.ResetTwoFactor, k.Back, k.Reread},
	}}
}

var custColumns = []column{{width: 1}, {title: "ACCOUNT", width: 8}, {title: "NAME", share: 4},
	{title: "CITY", share: 2}, {title: "CO", width: 2}, {title: "TEMPLATE", width: 8}, {title: "CREATED", width: 10}}

// SetSize lays the screen out: a search or title line, the list, and the
// details under it (or beside it on a wide terminal).
func (c *customers) SetSize(w, h int) {
	c.width, c.height = w, h
	c.search.SetWidth(w)
	_, listH := c.listSize()
	c.cur.setHeight(listH)
}

func (c *customers) listSize() (w, h int) {
	if c.width >= 150 {
		return c.width * 55 / 100, c.height - 1
	}
	return c.width, (c.height - 1) / 2
}

func (c *customers) View() string {
	st := c.s.styles
	w, h := c.width, c.height
	var lines []string
	switch {
	case c.search.active():
		lines = append(lines, c.search.View(st))
	default:
		lines = append(lines, st.Muted.Render("Customer accounts, oldest first"))
	}
	h--
	if !c.loaded {
		return strings.Join(append(lines, st.Muted.Render(" loading…")), "\n")
	}
	listW, listH := c.listSize()
	list := c.cur.table(st, custColumns, listW, listH, "No customers yet.", func(i int) []string {
		x := c.rows[i]
		return []string{"", x.Account, x.Name, x.City, x.Country, x.Template, when(x.CreatedAt, false, c.s.loc)}
	})
	if w >= 150 {
		lines = append(lines, sideBySide(st, list, c.detailView(w-listW-3, h), listW, h))
	} else {
		lines = append(lines, fit(list, w, listH), st.Rule.Render(strings.Repeat("─", w)), c.detailView(w, h-listH-1))
	}
	return strings.Join(lines, "\n")
}

func (c *customers) detailView(w, h int) string {
	st := c.s.styles
	sel := c.selected()
	if sel == nil {
		return ""
	}
	lines := []string{st.Section.Render(sel.Account) + "  " + st.Value.Bold(true).Render(sel.Name)}
	lines = append(lines, kv(st, "Address", joinNonEmpty(", ", sel.Street, sel.City, sel.State, sel.PostalCode, sel.Country)),
		kv(st, "Terms", fmt.Sprintf("%s · group %s · %s · %s · %s", sel.Template, sel.CustomerGroup, sel.Currency, sel.Language, sel.PaymentTerms)))
	if sel.TaxID != "" {
		lines = append(lines, kv(st, "Tax id", sel.TaxID))
	}
	d := c.detail
	if d == nil || d.id != sel.ID {
		return fit(strings.Join(append(lines, st.Muted.Render("loading…")), "\n"), w, max(h, 1))
	}
	lines = append(lines, st.Section.Render("Contacts"))
	if len(d.contacts) == 0 {
		lines = append(lines, st.Muted.Render("  none"))
	}
	for _, x := range d.contacts {
		lines = append(lines, "  "+st.Value.Render(x.FirstName+" "+x.LastName)+st.Muted.Render("  "+joinNonEmpty(" · ", x.JobTitle, x.Email, x.Phone)))
	}
	lines = append(lines, st.Section.Render("Users"))
	if len(d.users) == 0 {
		lines = append(lines, st.Muted.Render("  none"))
	}
	for i, x := range d.users {
		state := "active"
		if !x.Active {
			state = "inactive"
		}
		mark := ""
		if d.twoFactor[x.ID] {
			mark = " · 2-step login"
		}
		line := fmt.Sprintf("%-20s %-15s %s", x.Username, x.Role, x.Email)
		if c.focused && i == c.userSel {
			lines = append(lines, st.Gutter.Render("▌")+st.Selected.Render(" "+line+"  "+state+mark))
		} else {
			lines = append(lines, "  "+st.Value.Render(line)+"  "+st.Status(state)+st.Muted.Render(mark))
		}
	}
	return fit(strings.Join(lines, "\n"), w, max(h, 1))
}

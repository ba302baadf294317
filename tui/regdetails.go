package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
)

// requestDetails is everything the details pane shows about one request,
// sanitized.
type requestDetails struct {
	req         store.Request
	warnings    []workflow.Warning
	risk        workflow.Risk
	audit       []store.AuditEntry
	token       *store.Token
	userRequest *store.UserRequest
	partial     bool // only req and userRequest: the pane is not on screen
}

// detailsPane shows everything about the selected request: its fields,
// warnings, the activation link and the audit trail. It sits beside the
// list on a wide terminal and replaces it after enter.
type detailsPane struct {
	details    *requestDetails // nil until loaded for the selected row
	detailsSeq uint64
	showDetail bool
	wide       bool // the terminal has room for the details beside the table
	scroll     int
}

// loadDetails reads the selected request's details; replies for a row the
// cursor has left are dropped by sequence number.
func (r *registration) loadDetails() tea.Cmd {
	cur, ok := r.current()
	if !ok {
		r.details = nil
		return nil
	}
	if r.details != nil && r.details.req.ID != cur.ID {
		r.details = nil
	}
	// Details cost a dozen queries: read them only when they are on screen,
	// or for a created request, whose user request decides whether p applies.
	visible := r.showDetail || r.wide
	if !visible && cur.Status != domain.Created {
		r.detailsSeq = r.s.next() // drops a reply still on its way
		return nil
	}
	r.detailsSeq = r.s.next()
	seq, svc, db, ctx, req := r.detailsSeq, r.s.svc, r.s.db, r.s.ctx, cur
	return func() tea.Msg {
		if !visible {
			d, err := fetchUserRequest(ctx, db.Read(), req)
			return regDetailsMsg{seq: seq, details: d, err: err}
		}
		d, err := fetchDetails(ctx, svc, db.Read(), req.ID)
		return regDetailsMsg{seq: seq, details: d, err: err}
	}
}

// fetchUserRequest reads only the user request of a created request.
func fetchUserRequest(ctx context.Context, q *store.Queries, req store.Request) (*requestDetails, error) {
	d := &requestDetails{req: req, partial: true}
	u, err := q.UserRequestByRequestID(ctx, req.ID)
	if errors.Is(err, store.ErrNotFound) {
		return d, nil
	}
	if err != nil {
		return nil, err
	}
	u.Username, u.Email, u.LastError, u.PasswordHash = Sanitize(u.Username), Sanitize(u.Email), Sanitize(u.LastError), ""
	d.userRequest = &u
	return d, nil
}

func fetchDetails(ctx context.Context, svc *workflow.Service, q *store.Queries, id int64) (*requestDetails, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := q.RequestByID(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &requestDetails{}
	if d.warnings, err = svc.Warnings(ctx, q, req); err != nil {
		return nil, err
	}
	if d.risk, err = svc.Risk(ctx, q, req); err != nil {
		return nil, err
	}
	for i := range d.risk.Signals {
		d.risk.Signals[i].Reason = Sanitize(d.risk.Signals[i].Reason)
	}
	if d.audit, err = q.AuditTrail(ctx, store.EntityRequest, req.Number); err != nil {
		return nil, err
	}
	if t, err := q.LatestRequestToken(ctx, store.TokenActivation, req.ID); err == nil {
		d.token = &t
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if u, err := q.UserRequestByRequestID(ctx, req.ID); err == nil {
		u.Username, u.Email, u.LastError = Sanitize(u.Username), Sanitize(u.Email), Sanitize(u.LastError)
		u.PasswordHash = ""
		d.userRequest = &u
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	d.req = cleanRequest(req)
	for i := range d.warnings {
		d.warnings[i].Message = Sanitize(d.warnings[i].Message)
	}
	for i := range d.audit {
		e := &d.audit[i]
		e.Actor, e.Action, e.Detail, e.OSUser = Sanitize(e.Actor), Sanitize(e.Action), Sanitize(e.Detail), Sanitize(e.OSUser)
	}
	return d, nil
}

// riskSummary is a risk's level and score, as the details pane heads it.
func riskSummary(st Styles, r workflow.Risk) string {
	level := workflow.RiskLevel(r.Score)
	if level == "" {
		return st.Muted.Render("none")
	}
	return st.Risk(level).Render(fmt.Sprintf("%s · %d of 100", level, r.Score))
}

// activation says where the request stands with its activation link.
func activation(d *requestDetails, now time.Time) string {
	q := d.req
	if q.VerifiedAt != nil {
		return "activated " + ago(now, *q.VerifiedAt)
	}
	if d.token == nil {
		return "no activation link"
	}
	switch {
	case d.token.UsedAt != nil:
		return "link used " + ago(now, *d.token.UsedAt)
	case now.After(d.token.ExpiresAt):
		return "link expired " + ago(now, d.token.ExpiresAt) + " — s sends a new one"
	}
	return fmt.Sprintf("waiting: link sent %s, valid for %s more", ago(now, d.token.CreatedAt),
		span(d.token.ExpiresAt.Sub(now)))
}

// detailsView draws the details of the selected request in w×h, scrolled.
func (r *registration) detailsView(w, h int) string {
	lines := r.detailLines(w)
	scroll := max(min(r.scroll, len(lines)-h), 0)
	return strings.Join(lines[scroll:], "\n")
}

func (r *registration) detailLines(w int) []string {
	cur, ok := r.current()
	return r.detailsPane.lines(r.s.styles, cur, ok, r.s.now(), r.s.loc, w)
}

// lines are the lines of the pane for the selected request cur, each cut
// to w cells.
func (p *detailsPane) lines(st Styles, cur store.Request, ok bool, now time.Time, loc *time.Location, w int) []string {
	if !ok {
		return []string{st.Muted.Render(" Nothing selected.")}
	}
	d := p.details
	if d == nil || d.req.ID != cur.ID || d.partial {
		return []string{st.Section.Render(cur.Number) + "  " + st.Muted.Render("loading…")}
	}
	q := d.req
	var lines []string
	add := func(label, value string) {
		if value == "" {
			return
		}
		lines = append(lines, st.Label.Render(cell(label, 13))+st.Value.Render(value))
	}
	title := st.Section.Render(q.Number) + "  " + st.Status(string(q.Status)) + "  " + st.Value.Bold(true).Render(q.CompanyName)
	lines = append(lines, title, "")
	if erased(q) {
		lines = append(lines, st.Muted.Render("Personal data removed; the audit trail says when and by whom."), "")
	}
	add("Tax id", q.TaxID)
	add("Address", joinNonEmpty(", ", q.Street, q.City, q.State, q.PostalCode, q.Country))
	add("Contact", joinNonEmpty(" · ", q.FirstName+" "+q.LastName, q.JobTitle))
	add("Email", q.Email)
	add("Phone", q.Phone)
	add("Language", q.Language)
	add("User name", q.Username)
	add("Signed up", when(q.CreatedAt, true, loc)+"  ("+ago(now, q.CreatedAt)+")")
	if q.TermsAcceptedAt != nil {
		add("Terms", "version "+q.TermsVersion+" accepted "+when(*q.TermsAcceptedAt, true, loc))
	}
	add("Activation", activation(d, now))
	if q.DecidedAt != nil {
		add("Decided", when(*q.DecidedAt, true, loc)+" by "+q.DecidedBy)
	}
	if q.RejectReason != "" {
		add("Reason", q.RejectReason+" — "+workflow.ReasonLabel(q.RejectReason))
	}
	add("Comment", q.RejectComment)
	add("Customer", q.CustomerAccount)
	if u := d.userRequest; u != nil {
		ur := u.Number + " " + string(u.Status)
		if u.Status == domain.URDraft {
			ur += " — workflow off: p provisions the user"
		}
		if u.LastError != "" {
			ur += " — " + u.LastError
		}
		add("User request", ur)
	}
	add("Source IP", q.SourceIP)
	lines = append(lines, "", st.Section.Render("Warnings"))
	var warnings []string
	for _, wn := range d.warnings {
		// The customer this request created or joined resembles it, of course.
		if q.CustomerAccount != "" && wn.Ref == q.CustomerAccount {
			continue
		}
		warnings = append(warnings, st.Warn.Render("  ! "+wn.Message))
	}
	if len(warnings) == 0 {
		lines = append(lines, st.Muted.Render("  none: no customer or open request shares its email, domain, name or tax id"))
	}
	lines = append(lines, warnings...)
	lines = append(lines, "", st.Section.Render("Risk")+"  "+riskSummary(st, d.risk))
	if len(d.risk.Signals) == 0 {
		lines = append(lines, st.Muted.Render("  no signal: mail domain, tax id, phone and network look ordinary"))
	}
	for _, sg := range d.risk.Signals {
		// Reasons are sentences to check against the request: wrap, never cut.
		for i, l := range strings.Split(wrap(sg.Reason, w-4), "\n") {
			lead := "  ! "
			if i > 0 {
				lead = "    "
			}
			lines = append(lines, st.Risk(workflow.RiskLevel(d.risk.Score)).Render(lead+l))
		}
	}
	lines = append(lines, "", st.Section.Render("Audit trail"))
	if len(d.audit) == 0 {
		lines = append(lines, st.Muted.Render("  no entries"))
	}
	for _, e := range d.audit {
		who := cell(e.Actor, 12)
		if e.OSUser != "" { // a local command or TUI: the approver it named and who ran it
			who = domain.ActorLabel(e.Actor, e.OSUser)
		}
		line := "  " + when(e.At, true, loc) + "  " + who + " " + e.Action
		if e.Detail != "" {
			line += " — " + e.Detail
		}
		lines = append(lines, st.Value.Render(line))
	}
	for i, l := range lines {
		lines[i] = truncate(l, w)
	}
	return lines
}

func joinNonEmpty(sep string, parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, sep)
}

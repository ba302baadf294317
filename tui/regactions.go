package tui

import (
	"context"
	"errors"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
)

// act runs a service call for the selected request in a Cmd.
func (r *registration) act(verb string, fn func(ctx context.Context) (*store.Request, string, error)) func() tea.Cmd {
	ctx := r.s.ctx
	return func() tea.Cmd {
		return func() tea.Msg {
			ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
			defer cancel()
			req, message, err := fn(ctx)
			if req != nil {
				c := cleanRequest(*req)
				req = &c
			}
			return regActionMsg{verb: verb, req: req, message: message, err: err}
		}
	}
}

// actionDone updates the row in place and says what happened; when the
// request changed under the approver it says who changed it and rereads.
func (r *registration) actionDone(m regActionMsg) tea.Cmd {
	if m.err != nil {
		var ce *workflow.ChangedError
		if errors.As(m.err, &ce) {
			r.s.fail(m.verb, m.err)
			return r.Reload()
		}
		r.s.fail(m.verb, m.err)
		return nil
	}
	if m.req != nil {
		for i := range r.rows {
			if r.rows[i].ID == m.req.ID {
				r.rows[i] = *m.req
			}
		}
	}
	r.s.ok("%s", m.message)
	return tea.Batch(r.loadCounts(), r.loadDetails())
}

func (r *registration) selected(verb string, statuses ...domain.RequestStatus) (store.Request, bool) {
	cur, ok := r.current()
	if !ok {
		r.s.info("Nothing selected to %s.", verb)
		return cur, false
	}
	for _, s := range statuses {
		if cur.Status == s {
			return cur, true
		}
	}
	by := ""
	if cur.DecidedBy != "" && (cur.Status == domain.Approved || cur.Status == domain.Rejected) {
		by = " by " + cur.DecidedBy // say who, when someone else decided meanwhile
	}
	r.s.info("Cannot %s %s: it is %s%s.", verb, cur.Number, cur.Status, by)
	return cur, false
}

func (r *registration) approve() tea.Cmd {
	w := domain.ApproveRequest
	cur, ok := r.selected(w.Verb, domain.Verified)
	if !ok {
		return nil
	}
	a := workflow.Action{Number: cur.Number, Actor: r.s.actor, Version: cur.Version}
	svc := r.s.svc
	lines := []string{
		fmt.Sprintf("%s · %s", cur.Number, cur.CompanyName),
		fmt.Sprintf("Contact %s %s <%s>", cur.FirstName, cur.LastName, cur.Email),
		"",
		w.Effect,
		"Recorded as approved by " + r.s.actor + "; under Approved, c creates the customer.",
	}
	return r.s.confirm(w.Question(cur.Number), w.Button, lines, r.act(w.Verb, func(ctx context.Context) (*store.Request, string, error) {
		out, err := svc.Approve(ctx, a)
		return &out, fmt.Sprintf("%s (%s); under Approved, c creates its customer.", w.Outcome(cur.Number), cur.CompanyName), err
	}))
}

func (r *registration) resend() tea.Cmd {
	w := domain.ResendActivation
	cur, ok := r.selected(w.Verb, domain.Requested)
	if !ok {
		return nil
	}
	a := workflow.Action{Number: cur.Number, Actor: r.s.actor}
	svc := r.s.svc
	return r.s.confirm(w.Question(cur.Number), w.Button, []string{
		fmt.Sprintf("%s · %s", cur.Number, cur.CompanyName),
		"",
		"To " + cur.Email + ".",
		w.Effect,
	}, r.act("resend", func(ctx context.Context) (*store.Request, string, error) {
		_, err := svc.ResendActivation(ctx, a)
		return nil, w.Outcome(cur.Number) + ".", err
	}))
}

func (r *registration) provision() tea.Cmd {
	cur, ok := r.selected("provision the user of", domain.Created)
	if !ok {
		return nil
	}
	d := r.details
	if d == nil || d.req.ID != cur.ID || d.userRequest == nil {
		r.s.info("%s has no user request to provision yet; wait for its details.", cur.Number)
		return nil
	}
	u := *d.userRequest
	if u.Status != domain.URDraft {
		r.s.info("User request %s is %s: the workflow handles it, nothing to provision by hand.", u.Number, u.Status)
		return nil
	}
	a := workflow.Action{Number: u.Number, Actor: r.s.actor, Version: u.Version}
	svc := r.s.svc
	return r.s.confirm("Provision the user by hand?", "Provision", []string{
		fmt.Sprintf("%s · %s · user request %s", cur.Number, cur.CompanyName, u.Number),
		"",
		fmt.Sprintf("Creates the login %q (%s) for customer %s with the password chosen at sign-up, then emails the welcome message to %s.",
			u.Username, u.Role, u.CustomerAccount, u.Email),
		"The workflow is disabled, so nothing else will.",
	}, r.act("provision", func(ctx context.Context) (*store.Request, string, error) {
		out, err := svc.ProvisionUser(ctx, a)
		return nil, fmt.Sprintf("User %s provisioned (%s); welcome mail queued.", u.Username, out.Status), err
	}))
}

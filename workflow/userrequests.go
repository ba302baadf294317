package workflow

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow/domain"
)

// The user request workflow's steps.
const (
	StepApprove   = "approve_user_request"
	StepProvision = "provision_user"
	StepNotify    = "notify_new_user"
)

// StepResult says what RunStep did.
type StepResult struct {
	Status domain.UserRequestStatus // the user request's status afterwards
	Step   string                   // the step that ran, "" when nothing was left to do
	More   bool                     // another step follows at once
}

// RunStep runs the current step of a user request in one transaction. It is
// idempotent: a step that already ran finds the request moved on and does
// nothing, so a retried or duplicated job never makes a second user or mail.
func (s *Service) RunStep(ctx context.Context, userRequestID int64, attempt int) (StepResult, error) {
	return s.RunStepWith(ctx, userRequestID, attempt, nil)
}

// RunStepWith is RunStep that also runs inTx, when not nil, at the end of the
// step's transaction with its result: the job queue finishes the job there
// when no step follows, so the job's end and the step's effect commit together.
//
// Steps of several user requests running at once share a transaction
// (store.WithBatchedTx), each in a savepoint of its own, so a bulk decision's
// requests are provisioned in few commits; a step that fails rolls back
// alone. Once its turn comes a step runs to its end even if ctx is
// cancelled meanwhile: an interrupted statement would take the others with it.
func (s *Service) RunStepWith(ctx context.Context, userRequestID int64, attempt int,
	inTx func(tx *store.Tx, res StepResult) error) (StepResult, error) {
	var res StepResult
	err := s.db.WithBatchedTx(ctx, func(tx *store.Tx) error {
		res = StepResult{}
		ctx := context.WithoutCancel(ctx)
		if err := s.runStep(ctx, tx, userRequestID, attempt, &res); err != nil {
			return err
		}
		if inTx != nil {
			return inTx(tx, res)
		}
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("workflow: user request #%d: %w", userRequestID, err)
	}
	return res, nil
}

// runStep is RunStep's body inside tx.
func (s *Service) runStep(ctx context.Context, tx *store.Tx, userRequestID int64, attempt int, res *StepResult) error {
	p, err := s.Params(ctx, &tx.Queries)
	if err != nil {
		return err
	}
	u, err := tx.UserRequestByID(ctx, userRequestID)
	if err != nil {
		return err
	}
	res.Status = u.Status
	switch {
	case u.Status == domain.URSubmitted && u.Step == StepApprove:
		res.Step = StepApprove
		return s.moveUserRequest(ctx, tx, u, EventAwait, "", "workflow",
			"waiting for an approver", attempt, res)
	case u.Status == domain.URSubmitted:
		res.Step, res.More = StepProvision, true
		if err := s.provision(ctx, tx, u, "workflow"); err != nil {
			return err
		}
		return s.moveUserRequest(ctx, tx, u, EventProvision, StepNotify, "workflow",
			"login created", attempt, res)
	case u.Status == domain.URProvisioned:
		res.Step = StepNotify
		detail := "notification switched off"
		if p.Bool(ParamNotifyStep) {
			if err := s.notify(ctx, tx, p, u); err != nil {
				return err
			}
			detail = "welcome mail queued to " + u.Email
		}
		return s.moveUserRequest(ctx, tx, u, EventNotify, "", "workflow", detail, attempt, res)
	}
	return nil
}

// moveUserRequest applies event to u, records the step and the audit row.
func (s *Service) moveUserRequest(ctx context.Context, tx *store.Tx, u store.UserRequest, event,
	nextStep, actor, detail string, attempt int, res *StepResult) error {
	to, err := NextUserRequest(u.Status, event)
	if err != nil {
		return err
	}
	zero, empty := 0, ""
	c := store.UserRequestChange{ID: u.ID, From: u.Status, To: to, Version: u.Version,
		Step: &nextStep, Attempts: &zero, LastError: &empty}
	if err := tx.UpdateUserRequest(ctx, c); err != nil {
		return err
	}
	step := u.Step
	if step == "" {
		step = event
	}
	if err := tx.InsertStep(ctx, store.Step{UserRequestID: u.ID, Step: step, Outcome: "done",
		Attempt: attempt, Detail: detail, Actor: actor}); err != nil {
		return err
	}
	if res != nil {
		res.Status = to
	}
	return audit(ctx, tx, actor, store.EntityUserRequest, u.Number, event, detail)
}

// provision creates the login for u unless it exists already.
func (s *Service) provision(ctx context.Context, tx *store.Tx, u store.UserRequest, actor string) error {
	if _, err := tx.UserByUserRequest(ctx, u.ID); err == nil {
		return nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	user := store.User{Username: u.Username, Email: u.Email, PasswordHash: u.PasswordHash,
		Role: u.Role, CustomerID: u.CustomerID, ContactID: u.ContactID, UserRequestID: &u.ID}
	if err := tx.InsertUser(ctx, &user); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return &PermanentError{Err: fmt.Errorf("user name %q is taken by another login", u.Username)}
		}
		return err
	}
	if err := audit(ctx, tx, actor, store.EntityUser, user.Username, "create",
		"role "+user.Role+" for "+u.CustomerAccount+" by "+u.Number); err != nil {
		return err
	}
	created, err := tx.UserByID(ctx, user.ID)
	if err != nil {
		return err
	}
	return s.emitUser(ctx, tx, HookUserProvisioned, created)
}

// notify queues the welcome mail, or the set-password mail for a user who
// has no password yet (added by a customer administrator).
func (s *Service) notify(ctx context.Context, tx *store.Tx, p Params, u store.UserRequest) error {
	user, err := tx.UserByUserRequest(ctx, u.ID)
	if err != nil {
		return err
	}
	contact, err := tx.ContactByID(ctx, u.ContactID)
	if err != nil {
		return err
	}
	cust, err := tx.CustomerByID(ctx, u.CustomerID)
	if err != nil {
		return err
	}
	d := MailData{Company: cust.Name, FirstName: contact.FirstName, LastName: contact.LastName,
		Number: u.Number, Account: cust.Account, Username: user.Username, lang: contactLanguage(contact, cust)}
	if user.PasswordHash != "" {
		return s.queueMail(ctx, tx, p, "welcome", ParamTmplWelcome, u.Number, user.Email, d)
	}
	ttl := 7 * 24 * time.Hour
	token, err := s.newToken(ctx, tx, store.TokenSetPassword, nil, &user.ID, ttl)
	if err != nil {
		return err
	}
	d.Link = s.portalURL(p) + "/password/reset?token=" + token
	d.expires = ttl
	return s.queueMail(ctx, tx, p, "set_password", ParamTmplSetPassword, u.Number, user.Email, d)
}

// PermanentError is a step failure that retrying cannot fix.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// FailUserRequest marks a user request failed after its step ran out of
// attempts (or failed permanently), keeping the error for the approver.
func (s *Service) FailUserRequest(ctx context.Context, userRequestID int64, attempt int, cause error) error {
	return s.FailUserRequestWith(ctx, userRequestID, attempt, cause, nil)
}

// FailUserRequestWith is FailUserRequest that also runs inTx, when not nil,
// in the same transaction: the job queue finishes the failed job there, so
// an approver's retry can queue a new one at once.
func (s *Service) FailUserRequestWith(ctx context.Context, userRequestID int64, attempt int, cause error,
	inTx func(tx *store.Tx) error) error {
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		if inTx != nil {
			if err := inTx(tx); err != nil {
				return err
			}
		}
		u, err := tx.UserRequestByID(ctx, userRequestID)
		if err != nil {
			return err
		}
		to, err := NextUserRequest(u.Status, EventFail)
		if err != nil {
			return nil // it moved on meanwhile; nothing failed
		}
		msg := cause.Error()
		c := store.UserRequestChange{ID: u.ID, From: u.Status, To: to, Version: u.Version,
			Attempts: &attempt, LastError: &msg}
		if err := tx.UpdateUserRequest(ctx, c); err != nil {
			return err
		}
		if err := tx.InsertStep(ctx, store.Step{UserRequestID: u.ID, Step: u.Step, Outcome: "failed",
			Attempt: attempt, Detail: msg, Actor: "workflow"}); err != nil {
			return err
		}
		return audit(ctx, tx, "workflow", store.EntityUserRequest, u.Number, EventFail, msg)
	})
	if err != nil {
		return fmt.Errorf("workflow: fail user request #%d: %w", userRequestID, err)
	}
	return nil
}

// RecordRetry notes a failed attempt that will be retried.
func (s *Service) RecordRetry(ctx context.Context, userRequestID int64, attempt int, cause error) error {
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		u, err := tx.UserRequestByID(ctx, userRequestID)
		if err != nil {
			return err
		}
		msg := cause.Error()
		if err := tx.UpdateUserRequest(ctx, store.UserRequestChange{ID: u.ID, From: u.Status,
			To: u.Status, Version: u.Version, Attempts: &attempt, LastError: &msg}); err != nil {
			return err
		}
		return tx.InsertStep(ctx, store.Step{UserRequestID: u.ID, Step: u.Step, Outcome: "retry",
			Attempt: attempt, Detail: msg, Actor: "workflow"})
	})
}

// userRequestAction applies a human decision to a user request.
func (s *Service) userRequestAction(ctx context.Context, a Action, event, nextStep, detail string,
	then func(tx *store.Tx, u store.UserRequest) error) (store.UserRequest, error) {
	var out store.UserRequest
	if err := checkActor(a.Actor); err != nil {
		return out, err
	}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		u, err := tx.UserRequestByNumber(ctx, a.Number)
		if err != nil {
			return err
		}
		if a.Version != 0 && a.Version != u.Version {
			return &ChangedError{Number: u.Number, Status: string(u.Status), Err: ErrConflict}
		}
		if _, err := NextUserRequest(u.Status, event); err != nil {
			ce := &ChangedError{Number: u.Number, Status: string(u.Status), Err: err}
			if last, lerr := tx.LastAudit(ctx, store.EntityUserRequest, u.Number); lerr == nil {
				ce.By, ce.At, ce.Action = last.Actor, last.At, last.Action
			}
			return ce
		}
		if then != nil {
			if err := then(tx, u); err != nil {
				return err
			}
		}
		if err := s.moveUserRequest(ctx, tx, u, event, nextStep, a.Actor, detail, 0, nil); err != nil {
			return err
		}
		out, err = tx.UserRequestByID(ctx, u.ID)
		if err != nil {
			return err
		}
		if out.Status == domain.URSubmitted && s.jobs != nil {
			return s.jobs.UserRequestSubmitted(ctx, tx, u.ID)
		}
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("user request %s: %w", a.Number, err)
	}
	return out, nil
}

// ApproveUserRequest is the optional human step: the workflow goes on.
func (s *Service) ApproveUserRequest(ctx context.Context, a Action) (store.UserRequest, error) {
	return s.userRequestAction(ctx, a, EventApproveUser, StepProvision, "approved by "+a.Actor, nil)
}

// RejectUserRequest ends a user request waiting for approval; the contact
// is emailed, with the reason when one is given.
func (s *Service) RejectUserRequest(ctx context.Context, a Action, reason string) (store.UserRequest, error) {
	reason, err := checkReason(reason)
	if err != nil {
		return store.UserRequest{}, err
	}
	detail := "rejected by " + a.Actor
	if reason != "" {
		detail += ": " + reason
	}
	return s.userRequestAction(ctx, a, EventRejectUser, "", detail, func(tx *store.Tx, u store.UserRequest) error {
		p, err := LoadParams(ctx, &tx.Queries)
		if err != nil {
			return err
		}
		contact, err := tx.ContactByID(ctx, u.ContactID)
		if err != nil {
			return err
		}
		cust, err := tx.CustomerByID(ctx, u.CustomerID)
		if err != nil {
			return err
		}
		return s.queueMail(ctx, tx, p, "user_request_rejected", ParamTmplUserRejected, u.Number, u.Email, MailData{
			Company: cust.Name, FirstName: contact.FirstName, LastName: contact.LastName, Number: u.Number,
			Account: cust.Account, Username: u.Username, Comment: reason, lang: contactLanguage(contact, cust)})
	})
}

// CancelUserRequest closes a user request that has not made its login yet
// (draft, submitted, waiting for approval or failed); nobody is emailed.
func (s *Service) CancelUserRequest(ctx context.Context, a Action, reason string) (store.UserRequest, error) {
	reason, err := checkReason(reason)
	if err != nil {
		return store.UserRequest{}, err
	}
	detail := "canceled by " + a.Actor
	if reason != "" {
		detail += ": " + reason
	}
	return s.userRequestAction(ctx, a, EventCancel, "", detail, nil)
}

// checkReason cleans an optional free-text reason; it reaches mail and the
// audit trail.
func checkReason(reason string) (string, error) {
	reason, msg := domain.Clean(reason, "The reason")
	switch {
	case msg != "":
		return "", &FieldError{Field: "reason", Message: msg}
	case len([]rune(reason)) > 1000:
		return "", &FieldError{Field: "reason", Message: "at most 1000 characters"}
	}
	return reason, nil
}

// RetryUserRequest resubmits a failed user request from the step that failed.
func (s *Service) RetryUserRequest(ctx context.Context, a Action) (store.UserRequest, error) {
	// From the start: provisioning skips a login that exists already, so a
	// request that failed at notify never gets a second user.
	return s.userRequestAction(ctx, a, EventRetry, "", "retried by "+a.Actor, nil)
}

// ProvisionUser provisions a draft user request by hand (the workflow is
// disabled): it creates the login and queues the welcome mail in one go.
func (s *Service) ProvisionUser(ctx context.Context, a Action) (store.UserRequest, error) {
	var out store.UserRequest
	if err := checkActor(a.Actor); err != nil {
		return out, err
	}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		p, err := s.Params(ctx, &tx.Queries)
		if err != nil {
			return err
		}
		u, err := tx.UserRequestByNumber(ctx, a.Number)
		if err != nil {
			return err
		}
		if _, err := NextUserRequest(u.Status, EventProvisionNow); err != nil {
			return &ChangedError{Number: u.Number, Status: string(u.Status), Err: err}
		}
		if err := s.provision(ctx, tx, u, a.Actor); err != nil {
			return err
		}
		u.Step = StepProvision
		if err := s.moveUserRequest(ctx, tx, u, EventProvisionNow, StepNotify, a.Actor,
			"login created by hand", 0, nil); err != nil {
			return err
		}
		if u, err = tx.UserRequestByID(ctx, u.ID); err != nil {
			return err
		}
		if err := s.notify(ctx, tx, p, u); err != nil {
			return err
		}
		if err := s.moveUserRequest(ctx, tx, u, EventNotify, "", a.Actor,
			"welcome mail queued to "+u.Email, 0, nil); err != nil {
			return err
		}
		out, err = tx.UserRequestByID(ctx, u.ID)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("provision %s: %w", a.Number, err)
	}
	s.log.Info("user provisioned by hand", "user_request", a.Number, "actor", a.Actor)
	return out, nil
}

// contactLanguage is the language mail to a contact is written in: the
// contact's own, else (a user added by an administrator) the account's.
func contactLanguage(contact store.Contact, cust store.Customer) string {
	if contact.Language != "" {
		return contact.Language
	}
	return cust.Language
}

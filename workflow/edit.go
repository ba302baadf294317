package workflow

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow/domain"
)

// EventEdit is the audit action of a corrected field.
const EventEdit = "edit"

// EditInput corrects some fields of a request before Create. Fields maps
// sign-up field names to the new values.
type EditInput struct {
	Action
	Fields map[string]string
}

// FieldChange is one corrected field.
type FieldChange struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// EditResult is the request after the edit, what changed (nothing when every
// value was already as stored) and the warnings checked again.
type EditResult struct {
	Request  store.Request
	Changes  []FieldChange
	Warnings []Warning
}

// Edit corrects a verified or approved request's fields with the same rules
// as the sign-up form. The email address is not editable: only its owner
// proved it. Each changed field is audited, old → new.
func (s *Service) Edit(ctx context.Context, in EditInput) (EditResult, error) {
	if err := checkActor(in.Actor); err != nil {
		return EditResult{}, err
	}
	if err := checkEditable(in.Fields); err != nil {
		return EditResult{}, fmt.Errorf("edit %s: %w", in.Number, err)
	}
	var res EditResult
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		r, err := tx.RequestByNumber(ctx, in.Number)
		if err != nil {
			return err
		}
		if !r.Status.Editable() {
			return changed(ctx, &tx.Queries, r, &TransitionError{Kind: "customer request",
				From: string(r.Status), Event: EventEdit})
		}
		if in.Version != 0 && in.Version != r.Version {
			return changed(ctx, &tx.Queries, r, ErrConflict)
		}
		next := r
		names := make([]string, 0, len(in.Fields))
		for name, v := range in.Fields {
			*next.Field(name) = v
			names = append(names, name)
		}
		if err := checkRequestFields(&next, names...); err != nil {
			return err
		}
		set := map[string]string{}
		for _, f := range domain.RequestFields() {
			if old, now := *r.Field(f.Name), *next.Field(f.Name); old != now {
				set[f.Name] = now
				res.Changes = append(res.Changes, FieldChange{Field: f.Name, Old: old, New: now})
			}
		}
		if len(res.Changes) == 0 {
			res.Request = r
			return nil
		}
		if _, ok := set[domain.FieldUsername]; ok {
			taken, err := tx.UsernameTaken(ctx, next.Username)
			if err != nil {
				return err
			}
			if taken {
				return &FieldError{Field: domain.FieldUsername, Message: "This user name is taken. Choose another."}
			}
		}
		err = tx.EditRequest(ctx, store.RequestEdit{ID: r.ID, Status: r.Status, Version: r.Version, Fields: set})
		if errors.Is(err, store.ErrConflict) {
			return changed(ctx, &tx.Queries, r, err)
		}
		if err != nil {
			return err
		}
		for _, c := range res.Changes {
			detail := c.Field + ": " + strconv.Quote(c.Old) + " → " + strconv.Quote(c.New)
			if err := audit(ctx, tx, in.Actor, store.EntityRequest, r.Number, EventEdit, detail); err != nil {
				return err
			}
		}
		if res.Request, err = tx.RequestByID(ctx, r.ID); err != nil {
			return err
		}
		res.Warnings, err = s.Warnings(ctx, &tx.Queries, res.Request)
		return err
	})
	if err != nil {
		return EditResult{}, fmt.Errorf("edit %s: %w", in.Number, err)
	}
	if len(res.Changes) > 0 {
		s.log.Info("request edited", "number", in.Number, "actor", in.Actor, "fields", len(res.Changes))
	}
	return res, nil
}

// checkEditable refuses an empty edit, unknown field names and the email.
func checkEditable(fields map[string]string) error {
	if len(fields) == 0 {
		return &FieldError{Field: "set", Message: "say what to change: FIELD=VALUE"}
	}
	var editable []string
	for _, f := range domain.RequestFields() {
		if f.Editable() {
			editable = append(editable, f.Name)
		}
	}
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		f, ok := domain.FieldNamed(name)
		switch {
		case !ok:
			return &FieldError{Field: name, Message: fmt.Sprintf("not a field of a request; use one of %s",
				strings.Join(editable, ", "))}
		case !f.Editable():
			return &FieldError{Field: name, Message: "the email address is not editable: only its owner proved it"}
		}
	}
	return nil
}

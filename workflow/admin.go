package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/regdesk/regdesk/store"
)

// InactivateUser switches a customer's login off and ends its sessions, with
// an audit row, in one transaction.
func (s *Service) InactivateUser(ctx context.Context, userID int64, actor string) (store.User, error) {
	var out store.User
	if err := checkActor(actor); err != nil {
		return out, err
	}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByID(ctx, userID)
		if err != nil {
			return err
		}
		if !u.Active {
			return &ChangedError{Number: u.Username, Status: "inactive", By: u.InactivatedBy,
				At: derefTime(u.InactivatedAt), Action: "inactivate",
				Err: &TransitionError{Kind: "user", From: "inactive", Event: "inactivate"}}
		}
		if err := tx.SetUserActive(ctx, u.ID, false, actor); err != nil {
			return err
		}
		if err := audit(ctx, tx, actor, store.EntityUser, u.Username, "inactivate",
			"sessions ended"); err != nil {
			return err
		}
		if out, err = tx.UserByID(ctx, u.ID); err != nil {
			return err
		}
		return s.emitUser(ctx, tx, HookUserInactivated, out)
	})
	if err != nil {
		return out, fmt.Errorf("inactivate user #%d: %w", userID, err)
	}
	s.log.Info("user inactivated", "user", out.Username, "actor", actor)
	return out, nil
}

func derefTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// UserByName finds a login by its user name.
func (s *Service) UserByName(ctx context.Context, username string) (store.User, error) {
	u, err := s.db.Read().UserByLogin(ctx, username)
	if err == nil && !strings.EqualFold(u.Username, username) {
		err = store.ErrNotFound // found by email: operators name users by user name
	}
	if err != nil {
		return u, fmt.Errorf("user %s: %w", username, err)
	}
	return u, nil
}

// ActivateUser switches an inactive login on again (approvers). Earlier
// password links stop working and the user is mailed a fresh link to set a
// new password: whoever knew the old one should not walk back in.
func (s *Service) ActivateUser(ctx context.Context, userID int64, actor string) (store.User, error) {
	var out store.User
	if err := checkActor(actor); err != nil {
		return out, err
	}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByID(ctx, userID)
		if err != nil {
			return err
		}
		out, err = s.activate(ctx, tx, u, actor, "")
		return err
	})
	if err != nil {
		return out, fmt.Errorf("activate user #%d: %w", userID, err)
	}
	s.log.Info("user activated", "user", out.Username, "actor", actor)
	return out, nil
}

// activate is ActivateUser's body in tx; how says who asked, for the audit.
func (s *Service) activate(ctx context.Context, tx *store.Tx, u store.User, actor, how string) (store.User, error) {
	if u.Active {
		return u, &ChangedError{Number: u.Username, Status: "active",
			Err: &TransitionError{Kind: "user", From: "active", Event: "activate"}}
	}
	p, err := LoadParams(ctx, &tx.Queries)
	if err != nil {
		return u, err
	}
	if err := tx.SetUserActive(ctx, u.ID, true, actor); err != nil {
		return u, err
	}
	for _, kind := range []string{store.TokenSetPassword, store.TokenPasswordReset} {
		if err := tx.RevokeTokens(ctx, kind, nil, &u.ID); err != nil {
			return u, err
		}
	}
	ttl := 7 * 24 * time.Hour
	token, err := s.newToken(ctx, tx, store.TokenSetPassword, nil, &u.ID, ttl)
	if err != nil {
		return u, err
	}
	contact, err := tx.ContactByID(ctx, u.ContactID)
	if err != nil {
		return u, err
	}
	cust, err := tx.CustomerByID(ctx, u.CustomerID)
	if err != nil {
		return u, err
	}
	err = s.queueMail(ctx, tx, p, "set_password", ParamTmplSetPassword, u.Username, u.Email, MailData{
		Company: cust.Name, FirstName: contact.FirstName, LastName: contact.LastName, Account: cust.Account,
		Username: u.Username, Link: s.portalURL(p) + "/password/reset?token=" + token, expires: ttl,
		lang: contactLanguage(contact, cust)})
	if err != nil {
		return u, err
	}
	detail := "set-password link sent to " + u.Email
	if how != "" {
		detail = how + "; " + detail
	}
	if err := audit(ctx, tx, actor, store.EntityUser, u.Username, "activate", detail); err != nil {
		return u, err
	}
	return tx.UserByID(ctx, u.ID)
}

// ActivateCustomerUser lets a self-service administrator switch a login of
// their own company on again; the user gets a fresh set-password link.
func (s *Service) ActivateCustomerUser(ctx context.Context, byUserID, userID int64) (store.User, error) {
	var out store.User
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		target, err := tx.UserByID(ctx, userID)
		if errors.Is(err, store.ErrNotFound) {
			return ErrNotAllowed // do not tell other companies' ids from missing ones
		}
		if err != nil {
			return err
		}
		admin, err := customerAdmin(ctx, tx, byUserID, target.CustomerID)
		if err != nil {
			return err
		}
		if target.Active {
			return fieldErrorf("user", MsgAlreadyActive, target.Username)
		}
		out, err = s.activate(ctx, tx, target, admin.Username, "by self-service")
		return err
	})
	if err != nil {
		return out, fmt.Errorf("activate user #%d: %w", userID, err)
	}
	s.log.Info("user activated", "user", out.Username, "by", byUserID)
	return out, nil
}

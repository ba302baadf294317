package workflow

import (
	"context"
	"errors"
	"fmt"
	"strconv"
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
		out, err = tx.UserByID(ctx, u.ID)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("inactivate user #%d: %w", userID, err)
	}
	s.log.Info("user inactivated", "user", out.Username, "actor", actor)
	return out, nil
}

// RetryMail puts a failed outbox message back in the queue and hands it to
// the job queue in the same transaction.
func (s *Service) RetryMail(ctx context.Context, mailID int64, actor string) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		m, err := tx.MailByID(ctx, mailID)
		if err != nil {
			return err
		}
		if err := tx.RequeueMail(ctx, m.ID); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return &ChangedError{Number: "mail #" + strconv.FormatInt(m.ID, 10), Status: m.Status,
					Err: &TransitionError{Kind: "mail", From: m.Status, Event: "retry"}}
			}
			return err
		}
		if s.jobs != nil {
			if err := s.jobs.MailQueued(ctx, tx, m.ID); err != nil {
				return err
			}
		}
		return audit(ctx, tx, actor, store.EntityMail, strconv.FormatInt(m.ID, 10), "retry",
			m.Kind+" mail to "+m.To)
	})
	if err != nil {
		return fmt.Errorf("retry mail #%d: %w", mailID, err)
	}
	s.log.Info("mail requeued", "mail", mailID, "actor", actor)
	return nil
}

func derefTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

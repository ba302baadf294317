package workflow

import (
	"context"
	"fmt"
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

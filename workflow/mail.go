package workflow

import (
	"context"
	"fmt"
	"strconv"

	"github.com/regdesk/regdesk/store"
)

// RetryMail puts a failed outbox message back in the queue and hands it to
// the job queue, with its audit row, in one transaction.
func (s *Service) RetryMail(ctx context.Context, id int64, actor string) (store.Mail, error) {
	var out store.Mail
	if err := checkActor(actor); err != nil {
		return out, err
	}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		m, err := tx.MailByID(ctx, id)
		if err != nil {
			return err
		}
		if m.Status != store.MailFailed {
			return &FieldError{Field: "id", Message: fmt.Sprintf("mail #%d is %s; only failed mail can be retried", id, m.Status)}
		}
		if err := tx.RequeueMail(ctx, id); err != nil {
			return err
		}
		if err := audit(ctx, tx, actor, store.EntityMail, strconv.FormatInt(id, 10), "retry",
			m.Kind+" mail to "+m.To); err != nil {
			return err
		}
		if s.jobs != nil {
			if err := s.jobs.MailQueued(ctx, tx, id); err != nil {
				return err
			}
		}
		out, err = tx.MailByID(ctx, id)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("retry mail #%d: %w", id, err)
	}
	s.log.Info("mail requeued", "mail_id", id, "actor", actor)
	return out, nil
}

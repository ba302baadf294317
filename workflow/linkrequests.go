package workflow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/regdesk/regdesk/store"
)

// Limits on link requests per hour, counted in the database so that they
// hold across restarts and across processes serving one database.
const (
	LinkRequestsPerLogin  = 3
	LinkRequestsPerClient = 20
)

// LinkRequest is a "forgot password" or "resend activation link" post.
type LinkRequest struct {
	Kind   string // store.TokenPasswordReset or store.TokenActivation
	Login  string // user name or email (reset), email (activation)
	Client string // the client's network, as the portal keys it
}

// RequestLink records a link request and hands it to the job queue. The
// request's answer costs the same whether or not an account exists (one
// row, one job, the same limits); whether a mail goes out is decided later,
// by SendRequestedLink. Over a limit it returns ErrTooMany.
func (s *Service) RequestLink(ctx context.Context, in LinkRequest) error {
	if in.Kind != store.TokenPasswordReset && in.Kind != store.TokenActivation {
		return fmt.Errorf("request link: %w", &FieldError{Field: "kind", Message: "unknown link kind " + in.Kind})
	}
	login := strings.TrimSpace(in.Login)
	if login == "" {
		return nil
	}
	sum := sha256.Sum256([]byte(strings.ToLower(login)))
	r := store.LinkRequest{Kind: in.Kind, Login: login, LoginKey: hex.EncodeToString(sum[:]), ClientKey: in.Client}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		byLogin, byClient, err := tx.CountLinkRequests(ctx, r.LoginKey, r.ClientKey, s.now().Add(-time.Hour))
		if err != nil {
			return err
		}
		if byLogin >= LinkRequestsPerLogin || byClient >= LinkRequestsPerClient {
			return ErrTooMany
		}
		if err := tx.InsertLinkRequest(ctx, &r); err != nil {
			return err
		}
		if s.jobs != nil {
			return s.jobs.LinkRequested(ctx, tx, r.ID)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("request link: %w", err)
	}
	if s.jobs == nil {
		// No job queue (tests, tools): handle it now.
		return s.SendRequestedLink(ctx, r.ID)
	}
	return nil
}

// SendRequestedLink handles a recorded link request: a reset link to an
// active login, or a fresh activation link to a request waiting for it;
// nothing otherwise. Handling one twice does nothing the second time.
func (s *Service) SendRequestedLink(ctx context.Context, id int64) error {
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		r, err := tx.LinkRequestByID(ctx, id)
		if err != nil {
			return err
		}
		if r.DoneAt != nil {
			return nil
		}
		switch r.Kind {
		case store.TokenPasswordReset:
			err = s.passwordReset(ctx, tx, r.Login)
		case store.TokenActivation:
			err = s.resendActivationTo(ctx, tx, r.Login)
		default:
			err = errors.New("unknown link kind " + r.Kind)
		}
		if err != nil {
			return err
		}
		return tx.FinishLinkRequest(ctx, id)
	})
	if err != nil {
		return fmt.Errorf("send requested link #%d: %w", id, err)
	}
	return nil
}

package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/regdesk/regdesk/store"
)

// APITokenPrefix starts every API token, so a leaked one is recognisable.
const APITokenPrefix = "rdk_"

// ErrBadToken is a bearer token that is unknown, malformed or revoked.
var ErrBadToken = errors.New("the bearer token is not valid")

// touchEvery bounds how often a token's last use is written: reads through
// the API should not each take the write lock.
const touchEvery = time.Minute

// AddAPIToken makes a bearer token for the HTTP API and returns it; only its
// hash is kept, so this is the one time it can be shown.
func (s *Service) AddAPIToken(ctx context.Context, name, scope, actor string) (string, store.APIToken, error) {
	var t store.APIToken
	if err := checkActor(actor); err != nil {
		return "", t, err
	}
	name = strings.TrimSpace(name)
	if err := checkActor(name); err != nil || strings.ContainsAny(name, " \t") {
		return "", t, &FieldError{Field: "name", Message: "a token's name is printable text without spaces, at most 64 bytes"}
	}
	if scope != store.ScopeRead && scope != store.ScopeDecide {
		return "", t, &FieldError{Field: "scope", Message: fmt.Sprintf("unknown scope %q; use %s or %s",
			scope, store.ScopeRead, store.ScopeDecide)}
	}
	token := APITokenPrefix + randomToken(32)
	t = store.APIToken{Name: name, Hash: HashToken(token), Scope: scope, CreatedBy: actor}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		if err := tx.InsertAPIToken(ctx, &t); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return &FieldError{Field: "name", Message: fmt.Sprintf("a token named %q exists; revoke it first or pick another name", name)}
			}
			return err
		}
		return audit(ctx, tx, actor, store.EntityAPIToken, name, "add", "scope "+scope)
	})
	if err != nil {
		return "", t, fmt.Errorf("add token: %w", err)
	}
	s.log.Info("API token added", "name", name, "scope", scope, "actor", actor)
	return token, t, nil
}

// RevokeAPIToken ends a token at once: its next request is refused.
func (s *Service) RevokeAPIToken(ctx context.Context, name, actor string) (store.APIToken, error) {
	var t store.APIToken
	if err := checkActor(actor); err != nil {
		return t, err
	}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		if t, err = tx.RevokeAPIToken(ctx, name); err != nil {
			return err
		}
		return audit(ctx, tx, actor, store.EntityAPIToken, name, "revoke", "")
	})
	if err != nil {
		return t, fmt.Errorf("revoke token %q: %w", name, err)
	}
	s.log.Info("API token revoked", "name", name, "actor", actor)
	return t, nil
}

// AuthenticateAPIToken finds the live token a bearer token stands for and
// records its use (at most once a minute).
func (s *Service) AuthenticateAPIToken(ctx context.Context, token string) (store.APIToken, error) {
	if !strings.HasPrefix(token, APITokenPrefix) || len(token) > 200 {
		return store.APIToken{}, ErrBadToken
	}
	t, err := s.db.Read().LiveAPITokenByHash(ctx, HashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return t, ErrBadToken
	}
	if err != nil {
		return t, err
	}
	if t.LastUsedAt == nil || s.now().Sub(*t.LastUsedAt) >= touchEvery {
		if err := s.db.WithTx(ctx, func(tx *store.Tx) error { return tx.TouchAPIToken(ctx, t.ID) }); err != nil {
			s.log.Warn("recording a token's use", "name", t.Name, "err", err)
		}
	}
	return t, nil
}

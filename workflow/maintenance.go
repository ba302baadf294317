package workflow

import (
	"context"
	"fmt"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow/domain"
)

// MaintenanceActor is who the audit trail names for expiry and retention.
const MaintenanceActor = "maintenance"

// maintenanceBatch bounds each write transaction, so a backlog of a million
// rows never holds the write lock for long: other writers get in between.
const maintenanceBatch = 500

// tokenGrace keeps expired links a day longer, so a late click still says
// "this link has expired" (and offers a new one) instead of "not valid".
const tokenGrace = 24 * time.Hour

// Report is what one maintenance pass did.
type Report struct {
	Expired         int           `json:"expired"`          // unverified requests expired and purged
	Purged          int           `json:"purged"`           // rejected (or older expired) requests purged
	TokensDeleted   int64         `json:"tokens_deleted"`   // expired link tokens
	SessionsDeleted int64         `json:"sessions_deleted"` // ended customer sessions
	Batches         int           `json:"batches"`          // write transactions used
	Took            time.Duration `json:"took_ns"`
}

// Maintain runs one pass of expiry and retention: unverified requests past
// request.unverified_lifetime expire and lose their personal data, rejected
// requests past request.rejected_retention are purged, and expired tokens and
// sessions are deleted. Each batch of at most 500 rows is its own transaction.
func (s *Service) Maintain(ctx context.Context) (Report, error) {
	return s.maintain(ctx, maintenanceBatch)
}

func (s *Service) maintain(ctx context.Context, batch int) (Report, error) {
	start := time.Now()
	var rep Report
	p, err := s.Params(ctx, s.db.Read())
	if err != nil {
		return rep, fmt.Errorf("maintenance: %w", err)
	}
	now := s.now()
	ttl := p.Duration(ParamUnverifiedTTL)
	expireBefore := now.Add(-ttl)
	detail := "not activated within " + humanDuration(ttl) + "; personal data removed"
	for {
		n, err := s.maintainBatch(ctx, func(tx *store.Tx) ([]store.Request, error) {
			return tx.RequestsToExpire(ctx, expireBefore, batch)
		}, func(tx *store.Tx, r store.Request) error {
			_, err := s.transition(ctx, tx, r, 0, EventExpire,
				store.RequestChange{Actor: MaintenanceActor}, detail)
			return err
		})
		rep.Expired += n
		if n > 0 {
			rep.Batches++
		}
		if err != nil {
			return rep, fmt.Errorf("maintenance: expire: %w", err)
		}
		if n < batch {
			break
		}
	}
	retention := p.Duration(ParamRejectedRetention)
	for _, status := range []domain.RequestStatus{domain.Rejected, domain.Expired} {
		purgeDetail := "personal data removed after " + humanDuration(retention)
		if status == domain.Expired {
			purgeDetail = "personal data of an expired request removed"
		}
		for {
			n, err := s.maintainBatch(ctx, func(tx *store.Tx) ([]store.Request, error) {
				return tx.RequestsToPurge(ctx, status, now.Add(-retention), batch)
			}, func(tx *store.Tx, r store.Request) error {
				return audit(ctx, tx, MaintenanceActor, store.EntityRequest, r.Number, "purge", purgeDetail)
			})
			rep.Purged += n
			if n > 0 {
				rep.Batches++
			}
			if err != nil {
				return rep, fmt.Errorf("maintenance: purge %s: %w", status, err)
			}
			if n < batch {
				break
			}
		}
	}
	idle := p.Duration(ParamSessionIdle)
	for {
		var tokens, sessions int64
		var scrubbed int
		err := s.db.WithTx(ctx, func(tx *store.Tx) error {
			// Links of mail no longer queued, and links older versions
			// wrote into delivered mail, go: a link exists only until sent.
			if _, err := tx.DropStaleMailLinks(ctx); err != nil {
				return err
			}
			var err error
			if scrubbed, err = tx.ScrubDeliveredLinks(ctx, batch); err != nil {
				return err
			}
			if tokens, err = tx.DeleteExpiredTokens(ctx, now.Add(-tokenGrace), batch); err != nil {
				return err
			}
			// Link requests only matter to the hourly limits.
			if _, err = tx.DeleteOldLinkRequests(ctx, now.Add(-tokenGrace), batch); err != nil {
				return err
			}
			// A full rate-limit bucket is as good as none.
			if _, err = tx.DeleteFullRateBuckets(ctx, now, batch); err != nil {
				return err
			}
			sessions, err = tx.DeleteExpiredSessions(ctx, now, now.Add(-idle), batch)
			return err
		})
		if err != nil {
			return rep, fmt.Errorf("maintenance: delete expired tokens and sessions: %w", err)
		}
		rep.Batches++
		rep.TokensDeleted += tokens
		rep.SessionsDeleted += sessions
		if tokens < int64(batch) && sessions < int64(batch) && scrubbed < batch {
			break
		}
	}
	rep.Took = time.Since(start)
	if rep.Expired+rep.Purged > 0 || rep.TokensDeleted+rep.SessionsDeleted > 0 {
		s.log.Info("maintenance", "expired", rep.Expired, "purged", rep.Purged,
			"tokens_deleted", rep.TokensDeleted, "sessions_deleted", rep.SessionsDeleted,
			"batches", rep.Batches, "took", rep.Took)
	}
	return rep, nil
}

// maintainBatch applies step (a transition or an audit row) and the purge to
// each request pick returns, in one transaction, and says how many it did.
func (s *Service) maintainBatch(ctx context.Context, pick func(*store.Tx) ([]store.Request, error),
	step func(*store.Tx, store.Request) error) (int, error) {
	n := 0
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		rs, err := pick(tx)
		if err != nil {
			return err
		}
		for _, r := range rs {
			if err := step(tx, r); err != nil {
				return err
			}
			if err := tx.PurgeRequest(ctx, r); err != nil {
				return err
			}
		}
		n = len(rs)
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// RunMaintenance runs Maintain at once and then every interval until ctx
// ends; a failed pass is logged and retried at the next tick.
func RunMaintenance(ctx context.Context, s *Service, interval time.Duration) error {
	return every(ctx, interval, func() {
		if _, err := s.Maintain(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("maintenance failed", "err", err)
		}
	})
}

// every calls fn now and then at each tick until ctx ends.
func every(ctx context.Context, interval time.Duration, fn func()) error {
	if interval <= 0 {
		return fmt.Errorf("workflow: interval must be positive, not %s", interval)
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		fn()
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

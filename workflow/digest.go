package workflow

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow/domain"
)

// digestListed caps the requests named in one digest mail; the count covers all.
const digestListed = 50

// digestScan caps the newly verified requests read per digest; more wait for
// the next one.
const digestScan = 5000

// DigestReport is what SendDigest did.
type DigestReport struct {
	Due        bool     // the interval had passed since the last digest
	Requests   int      // newly verified requests still waiting for review
	Recipients []string // approvers mailed
}

// SendDigest queues one mail per approver with an email address listing the
// requests verified since the last digest that still wait for review. It
// does nothing until notify.digest_interval has passed since the last one,
// and sends nothing (and keeps the mark) when nothing new is waiting.
func (s *Service) SendDigest(ctx context.Context) (DigestReport, error) {
	var rep DigestReport
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		rep = DigestReport{}
		p, err := s.Params(ctx, &tx.Queries)
		if err != nil {
			return err
		}
		st, err := tx.GetDigestState(ctx)
		if err != nil {
			return err
		}
		now := s.now()
		if !st.LastSentAt.IsZero() && now.Sub(st.LastSentAt) < p.Duration(ParamDigestInterval) {
			return nil
		}
		rep.Due = true
		rs, err := tx.VerifiedSince(ctx, st.VerifiedAt, st.RequestID, digestScan)
		if err != nil || len(rs) == 0 {
			return err
		}
		var waiting []store.Request
		for _, r := range rs {
			if r.Status == domain.Verified {
				waiting = append(waiting, r)
			}
		}
		last := rs[len(rs)-1]
		next := store.DigestState{LastSentAt: st.LastSentAt, VerifiedAt: *last.VerifiedAt, RequestID: last.ID}
		if len(waiting) == 0 {
			// Everything new was decided already: move the mark, mail nobody.
			return tx.SetDigestState(ctx, next)
		}
		approvers, err := tx.Approvers(ctx)
		if err != nil {
			return err
		}
		d := digestData(waiting)
		for _, a := range approvers {
			if a.Email == "" {
				continue
			}
			if err := s.queueMail(ctx, tx, p, "digest", ParamTmplDigest, "digest:"+a.Name, a.Email, d); err != nil {
				return err
			}
			rep.Recipients = append(rep.Recipients, a.Name)
		}
		if len(rep.Recipients) == 0 {
			// Nobody to tell: keep the mark, so an approver who adds an
			// address hears about what is waiting.
			return nil
		}
		rep.Requests = len(waiting)
		next.LastSentAt = now
		return tx.SetDigestState(ctx, next)
	})
	if err != nil {
		return DigestReport{}, fmt.Errorf("digest: %w", err)
	}
	if len(rep.Recipients) > 0 {
		s.log.Info("digest queued", "requests", rep.Requests, "approvers", len(rep.Recipients))
	}
	return rep, nil
}

func digestData(rs []store.Request) MailData {
	d := MailData{Count: len(rs)}
	for i, r := range rs {
		d.Numbers = append(d.Numbers, r.Number)
		if i < digestListed {
			contact := strings.TrimSpace(r.FirstName + " " + r.LastName)
			d.Lines = append(d.Lines, fmt.Sprintf("%s  %s, %s (%s)", r.Number, r.CompanyName, contact, r.Country))
		}
	}
	if more := len(rs) - digestListed; more > 0 {
		d.Lines = append(d.Lines, fmt.Sprintf("… and %d more", more))
	}
	return d
}

// VerifiedSince lists requests verified after t that still wait for review,
// oldest first, at most limit: what a running Registration screen announces
// ("3 new requests to review").
func (s *Service) VerifiedSince(ctx context.Context, t time.Time, limit int) ([]store.Request, error) {
	rs, err := s.db.Read().VerifiedSince(ctx, t, 1<<62, limit)
	if err != nil {
		return nil, err
	}
	out := rs[:0]
	for _, r := range rs {
		if r.Status == domain.Verified {
			out = append(out, r)
		}
	}
	return out, nil
}

// RunDigest calls SendDigest every tick until ctx ends; the digest interval
// itself is the parameter, read each time, so a tick of a minute is enough.
func RunDigest(ctx context.Context, s *Service, tick time.Duration) error {
	return every(ctx, tick, func() {
		if _, err := s.SendDigest(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("digest failed", "err", err)
		}
	})
}

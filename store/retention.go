package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/regdesk/regdesk/workflow/domain"
)

// Erased replaces personal data in mail subjects and audit details.
const Erased = "[erased]"

// RequestsToExpire returns up to limit unverified requests created before t,
// oldest first.
func (q *Queries) RequestsToExpire(ctx context.Context, t time.Time, limit int) ([]Request, error) {
	return q.requestsWhere(ctx, "requests to expire", `r.status = ? AND r.created_at < ?
		ORDER BY r.created_at, r.id LIMIT ?`, domain.Requested, t.UnixMilli(), limit)
}

// RequestsToPurge returns up to limit requests in status (rejected or
// expired) that still hold personal data and were decided before t (for
// expired requests, which have no decision, any time), oldest first.
func (q *Queries) RequestsToPurge(ctx context.Context, status domain.RequestStatus, t time.Time, limit int) ([]Request, error) {
	if status == domain.Expired {
		return q.requestsWhere(ctx, "requests to purge", `r.status = ? AND r.purged_at IS NULL
			ORDER BY r.status, r.decided_at, r.id LIMIT ?`, status, limit)
	}
	return q.requestsWhere(ctx, "requests to purge", `r.status = ? AND r.purged_at IS NULL
		AND r.decided_at < ? ORDER BY r.status, r.decided_at, r.id LIMIT ?`, status, t.UnixMilli(), limit)
}

// VerifiedSince returns up to limit requests verified after the position
// (verified_at, id), in the order they were verified, whatever their status now.
func (q *Queries) VerifiedSince(ctx context.Context, after time.Time, afterID int64, limit int) ([]Request, error) {
	return q.requestsWhere(ctx, "verified requests", `r.verified_at IS NOT NULL
		AND (r.verified_at, r.id) > (?, ?) ORDER BY r.verified_at, r.id LIMIT ?`,
		after.UnixMilli(), afterID, limit)
}

func (q *Queries) requestsWhere(ctx context.Context, what, where string, args ...any) ([]Request, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+requestColumns+requestFrom+` WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, mapErr(err))
	}
	defer rows.Close()
	var out []Request
	for rows.Next() {
		r, err := scanRequest(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, mapErr(err))
	}
	return out, nil
}

// PurgeRequest removes the personal data held about a request that did not
// become a customer: the prospect's fields are emptied (the number, status,
// timestamps, decision and reason code stay), the search index keeps only the
// number, its tokens are deleted, its mail loses address, subject and bodies
// (mail still queued is not sent), its webhook events lose their payloads
// (deliveries still queued are not sent), and the address and client IP are masked
// in its audit trail. A request with a customer is refused with ErrConflict:
// its contact and login belong to the customer now.
func (q *Queries) PurgeRequest(ctx context.Context, r Request) error {
	now := q.nowMS()
	res, err := q.q.ExecContext(ctx, `UPDATE customer_requests SET company_name = '', tax_id = '',
		street = '', city = '', state = '', postal_code = '', country = '', first_name = '',
		last_name = '', job_title = '', email = '', phone = '', language = '', username = '',
		password_hash = '', reject_comment = '', source_ip = '', source_net = '', purged_at = ?,
		version = version + 1, updated_at = ? WHERE id = ? AND customer_id IS NULL`, now, now, r.ID)
	if err != nil {
		return fmt.Errorf("store: purge request %s: %w", r.Number, mapErr(err))
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("store: purge request %s: %w", r.Number, ErrConflict)
	}
	if err := q.unindexRequest(ctx, r.ID); err != nil {
		return err
	}
	if err := q.indexRequests(ctx, r.ID, r.ID); err != nil {
		return err
	}
	if _, err := q.q.ExecContext(ctx, `DELETE FROM tokens WHERE request_id = ?`, r.ID); err != nil {
		return fmt.Errorf("store: purge request %s tokens: %w", r.Number, mapErr(err))
	}
	known := ""
	if r.Email != "" {
		known = "known:" + strings.ToLower(r.Email)
	}
	if _, err := q.q.ExecContext(ctx, `DELETE FROM outbox_links WHERE outbox_id IN
		(SELECT id FROM outbox WHERE ref IN (?, ?) AND ref <> '')`, r.Number, known); err != nil {
		return fmt.Errorf("store: purge request %s mail links: %w", r.Number, mapErr(err))
	}
	if _, err := q.q.ExecContext(ctx, `UPDATE outbox SET
		last_error = CASE WHEN status = 'queued' THEN 'personal data erased before delivery'
			ELSE last_error END,
		status = CASE WHEN status = 'queued' THEN 'failed' ELSE status END,
		to_addr = '', subject = ?, text_body = '', html_body = '',
		ref = CASE WHEN ref = ? THEN ref ELSE '' END, updated_at = ?
		WHERE ref IN (?, ?) AND ref <> ''`, Erased, r.Number, now, r.Number, known); err != nil {
		return fmt.Errorf("store: purge request %s mail: %w", r.Number, mapErr(err))
	}
	if err := q.eraseEvents(ctx, r.Number); err != nil {
		return err
	}
	if _, err := q.q.ExecContext(ctx, `UPDATE audit SET detail =
		replace(replace(detail, ?, ?), ?, ?) WHERE entity = ? AND ref = ?`,
		r.Email, Erased, r.SourceIP, Erased, EntityRequest, r.Number); err != nil {
		return fmt.Errorf("store: purge request %s audit: %w", r.Number, mapErr(err))
	}
	return nil
}

// TokensOfRequest lists a request's tokens (metadata; the hash stays inside).
func (q *Queries) TokensOfRequest(ctx context.Context, requestID int64) ([]Token, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id, kind, created_at, expires_at, used_at
		FROM tokens WHERE request_id = ? ORDER BY id`, requestID)
	if err != nil {
		return nil, fmt.Errorf("store: tokens of request #%d: %w", requestID, mapErr(err))
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		t := Token{RequestID: &requestID}
		var created, expires int64
		var used *int64
		if err := rows.Scan(&t.ID, &t.Kind, &created, &expires, &used); err != nil {
			return nil, fmt.Errorf("store: tokens of request #%d: %w", requestID, mapErr(err))
		}
		t.CreatedAt, t.ExpiresAt = ms(created), ms(expires)
		if used != nil {
			u := ms(*used)
			t.UsedAt = &u
		}
		out = append(out, t)
	}
	return out, mapErr(rows.Err())
}

// ContactOfRequest returns the contact person created from a request.
func (q *Queries) ContactOfRequest(ctx context.Context, requestID int64) (Contact, error) {
	c, err := scanContact(q.q.QueryRowContext(ctx,
		`SELECT `+contactColumns+` FROM contact_persons WHERE request_id = ?`, requestID))
	if err != nil {
		return c, fmt.Errorf("store: contact of request #%d: %w", requestID, err)
	}
	return c, nil
}

// UserRequestOfRequest returns the user request created from a request.
func (q *Queries) UserRequestOfRequest(ctx context.Context, requestID int64) (UserRequest, error) {
	u, err := scanUserRequest(q.q.QueryRowContext(ctx,
		`SELECT `+userRequestColumns+userRequestFrom+` WHERE u.request_id = ?`, requestID))
	if err != nil {
		return u, fmt.Errorf("store: user request of request #%d: %w", requestID, err)
	}
	return u, nil
}

// UserRequestCounts is the number of user requests in each status present.
func (q *Queries) UserRequestCounts(ctx context.Context) (map[domain.UserRequestStatus]int64, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT status, count(*) FROM user_requests GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("store: user request counts: %w", mapErr(err))
	}
	defer rows.Close()
	out := map[domain.UserRequestStatus]int64{}
	for rows.Next() {
		var s domain.UserRequestStatus
		var n int64
		if err := rows.Scan(&s, &n); err != nil {
			return nil, fmt.Errorf("store: user request counts: %w", mapErr(err))
		}
		out[s] = n
	}
	return out, mapErr(rows.Err())
}

// DigestState is when the approvers' digest was last queued and the last
// verified request it covered.
type DigestState struct {
	LastSentAt time.Time // zero before the first digest
	VerifiedAt time.Time // high-water mark: (VerifiedAt, RequestID)
	RequestID  int64
}

// GetDigestState reads the digest bookkeeping.
func (q *Queries) GetDigestState(ctx context.Context) (DigestState, error) {
	var s DigestState
	var sent, verified int64
	err := q.q.QueryRowContext(ctx, `SELECT last_sent_at, verified_at, request_id
		FROM digest_state WHERE id = 1`).Scan(&sent, &verified, &s.RequestID)
	if err != nil {
		return s, fmt.Errorf("store: digest state: %w", mapErr(err))
	}
	if sent > 0 {
		s.LastSentAt = ms(sent)
	}
	if verified > 0 {
		s.VerifiedAt = ms(verified)
	}
	return s, nil
}

// SetDigestState records a digest; call it in the transaction that queues it.
func (q *Queries) SetDigestState(ctx context.Context, s DigestState) error {
	var sent, verified int64
	if !s.LastSentAt.IsZero() {
		sent = s.LastSentAt.UnixMilli()
	}
	if !s.VerifiedAt.IsZero() {
		verified = s.VerifiedAt.UnixMilli()
	}
	_, err := q.q.ExecContext(ctx, `UPDATE digest_state SET last_sent_at = ?, verified_at = ?,
		request_id = ? WHERE id = 1`, sent, verified, s.RequestID)
	if err != nil {
		return fmt.Errorf("store: set digest state: %w", mapErr(err))
	}
	return nil
}

// DecisionCounts counts the approve and reject actions ever taken on
// customer requests, from the audit trail (which purges never shorten).
func (q *Queries) DecisionCounts(ctx context.Context) (approved, rejected int64, err error) {
	err = q.q.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM audit WHERE entity = ? AND action = 'approve'),
		(SELECT count(*) FROM audit WHERE entity = ? AND action = 'reject')`,
		EntityRequest, EntityRequest).Scan(&approved, &rejected)
	if err != nil {
		return 0, 0, fmt.Errorf("store: decision counts: %w", mapErr(err))
	}
	return approved, rejected, nil
}

package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Mail statuses.
const (
	MailQueued = "queued"
	MailSent   = "sent"
	MailFailed = "failed"
)

// Mail is a message in the outbox, written in the transaction of the change
// that caused it and delivered afterwards by the mail worker.
type Mail struct {
	ID        int64
	MessageID string
	Kind      string
	Ref       string
	To        string
	Subject   string
	Text      string
	HTML      string
	Status    string
	Attempts  int
	LastError string
	CreatedAt time.Time
	UpdatedAt time.Time
	SentAt    *time.Time
}

const mailColumns = `id, message_id, kind, ref, to_addr, subject, text_body, html_body, status,
	attempts, last_error, created_at, updated_at, sent_at`

func scanMail(s scanner) (Mail, error) {
	var m Mail
	var created, updated int64
	var sent sql.NullInt64
	err := s.Scan(&m.ID, &m.MessageID, &m.Kind, &m.Ref, &m.To, &m.Subject, &m.Text, &m.HTML,
		&m.Status, &m.Attempts, &m.LastError, &created, &updated, &sent)
	m.CreatedAt, m.UpdatedAt, m.SentAt = ms(created), ms(updated), msPtr(sent)
	return m, mapErr(err)
}

// InsertMail queues a message and fills in ID, Status and timestamps.
func (q *Queries) InsertMail(ctx context.Context, m *Mail) error {
	m.CreatedAt = q.now().UTC()
	m.UpdatedAt, m.Status = m.CreatedAt, MailQueued
	id, err := q.insertID(ctx, `INSERT INTO outbox (message_id, kind, ref, to_addr, subject,
		text_body, html_body, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.MessageID, m.Kind, m.Ref, m.To, m.Subject, m.Text, m.HTML, m.Status,
		m.CreatedAt.UnixMilli(), m.UpdatedAt.UnixMilli())
	if err != nil {
		return fmt.Errorf("store: queue %s mail: %w", m.Kind, mapErr(err))
	}
	m.ID = id
	return nil
}

// MailByID returns one outbox message.
func (q *Queries) MailByID(ctx context.Context, id int64) (Mail, error) {
	m, err := scanMail(q.q.QueryRowContext(ctx, `SELECT `+mailColumns+` FROM outbox WHERE id = ?`, id))
	if err != nil {
		return m, fmt.Errorf("store: mail #%d: %w", id, err)
	}
	return m, nil
}

// ListMail selects outbox messages, newest first.
type ListMail struct {
	Status   string
	Ref      string
	BeforeID int64 // 0 starts at the newest
	// Oldest lists in queue order, oldest first, instead of newest first.
	Oldest bool
	Limit  int // 0 means every row
}

// Mails returns one page of the outbox.
func (q *Queries) Mails(ctx context.Context, p ListMail) ([]Mail, error) {
	query := `SELECT ` + mailColumns + ` FROM outbox WHERE 1 = 1`
	var args []any
	if p.Status != "" {
		query += ` AND status = ?`
		args = append(args, p.Status)
	}
	if p.Ref != "" {
		query += ` AND ref = ?`
		args = append(args, p.Ref)
	}
	if p.BeforeID > 0 {
		query += ` AND id < ?`
		args = append(args, p.BeforeID)
	}
	if p.Oldest {
		query += ` ORDER BY id`
	} else {
		query += ` ORDER BY id DESC`
	}
	if p.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, p.Limit)
	}
	out, err := queryAll(ctx, q.q, scanMail, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: mail: %w", err)
	}
	return out, nil
}

// MarkMailSent records a delivery; it returns ErrConflict if the message was
// not queued (already sent), so a retried job never sends twice.
func (q *Queries) MarkMailSent(ctx context.Context, id int64) error {
	now := q.nowMS()
	res, err := q.q.ExecContext(ctx, `UPDATE outbox SET status = 'sent', attempts = attempts + 1,
		last_error = '', sent_at = ?, updated_at = ? WHERE id = ? AND status = 'queued'`, now, now, id)
	if err != nil {
		return fmt.Errorf("store: mark mail #%d sent: %w", id, mapErr(err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("store: mark mail #%d sent: %w", id, ErrConflict)
	}
	return nil
}

// MarkMailAttempt records a failed delivery attempt; final marks it failed.
func (q *Queries) MarkMailAttempt(ctx context.Context, id int64, errText string, final bool) error {
	status := MailQueued
	if final {
		status = MailFailed
	}
	_, err := q.q.ExecContext(ctx, `UPDATE outbox SET status = ?, attempts = attempts + 1,
		last_error = ?, updated_at = ? WHERE id = ? AND status = 'queued'`,
		status, errText, q.nowMS(), id)
	if err != nil {
		return fmt.Errorf("store: mark mail #%d attempt: %w", id, mapErr(err))
	}
	return nil
}

// RequeueMail puts a failed message back in the queue.
func (q *Queries) RequeueMail(ctx context.Context, id int64) error {
	res, err := q.q.ExecContext(ctx, `UPDATE outbox SET status = 'queued', updated_at = ?
		WHERE id = ? AND status = 'failed'`, q.nowMS(), id)
	if err != nil {
		return fmt.Errorf("store: requeue mail #%d: %w", id, mapErr(err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("store: requeue mail #%d: %w", id, ErrConflict)
	}
	return nil
}

// MailCounts is the number of outbox messages in each status.
func (q *Queries) MailCounts(ctx context.Context) (map[string]int64, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT status, count(*) FROM outbox GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("store: mail counts: %w", mapErr(err))
	}
	defer rows.Close()
	out := map[string]int64{MailQueued: 0, MailSent: 0, MailFailed: 0}
	for rows.Next() {
		var s string
		var n int64
		if err := rows.Scan(&s, &n); err != nil {
			return nil, fmt.Errorf("store: mail counts: %w", mapErr(err))
		}
		out[s] = n
	}
	return out, mapErr(rows.Err())
}

// QueuedMailIDs returns up to limit ids of queued messages after afterID, in
// id order, for the worker's start-up sweep.
func (q *Queries) QueuedMailIDs(ctx context.Context, afterID int64, limit int) ([]int64, error) {
	return ids(ctx, q.q, `SELECT id FROM outbox WHERE status = 'queued' AND id > ? ORDER BY id LIMIT ?`,
		afterID, limit)
}

// ids runs a query that selects one integer column.
func ids(ctx context.Context, q querier, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: ids: %w", mapErr(err))
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: ids: %w", mapErr(err))
		}
		out = append(out, id)
	}
	return out, mapErr(rows.Err())
}

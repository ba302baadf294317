package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Audit entities of the integration interface.
const (
	EntityWebhook  = "webhook"
	EntityAPIToken = "api_token"
)

// Webhook delivery statuses.
const (
	DeliveryQueued    = "queued"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// WebhookEndpoint is a URL that receives the events it subscribed to.
type WebhookEndpoint struct {
	ID        int64
	URL       string
	Events    []string
	Secret    string
	CreatedAt time.Time
	CreatedBy string
}

// Subscribes reports whether the endpoint wants events of type typ.
func (e WebhookEndpoint) Subscribes(typ string) bool {
	for _, x := range e.Events {
		if x == typ {
			return true
		}
	}
	return false
}

const endpointColumns = `id, url, events, secret, created_at, created_by`

func scanEndpoint(s scanner) (WebhookEndpoint, error) {
	var e WebhookEndpoint
	var events string
	var created int64
	err := s.Scan(&e.ID, &e.URL, &events, &e.Secret, &created, &e.CreatedBy)
	if events != "" {
		e.Events = strings.Split(events, ",")
	}
	e.CreatedAt = ms(created)
	return e, mapErr(err)
}

// InsertWebhookEndpoint stores an endpoint and fills in ID and CreatedAt.
func (q *Queries) InsertWebhookEndpoint(ctx context.Context, e *WebhookEndpoint) error {
	e.CreatedAt = q.now().UTC()
	err := q.q.QueryRowContext(ctx, `INSERT INTO webhook_endpoints (url, events, secret, created_at,
		created_by) VALUES (?, ?, ?, ?, ?) RETURNING id`, e.URL, strings.Join(e.Events, ","), e.Secret,
		e.CreatedAt.UnixMilli(), e.CreatedBy).Scan(&e.ID)
	if err != nil {
		return fmt.Errorf("store: add webhook: %w", mapErr(err))
	}
	return nil
}

// WebhookEndpointByID returns one endpoint.
func (q *Queries) WebhookEndpointByID(ctx context.Context, id int64) (WebhookEndpoint, error) {
	e, err := scanEndpoint(q.q.QueryRowContext(ctx,
		`SELECT `+endpointColumns+` FROM webhook_endpoints WHERE id = ?`, id))
	if err != nil {
		return e, fmt.Errorf("store: webhook #%d: %w", id, err)
	}
	return e, nil
}

// WebhookEndpoints returns every endpoint in the order they were added.
func (q *Queries) WebhookEndpoints(ctx context.Context) ([]WebhookEndpoint, error) {
	out, err := queryAll(ctx, q.q, scanEndpoint, `SELECT `+endpointColumns+` FROM webhook_endpoints ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: webhooks: %w", err)
	}
	return out, nil
}

// DeleteWebhookEndpoint removes an endpoint and its deliveries.
func (q *Queries) DeleteWebhookEndpoint(ctx context.Context, id int64) error {
	res, err := q.q.ExecContext(ctx, `DELETE FROM webhook_endpoints WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("store: remove webhook #%d: %w", id, mapErr(err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("store: remove webhook #%d: %w", id, ErrNotFound)
	}
	return nil
}

// WebhookEvent is something that happened, as sent to receivers.
type WebhookEvent struct {
	ID        int64
	EventID   string // the webhook-id header
	Type      string
	Ref       string // the registration number (or user name) it is about
	Payload   []byte // the JSON body, byte for byte the same on every attempt
	CreatedAt time.Time
}

// InsertWebhookEvent stores an event and fills in ID and CreatedAt.
func (q *Queries) InsertWebhookEvent(ctx context.Context, e *WebhookEvent) error {
	if e.CreatedAt.IsZero() {
		e.CreatedAt = q.now().UTC()
	}
	err := q.q.QueryRowContext(ctx, `INSERT INTO webhook_events (event_id, type, ref, payload,
		created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`, e.EventID, e.Type, e.Ref, string(e.Payload),
		e.CreatedAt.UnixMilli()).Scan(&e.ID)
	if err != nil {
		return fmt.Errorf("store: record %s event: %w", e.Type, mapErr(err))
	}
	return nil
}

// eraseEvents empties the payloads of every event about ref (a purged
// request): the events stay, what they said about the person goes, and
// deliveries still queued fail instead of sending it.
func (q *Queries) eraseEvents(ctx context.Context, ref string) error {
	now := q.nowMS()
	if _, err := q.q.ExecContext(ctx, `UPDATE webhook_deliveries SET status = 'failed',
		last_error = 'personal data erased before delivery', updated_at = ?
		WHERE status = 'queued' AND event_id IN (SELECT id FROM webhook_events WHERE ref = ?)`,
		now, ref); err != nil {
		return fmt.Errorf("store: erase events of %s: %w", ref, mapErr(err))
	}
	if _, err := q.q.ExecContext(ctx, `UPDATE webhook_events SET payload = ? WHERE ref = ?`,
		`{"erased":true}`, ref); err != nil {
		return fmt.Errorf("store: erase events of %s: %w", ref, mapErr(err))
	}
	return nil
}

// Delivery is one event on its way to one endpoint.
type Delivery struct {
	ID           int64
	EventID      int64
	EndpointID   int64
	Status       string
	Attempts     int
	LastError    string
	ResponseCode int
	CreatedAt    time.Time
	UpdatedAt    time.Time
	DeliveredAt  *time.Time
	// Joined.
	Event WebhookEvent
	URL   string
}

const deliveryColumns = `d.id, d.event_id, d.endpoint_id, d.status, d.attempts, d.last_error,
	d.response_code, d.created_at, d.updated_at, d.delivered_at, e.event_id, e.type, e.ref,
	e.payload, e.created_at, w.url`

const deliveryFrom = ` FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
	JOIN webhook_endpoints w ON w.id = d.endpoint_id`

func scanDelivery(s scanner) (Delivery, error) {
	var d Delivery
	var created, updated, evCreated int64
	var delivered sql.NullInt64
	var payload string
	err := s.Scan(&d.ID, &d.EventID, &d.EndpointID, &d.Status, &d.Attempts, &d.LastError,
		&d.ResponseCode, &created, &updated, &delivered, &d.Event.EventID, &d.Event.Type,
		&d.Event.Ref, &payload, &evCreated, &d.URL)
	d.Event.ID, d.Event.Payload = d.EventID, []byte(payload)
	d.CreatedAt, d.UpdatedAt, d.DeliveredAt = ms(created), ms(updated), msPtr(delivered)
	d.Event.CreatedAt = ms(evCreated)
	return d, mapErr(err)
}

// InsertDelivery queues an event for an endpoint and fills in ID.
func (q *Queries) InsertDelivery(ctx context.Context, d *Delivery) error {
	now := q.now().UTC()
	d.CreatedAt, d.UpdatedAt, d.Status = now, now, DeliveryQueued
	err := q.q.QueryRowContext(ctx, `INSERT INTO webhook_deliveries (event_id, endpoint_id, status,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id`, d.EventID, d.EndpointID,
		d.Status, now.UnixMilli(), now.UnixMilli()).Scan(&d.ID)
	if err != nil {
		return fmt.Errorf("store: queue delivery: %w", mapErr(err))
	}
	return nil
}

// DeliveryByID returns one delivery with its event and URL.
func (q *Queries) DeliveryByID(ctx context.Context, id int64) (Delivery, error) {
	d, err := scanDelivery(q.q.QueryRowContext(ctx, `SELECT `+deliveryColumns+deliveryFrom+` WHERE d.id = ?`, id))
	if err != nil {
		return d, fmt.Errorf("store: delivery #%d: %w", id, err)
	}
	return d, nil
}

// ListDeliveries selects deliveries, newest first.
type ListDeliveries struct {
	Status     string
	EndpointID int64
	BeforeID   int64 // 0 starts at the newest
	Limit      int   // 0 means every row
}

// Deliveries returns one page of deliveries, newest first.
func (q *Queries) Deliveries(ctx context.Context, p ListDeliveries) ([]Delivery, error) {
	query := `SELECT ` + deliveryColumns + deliveryFrom + ` WHERE 1 = 1`
	var args []any
	if p.Status != "" {
		query += ` AND d.status = ?`
		args = append(args, p.Status)
	}
	if p.EndpointID != 0 {
		query += ` AND d.endpoint_id = ?`
		args = append(args, p.EndpointID)
	}
	if p.BeforeID > 0 {
		query += ` AND d.id < ?`
		args = append(args, p.BeforeID)
	}
	query += ` ORDER BY d.id DESC`
	if p.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, p.Limit)
	}
	out, err := queryAll(ctx, q.q, scanDelivery, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: deliveries: %w", err)
	}
	return out, nil
}

// DeliveryAttempt is the outcome of one try.
type DeliveryAttempt struct {
	ID           int64
	Delivered    bool
	Final        bool // no more tries: the delivery fails
	ResponseCode int
	Error        string
}

// RecordDeliveryAttempt counts a try on a queued delivery; it returns
// ErrConflict when the delivery was not queued (a duplicate job).
func (q *Queries) RecordDeliveryAttempt(ctx context.Context, a DeliveryAttempt) error {
	now := q.nowMS()
	status, delivered := DeliveryQueued, sql.NullInt64{}
	switch {
	case a.Delivered:
		status, delivered = DeliveryDelivered, sql.NullInt64{Int64: now, Valid: true}
	case a.Final:
		status = DeliveryFailed
	}
	res, err := q.q.ExecContext(ctx, `UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1,
		last_error = ?, response_code = ?, updated_at = ?, delivered_at = ?
		WHERE id = ? AND status = 'queued'`, status, a.Error, a.ResponseCode, now, delivered, a.ID)
	if err != nil {
		return fmt.Errorf("store: record delivery #%d: %w", a.ID, mapErr(err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("store: record delivery #%d: %w", a.ID, ErrConflict)
	}
	return nil
}

// RequeueDelivery puts a failed delivery back in the queue.
func (q *Queries) RequeueDelivery(ctx context.Context, id int64) error {
	res, err := q.q.ExecContext(ctx, `UPDATE webhook_deliveries SET status = 'queued', updated_at = ?
		WHERE id = ? AND status = 'failed'`, q.nowMS(), id)
	if err != nil {
		return fmt.Errorf("store: requeue delivery #%d: %w", id, mapErr(err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("store: requeue delivery #%d: %w", id, ErrConflict)
	}
	return nil
}

// QueuedDeliveryIDs returns up to limit ids of queued deliveries after
// afterID, for the job queue's sweep.
func (q *Queries) QueuedDeliveryIDs(ctx context.Context, afterID int64, limit int) ([]int64, error) {
	return ids(ctx, q.q, `SELECT id FROM webhook_deliveries WHERE status = 'queued' AND id > ?
		ORDER BY id LIMIT ?`, afterID, limit)
}

// DeliveryCounts is the number of deliveries in each status.
func (q *Queries) DeliveryCounts(ctx context.Context) (map[string]int64, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT status, count(*) FROM webhook_deliveries GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("store: delivery counts: %w", mapErr(err))
	}
	defer rows.Close()
	out := map[string]int64{DeliveryQueued: 0, DeliveryDelivered: 0, DeliveryFailed: 0}
	for rows.Next() {
		var s string
		var n int64
		if err := rows.Scan(&s, &n); err != nil {
			return nil, fmt.Errorf("store: delivery counts: %w", mapErr(err))
		}
		out[s] = n
	}
	return out, mapErr(rows.Err())
}

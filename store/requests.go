package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"net/netip"
	"strings"
	"time"

	"github.com/regdesk/regdesk/workflow/domain"
)

// Request is a customer request: a prospect's sign-up and its review.
type Request struct {
	ID            int64
	Number        string
	Status        domain.RequestStatus
	Version       int64
	CompanyName   string
	TaxID         string
	Street        string
	City          string
	State         string
	PostalCode    string
	Country       string
	FirstName     string
	LastName      string
	JobTitle      string
	Email         string
	Phone         string
	Language      string
	Username      string
	PasswordHash  string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	VerifiedAt    *time.Time
	DecidedAt     *time.Time
	DecidedBy     string
	RejectReason  string
	RejectComment string
	CustomerID    *int64
	// CustomerAccount is the created customer's account number, if any.
	CustomerAccount string
	SourceIP        string
	// PurgedAt is when the personal data was removed (expiry, retention or
	// an erasure request); nil while it is held.
	PurgedAt *time.Time
	// TermsVersion is the version of the terms and conditions accepted at
	// sign-up, and TermsAcceptedAt when; "" and nil when none were asked for.
	TermsVersion    string
	TermsAcceptedAt *time.Time
	// RiskScore (0–100) and RiskFlags (signal codes, comma-separated) are
	// the workflow's risk assessment, kept so the queue can filter by it.
	RiskScore int
	RiskFlags string
}

// Field is the request's value for a field named as in the sign-up form
// (and the column), or nil for a name that is not one of its fields.
func (r *Request) Field(name string) *string {
	switch name {
	case domain.FieldCompanyName:
		return &r.CompanyName
	case domain.FieldTaxID:
		return &r.TaxID
	case domain.FieldStreet:
		return &r.Street
	case domain.FieldCity:
		return &r.City
	case domain.FieldState:
		return &r.State
	case domain.FieldPostalCode:
		return &r.PostalCode
	case domain.FieldCountry:
		return &r.Country
	case domain.FieldFirstName:
		return &r.FirstName
	case domain.FieldLastName:
		return &r.LastName
	case domain.FieldJobTitle:
		return &r.JobTitle
	case domain.FieldEmail:
		return &r.Email
	case domain.FieldPhone:
		return &r.Phone
	case domain.FieldLanguage:
		return &r.Language
	case domain.FieldUsername:
		return &r.Username
	}
	return nil
}

const requestColumns = `r.id, r.number, r.status, r.version, r.company_name, r.tax_id, r.street,
	r.city, r.state, r.postal_code, r.country, r.first_name, r.last_name, r.job_title, r.email,
	r.phone, r.language, r.username, r.password_hash, r.created_at, r.updated_at, r.verified_at,
	r.decided_at, r.decided_by, r.reject_reason, r.reject_comment, r.customer_id,
	coalesce(c.account, ''), r.source_ip, r.purged_at, r.terms_version, r.terms_accepted_at,
	r.risk_score, r.risk_flags`

const requestFrom = ` FROM customer_requests r LEFT JOIN customers c ON c.id = r.customer_id`

type scanner interface{ Scan(dest ...any) error }

func scanRequest(s scanner) (Request, error) {
	var r Request
	var created, updated int64
	var verified, decided, customer, purged, terms sql.NullInt64
	err := s.Scan(&r.ID, &r.Number, &r.Status, &r.Version, &r.CompanyName, &r.TaxID, &r.Street,
		&r.City, &r.State, &r.PostalCode, &r.Country, &r.FirstName, &r.LastName, &r.JobTitle,
		&r.Email, &r.Phone, &r.Language, &r.Username, &r.PasswordHash, &created, &updated,
		&verified, &decided, &r.DecidedBy, &r.RejectReason, &r.RejectComment, &customer,
		&r.CustomerAccount, &r.SourceIP, &purged, &r.TermsVersion, &terms, &r.RiskScore, &r.RiskFlags)
	if err != nil {
		return r, mapErr(err)
	}
	r.CreatedAt, r.UpdatedAt = ms(created), ms(updated)
	r.VerifiedAt, r.DecidedAt, r.PurgedAt = msPtr(verified), msPtr(decided), msPtr(purged)
	r.TermsAcceptedAt = msPtr(terms)
	if customer.Valid {
		r.CustomerID = &customer.Int64
	}
	return r, nil
}

// InsertRequest stores a new request; Number, Status and the form fields must
// be set. It fills in ID, Version and the timestamps (CreatedAt is kept when set).
func (q *Queries) InsertRequest(ctx context.Context, r *Request) error {
	now := q.now().UTC()
	if r.CreatedAt.IsZero() {
		r.CreatedAt = now
	}
	r.UpdatedAt, r.Version = now, 1
	n, n48, n56 := Networks(r.SourceIP)
	id, err := q.insertID(ctx, `INSERT INTO customer_requests (number, status, company_name,
		tax_id, street, city, state, postal_code, country, first_name, last_name, job_title, email,
		phone, language, username, password_hash, created_at, updated_at, verified_at, source_ip,
		terms_version, terms_accepted_at, risk_score, risk_flags, source_net, source_net48, source_net56)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Number, r.Status, r.CompanyName, r.TaxID, r.Street, r.City, r.State, r.PostalCode,
		r.Country, r.FirstName, r.LastName, r.JobTitle, r.Email, r.Phone, r.Language, r.Username,
		r.PasswordHash, r.CreatedAt.UnixMilli(), r.UpdatedAt.UnixMilli(), nullTime(r.VerifiedAt),
		r.SourceIP, r.TermsVersion, nullTime(r.TermsAcceptedAt), r.RiskScore, r.RiskFlags, n, n48, n56)
	if err != nil {
		return fmt.Errorf("store: insert request %s: %w", r.Number, mapErr(err))
	}
	r.ID = id
	return q.indexRequests(ctx, r.ID, r.ID)
}

// Networks are the networks a client address is counted in for sign-up
// limits: its /24 (IPv4) or /64 (IPv6), and for IPv6 also its /48 and /56,
// since one site holds a whole /48 of addresses. Empty for no address.
func Networks(ip string) (net, net48, net56 string) {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return "", "", ""
	}
	a = a.Unmap()
	pfx := func(bits int) string {
		p, _ := a.Prefix(bits)
		return p.String()
	}
	if a.Is4() {
		return pfx(24), "", ""
	}
	return pfx(64), pfx(48), pfx(56)
}

// CountLiveUnverified is the number of requests waiting for activation
// whose link still works: a request whose links expired weighs nothing
// on the sign-up pause, though it waits for the expiry pass.
func (q *Queries) CountLiveUnverified(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := q.q.QueryRowContext(ctx, `SELECT count(DISTINCT request_id) FROM tokens
		WHERE kind = 'activation' AND used_at IS NULL AND expires_at > ?`, now.UnixMilli()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count live unverified: %w", mapErr(err))
	}
	return n, nil
}

// CountRecentFromNetworks counts the sign-ups since a time from each of the
// networks Networks returned for one address (0 for an empty one).
func (q *Queries) CountRecentFromNetworks(ctx context.Context, net, net48, net56 string, since time.Time) (n, n48, n56 int, err error) {
	err = q.q.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM customer_requests WHERE source_net = ? AND source_net <> '' AND created_at >= ?),
		(SELECT count(*) FROM customer_requests WHERE source_net48 = ? AND source_net48 <> '' AND created_at >= ?),
		(SELECT count(*) FROM customer_requests WHERE source_net56 = ? AND source_net56 <> '' AND created_at >= ?)`,
		net, since.UnixMilli(), net48, since.UnixMilli(), net56, since.UnixMilli()).Scan(&n, &n48, &n56)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("store: count sign-ups by network: %w", mapErr(err))
	}
	return n, n48, n56, nil
}

// indexRequests adds the requests with ids in [from, to] to the search index.
func (q *Queries) indexRequests(ctx context.Context, from, to int64) error {
	_, err := q.q.ExecContext(ctx, q.d.indexRequests, from, to)
	if err != nil {
		return fmt.Errorf("store: index requests: %w", mapErr(err))
	}
	return nil
}

// unindexRequest removes a request from the search index.
func (q *Queries) unindexRequest(ctx context.Context, id int64) error {
	_, err := q.q.ExecContext(ctx, q.d.unindexRequest, id)
	if err != nil {
		return fmt.Errorf("store: unindex request #%d: %w", id, mapErr(err))
	}
	return nil
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMilli()
}

// RequestByNumber returns the request with that registration number.
func (q *Queries) RequestByNumber(ctx context.Context, number string) (Request, error) {
	r, err := scanRequest(q.q.QueryRowContext(ctx,
		`SELECT `+requestColumns+requestFrom+` WHERE r.number = ?`, number))
	if err != nil {
		return r, fmt.Errorf("store: request %s: %w", number, err)
	}
	return r, nil
}

// RequestByID returns the request with that id.
func (q *Queries) RequestByID(ctx context.Context, id int64) (Request, error) {
	r, err := scanRequest(q.q.QueryRowContext(ctx,
		`SELECT `+requestColumns+requestFrom+` WHERE r.id = ?`, id))
	if err != nil {
		return r, fmt.Errorf("store: request #%d: %w", id, err)
	}
	return r, nil
}

// Cursor is a position in the queue order (oldest first). Requests are
// numbered as they arrive, so the order is the row id's.
type Cursor struct {
	ID int64
}

// CursorOf is the position of r.
func CursorOf(r Request) Cursor { return Cursor{ID: r.ID} }

// ListRequests is a page of requests in queue order.
type ListRequests struct {
	Status domain.RequestStatus // "" for every status
	// Search is what an approver typed: keys (registration number, customer
	// account, user-request number, email) by exact match or prefix, other
	// words as word prefixes of number, company, contact, email or tax id.
	Search string
	// After starts the page after this position; Before ends it before this
	// position (the page is still returned oldest first). At most one is set.
	After, Before *Cursor
	Limit         int // 0 means every row
	// Risky keeps only requests with a risk signal.
	Risky bool
}

// Requests returns one page by key (never OFFSET), so the cost of a page does
// not grow with the table.
func (q *Queries) Requests(ctx context.Context, p ListRequests) ([]Request, error) {
	var where []string
	var args []any
	if p.Status != "" {
		where = append(where, "r.status = ?")
		args = append(args, p.Status)
	}
	if p.Risky {
		// Literally "> 0", the condition of the risky indexes.
		where = append(where, "r.risk_score > 0")
	}
	conds, sargs, match, none, err := q.searchFilter(ctx, p.Search)
	if err != nil {
		return nil, err
	}
	if none {
		return nil, nil // nothing searchable in it: no match
	}
	where = append(where, conds...)
	args = append(args, sargs...)
	// With words to match, the full-text index drives the query: it yields
	// rowids in order, so the page is the first matches, not a sort of all.
	from, key := requestFrom, "r.id"
	switch {
	case match != "":
		// Only the ids between the first and the last request that meet
		// the other conditions can be on the page: the verified queue is
		// the newest few per cent of the ids, so a common word in it is
		// found without walking its matches among the older requests.
		lo, hi, ok, err := q.idBounds(ctx, where, args)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, nil
		}
		if q.d.postgres {
			where = append(where, q.d.searchRequests)
			args = append(args, match, lo, hi)
			break
		}
		// CROSS JOIN keeps the index outermost: it yields rowids in order,
		// so the page is the first matches, not a sort of all of them.
		from = ` FROM request_search s CROSS JOIN customer_requests r ON r.id = s.rowid
			LEFT JOIN customers c ON c.id = r.customer_id`
		key = "s.rowid"
		where = append(where, "s.request_search MATCH ?", "s.rowid BETWEEN ? AND ?")
		args = append(args, match, lo, hi)
	}
	order := "ASC"
	switch {
	case p.After != nil:
		where = append(where, key+" > ?")
		args = append(args, p.After.ID)
	case p.Before != nil:
		where = append(where, key+" < ?")
		args = append(args, p.Before.ID)
		order = "DESC"
	}
	query := `SELECT ` + requestColumns + from
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY " + key + " " + order
	if p.Limit > 0 {
		query += " LIMIT ?"
		args = append(args, p.Limit)
	}
	out, err := queryAll(ctx, q.q, scanRequest, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list requests: %w", err)
	}
	if order == "DESC" {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out, nil
}

// idBounds returns the least and the greatest id of the requests that meet
// the conditions on r (every id when there are none); ok is false when no
// request does. Each is one probe of an index: min and max in separate
// subqueries, so each is a seek to one end.
func (q *Queries) idBounds(ctx context.Context, where []string, args []any) (lo, hi int64, ok bool, err error) {
	if len(where) == 0 {
		return math.MinInt64, math.MaxInt64, true, nil
	}
	cond := strings.Join(where, " AND ")
	var l, h sql.NullInt64
	err = q.q.QueryRowContext(ctx, `SELECT
		(SELECT min(r.id) FROM customer_requests r WHERE `+cond+`),
		(SELECT max(r.id) FROM customer_requests r WHERE `+cond+`)`,
		append(append([]any{}, args...), args...)...).Scan(&l, &h)
	if err != nil {
		return 0, 0, false, fmt.Errorf("store: list requests: %w", mapErr(err))
	}
	return l.Int64, h.Int64, l.Valid && h.Valid, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// RequestCounts is the number of requests in each status, kept by triggers.
func (q *Queries) RequestCounts(ctx context.Context) (map[domain.RequestStatus]int64, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT status, n FROM request_counts`)
	if err != nil {
		return nil, fmt.Errorf("store: request counts: %w", mapErr(err))
	}
	defer rows.Close()
	out := map[domain.RequestStatus]int64{}
	for rows.Next() {
		var s domain.RequestStatus
		var n int64
		if err := rows.Scan(&s, &n); err != nil {
			return nil, fmt.Errorf("store: request counts: %w", mapErr(err))
		}
		out[s] = n
	}
	return out, mapErr(rows.Err())
}

// RequestChange is a conditional update of a request: it applies only when
// the request is still in From at Version, so two approvers acting at once
// produce one outcome. Zero-valued optional fields are left alone.
type RequestChange struct {
	ID         int64
	From, To   domain.RequestStatus
	Version    int64
	Actor      string
	Verified   bool // set verified_at
	Decided    bool // set decided_at and decided_by
	Reason     string
	Comment    string
	CustomerID int64
}

// UpdateRequestStatus applies c or returns ErrConflict when the request moved on.
func (q *Queries) UpdateRequestStatus(ctx context.Context, c RequestChange) error {
	now := q.nowMS()
	set := []string{"status = ?", "version = version + 1", "updated_at = ?"}
	args := []any{c.To, now}
	if c.Verified {
		set = append(set, "verified_at = ?")
		args = append(args, now)
	}
	if c.Decided {
		set = append(set, "decided_at = ?", "decided_by = ?")
		args = append(args, now, c.Actor)
	}
	if c.Reason != "" || c.Comment != "" {
		set = append(set, "reject_reason = ?", "reject_comment = ?")
		args = append(args, c.Reason, c.Comment)
	}
	if c.CustomerID != 0 {
		set = append(set, "customer_id = ?")
		args = append(args, c.CustomerID)
	}
	args = append(args, c.ID, c.From, c.Version)
	res, err := q.q.ExecContext(ctx, `UPDATE customer_requests SET `+strings.Join(set, ", ")+
		` WHERE id = ? AND status = ? AND version = ?`, args...)
	if err != nil {
		return fmt.Errorf("store: update request #%d: %w", c.ID, mapErr(err))
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("store: update request #%d: %w", c.ID, ErrConflict)
	}
	return nil
}

// UsernameTaken reports whether a user, a user request or a confirmed open
// request holds the name. Requests nobody confirmed do not count (nor are
// they revealed): the first to confirm their address gets the name.
func (q *Queries) UsernameTaken(ctx context.Context, username string) (bool, error) {
	var taken bool
	err := q.q.QueryRowContext(ctx, `SELECT
		EXISTS (SELECT 1 FROM users WHERE username = ? COLLATE NOCASE)
		OR EXISTS (SELECT 1 FROM customer_requests WHERE username = ? COLLATE NOCASE
			AND status IN (?, ?))
		OR EXISTS (SELECT 1 FROM user_requests WHERE username = ? COLLATE NOCASE
			AND status NOT IN (?, ?, ?))`,
		username, username, domain.Verified, domain.Approved,
		username, domain.URCompleted, domain.URRejected, domain.URCanceled).Scan(&taken)
	if err != nil {
		return false, fmt.Errorf("store: username taken: %w", mapErr(err))
	}
	return taken, nil
}

// EmailRegistered reports whether an address belongs to a user or to a
// request whose address was confirmed and that is still open. A request
// nobody confirmed does not count: a new sign-up replaces it.
func (q *Queries) EmailRegistered(ctx context.Context, email string) (bool, error) {
	var registered bool
	err := q.q.QueryRowContext(ctx, `SELECT
		EXISTS (SELECT 1 FROM users WHERE email = ? COLLATE NOCASE)
		OR EXISTS (SELECT 1 FROM customer_requests WHERE email = ? COLLATE NOCASE
			AND status IN (?, ?))`, email, email, domain.Verified, domain.Approved).Scan(&registered)
	if err != nil {
		return false, fmt.Errorf("store: email registered: %w", mapErr(err))
	}
	return registered, nil
}

// CountUnverified is the number of requests waiting for activation.
func (q *Queries) CountUnverified(ctx context.Context) (int64, error) {
	var n int64
	err := q.q.QueryRowContext(ctx, `SELECT n FROM request_counts WHERE status = ?`, domain.Requested).Scan(&n)
	return n, mapErr(err)
}

// CountRecentSignups counts requests from one address since a time.
func (q *Queries) CountRecentSignups(ctx context.Context, email string, since time.Time) (int, error) {
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT count(*) FROM customer_requests
		WHERE email = ? COLLATE NOCASE AND created_at >= ?`, email, since.UnixMilli()).Scan(&n)
	return n, mapErr(err)
}

// RequestsByEmail returns the newest requests from an address in a status.
func (q *Queries) RequestsByEmail(ctx context.Context, email string, status domain.RequestStatus, limit int) ([]Request, error) {
	out, err := queryAll(ctx, q.q, scanRequest, `SELECT `+requestColumns+requestFrom+`
		WHERE r.email = ? COLLATE NOCASE AND r.status = ? ORDER BY r.id DESC LIMIT ?`,
		email, status, limit)
	if err != nil {
		return nil, fmt.Errorf("store: requests by email: %w", err)
	}
	return out, nil
}

// SetRequestRisk stores a request's risk score and signal codes.
func (q *Queries) SetRequestRisk(ctx context.Context, id int64, score int, flags string) error {
	_, err := q.q.ExecContext(ctx, `UPDATE customer_requests SET risk_score = ?, risk_flags = ?
		WHERE id = ?`, score, flags, id)
	if err != nil {
		return fmt.Errorf("store: set risk of request #%d: %w", id, mapErr(err))
	}
	return nil
}

// CountNetworkSignups counts requests from a network since a time, leaving
// out the request with id except (0 for none). The network is an IPv4 /24
// or an IPv6 /48, as [Networks] writes them.
func (q *Queries) CountNetworkSignups(ctx context.Context, network string, since time.Time, except int64) (int, error) {
	query := `SELECT count(*) FROM customer_requests
		WHERE source_net = ? AND source_net <> '' AND created_at >= ? AND id <> ?`
	if strings.Contains(network, ":") {
		query = `SELECT count(*) FROM customer_requests
		WHERE source_net48 = ? AND source_net48 <> '' AND created_at >= ? AND id <> ?`
	}
	var n int
	err := q.q.QueryRowContext(ctx, query, network, since.UnixMilli(), except).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count sign-ups from %s: %w", network, mapErr(err))
	}
	return n, nil
}

// RequestEdit changes some of a request's fields, conditionally on its
// status and version like [RequestChange]. Fields maps field names (as
// [Request.Field] knows them) to new values.
type RequestEdit struct {
	ID      int64
	Status  domain.RequestStatus
	Version int64
	Fields  map[string]string
}

// EditRequest applies e and refreshes the request's search entry, or
// returns ErrConflict when the request moved on.
func (q *Queries) EditRequest(ctx context.Context, e RequestEdit) error {
	set := []string{"version = version + 1", "updated_at = ?"}
	args := []any{q.nowMS()}
	var probe Request
	for _, f := range domain.RequestFields() { // a fixed order, and only known columns
		v, ok := e.Fields[f.Name]
		if !ok {
			continue
		}
		if probe.Field(f.Name) == nil {
			return fmt.Errorf("store: edit request #%d: %w", e.ID, ErrInvalid)
		}
		set = append(set, f.Name+" = ?")
		args = append(args, v)
	}
	if len(set) == 2 || len(set)-2 != len(e.Fields) {
		return fmt.Errorf("store: edit request #%d: no known fields: %w", e.ID, ErrInvalid)
	}
	args = append(args, e.ID, e.Status, e.Version)
	res, err := q.q.ExecContext(ctx, `UPDATE customer_requests SET `+strings.Join(set, ", ")+
		` WHERE id = ? AND status = ? AND version = ?`, args...)
	if err != nil {
		return fmt.Errorf("store: edit request #%d: %w", e.ID, mapErr(err))
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("store: edit request #%d: %w", e.ID, ErrConflict)
	}
	if err := q.unindexRequest(ctx, e.ID); err != nil {
		return err
	}
	return q.indexRequests(ctx, e.ID, e.ID)
}

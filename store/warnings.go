package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/regdesk/regdesk/workflow/domain"
)

// Match is an existing record that resembles a request: the same email,
// email domain, company name or tax id.
type Match struct {
	Field  string // "email", "domain", "company_name", "tax_id"
	Entity string // EntityCustomer or EntityRequest
	Ref    string // account or registration number
	Name   string // company name
	Status string // request status, for requests
}

// MatchQuery describes what to look for; empty fields are skipped.
type MatchQuery struct {
	ExcludeRequestID int64
	Email            string
	Domain           string
	CompanyName      string
	TaxID            string
	Limit            int // per field and entity; 0 means 5
}

// Matches finds customers and open requests that share a field with q.
func (q *Queries) Matches(ctx context.Context, m MatchQuery) ([]Match, error) {
	limit := m.Limit
	if limit <= 0 {
		limit = 5
	}
	type probe struct {
		field, query string
		arg          string
	}
	const openReq = ` AND r.status IN (?, ?, ?) AND r.id <> ?`
	probes := []probe{
		{"email", `SELECT DISTINCT c.account, c.name, '' FROM contact_persons p JOIN customers c
			ON c.id = p.customer_id WHERE p.email = ? COLLATE NOCASE`, m.Email},
		{"email", `SELECT r.number, r.company_name, r.status FROM customer_requests r
			WHERE r.email = ? COLLATE NOCASE` + openReq, m.Email},
		{"domain", `SELECT DISTINCT c.account, c.name, '' FROM contact_persons p JOIN customers c
			ON c.id = p.customer_id WHERE substr(p.email, instr(p.email, '@') + 1) = ? COLLATE NOCASE`, m.Domain},
		{"domain", `SELECT r.number, r.company_name, r.status FROM customer_requests r
			WHERE substr(r.email, instr(r.email, '@') + 1) = ? COLLATE NOCASE` + openReq, m.Domain},
		{"company_name", `SELECT c.account, c.name, '' FROM customers c WHERE c.name = ? COLLATE NOCASE`, m.CompanyName},
		{"company_name", `SELECT r.number, r.company_name, r.status FROM customer_requests r
			WHERE r.company_name = ? COLLATE NOCASE` + openReq, m.CompanyName},
		// "tax_id <> ''" lets SQLite use the partial tax id indexes; without
		// it a bound parameter could be '' and the probe scans the table.
		{"tax_id", `SELECT c.account, c.name, '' FROM customers c WHERE c.tax_id = ? AND c.tax_id <> ''`, m.TaxID},
		{"tax_id", `SELECT r.number, r.company_name, r.status FROM customer_requests r
			WHERE r.tax_id = ? AND r.tax_id <> ''` + openReq, m.TaxID},
	}
	var out []Match
	for _, p := range probes {
		if strings.TrimSpace(p.arg) == "" {
			continue
		}
		entity := EntityCustomer
		args := []any{p.arg}
		if strings.Contains(p.query, "customer_requests") {
			entity = EntityRequest
			args = append(args, domain.Requested, domain.Verified, domain.Approved, m.ExcludeRequestID)
		}
		args = append(args, limit)
		rows, err := q.q.QueryContext(ctx, p.query+` LIMIT ?`, args...)
		if err != nil {
			return nil, fmt.Errorf("store: matches: %w", mapErr(err))
		}
		for rows.Next() {
			x := Match{Field: p.field, Entity: entity}
			if err := rows.Scan(&x.Ref, &x.Name, &x.Status); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: matches: %w", mapErr(err))
			}
			out = append(out, x)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store: matches: %w", mapErr(err))
		}
	}
	return out, nil
}

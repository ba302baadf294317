package store

import (
	"context"
	"fmt"
)

// InsertRequestsBulk stores many requests with one prepared statement, for
// seeding sample data. Unlike InsertRequest it keeps the given timestamps,
// version and decision fields.
func (tx *Tx) InsertRequestsBulk(ctx context.Context, rs []Request) error {
	stmt, err := tx.tx.PrepareContext(ctx, `INSERT INTO customer_requests (number, status,
		company_name, tax_id, street, city, state, postal_code, country, first_name, last_name,
		job_title, email, phone, language, username, password_hash, created_at, updated_at,
		verified_at, decided_at, decided_by, reject_reason, reject_comment, customer_id, source_ip)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("store: bulk insert: %w", mapErr(err))
	}
	defer stmt.Close()
	var first, last int64
	for i, r := range rs {
		res, err := stmt.ExecContext(ctx, r.Number, r.Status, r.CompanyName, r.TaxID, r.Street,
			r.City, r.State, r.PostalCode, r.Country, r.FirstName, r.LastName, r.JobTitle, r.Email,
			r.Phone, r.Language, r.Username, r.PasswordHash, r.CreatedAt.UnixMilli(),
			r.UpdatedAt.UnixMilli(), nullTime(r.VerifiedAt), nullTime(r.DecidedAt), r.DecidedBy,
			r.RejectReason, r.RejectComment, nullID(r.CustomerID), r.SourceIP)
		if err != nil {
			return fmt.Errorf("store: bulk insert %s: %w", r.Number, mapErr(err))
		}
		if last, err = res.LastInsertId(); err != nil {
			return err
		}
		if i == 0 {
			first = last
		}
	}
	if len(rs) == 0 {
		return nil
	}
	return tx.indexRequests(ctx, first, last)
}

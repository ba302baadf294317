package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// bulkRows is how many rows one INSERT of a bulk load carries: fewer
// statements, far less per-row overhead in the driver.
const bulkRows = 64

const requestInsertColumns = `INSERT INTO customer_requests (number, status, company_name,
	tax_id, street, city, state, postal_code, country, first_name, last_name, job_title, email,
	phone, language, username, password_hash, created_at, updated_at, verified_at, decided_at,
	decided_by, reject_reason, reject_comment, customer_id, source_ip, risk_score, risk_flags,
	source_net, source_net48, source_net56) VALUES `

const requestInsertRow = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// InsertRequestsBulk stores many requests, many rows per statement, for
// seeding sample data. Unlike InsertRequest it keeps the given timestamps,
// version and decision fields.
func (tx *Tx) InsertRequestsBulk(ctx context.Context, rs []Request) error {
	if len(rs) == 0 {
		return nil
	}
	var full *sql.Stmt
	var first, last int64
	for start := 0; start < len(rs); start += bulkRows {
		chunk := rs[start:min(start+bulkRows, len(rs))]
		args := make([]any, 0, len(chunk)*31)
		for _, r := range chunk {
			n, n48, n56 := Networks(r.SourceIP)
			args = append(args, r.Number, r.Status, r.CompanyName, r.TaxID, r.Street,
				r.City, r.State, r.PostalCode, r.Country, r.FirstName, r.LastName, r.JobTitle,
				r.Email, r.Phone, r.Language, r.Username, r.PasswordHash, r.CreatedAt.UnixMilli(),
				r.UpdatedAt.UnixMilli(), nullTime(r.VerifiedAt), nullTime(r.DecidedAt), r.DecidedBy,
				r.RejectReason, r.RejectComment, nullID(r.CustomerID), r.SourceIP, r.RiskScore,
				r.RiskFlags, n, n48, n56)
		}
		query := requestInsertColumns + strings.Repeat(requestInsertRow+",", len(chunk)-1) +
			requestInsertRow + " RETURNING id"
		var rows *sql.Rows
		var err error
		if len(chunk) == bulkRows {
			if full == nil {
				if full, err = tx.tx.PrepareContext(ctx, tx.sqlText(query)); err != nil {
					return fmt.Errorf("store: bulk insert: %w", mapErr(err))
				}
				defer full.Close()
			}
			rows, err = full.QueryContext(ctx, args...)
		} else {
			rows, err = tx.q.QueryContext(ctx, query, args...)
		}
		if err != nil {
			return fmt.Errorf("store: bulk insert from %s: %w", chunk[0].Number, mapErr(err))
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("store: bulk insert from %s: %w", chunk[0].Number, mapErr(err))
			}
			if first == 0 || id < first {
				first = id
			}
			last = max(last, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: bulk insert from %s: %w", chunk[0].Number, mapErr(err))
		}
	}
	return tx.indexRequests(ctx, first, last)
}

// InsertCustomersBulk stores many customers with one prepared statement and
// fills in their ids, for seeding sample data.
func (tx *Tx) InsertCustomersBulk(ctx context.Context, cs []Customer) error {
	stmt, err := tx.tx.PrepareContext(ctx, tx.sqlText(`INSERT INTO customers (account, name, tax_id, street,
		city, state, postal_code, country, template, customer_group, currency, language,
		payment_terms, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING id`))
	if err != nil {
		return fmt.Errorf("store: bulk insert customers: %w", mapErr(err))
	}
	defer stmt.Close()
	for i := range cs {
		c := &cs[i]
		err := stmt.QueryRowContext(ctx, c.Account, c.Name, c.TaxID, c.Street, c.City, c.State,
			c.PostalCode, c.Country, c.Template, c.CustomerGroup, c.Currency, c.Language,
			c.PaymentTerms, c.CreatedAt.UnixMilli(), c.CreatedBy).Scan(&c.ID)
		if err != nil {
			return fmt.Errorf("store: bulk insert customer %s: %w", c.Account, mapErr(err))
		}
	}
	return nil
}

// BulkLoad runs fn in one transaction with the secondary indexes of the
// request and customer tables dropped, then rebuilds them: building an index
// by sorting is many times faster than a million random inserts into it. One
// transaction, so a crash part-way leaves the database as it was.
func (db *DB) BulkLoad(ctx context.Context, fn func(tx *Tx) error) error {
	return db.WithTx(ctx, func(tx *Tx) error {
		rows, err := tx.q.QueryContext(ctx, tx.d.bulkIndexes)
		if err != nil {
			return fmt.Errorf("store: bulk load: %w", mapErr(err))
		}
		var names, defs []string
		for rows.Next() {
			var name, def string
			if err := rows.Scan(&name, &def); err != nil {
				rows.Close()
				return fmt.Errorf("store: bulk load: %w", mapErr(err))
			}
			names, defs = append(names, name), append(defs, def)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: bulk load: %w", mapErr(err))
		}
		for _, name := range names {
			if _, err := tx.q.ExecContext(ctx, `DROP INDEX "`+name+`"`); err != nil {
				return fmt.Errorf("store: bulk load: drop %s: %w", name, mapErr(err))
			}
		}
		if err := fn(tx); err != nil {
			return err
		}
		for i, def := range defs {
			if _, err := tx.q.ExecContext(ctx, def); err != nil {
				return fmt.Errorf("store: bulk load: rebuild %s: %w", names[i], mapErr(err))
			}
		}
		return nil
	})
}

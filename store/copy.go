package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// CopyProgress hears how far a copy is: rows of table copied so far, of total.
type CopyProgress func(table string, done, total int64)

// CopiedTable is one table of a finished copy, verified.
type CopiedTable struct {
	Name     string `json:"table"`
	Rows     int64  `json:"rows"`
	Checksum string `json:"checksum"` // SHA-256 over the rows, the same on both sides
}

// copyBatch is how many rows one INSERT carries.
const copyBatch = 200

// CopyTo copies every table of this SQLite database into dst, a migrated
// PostgreSQL database that holds no data yet, in one transaction, then
// verifies each table by row count and checksum read back from dst. The job
// queue's tables are not copied: the first serve on dst queues again every
// mail and user request still waiting. The search index is rebuilt.
func (db *DB) CopyTo(ctx context.Context, dst *DB, progress CopyProgress) ([]CopiedTable, error) {
	if db.d.postgres || !dst.d.postgres {
		return nil, fmt.Errorf("store: copy: from a SQLite file to PostgreSQL only: %w", ErrInvalid)
	}
	if progress == nil {
		progress = func(string, int64, int64) {}
	}
	tables, err := db.copyPlan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: copy: %w", err)
	}
	for _, t := range []string{"customer_requests", "customers", "users", "approvers", "audit", "outbox"} {
		var n int64
		if err := dst.read.QueryRowContext(ctx, `SELECT count(*) FROM `+t).Scan(&n); err != nil {
			return nil, fmt.Errorf("store: copy: %s: %w", dst, mapErr(err))
		}
		if n > 0 {
			return nil, fmt.Errorf("store: copy: %s already holds data (%d rows in %s); copy into a new, empty database: %w",
				dst, n, t, ErrConflict)
		}
	}
	// A consistent snapshot of the source: one read transaction.
	src, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("store: copy: %w", mapErr(err))
	}
	defer src.Rollback() //nolint:errcheck // read-only
	var out []CopiedTable
	err = dst.withTx(ctx, nil, func(tx *Tx) error {
		// The rows migrations put in (sequences, templates, counts) make way
		// for the source's.
		for _, t := range slices.Backward(tables) {
			if _, err := tx.tx.ExecContext(ctx, `DELETE FROM `+quoteIdent(t.name)); err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
		}
		copied := map[string]bool{}
		var fixups []func() error
		for _, t := range tables {
			sum, n, fix, err := copyRows(ctx, src, tx, t, copied, progress)
			if err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
			copied[t.name] = true
			fixups = append(fixups, fix...)
			out = append(out, CopiedTable{Name: t.name, Rows: n, Checksum: sum})
		}
		for _, fix := range fixups {
			if err := fix(); err != nil {
				return err
			}
		}
		for _, t := range tables {
			if slices.Contains(t.columns, "id") {
				// Identities go on after the copied ids. Only an identity
				// column has a sequence: a text id (signup_challenges) has
				// none, and max(id) of it is no number.
				var seq sql.NullString
				if err := tx.tx.QueryRowContext(ctx, `SELECT pg_get_serial_sequence($1, 'id')`, t.name).Scan(&seq); err != nil {
					return fmt.Errorf("%s: identity: %w", t.name, err)
				}
				if !seq.Valid {
					continue
				}
				if _, err := tx.tx.ExecContext(ctx, `SELECT setval($1,
					coalesce((SELECT max(id) FROM `+quoteIdent(t.name)+`), 0) + 1, false)`, seq.String); err != nil {
					return fmt.Errorf("%s: identity: %w", t.name, err)
				}
			}
		}
		var lo, hi sql.NullInt64
		if err := tx.q.QueryRowContext(ctx, `SELECT min(id), max(id) FROM customer_requests`).Scan(&lo, &hi); err != nil {
			return err
		}
		if lo.Valid {
			if err := tx.indexRequests(ctx, lo.Int64, hi.Int64); err != nil {
				return err
			}
		}
		// Verify what was written, read back inside the transaction: a
		// mismatch rolls everything back.
		for i, t := range tables {
			sum, n, err := checksum(ctx, tx.tx, t)
			if err != nil {
				return fmt.Errorf("%s: verify: %w", t.name, err)
			}
			if n != out[i].Rows || sum != out[i].Checksum {
				return fmt.Errorf("%s: verify: %d rows with checksum %s written, %d rows with %s read back",
					t.name, out[i].Rows, out[i].Checksum[:12], n, sum[:12])
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: copy to %s: %w", dst, mapErr(err))
	}
	return out, nil
}

// copyTable describes one table of the copy.
type copyTable struct {
	name    string
	columns []string
	// refs are its foreign-key columns and the tables they point at; one
	// whose table comes later is written NULL and set once every table is in.
	refs map[string]string
}

// copyPlan lists the source's tables in an order that satisfies their
// required foreign keys (regdesk's own, River's and the search index's
// tables left out, param_version: the destination's own counter moves
// with the parameters copied into it, as its triggers make it, and the
// insight_ rollups, which the destination's triggers build from the
// requests copied in).
func (db *DB) copyPlan(ctx context.Context) ([]copyTable, error) {
	names, err := queryAll(ctx, db.read, func(s scanner) (string, error) {
		var n string
		return n, s.Scan(&n)
	}, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
		AND name NOT LIKE 'request_search%' AND name NOT LIKE 'river_%' AND name <> 'schema_migrations'
		AND name <> 'param_version' AND name NOT LIKE 'insight\_%' ESCAPE '\'
		ORDER BY name`)
	if err != nil {
		return nil, err
	}
	byName := map[string]*copyTable{}
	needs := map[string][]string{} // table → tables its NOT NULL foreign keys point at
	wants := map[string][]string{} // table → tables any of its foreign keys point at
	for _, n := range names {
		t := &copyTable{name: n, refs: map[string]string{}}
		notNull := map[string]bool{}
		rows, err := db.read.QueryContext(ctx, `SELECT name, "notnull" FROM pragma_table_info(?) ORDER BY cid`, n)
		if err != nil {
			return nil, mapErr(err)
		}
		for rows.Next() {
			var c string
			var nn bool
			if err := rows.Scan(&c, &nn); err != nil {
				rows.Close()
				return nil, mapErr(err)
			}
			t.columns = append(t.columns, c)
			notNull[c] = nn
		}
		rows.Close()
		fks, err := db.read.QueryContext(ctx, `SELECT "table", "from" FROM pragma_foreign_key_list(?)`, n)
		if err != nil {
			return nil, mapErr(err)
		}
		for fks.Next() {
			var ref, col string
			if err := fks.Scan(&ref, &col); err != nil {
				fks.Close()
				return nil, mapErr(err)
			}
			t.refs[col] = ref
			if ref != n {
				wants[n] = append(wants[n], ref)
				if notNull[col] {
					needs[n] = append(needs[n], ref)
				}
			}
		}
		fks.Close()
		byName[n] = t
	}
	// Tables whose every reference is in go first; a cycle (users and
	// user_requests point at each other) is broken at a nullable column.
	var order []copyTable
	done := map[string]bool{}
	ready := func(n string, refs map[string][]string) bool {
		return !done[n] && !slices.ContainsFunc(refs[n], func(r string) bool { return !done[r] })
	}
	for len(order) < len(names) {
		i := slices.IndexFunc(names, func(n string) bool { return ready(n, wants) })
		if i < 0 {
			i = slices.IndexFunc(names, func(n string) bool { return ready(n, needs) })
		}
		if i < 0 {
			return nil, fmt.Errorf("the tables' required foreign keys form a cycle")
		}
		done[names[i]] = true
		order = append(order, *byName[names[i]])
	}
	return order, nil
}

// copyRows copies t in batches and returns its checksum and row count, and
// the updates that set its forward references once every table is in.
func copyRows(ctx context.Context, src *sql.Tx, dst *Tx, t copyTable, copied map[string]bool,
	progress CopyProgress) (string, int64, []func() error, error) {
	var total int64
	if err := src.QueryRowContext(ctx, `SELECT count(*) FROM `+quoteIdent(t.name)).Scan(&total); err != nil {
		return "", 0, nil, err
	}
	if total > 0 {
		progress(t.name, 0, total)
	}
	cols := make([]string, len(t.columns))
	for i, c := range t.columns {
		cols[i] = quoteIdent(c)
	}
	rows, err := src.QueryContext(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM `+quoteIdent(t.name))
	if err != nil {
		return "", 0, nil, err
	}
	defer rows.Close()
	later := map[int]bool{} // column index → set after every table is in
	for i, c := range t.columns {
		if ref, ok := t.refs[c]; ok && ref != t.name && !copied[ref] {
			later[i] = true
		}
	}
	var fixups []func() error
	digests := make([][]byte, 0, total)
	batch := make([]any, 0, copyBatch*len(cols))
	var n int64
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		rowsIn := len(batch) / len(cols)
		row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
		query := `INSERT INTO ` + quoteIdent(t.name) + ` (` + strings.Join(cols, ", ") + `) VALUES ` +
			strings.TrimSuffix(strings.Repeat(row+", ", rowsIn), ", ")
		if _, err := dst.q.ExecContext(ctx, query, batch...); err != nil {
			return err
		}
		batch = batch[:0]
		return nil
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return "", 0, nil, err
		}
		digests = append(digests, rowDigest(vals))
		for i, v := range vals {
			if later[i] && v != nil {
				col, val, key := t.columns[i], v, rowKey(t, vals)
				fixups = append(fixups, func() error {
					_, err := dst.q.ExecContext(ctx, `UPDATE `+quoteIdent(t.name)+` SET `+quoteIdent(col)+
						` = ? WHERE `+quoteIdent(t.columns[0])+` = ?`, val, key)
					return err
				})
				v = nil
			}
			batch = append(batch, v)
		}
		n++
		if len(batch) >= copyBatch*len(cols) {
			if err := flush(); err != nil {
				return "", 0, nil, err
			}
			if n < total {
				progress(t.name, n, total)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return "", 0, nil, err
	}
	if err := flush(); err != nil {
		return "", 0, nil, err
	}
	progress(t.name, n, total)
	return sumDigests(digests), n, fixups, nil
}

// rowKey is the row's first column, its primary key in every regdesk table.
func rowKey(_ copyTable, vals []any) any { return vals[0] }

// checksum reads t back and sums it as copyTable did.
func checksum(ctx context.Context, q *sql.Tx, t copyTable) (string, int64, error) {
	cols := make([]string, len(t.columns))
	for i, c := range t.columns {
		cols[i] = quoteIdent(c)
	}
	rows, err := q.QueryContext(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM `+quoteIdent(t.name))
	if err != nil {
		return "", 0, err
	}
	defer rows.Close()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var digests [][]byte
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return "", 0, err
		}
		digests = append(digests, rowDigest(vals))
	}
	return sumDigests(digests), int64(len(digests)), rows.Err()
}

// rowDigest hashes one row's values in a form both drivers give alike:
// integers in decimal, text and bytes as bytes with their length, NULL apart.
func rowDigest(vals []any) []byte {
	h := sha256.New()
	for _, v := range vals {
		switch x := v.(type) {
		case nil:
			h.Write([]byte{0})
		case int64:
			h.Write([]byte{1})
			h.Write(strconv.AppendInt(nil, x, 10))
		case float64:
			h.Write([]byte{2})
			h.Write(strconv.AppendFloat(nil, x, 'g', -1, 64))
		case string:
			h.Write([]byte{3})
			h.Write(strconv.AppendInt(nil, int64(len(x)), 10))
			h.Write([]byte(x))
		case []byte:
			h.Write([]byte{3})
			h.Write(strconv.AppendInt(nil, int64(len(x)), 10))
			h.Write(x)
		case bool: // PostgreSQL booleans match SQLite's 0 and 1
			h.Write([]byte{1})
			if x {
				h.Write([]byte("1"))
			} else {
				h.Write([]byte("0"))
			}
		default:
			fmt.Fprintf(h, "%T:%v", x, x)
		}
		h.Write([]byte{0xff})
	}
	return h.Sum(nil)
}

// sumDigests is order-independent: the two databases return rows in their
// own order.
func sumDigests(ds [][]byte) string {
	slices.SortFunc(ds, bytes.Compare)
	h := sha256.New()
	for _, d := range ds {
		h.Write(d)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

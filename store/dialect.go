package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"unicode"
)

// dialect is everything that differs between the SQLite and the PostgreSQL
// store. The queries elsewhere are written once, in SQL both understand:
// `?` placeholders, ON CONFLICT upserts, RETURNING, integer Unix-millisecond
// timestamps, `COLLATE NOCASE` (PostgreSQL gets a case-insensitive ICU
// collation of that name and an instr() function from its first migration).
// What cannot be written once is here.
type dialect struct {
	name string
	// postgres: placeholders are rewritten to $1, $2…; write transactions
	// take turns through an advisory lock (postgres.go).
	postgres bool
	// migrations is the folder of this dialect's migrations in migrationFS.
	migrations string
	// schemaMigrations creates the table that records applied migrations.
	schemaMigrations string
	// likeOp matches case-insensitively (SQLite's LIKE is, for ASCII).
	likeOp string
	// Full-text search of requests: SQLite has an FTS5 table keyed by rowid,
	// PostgreSQL a tsvector column with a GIN index. Both match word prefixes.
	indexRequests  string // args: first id, last id
	unindexRequest string // arg: id
	// searchRequests is PostgreSQL's condition on r.id; args: searchArg(text),
	// least and greatest id. (On SQLite the full-text table drives the query.)
	searchRequests string
	// bulkIndexes lists (name, definition) of the secondary indexes of the
	// request and customer tables, which a bulk load drops and rebuilds.
	bulkIndexes string
}

var sqliteDialect = &dialect{
	name:       "sqlite",
	migrations: "migrations",
	schemaMigrations: `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at INTEGER NOT NULL
	) STRICT`,
	likeOp: "LIKE",
	indexRequests: `INSERT INTO request_search (rowid, number, digits,
		company_name, contact, email, tax_id) SELECT id, number,
		ltrim(replace(number, rtrim(number, '0123456789'), ''), '0'),
		company_name, first_name || ' ' || last_name, email, tax_id
		FROM customer_requests WHERE id BETWEEN ? AND ?`,
	unindexRequest: `DELETE FROM request_search WHERE rowid = ?`,
	bulkIndexes: `SELECT name, sql FROM sqlite_schema WHERE type = 'index'
		AND tbl_name IN ('customer_requests', 'customers') AND sql IS NOT NULL`,
}

var postgresDialect = &dialect{
	name:       "postgres",
	postgres:   true,
	migrations: "migrations_postgres",
	schemaMigrations: `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    BIGINT PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at BIGINT NOT NULL
	)`,
	likeOp: "ILIKE",
	// Punctuation becomes a space before the words are taken, as FTS5's
	// unicode61 tokenizer does, so "REG-000042" and "bob@contoso.com" are
	// words that prefix queries find; unaccent matches remove_diacritics.
	indexRequests: `INSERT INTO request_search (id, doc) SELECT id, to_tsvector('simple',
		regexp_replace(unaccent(number || ' ' ||
			ltrim(replace(number, rtrim(number, '0123456789'), ''), '0') || ' ' ||
			company_name || ' ' || first_name || ' ' || last_name || ' ' || email || ' ' || tax_id),
		'[[:punct:]]+', ' ', 'g'))
		FROM customer_requests WHERE id BETWEEN ? AND ?
		ON CONFLICT (id) DO UPDATE SET doc = excluded.doc`,
	unindexRequest: `DELETE FROM request_search WHERE id = ?`,
	searchRequests: `r.id IN (SELECT id FROM request_search WHERE doc @@ to_tsquery('simple', unaccent(?))
		AND id BETWEEN ? AND ?)`,
	bulkIndexes: `SELECT i.indexname, i.indexdef FROM pg_indexes i
		WHERE i.schemaname = current_schema() AND i.tablename IN ('customer_requests', 'customers')
		AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
}

// searchArg turns what an approver typed into the dialect's full-text query:
// every word must appear as a word prefix. Words hold only letters and
// digits, so no input is query syntax. "" means nothing searchable.
func (d *dialect) searchArg(text string) string {
	words := strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	terms := make([]string, len(words))
	for i, w := range words {
		if d.postgres {
			terms[i] = w + ":*"
		} else {
			terms[i] = `"` + w + `"*`
		}
	}
	if d.postgres {
		return strings.Join(terms, " & ")
	}
	return strings.Join(terms, " AND ")
}

// rebind rewrites `?` placeholders as PostgreSQL's $1, $2, … outside
// quoted strings and identifiers.
func rebind(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	var quote byte
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// pgQuerier rebinds every statement before handing it to database/sql.
type pgQuerier struct{ q querier }

func (p pgQuerier) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return p.q.ExecContext(ctx, rebind(query), args...)
}

func (p pgQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return p.q.QueryContext(ctx, rebind(query), args...)
}

func (p pgQuerier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return p.q.QueryRowContext(ctx, rebind(query), args...)
}

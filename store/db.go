// Package store keeps regdesk's data in one SQLite database (modernc.org/sqlite,
// pure Go). It is the only package that speaks SQL.
//
// Writes go through a pool of exactly one connection whose transactions begin
// IMMEDIATE, so a read-then-write transaction never fails with SQLITE_BUSY
// half-way; reads use a separate pool that cannot write.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// DB is the regdesk database: a write pool of one connection and a read pool.
type DB struct {
	path  string
	write *sql.DB
	read  *sql.DB
	now   func() time.Time
}

// Options tunes Open. The zero value is ready to use.
type Options struct {
	// Now is the clock used for every timestamp the store writes.
	Now func() time.Time
	// ReadConns caps the read pool; 0 means 2×GOMAXPROCS (at least 4).
	ReadConns int
	// WriteCacheKiB sizes the writer's page cache; 0 keeps the default
	// (16 MiB). Bulk loads into a large database want much more.
	WriteCacheKiB int
	// Warn hears when Open had to narrow the mode of the data directory or
	// of a database file that other users could read.
	Warn func(msg string)
}

// pragmas are set in the DSN so every pooled connection gets them;
// busy_timeout comes first so the others wait instead of failing.
var pragmas = []string{
	"busy_timeout(10000)",
	"journal_mode(WAL)",
	"foreign_keys(1)",
	"synchronous(NORMAL)",
	"temp_store(MEMORY)",
	"cache_size(-16000)",
}

func dsn(path string, readOnly bool, extra ...string) string {
	q := url.Values{}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	for _, p := range extra {
		q.Add("_pragma", p)
	}
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + filepath.ToSlash(path) + "?" + q.Encode()
}

// Open opens (creating if needed) the database at path and applies every
// pending migration.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	if err := secureDBFiles(filepath.Dir(path), path, opts.Warn); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	db, err := openPools(ctx, path, opts)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// OpenExisting opens a database that must already exist, without migrating it.
func OpenExisting(ctx context.Context, path string, opts Options) (*DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := secureDBFiles(filepath.Dir(path), path, opts.Warn); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return openPools(ctx, path, opts)
}

func openPools(ctx context.Context, path string, opts Options) (*DB, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	var extra []string
	if opts.WriteCacheKiB > 0 {
		extra = append(extra, fmt.Sprintf("cache_size(-%d)", opts.WriteCacheKiB))
	}
	w, err := sql.Open("sqlite", dsn(path, false, extra...))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	n := opts.ReadConns
	if n <= 0 {
		n = max(4, 2*runtime.GOMAXPROCS(0))
	}
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	return &DB{path: path, write: w, read: r, now: now}, nil
}

// Close closes both pools.
func (db *DB) Close() error {
	return errors.Join(db.read.Close(), db.write.Close())
}

// Path is the database file.
func (db *DB) Path() string { return db.path }

// Now is the store's clock.
func (db *DB) Now() time.Time { return db.now() }

// WriteDB is the single-connection write pool, for libraries (the job queue)
// that insert in our transactions and need the same pool.
func (db *DB) WriteDB() *sql.DB { return db.write }

// Read returns queries that run on the read pool.
func (db *DB) Read() *Queries { return &Queries{q: db.read, now: db.now} }

// Tx is a write transaction. Its Queries see their own writes.
type Tx struct {
	Queries
	tx *sql.Tx
}

// SQLTx exposes the transaction to libraries that enlist in it (the job queue).
func (tx *Tx) SQLTx() *sql.Tx { return tx.tx }

// WithTx runs fn in one write transaction, committing if fn returns nil.
func (db *DB) WithTx(ctx context.Context, fn func(tx *Tx) error) error {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(err)
	}
	tx := &Tx{Queries: Queries{q: sqlTx, now: db.now}, tx: sqlTx}
	if err := fn(tx); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return mapErr(err)
	}
	return nil
}

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Queries holds every query; it runs on the read pool or inside a Tx.
type Queries struct {
	q   querier
	now func() time.Time
}

func (q *Queries) nowMS() int64 { return q.now().UnixMilli() }

// ms converts a stored Unix-millisecond timestamp.
func ms(v int64) time.Time { return time.UnixMilli(v).UTC() }

func msPtr(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := ms(v.Int64)
	return &t
}

// DataVersion opens a dedicated connection that reports PRAGMA data_version,
// which changes whenever another connection commits. Callers poll it to
// notice changes cheaply; Close the returned watcher when done.
func (db *DB) DataVersion(ctx context.Context) (*Watcher, error) {
	conn, err := db.read.Conn(ctx)
	if err != nil {
		return nil, mapErr(err)
	}
	return &Watcher{conn: conn}, nil
}

// Watcher polls PRAGMA data_version on one connection.
type Watcher struct{ conn *sql.Conn }

// Version is the current data version; a different value means something changed.
func (w *Watcher) Version(ctx context.Context) (int64, error) {
	var v int64
	if err := w.conn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v); err != nil {
		return 0, mapErr(err)
	}
	return v, nil
}

// Close returns the connection to the pool.
func (w *Watcher) Close() error { return w.conn.Close() }

// queryAll runs a query and scans every row with scan; errors are mapped.
func queryAll[T any](ctx context.Context, q querier, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, mapErr(rows.Err())
}

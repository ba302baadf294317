// Package store keeps regdesk's data in one SQLite database (modernc.org/sqlite,
// pure Go), or in PostgreSQL when several processes share it. It is the only
// package that speaks SQL.
//
// On SQLite, writes go through a pool of exactly one connection whose
// transactions begin IMMEDIATE, so a read-then-write transaction never fails
// with SQLITE_BUSY half-way; reads use a separate pool that cannot write. On
// PostgreSQL (postgres.go), write transactions take an advisory lock first,
// so the processes sharing the database take turns to write and every
// process gets the same guarantee: each write transaction runs as if it were
// alone. dialect.go lists what else differs.
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
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// DB is the regdesk database: a write pool of one connection and a read pool.
type DB struct {
	path  string // the SQLite file, or the PostgreSQL URL
	d     *dialect
	write *sql.DB
	read  *sql.DB
	now   func() time.Time
	// osUser is Options.OSUser, recorded with every audit row.
	osUser string
	batch  batcher // WithBatchedTx's callers
}

// uriPath escapes what would end or change a file: URI's path, so a data
// directory named "a#b" or "a?b" opens a#b/regdesk.db, not a file named "a".
var uriPath = strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")

// Options tunes Open. The zero value is ready to use.
type Options struct {
	// Now is the clock used for every timestamp the store writes.
	Now func() time.Time
	// ReadConns caps the read pool; 0 means 2×GOMAXPROCS (at least 4).
	ReadConns int
	// WriteCacheKiB sizes the writer's page cache; 0 keeps the default
	// (16 MiB). Bulk loads into a large database want much more. SQLite only.
	WriteCacheKiB int
	// WriteConns caps the write pool on PostgreSQL; 0 means 10. (SQLite
	// always has one writer.)
	WriteConns int
	// OSUser is the operating-system account of a local process (a CLI
	// command, the local TUI): every audit row written through this handle
	// records it beside the approver named with --as, which nothing checks.
	// Empty for serve, whose actors the server authenticates.
	OSUser string
	// Warn hears when Open had to narrow the mode of the data directory or
	// of a database file that other users could read.
	Warn func(msg string)
}

// pragmas are set in the DSN so every pooled connection gets them;
// busy_timeout comes first so the others wait instead of failing.
//
// WAL with synchronous=NORMAL: a commit is in the WAL before it is
// acknowledged, so it survives the process dying (a panic, kill -9); the
// WAL is synced to disk at checkpoints rather than at every commit, so an
// operating-system crash or a power cut can undo the last commits before
// the last checkpoint, never corrupting the file. FULL would sync every
// commit: a few milliseconds each here, for every sign-up and decision.
// What such an undo costs: the workflow and the outbox redo their part (a
// step runs again, a mail may go out twice with the same Message-ID), but
// a decision made in the last moments before the cut is to be made again.
var pragmas = []string{
	"busy_timeout(10000)",
	"journal_mode(WAL)",
	"foreign_keys(1)",
	"synchronous(NORMAL)",
	"temp_store(MEMORY)",
	"cache_size(-16000)",
	// Deleted rows (a sent mail's link, a used token's hash) are
	// overwritten, not left in free pages for a copy of the file to show.
	"secure_delete(1)",
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
	return "file:" + uriPath.Replace(filepath.ToSlash(path)) + "?" + q.Encode()
}

// Open opens (creating if needed) the database at path and applies every
// pending migration. A postgres:// or postgresql:// URL opens PostgreSQL
// instead of a file.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	if IsPostgresURL(path) {
		db, err := openPostgres(ctx, path, opts)
		if err != nil {
			return nil, err
		}
		if err := db.Migrate(ctx); err != nil {
			db.Close()
			return nil, err
		}
		return db, nil
	}
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
	if IsPostgresURL(path) {
		return openPostgres(ctx, path, opts)
	}
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
	w, err := openSQLite(dsn(path, false, extra...))
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
	r, err := openSQLite(dsn(path, true))
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
	return &DB{path: path, d: sqliteDialect, write: w, read: r, now: now, osUser: opts.OSUser}, nil
}

// Close closes both pools.
func (db *DB) Close() error {
	return errors.Join(db.read.Close(), db.write.Close())
}

// Path is the database file, or the PostgreSQL URL it was opened with.
func (db *DB) Path() string { return db.path }

// Postgres reports whether the database is PostgreSQL.
func (db *DB) Postgres() bool { return db.d.postgres }

// String names the database for logs and messages: the file, or the
// PostgreSQL URL without its password.
func (db *DB) String() string {
	if db.d.postgres {
		return redactURL(db.path)
	}
	return db.path
}

// Now is the store's clock.
func (db *DB) Now() time.Time { return db.now() }

// WriteDB is the single-connection write pool, for libraries (the job queue)
// that insert in our transactions and need the same pool.
func (db *DB) WriteDB() *sql.DB { return db.write }

// Read returns queries that run on the read pool.
func (db *DB) Read() *Queries { return db.queries(db.read) }

func (db *DB) queries(q querier) *Queries {
	if db.d.postgres {
		q = pgQuerier{q}
	}
	return &Queries{q: q, d: db.d, now: db.now, osUser: db.osUser}
}

// Tx is a write transaction. Its Queries see their own writes.
type Tx struct {
	Queries
	tx *sql.Tx
}

// sqlText is query as the driver wants it, for statements prepared on the
// transaction itself.
func (tx *Tx) sqlText(query string) string {
	if tx.d.postgres {
		return rebind(query)
	}
	return query
}

// SQLTx exposes the transaction to libraries that enlist in it (the job queue).
func (tx *Tx) SQLTx() *sql.Tx { return tx.tx }

// WithTx runs fn in one write transaction, committing if fn returns nil.
// On PostgreSQL fn may run again when the transaction lost a race with the
// job queue's own (a deadlock), so fn should do database work only.
func (db *DB) WithTx(ctx context.Context, fn func(tx *Tx) error) error {
	if db.d.postgres {
		return db.withWriterTx(ctx, fn)
	}
	return db.withTx(ctx, nil, fn)
}

func (db *DB) withTx(ctx context.Context, opts *sql.TxOptions, fn func(tx *Tx) error) error {
	sqlTx, err := db.write.BeginTx(ctx, opts)
	if err != nil {
		return mapErr(err)
	}
	tx := &Tx{Queries: *db.queries(sqlTx), tx: sqlTx}
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
	q      querier
	d      *dialect
	now    func() time.Time
	osUser string // see Options.OSUser
}

// insertID runs an INSERT and returns the new row's id (RETURNING works on
// both stores; database/sql's LastInsertId does not on PostgreSQL).
func (q *Queries) insertID(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	err := q.q.QueryRowContext(ctx, query+" RETURNING id", args...).Scan(&id)
	return id, err
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

// DataVersion starts watching the database for commits by other connections
// and processes. Callers poll the watcher's Version to notice changes cheaply;
// Close it when done. On SQLite it reads PRAGMA data_version on a dedicated
// connection; on PostgreSQL it counts notifications (postgres.go).
func (db *DB) DataVersion(ctx context.Context) (*Watcher, error) {
	if db.d.postgres {
		return db.listen(ctx)
	}
	conn, err := db.read.Conn(ctx)
	if err != nil {
		return nil, mapErr(err)
	}
	return &Watcher{conn: conn}, nil
}

// Watcher reports a number that changes whenever the data does.
type Watcher struct {
	conn *sql.Conn  // SQLite
	pg   *pgWatcher // PostgreSQL
}

// Version is the current data version; a different value means something changed.
func (w *Watcher) Version(ctx context.Context) (int64, error) {
	if w.pg != nil {
		return w.pg.version()
	}
	var v int64
	if err := w.conn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v); err != nil {
		return 0, mapErr(err)
	}
	return v, nil
}

// Close stops watching.
func (w *Watcher) Close() error {
	if w.pg != nil {
		return w.pg.close()
	}
	return w.conn.Close()
}

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

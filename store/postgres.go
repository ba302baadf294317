package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
)

// The PostgreSQL store: the same queries on database/sql through pgx's
// stdlib adapter, so every operation is written once.

// IsPostgresURL reports whether s names a PostgreSQL database rather than a
// SQLite file.
func IsPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// DisplayName names a database for messages and logs: a file path as it
// is, a PostgreSQL URL without its password.
func DisplayName(target string) string {
	if IsPostgresURL(target) {
		return redactURL(target)
	}
	return target
}

// redactURL drops the password from a PostgreSQL URL for logs.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "postgres://(unparsable URL)"
	}
	return u.Redacted()
}

// notifyChannel is where the database announces committed changes to the
// tables the Registration screen shows (triggers in the migrations).
const notifyChannel = "regdesk_changes"

func openPostgres(ctx context.Context, rawURL string, opts Options) (*DB, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	name := redactURL(rawURL)
	open := func(conns int, readOnly bool) (*sql.DB, error) {
		cfg, err := pgx.ParseConfig(rawURL)
		if err != nil {
			return nil, fmt.Errorf("store: open %s: %w", name, err)
		}
		if readOnly {
			// The read pool cannot write, as SQLite's query_only pool.
			cfg.RuntimeParams["default_transaction_read_only"] = "on"
		}
		db := stdlib.OpenDB(*cfg)
		db.SetMaxOpenConns(conns)
		db.SetMaxIdleConns(conns)
		db.SetConnMaxIdleTime(5 * time.Minute)
		if err := db.PingContext(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("store: open %s: %w", name, err)
		}
		return db, nil
	}
	w, err := open(orDefault(opts.WriteConns, 10), false)
	if err != nil {
		return nil, err
	}
	r, err := open(orDefault(opts.ReadConns, max(4, 2*runtime.GOMAXPROCS(0))), true)
	if err != nil {
		w.Close()
		return nil, err
	}
	return &DB{path: rawURL, d: postgresDialect, write: w, read: r, now: now, osUser: opts.OSUser}, nil
}

func orDefault(n, def int) int {
	if n > 0 {
		return n
	}
	return def
}

// maxTxAttempts bounds the retries of a transaction that keeps losing races.
const maxTxAttempts = 20

// writerLockKey is the advisory lock every write transaction holds: the
// processes sharing a database take turns to write, as SQLite's single
// writer does within one process, so a read-then-write transaction (a
// sign-up cap, a status check, the next number) never acts on a stale read.
// Nearly every write touches the same few rows (the number sequences, the
// status counts) anyway; taking turns up front is far cheaper than letting
// SERIALIZABLE transactions collide and retry.
const writerLockKey = 0x72656764657377 // "regdesw"

// withWriterTx runs fn in a transaction that first takes the writer lock;
// reads on the read pool go on meanwhile. A deadlock or serialization
// failure (possible with the job queue's own transactions) runs fn again.
func (db *DB) withWriterTx(ctx context.Context, fn func(tx *Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := db.withTx(ctx, nil, func(tx *Tx) error {
			if _, err := tx.tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, writerLockKey); err != nil {
				return err
			}
			return fn(tx)
		})
		if err == nil || !retryable(err) || attempt == maxTxAttempts {
			return err
		}
		d := time.Duration(rand.N(1+attempt*attempt)) * time.Millisecond
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(d):
		}
	}
}

// retryable reports a serialization failure or a deadlock.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// OpenListenerPool opens a small pgx pool on the PostgreSQL database for a
// library that listens for notifications on its own connections (the job
// queue). The caller closes it.
func (db *DB) OpenListenerPool(ctx context.Context) (*pgxpool.Pool, error) {
	if !db.d.postgres {
		return nil, errors.New("store: notifications need PostgreSQL")
	}
	cfg, err := pgxpool.ParseConfig(db.path)
	if err != nil {
		return nil, fmt.Errorf("store: listener pool: %w", err)
	}
	cfg.MinConns, cfg.MaxConns = 0, 2
	p, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: listener pool: %w", err)
	}
	return p, nil
}

// pgWatcher counts notifications on a dedicated connection.
type pgWatcher struct {
	cancel context.CancelFunc
	done   chan struct{}

	mu  sync.Mutex
	n   int64
	err error
}

// listen opens a connection that LISTENs on notifyChannel; every commit that
// changed a watched table bumps the version.
func (db *DB) listen(ctx context.Context) (*Watcher, error) {
	conn, err := pgx.Connect(ctx, db.path)
	if err != nil {
		return nil, fmt.Errorf("store: watch %s: %w", db, err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+notifyChannel); err != nil {
		conn.Close(ctx)
		return nil, fmt.Errorf("store: watch %s: %w", db, err)
	}
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	w := &pgWatcher{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		defer conn.Close(context.Background())
		for {
			_, err := conn.WaitForNotification(wctx)
			w.mu.Lock()
			if err != nil {
				if wctx.Err() == nil {
					w.err = fmt.Errorf("store: watch: %w", err)
				}
				w.mu.Unlock()
				return
			}
			w.n++
			w.mu.Unlock()
		}
	}()
	return &Watcher{pg: w}, nil
}

func (w *pgWatcher) version() (int64, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n, w.err
}

func (w *pgWatcher) close() error {
	w.cancel()
	<-w.done
	return nil
}

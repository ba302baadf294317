package store

import (
	"context"
	"database/sql"
	"fmt"
)

// OpenJobPool returns the pool the job queue polls and keeps its books on,
// and what to call when the queue is done with it.
//
// On SQLite that is the store's own single write connection. Two
// connections that both write do not queue for the file: the one that
// finds it locked sleeps in SQLite's busy handler (1, 2, 5, 10… ms) and
// tries again, so under a backlog the queue's fetches and completions
// starved behind the store's transactions and the other way round. On one
// connection they take turns in database/sql, handed over at once; the
// queue works with a single connection (River's SQLite driver asks for
// one), and no store transaction waits for the queue's pool while it holds
// the connection (jobs are inserted and finished in the store's own
// transactions).
//
// On PostgreSQL it is a pool of a few connections of its own: the queue's
// producers, completer and leader election work at once.
func (db *DB) OpenJobPool(ctx context.Context) (*sql.DB, func() error, error) {
	if !db.d.postgres {
		return db.write, func() error { return nil }, nil
	}
	pg, err := openPostgres(ctx, db.path, Options{WriteConns: 4, ReadConns: 1})
	if err != nil {
		return nil, nil, fmt.Errorf("store: open job pool: %w", err)
	}
	pg.read.Close()
	return pg.write, pg.write.Close, nil
}

// Ping checks that the database answers a query (the health check).
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.read.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("store: ping: %w", mapErr(err))
	}
	return nil
}

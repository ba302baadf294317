package store

import (
	"context"
	"database/sql"
	"fmt"
)

// OpenJobPool opens a separate one-connection write pool on the database for
// the job queue's own polling and bookkeeping. Sharing the store's write
// connection would queue every application write behind the queue's
// goroutines. The caller closes it.
//
// On PostgreSQL the pool has a few connections: the queue's producers,
// completer and leader election work at once.
func (db *DB) OpenJobPool(ctx context.Context) (*sql.DB, error) {
	if db.d.postgres {
		pg, err := openPostgres(ctx, db.path, Options{WriteConns: 4, ReadConns: 1})
		if err != nil {
			return nil, fmt.Errorf("store: open job pool: %w", err)
		}
		pg.read.Close()
		return pg.write, nil
	}
	p, err := openSQLite(dsn(db.path, false))
	if err != nil {
		return nil, fmt.Errorf("store: open job pool: %w", err)
	}
	p.SetMaxOpenConns(1)
	p.SetMaxIdleConns(1)
	p.SetConnMaxLifetime(0)
	p.SetConnMaxIdleTime(0)
	if err := p.PingContext(ctx); err != nil {
		p.Close()
		return nil, fmt.Errorf("store: open job pool: %w", mapErr(err))
	}
	return p, nil
}

// Ping checks that the database answers a query (the health check).
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.read.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("store: ping: %w", mapErr(err))
	}
	return nil
}

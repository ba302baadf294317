package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"time"
)

// Reader is a read-only view of an existing database: the read pool alone,
// never migrated, never taking the write lock. In WAL mode a reader does not
// wait for the writer, so a shell's tab completion next to a busy serve
// answers at once.
type Reader struct {
	*Queries
	db *sql.DB
}

// OpenReader opens the database at path, which must exist, for reading.
// A PostgreSQL URL opens one read-only connection to it.
func OpenReader(ctx context.Context, path string) (*Reader, error) {
	if IsPostgresURL(path) {
		pg, err := openPostgres(ctx, path, Options{WriteConns: 1, ReadConns: 1})
		if err != nil {
			return nil, err
		}
		pg.write.Close()
		return &Reader{Queries: pg.Read(), db: pg.read}, nil
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	db, err := openSQLite(dsn(path, true))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return &Reader{Queries: &Queries{q: db, d: sqliteDialect, now: time.Now}, db: db}, nil
}

// Close closes the reader's connection.
func (r *Reader) Close() error { return r.db.Close() }

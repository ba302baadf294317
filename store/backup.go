package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
)

// Backup writes a consistent copy of the database to path with VACUUM INTO,
// while other connections go on reading and writing: it reads one WAL
// snapshot, so writers are not blocked and the copy holds exactly the
// transactions committed before it began. path must not exist.
func (db *DB) Backup(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("store: backup: %s exists already; choose a new file", path)
	}
	// VACUUM INTO writes a new file, which the read pool's query_only
	// connections refuse; the write pool's one connection must stay free for
	// writers. A connection of its own does it.
	conn, err := sql.Open("sqlite", dsn(db.path, false))
	if err != nil {
		return fmt.Errorf("store: backup to %s: %w", path, err)
	}
	conn.SetMaxOpenConns(1)
	_, err = conn.ExecContext(ctx, `VACUUM INTO ?`, path)
	if cerr := conn.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path) // a partial copy is not a backup
		return fmt.Errorf("store: backup to %s: %w", path, errors.Join(mapErr(err)))
	}
	return nil
}

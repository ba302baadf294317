package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Backup writes a consistent copy of the database to path with VACUUM INTO,
// while other connections go on reading and writing. path must not exist.
func (db *DB) Backup(ctx context.Context, path string) error {
	// VACUUM INTO '' writes nowhere and succeeds: a script's unset variable
	// would report a backup that does not exist.
	if strings.TrimSpace(path) == "" {
		return fmt.Errorf("store: backup: no file name given: %w", ErrInvalid)
	}
	if db.d.postgres {
		return fmt.Errorf("store: backup: the database is PostgreSQL; back it up with pg_dump or pg_basebackup: %w", ErrInvalid)
	}
	// The copy holds what the database holds: it is created 0600 (VACUUM
	// INTO accepts an empty file), and O_EXCL keeps an existing file intact.
	if err := createPrivate(path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("store: backup: %s exists already; choose a new file", path)
		}
		return fmt.Errorf("store: backup: %w", err)
	}
	// VACUUM INTO reads in one transaction (a consistent snapshot) but counts
	// as a write for query_only, so it gets a connection of its own rather
	// than the read pool or the single writer.
	conn, err := sql.Open("sqlite", dsn(db.path, false))
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		os.Remove(path)
		return fmt.Errorf("store: backup to %s: %w", path, mapErr(err))
	}
	return nil
}

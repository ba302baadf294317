package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

// Every migration has two files of one name: migrations/ for SQLite and
// migrations_postgres/ for PostgreSQL (a test checks that they pair up).
//
//go:embed migrations/*.sql migrations_postgres/*.sql
var migrationFS embed.FS

// Migration is one embedded schema change. Migrations are append-only: a
// released file is never edited, a new one is added instead.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations lists the embedded SQLite migrations in order.
func Migrations() ([]Migration, error) { return migrations(sqliteDialect) }

// PostgresMigrations lists the embedded PostgreSQL migrations in order.
func PostgresMigrations() ([]Migration, error) { return migrations(postgresDialect) }

func migrations(d *dialect) ([]Migration, error) {
	dir := d.migrations
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("store: read migrations: %w", err)
	}
	var ms []Migration
	for _, e := range entries {
		name := e.Name()
		var v int
		if _, err := fmt.Sscanf(name, "%04d_", &v); err != nil || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("store: migration %q is not NNNN_name.sql", name)
		}
		b, err := migrationFS.ReadFile(dir + "/" + name)
		if err != nil {
			return nil, fmt.Errorf("store: read migration %s: %w", name, err)
		}
		ms = append(ms, Migration{Version: v, Name: strings.TrimSuffix(name, ".sql"), SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	// Numbers are handed out to branches built side by side, so one may land
	// before the number below it; applying by recorded version copes with
	// that. Two files with one number never do.
	for i, m := range ms {
		if m.Version < 1 || (i > 0 && m.Version == ms[i-1].Version) {
			return nil, fmt.Errorf("store: migration %s: number %04d is used twice or below 0001", m.Name, m.Version)
		}
	}
	return ms, nil
}

// Migrate applies every migration not yet recorded, each in its own
// transaction together with its record. Running it again changes nothing.
func (db *DB) Migrate(ctx context.Context) error {
	ms, err := migrations(db.d)
	if err != nil {
		return err
	}
	// Up to date (the usual case for every command): a read, no write lock,
	// so commands next to a running serve do not queue for the writer.
	if n, err := db.appliedMigrations(ctx); err == nil && n == len(ms) {
		return nil
	}
	return db.WithMigrationLock(ctx, func() error { return db.migrate(ctx, ms) })
}

func (db *DB) migrate(ctx context.Context, ms []Migration) error {
	if _, err := db.write.ExecContext(ctx, db.d.schemaMigrations); err != nil {
		return fmt.Errorf("store: migrate: %w", mapErr(err))
	}
	for _, m := range ms {
		err := db.WithTx(ctx, func(tx *Tx) error {
			var n int
			if err := tx.q.QueryRowContext(ctx,
				`SELECT count(*) FROM schema_migrations WHERE version = ?`, m.Version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			// The file as written: no placeholders to rewrite.
			if _, err := tx.tx.ExecContext(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.q.ExecContext(ctx,
				`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.Version, m.Name, tx.nowMS())
			return err
		})
		if err != nil {
			return fmt.Errorf("store: migrate %s: %w", m.Name, mapErr(err))
		}
	}
	return nil
}

// SchemaVersion is the highest applied migration.
func (q *Queries) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := q.q.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	return v, mapErr(err)
}

// appliedMigrations counts the recorded migrations that are embedded here;
// an error means there is no record yet.
func (db *DB) appliedMigrations(ctx context.Context) (int, error) {
	ms, err := migrations(db.d)
	if err != nil {
		return 0, err
	}
	// One read of the records, not one per migration: every command opens
	// the store, and on PostgreSQL each query is a round trip.
	rows, err := db.Read().q.QueryContext(ctx, `SELECT version, name FROM schema_migrations`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	recorded := make(map[int]string, len(ms))
	for rows.Next() {
		var v int
		var name string
		if err := rows.Scan(&v, &name); err != nil {
			return 0, err
		}
		recorded[v] = name
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, m := range ms {
		if name, ok := recorded[m.Version]; ok && name == m.Name {
			n++
		}
	}
	return n, nil
}

// migrationLockKey is the PostgreSQL advisory lock that serialises schema
// changes between processes starting at once ("regdesk" in ASCII).
const migrationLockKey = 0x72656764657363

// WithMigrationLock runs fn while no other process changes the schema: on
// PostgreSQL it holds an advisory lock; SQLite's single writer needs none.
func (db *DB) WithMigrationLock(ctx context.Context, fn func() error) error {
	if !db.d.postgres {
		return fn()
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: migration lock: %w", mapErr(err))
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLockKey); err != nil {
		return fmt.Errorf("store: migration lock: %w", mapErr(err))
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLockKey) //nolint:errcheck // closing the session drops it too
	return fn()
}

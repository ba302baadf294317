// Package storetest opens migrated databases for tests.
//
// The store under test is SQLite unless REGDESK_TEST_STORE=postgres; then
// every database is a fresh PostgreSQL database on the server named by
// REGDESK_TEST_PG_URL (`.ci/with-postgres` starts a throw-away one). Without
// a server the PostgreSQL run skips, saying so; under CI=true it fails.
package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"github.com/regdesk/regdesk/store"
)

// Environment variables that choose the store under test.
const (
	EnvStore = "REGDESK_TEST_STORE"  // "postgres" runs the suite on PostgreSQL
	EnvPGURL = "REGDESK_TEST_PG_URL" // a server the tests may create databases on
)

// Postgres reports whether this test run is on PostgreSQL.
func Postgres() bool { return os.Getenv(EnvStore) == "postgres" }

// New opens a migrated database: a file in t.TempDir() (a file, not
// :memory:, which would give every pooled connection its own database), or
// a database of its own on PostgreSQL.
func New(t testing.TB) *store.DB {
	t.Helper()
	return NewWithClock(t, nil)
}

// NewWithClock is New with the store's clock set.
func NewWithClock(t testing.TB, now func() time.Time) *store.DB {
	t.Helper()
	target := Target(t)
	if !Postgres() {
		if err := WriteMigrated(target); err != nil {
			t.Fatalf("storetest: %v", err)
		}
	}
	db, err := store.Open(context.Background(), target, store.Options{Now: now})
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// WriteMigrated writes a freshly migrated SQLite database file at path, as
// the first Open there would leave it, without migrating again.
func WriteMigrated(path string) error {
	tmpl, err := sqliteTemplate()
	if err != nil {
		return err
	}
	return os.WriteFile(path, tmpl, 0o600)
}

// sqliteTemplate is a freshly migrated SQLite database file, made once per
// test binary and kept in memory. Migrating costs the better part of a
// second of CPU under the race detector and nearly every test wants a fresh
// database, so New writes a copy of this instead; Open then finds every
// migration applied. (PostgreSQL databases are reused instead: see
// PostgresURL.)
var sqliteTemplate = sync.OnceValues(func() ([]byte, error) {
	dir, err := os.MkdirTemp("", "regdesk-storetest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, store.DBFile)
	db, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		return nil, err
	}
	if err := db.Close(); err != nil {
		return nil, err
	}
	// Closing the last connection folds the write-ahead log into the file
	// and removes it; a log left behind would hold part of the schema.
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		return nil, fmt.Errorf("template database %s kept a %d-byte write-ahead log", path, fi.Size())
	}
	return os.ReadFile(path)
})

// BothStoresAlready skips t in the PostgreSQL pass (REGDESK_TEST_STORE=
// postgres) for a test that opens a SQLite file and a PostgreSQL database
// of its own: the SQLite pass of `make test` has run it on both already,
// so running it again would test nothing new.
func BothStoresAlready(t testing.TB) {
	t.Helper()
	if Postgres() {
		t.Skip("storetest: this test opens both stores itself; the SQLite pass runs it")
	}
}

// Target is where a new test database lives, for tests that open it
// themselves: a file path in t.TempDir(), or the URL of an empty PostgreSQL
// database that is dropped when the test ends.
func Target(t testing.TB) string {
	t.Helper()
	if !Postgres() {
		return filepath.Join(t.TempDir(), store.DBFile)
	}
	return PostgresURL(t)
}

// PostgresURL gives the test a PostgreSQL database of its own, freshly
// migrated, and returns its URL; it skips the test when no server is
// configured (fails under CI). Creating a database takes the server the
// better part of a second, so a test binary keeps the databases its tests
// used and empties each back to its freshly migrated state for the next.
func PostgresURL(t testing.TB) string {
	t.Helper()
	admin := os.Getenv(EnvPGURL)
	if admin == "" {
		msg := "storetest: no PostgreSQL server: set " + EnvPGURL + " or run under .ci/with-postgres (Debian package postgresql)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	u, err := dbs.get(admin)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	t.Cleanup(func() {
		if err := dbs.put(u); err != nil {
			t.Errorf("storetest: %v", err)
		}
	})
	return u
}

// pgDatabases is a test binary's PostgreSQL databases not in use.
type pgDatabases struct {
	mu    sync.Mutex
	admin *sql.DB
	free  []string
	// resetters holds a connection to each database, opened with it, for
	// its snapshot and resets: a new PostgreSQL connection costs the
	// server a new process, about 35 ms of CPU, once per test otherwise.
	resetters map[string]*sql.DB
}

var (
	dbs pgDatabases
	seq atomic.Int64
)

func (p *pgDatabases) get(adminURL string) (string, error) {
	p.mu.Lock()
	if n := len(p.free); n > 0 {
		u := p.free[n-1]
		p.free = p.free[:n-1]
		p.mu.Unlock()
		return u, nil
	}
	if p.admin == nil {
		db, err := sql.Open("pgx", adminURL)
		if err != nil {
			p.mu.Unlock()
			return "", fmt.Errorf("PostgreSQL at %s: %w", EnvPGURL, err)
		}
		db.SetMaxOpenConns(2)
		p.admin = db
	}
	admin := p.admin
	p.mu.Unlock()

	ctx := context.Background()
	name := fmt.Sprintf("regdesk_test_%d_%d", os.Getpid(), seq.Add(1))
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		return "", fmt.Errorf("create database on %s: %w", EnvPGURL, err)
	}
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", fmt.Errorf("%s: %w", EnvPGURL, err)
	}
	u.Path = "/" + name
	db, err := store.Open(ctx, u.String(), store.Options{}) // migrates it
	if err != nil {
		return "", err
	}
	db.Close()
	resetter, err := sql.Open("pgx", u.String())
	if err != nil {
		return "", err
	}
	resetter.SetMaxOpenConns(1)
	resetter.SetMaxIdleConns(1)
	resetter.SetConnMaxIdleTime(0)
	if _, err := resetter.ExecContext(ctx, snapshot); err != nil {
		resetter.Close()
		return "", fmt.Errorf("snapshot %s: %w", name, err)
	}
	p.mu.Lock()
	if p.resetters == nil {
		p.resetters = map[string]*sql.DB{}
	}
	p.resetters[u.String()] = resetter
	p.mu.Unlock()
	return u.String(), nil
}

// put empties a database back to its freshly migrated state and keeps it.
// The tables a migration filled are copied aside once (snapshot); reset
// truncates every table but the migration records, River's included, and
// copies them back.
func (p *pgDatabases) put(rawURL string) error {
	p.mu.Lock()
	db := p.resetters[rawURL]
	p.mu.Unlock()
	if _, err := db.ExecContext(context.Background(), `SELECT storetest.reset()`); err != nil {
		return fmt.Errorf("reset %s: %w", rawURL, err)
	}
	p.mu.Lock()
	p.free = append(p.free, rawURL)
	p.mu.Unlock()
	return nil
}

const snapshot = `
CREATE SCHEMA storetest;
DO $$
DECLARE t record;
BEGIN
	FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations' LOOP
		EXECUTE format('CREATE TABLE storetest.%I AS SELECT * FROM public.%I', t.tablename, t.tablename);
	END LOOP;
END $$;
CREATE FUNCTION storetest.reset() RETURNS void LANGUAGE plpgsql AS $$
DECLARE t record;
BEGIN
	-- Rows are few: deleting them (foreign keys and triggers off) is far
	-- quicker than TRUNCATE, which makes new files for every table.
	SET LOCAL session_replication_role = replica;
	FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public'
		AND tablename NOT IN ('schema_migrations', 'river_migration') LOOP
		EXECUTE format('DELETE FROM public.%I', t.tablename);
	END LOOP;
	FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'storetest' LOOP
		EXECUTE format('INSERT INTO public.%I SELECT * FROM storetest.%I', t.tablename, t.tablename);
	END LOOP;
	FOR t IN SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' LOOP
		PERFORM setval(format('public.%I', t.sequencename), 1, false);
	END LOOP;
END $$;
`

// Clock is a settable fake clock for tests, safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts a clock at a fixed, readable instant.
func NewClock() *Clock { return &Clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// AsSent returns mails as their recipients get them: each queued mail's
// working link in place of store.LinkMarker.
func AsSent(t testing.TB, db *store.DB, ms []store.Mail) []store.Mail {
	t.Helper()
	out := make([]store.Mail, len(ms))
	for i, m := range ms {
		link, err := db.Read().MailLink(context.Background(), m.ID)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = store.FillLink(m, link)
	}
	return out
}

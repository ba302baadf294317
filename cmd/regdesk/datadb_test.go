package main

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/store/storetest"
)

// The end-to-end tests keep an installation in a data directory, as an
// operator does. On SQLite its database is the file in the directory; when
// the suite runs on PostgreSQL (REGDESK_TEST_STORE=postgres) a directory made
// by newData gets a PostgreSQL database of its own, and every command the
// tests run on that directory (regdesk, inproc, cli, startServe, openDesk)
// is given it with --db. The same tests so drive both stores. A directory
// made with t.TempDir() stays on SQLite in both runs: the tests of a missing
// or mistyped --data use those.

// dataDBs maps a data directory made by newData to its PostgreSQL URL.
var dataDBs sync.Map

// newData makes a data directory for the test, with a PostgreSQL database
// tied to it in the PostgreSQL run. On SQLite the directory holds a freshly
// migrated database already (a copy: migrating costs the better part of a
// CPU-second under the race detector); the tests of a first start use
// t.TempDir() or dataAt.
func newData(t testing.TB) string {
	t.Helper()
	data := t.TempDir()
	if !storetest.Postgres() {
		if err := storetest.WriteMigrated(filepath.Join(data, store.DBFile)); err != nil {
			t.Fatal(err)
		}
	}
	return dataAt(t, data)
}

// dataAt is newData for a data directory at a path of the test's choosing
// (one serve will create).
func dataAt(t testing.TB, data string) string {
	t.Helper()
	if storetest.Postgres() {
		dataDBs.Store(data, storetest.PostgresURL(t))
		t.Cleanup(func() { dataDBs.Delete(data) })
	}
	return data
}

// dataDB is where the database of data is: its PostgreSQL URL, or the
// SQLite file in it.
func dataDB(data string) string {
	if u, ok := dataDBs.Load(data); ok {
		return u.(string)
	}
	return filepath.Join(data, store.DBFile)
}

// withDB adds --db to a command line on a data directory with a PostgreSQL
// database, unless it names a database itself.
func withDB(data string, args []string) []string {
	u, ok := dataDBs.Load(data)
	if !ok || slices.Contains(args, "--db") {
		return args
	}
	return append(args, "--db", u.(string))
}

// withDBArgs is withDB for a command line that names its data directory
// with --data.
func withDBArgs(args []string) []string {
	if i := slices.Index(args, "--data"); i >= 0 && i+1 < len(args) {
		return withDB(args[i+1], args)
	}
	return args
}

// openData opens (and migrates) the database of data.
func openData(t testing.TB, data string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dataDB(data), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// sqliteOnly skips, in the PostgreSQL run, a test of what exists only with
// the SQLite file (its permissions, copying it as a backup, restoring it).
func sqliteOnly(t testing.TB, why string) {
	t.Helper()
	if storetest.Postgres() {
		t.Skip("SQLite only (" + why + "); the PostgreSQL run leaves it to the SQLite run")
	}
}

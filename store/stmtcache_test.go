package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// openCacheTest opens a SQLite file through the statement cache with room
// for size statements, on one connection so every call meets the same cache.
func openCacheTest(t *testing.T, size int) *sql.DB {
	t.Helper()
	db, err := openSQLiteCache(dsn(filepath.Join(t.TempDir(), "cache.db"), false), size)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)`); err != nil {
		t.Fatal(err)
	}
	return db
}

// cached lists the statement texts the connection keeps.
func cached(t *testing.T, db *sql.DB) []string {
	t.Helper()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var texts []string
	err = conn.Raw(func(dc any) error {
		c := dc.(*cachingConn)
		for e := c.lru.Front(); e != nil; e = e.Next() {
			texts = append(texts, e.Value.(*cachedStmt).text)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return texts
}

func names(t *testing.T, q interface {
	Query(string, ...any) (*sql.Rows, error)
}, query string, args ...any) []string {
	t.Helper()
	rows, err := q.Query(query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestStmtCache(t *testing.T) {
	const insert = `INSERT INTO t (name) VALUES (?)`
	const byPrefix = `SELECT name FROM t WHERE name >= ? ORDER BY name`

	t.Run("a statement is prepared once and run again with new arguments", func(t *testing.T) {
		db := openCacheTest(t, 8)
		for _, n := range []string{"a", "b", "c"} {
			if _, err := db.Exec(insert, n); err != nil {
				t.Fatal(err)
			}
		}
		if got := names(t, db, byPrefix, "b"); strings.Join(got, ",") != "b,c" {
			t.Fatalf("got %v, want b,c", got)
		}
		if got := names(t, db, byPrefix, "a"); strings.Join(got, ",") != "a,b,c" {
			t.Fatalf("got %v, want a,b,c", got)
		}
		n := 0
		for _, s := range cached(t, db) {
			if s == insert || s == byPrefix {
				n++
			}
		}
		if n != 2 {
			t.Fatalf("cached %q, want the insert and the select once each", cached(t, db))
		}
	})

	t.Run("the same text while its rows are open runs on its own", func(t *testing.T) {
		db := openCacheTest(t, 8)
		for _, n := range []string{"a", "b"} {
			if _, err := db.Exec(insert, n); err != nil {
				t.Fatal(err)
			}
		}
		tx, err := db.Begin()
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		rows, err := tx.Query(byPrefix, "a")
		if err != nil {
			t.Fatal(err)
		}
		var outer, inner []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			outer = append(outer, s)
			inner = append(inner, strings.Join(names(t, tx, byPrefix, s), ","))
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		if strings.Join(outer, ",") != "a,b" || strings.Join(inner, "|") != "a,b|b" {
			t.Fatalf("outer %v inner %v, want a,b and a,b|b", outer, inner)
		}
		// The cached statement is free again.
		if got := names(t, tx, byPrefix, "b"); strings.Join(got, ",") != "b" {
			t.Fatalf("got %v, want b", got)
		}
	})

	t.Run("the least recently used statement leaves, even with its rows open", func(t *testing.T) {
		db := openCacheTest(t, 2)
		if _, err := db.Exec(insert, "a"); err != nil {
			t.Fatal(err)
		}
		tx, err := db.Begin()
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		rows, err := tx.Query(byPrefix, "a")
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{`SELECT 1`, `SELECT 2`, `SELECT 3`} {
			var n int
			if err := tx.QueryRow(q).Scan(&n); err != nil {
				t.Fatal(err)
			}
		}
		if !rows.Next() {
			t.Fatalf("rows of a statement pushed out of the cache: %v", rows.Err())
		}
		var s string
		if err := rows.Scan(&s); err != nil || s != "a" {
			t.Fatalf("got %q, %v; want a", s, err)
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		got := cached(t, db)
		if len(got) != 2 || got[0] != `SELECT 3` || got[1] != `SELECT 2` {
			t.Fatalf("cached %q, want the two most recent", got)
		}
	})

	t.Run("a failed run is dropped and the next runs anew", func(t *testing.T) {
		db := openCacheTest(t, 8)
		if _, err := db.Exec(insert, "a"); err != nil {
			t.Fatal(err)
		}
		_, err := db.Exec(insert, "a")
		if err == nil || !strings.Contains(err.Error(), "UNIQUE") {
			t.Fatalf("duplicate insert: %v, want a UNIQUE violation", err)
		}
		for _, s := range cached(t, db) {
			if s == insert {
				t.Fatal("a statement whose run failed stayed in the cache")
			}
		}
		if _, err := db.Exec(insert, "b"); err != nil {
			t.Fatal(err)
		}
		if got := names(t, db, `SELECT name FROM t ORDER BY name`); strings.Join(got, ",") != "a,b" {
			t.Fatalf("got %v, want a,b: the failed insert must have changed nothing", got)
		}
	})

	t.Run("a rolled back transaction keeps nothing of a cached statement's writes", func(t *testing.T) {
		db := openCacheTest(t, 8)
		if _, err := db.Exec(insert, "a"); err != nil {
			t.Fatal(err)
		}
		tx, err := db.Begin()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(insert, "b"); err != nil {
			t.Fatal(err)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		if got := names(t, db, byPrefix, ""); strings.Join(got, ",") != "a" {
			t.Fatalf("got %v, want a", got)
		}
	})

	t.Run("a schema change reaches cached statements", func(t *testing.T) {
		db := openCacheTest(t, 8)
		const all = `SELECT * FROM t`
		cols := func() []string {
			rows, err := db.Query(all)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			c, err := rows.Columns()
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		if got := cols(); len(got) != 2 {
			t.Fatalf("columns %v", got)
		}
		if _, err := db.Exec(`ALTER TABLE t ADD COLUMN note TEXT`); err != nil {
			t.Fatal(err)
		}
		if got := cols(); len(got) != 3 || got[2] != "note" {
			t.Fatalf("columns after ALTER TABLE %v, want id, name, note", got)
		}
		if _, err := db.Exec(`DROP TABLE t`); err != nil {
			t.Fatal(err)
		}
		_, err := db.Query(all)
		if err == nil || !strings.Contains(err.Error(), "no such table") {
			t.Fatalf("query of a dropped table: %v", err)
		}
	})

	t.Run("a cancelled context stops a cached statement and the next run works", func(t *testing.T) {
		db := openCacheTest(t, 8)
		if _, err := db.Exec(insert, "a"); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := db.QueryContext(ctx, byPrefix, "a"); !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled query: %v", err)
		}
		if got := names(t, db, byPrefix, "a"); strings.Join(got, ",") != "a" {
			t.Fatalf("got %v, want a", got)
		}
	})
}

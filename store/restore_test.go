package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/store/storetest"
)

// skipOnPostgres: backup files and restore are SQLite's (PostgreSQL is
// backed up with its own tools); the SQLite run covers them.
func skipOnPostgres(t *testing.T) {
	t.Helper()
	if storetest.Postgres() {
		t.Skip("backup files and restore are SQLite's; the SQLite run covers them")
	}
}

func openIn(t *testing.T, dir string) *store.DB {
	t.Helper()

	db, err := store.Open(context.Background(), filepath.Join(dir, store.DBFile), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func insertRequest(ctx context.Context, db *store.DB, number string) error {
	return db.WithTx(ctx, func(tx *store.Tx) error {
		return tx.InsertRequest(ctx, &store.Request{Number: number, Status: "requested",
			CompanyName: "Co " + number, Street: "s", City: "c", PostalCode: "p", Country: "DE",
			FirstName: "F", LastName: "L", Email: number + "@x.example", Phone: "1", Username: number})
	})
}

func requestNumbers(t *testing.T, db *store.DB) map[string]bool {
	t.Helper()
	rs, err := db.Read().Requests(context.Background(), store.ListRequests{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, r := range rs {
		out[r.Number] = true
	}
	return out
}

func TestRestore_backupDuringConcurrentWrites(t *testing.T) {
	skipOnPostgres(t)
	ctx := context.Background()
	src := openIn(t, t.TempDir())
	var mu sync.Mutex
	var committed []string
	stop := make(chan struct{})
	writerDone := make(chan error, 1)
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				writerDone <- nil
				return
			default:
			}
			n := fmt.Sprintf("REG-%06d", i)
			if err := insertRequest(ctx, src, n); err != nil {
				writerDone <- err
				return
			}
			mu.Lock()
			committed = append(committed, n)
			mu.Unlock()
		}
	}()
	waitFor := func(n int) {
		for {
			mu.Lock()
			got := len(committed)
			mu.Unlock()
			if got >= n {
				return
			}
			select {
			case err := <-writerDone:
				t.Fatalf("writer stopped: %v", err)
			default:
			}
		}
	}
	waitFor(20)
	mu.Lock()
	before := append([]string(nil), committed...)
	mu.Unlock()
	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := src.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	waitFor(len(before) + 20) // the writer went on during and after the backup
	close(stop)
	if err := <-writerDone; err != nil {
		t.Fatal(err)
	}

	dst := t.TempDir()
	res, err := store.Restore(ctx, dst, backup)
	if err != nil {
		t.Fatal(err)
	}
	if res.Previous != "" {
		t.Errorf("nothing to keep, but Previous = %q", res.Previous)
	}
	db := openIn(t, dst)
	if problems, err := db.IntegrityCheck(ctx); err != nil || len(problems) > 0 {
		t.Fatalf("integrity_check: %v %v", problems, err)
	}
	got := requestNumbers(t, db)
	for _, n := range before {
		if !got[n] {
			t.Errorf("%s was committed before the backup but is missing", n)
		}
	}
	all := map[string]bool{}
	for _, n := range committed {
		all[n] = true
	}
	for n := range got {
		if !all[n] {
			t.Errorf("restored %s, which was never committed", n)
		}
	}
	if int64(len(got)) != res.Requests {
		t.Errorf("restore reported %d requests, the database holds %d", res.Requests, len(got))
	}
	// The search index came along: the restored database is fully usable.
	found, err := db.Read().Requests(ctx, store.ListRequests{Search: before[0]})
	if err != nil || len(found) != 1 {
		t.Errorf("search after restore: %d %v", len(found), err)
	}
}

func TestRestore_replacesTheDatabase(t *testing.T) {
	skipOnPostgres(t)
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(ctx, filepath.Join(dir, store.DBFile), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := insertRequest(ctx, db, "REG-1"); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "b.db")
	if err := db.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	if err := insertRequest(ctx, db, "REG-2"); err != nil { // after the backup
		t.Fatal(err)
	}
	db.Close()

	res, err := store.Restore(ctx, dir, backup)
	if err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(filepath.Join(dir, store.DBFile+suffix)); err == nil {
			t.Errorf("stale %s left beside the restored database", suffix)
		}
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, "*.restoring*")); len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
	restored := openIn(t, dir)
	if got := requestNumbers(t, restored); !got["REG-1"] || got["REG-2"] {
		t.Errorf("restored %v, want REG-1 only", got)
	}
	// The insight rollups came back with the rows they count.
	checkInsights(t, restored, time.Now(), "the restored database")
	// (Two days: the sign-up may have been just before midnight.)
	if in, err := restored.Read().Insights(ctx, 2, time.Now()); err != nil || in.Days[0].Signups+in.Days[1].Signups != 1 {
		t.Errorf("restored insights: %+v, %v", in.Days, err)
	}
	prev, err := store.OpenExisting(ctx, res.Previous, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer prev.Close()
	if got := requestNumbers(t, prev); !got["REG-1"] || !got["REG-2"] {
		t.Errorf("the kept database holds %v, want REG-1 and REG-2", got)
	}
	checkInsights(t, prev, time.Now(), "the kept database")
}

func TestRestore_refusals(t *testing.T) {
	skipOnPostgres(t)
	ctx := context.Background()
	dir := t.TempDir()
	db := openIn(t, dir)
	if err := insertRequest(ctx, db, "REG-1"); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(t.TempDir(), "good.db")
	if err := db.Backup(ctx, good); err != nil {
		t.Fatal(err)
	}
	unchanged := func(t *testing.T) {
		t.Helper()
		if got := requestNumbers(t, db); len(got) != 1 || !got["REG-1"] {
			t.Errorf("the database changed: %v", got)
		}
		if leftovers, _ := filepath.Glob(filepath.Join(dir, "*restor*")); len(leftovers) > 0 {
			t.Errorf("files left behind: %v", leftovers)
		}
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}

	t.Run("while serve runs", func(t *testing.T) {
		lock, err := store.LockServe(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer lock.Unlock()
		_, err = store.Restore(ctx, dir, good)
		if !errors.Is(err, store.ErrServeRunning) || !strings.Contains(err.Error(), "stop regdesk serve first") {
			t.Fatalf("err %v", err)
		}
		if running, err := store.ServeRunning(dir); err != nil || !running {
			t.Errorf("ServeRunning = %v, %v while locked", running, err)
		}
		unchanged(t)
	})

	t.Run("the lock is free again", func(t *testing.T) {
		if running, err := store.ServeRunning(dir); err != nil || running {
			t.Fatalf("ServeRunning = %v, %v after unlock", running, err)
		}
	})

	cases := []struct {
		name, file, want string
	}{
		{"missing file", filepath.Join(t.TempDir(), "nope.db"), "no such file"},
		{"not a database", write("junk.db", []byte(strings.Repeat("not sqlite\n", 500))), "not a regdesk backup"},
		{"an empty file", write("empty.db", nil), "not a regdesk backup"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := store.Restore(ctx, dir, c.file)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v, want %q", err, c.want)
			}
			unchanged(t)
		})
	}

	t.Run("a damaged backup", func(t *testing.T) {
		b, err := os.ReadFile(good)
		if err != nil {
			t.Fatal(err)
		}
		// Break the header of every page after the first (the schema stays
		// readable, the tables do not).
		for i := 4096; i+8 < len(b); i += 4096 {
			copy(b[i:], []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
		}
		_, err = store.Restore(ctx, dir, write("damaged.db", b))
		if err == nil || !strings.Contains(err.Error(), "damaged") {
			t.Fatalf("err %v, want it called damaged", err)
		}
		unchanged(t)
	})

	t.Run("a backup from a newer schema", func(t *testing.T) {
		newer := filepath.Join(t.TempDir(), "newer.db")
		other := openIn(t, t.TempDir())
		if err := other.WithTx(ctx, func(tx *store.Tx) error {
			return tx.InsertAudit(ctx, store.AuditEntry{Actor: "t", Entity: "x", Ref: "y", Action: "z"})
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := other.WriteDB().ExecContext(ctx,
			`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', 0)`); err != nil {
			t.Fatal(err)
		}
		if err := other.Backup(ctx, newer); err != nil {
			t.Fatal(err)
		}
		_, err := store.Restore(ctx, dir, newer)
		if err == nil || !strings.Contains(err.Error(), "newer regdesk") {
			t.Fatalf("err %v", err)
		}
		unchanged(t)
	})
}

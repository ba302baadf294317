package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/store/storetest"
	"github.com/regdesk/regdesk/workflow/domain"
)

func TestDB_MigrateTwiceChangesNothing(t *testing.T) {
	ctx := context.Background()
	path := storetest.Target(t)
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	v1, err := db.Read().SchemaVersion(ctx)
	if err != nil || v1 < 1 {
		t.Fatalf("schema version = %d, %v", v1, err)
	}
	ms, _ := store.Migrations()
	if db.Postgres() {
		ms, _ = store.PostgresMigrations()
	}
	if want := ms[len(ms)-1].Version; v1 != want {
		t.Fatalf("schema version %d, newest embedded migration %d", v1, want)
	}
	schema := func() string {
		var b strings.Builder
		query := `SELECT type, name, coalesce(sql, '') FROM sqlite_schema ORDER BY name`
		if db.Postgres() {
			query = `SELECT 'column', table_name || '.' || column_name, data_type || coalesce(column_default, '')
				FROM information_schema.columns WHERE table_schema = current_schema()
				UNION ALL SELECT 'index', indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()
				ORDER BY 1, 2`
		}
		rows, err := db.WriteDB().QueryContext(ctx, query)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var typ, name, sql string
			rows.Scan(&typ, &name, &sql)
			fmt.Fprintf(&b, "%s %s %s\n", typ, name, sql)
		}
		return b.String()
	}
	before := schema()
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	db.Close()
	// And once more through Open, as a restart does.
	db, err = store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if after := schema(); after != before {
		t.Fatalf("schema changed on a second run:\n%s\nvs\n%s", before, after)
	}
	var n int
	db.WriteDB().QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n)
	if n != len(ms) {
		t.Fatalf("%d migration records, want %d", n, len(ms))
	}
}

func TestDB_Pragmas(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	for _, q := range pragmasOf(db) {
		var got string
		if err := db.WriteDB().QueryRowContext(ctx, "PRAGMA "+q.pragma).Scan(&got); err != nil || got != q.want {
			t.Errorf("PRAGMA %s = %q, %v; want %q", q.pragma, got, err, q.want)
		}
	}
	// The read pool cannot write.
	err := db.Read().SetParam(ctx, "x", "y", "t")
	if err == nil {
		t.Fatal("a write through the read pool succeeded")
	}
}

// pragmasOf is what every SQLite connection must have set; PostgreSQL has
// none of these.
func pragmasOf(db *store.DB) []struct{ pragma, want string } {
	if db.Postgres() {
		return nil
	}
	return []struct{ pragma, want string }{
		{"journal_mode", "wal"}, {"foreign_keys", "1"}, {"busy_timeout", "10000"},
	}
}

func newRequest(i int, status domain.RequestStatus, at time.Time) store.Request {
	return store.Request{Number: fmt.Sprintf("REG-%06d", i), Status: status,
		CompanyName: fmt.Sprintf("Company %d", i), Street: "1 Road", City: "Town", PostalCode: "1",
		Country: "US", FirstName: "Ann", LastName: fmt.Sprintf("Smith%d", i),
		Email: fmt.Sprintf("ann%d@c%d.test", i, i), Phone: "+1 555 0100", Username: fmt.Sprintf("ann%d", i),
		CreatedAt: at}
}

func TestQueries_RequestsKeyset(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	statuses := []domain.RequestStatus{domain.Verified, domain.Requested, domain.Verified, domain.Rejected}
	err := db.WithTx(ctx, func(tx *store.Tx) error {
		for i := 1; i <= 40; i++ {
			// Same created_at for pairs, so the id breaks ties.
			r := newRequest(i, statuses[i%4], base.Add(time.Duration(i/2)*time.Minute))
			if err := tx.InsertRequest(ctx, &r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	q := db.Read()
	var all []string
	var after *store.Cursor
	for {
		page, err := q.Requests(ctx, store.ListRequests{Status: "verified", After: after, Limit: 7})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, r := range page {
			all = append(all, r.Number)
		}
		c := store.CursorOf(page[len(page)-1])
		after = &c
	}
	if len(all) != 20 {
		t.Fatalf("paged through %d verified requests, want 20", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i] <= all[i-1] {
			t.Fatalf("not in queue order: %v", all)
		}
	}
	// Before pages backwards, still returned oldest first.
	last, _ := q.RequestByNumber(ctx, all[10])
	c := store.CursorOf(last)
	prev, err := q.Requests(ctx, store.ListRequests{Status: "verified", Before: &c, Limit: 3})
	if err != nil || len(prev) != 3 || prev[0].Number != all[7] || prev[2].Number != all[9] {
		t.Fatalf("Before page = %v, %v", numbers(prev), err)
	}
	counts, err := q.RequestCounts(ctx)
	if err != nil || counts["verified"] != 20 || counts["requested"] != 10 || counts["rejected"] != 10 {
		t.Fatalf("counts = %v, %v", counts, err)
	}
	// Search: trigram for 3+ characters, LIKE below.
	for _, s := range []struct {
		text string
		want int
	}{{"Company 1", 11}, {"smith40", 1}, {"ann7@", 1}, {"REG-00003", 10}, {"9", 1}, {"4", 2}, {"lovelace", 0}, {`%`, 0}, {`"`, 0}} {
		rs, err := q.Requests(ctx, store.ListRequests{Search: s.text})
		if err != nil || len(rs) != s.want {
			t.Errorf("search %q: %d results (%v), want %d", s.text, len(rs), err, s.want)
		}
	}
}

func numbers(rs []store.Request) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Number)
	}
	return out
}

func TestQueries_UpdateRequestStatusIsConditional(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	r := newRequest(1, "verified", time.Now())
	if err := db.WithTx(ctx, func(tx *store.Tx) error { return tx.InsertRequest(ctx, &r) }); err != nil {
		t.Fatal(err)
	}
	change := store.RequestChange{ID: r.ID, From: "verified", To: "approved", Version: r.Version, Actor: "a"}
	if err := db.WithTx(ctx, func(tx *store.Tx) error { return tx.UpdateRequestStatus(ctx, change) }); err != nil {
		t.Fatal(err)
	}
	err := db.WithTx(ctx, func(tx *store.Tx) error { return tx.UpdateRequestStatus(ctx, change) })
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("replayed update = %v, want ErrConflict", err)
	}
	// A status the schema does not know is refused by the database itself.
	bad := newRequest(2, "approved-ish", time.Now())
	err = db.WithTx(ctx, func(tx *store.Tx) error { return tx.InsertRequest(ctx, &bad) })
	if !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("insert with an unknown status = %v, want ErrInvalid", err)
	}
	dup := newRequest(1, "verified", time.Now())
	err = db.WithTx(ctx, func(tx *store.Tx) error { return tx.InsertRequest(ctx, &dup) })
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate number = %v, want ErrConflict", err)
	}
}

func TestDB_Backup(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	r := newRequest(1, "verified", time.Now())
	if err := db.WithTx(ctx, func(tx *store.Tx) error { return tx.InsertRequest(ctx, &r) }); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "copy.db")
	if db.Postgres() {
		// PostgreSQL has its own tools; a file would be a SQLite database.
		if err := db.Backup(ctx, out); !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), "pg_dump") {
			t.Fatalf("backup of PostgreSQL = %v, want a pointer to pg_dump", err)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Fatalf("a refused backup left %s: %v", out, err)
		}
		return
	}
	if err := db.Backup(ctx, out); err != nil {
		t.Fatal(err)
	}
	if err := db.Backup(ctx, out); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("backup over an existing file = %v", err)
	}
	if err := db.Backup(ctx, " "); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("backup to an empty file name = %v, want ErrInvalid", err)
	}
	cp, err := store.OpenExisting(ctx, out, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	if got, err := cp.Read().RequestByNumber(ctx, r.Number); err != nil || got.CompanyName != r.CompanyName {
		t.Fatalf("backup lacks the request: %v", err)
	}
}

func TestDB_OpenUpToDateTakesNoWriteLock(t *testing.T) {
	ctx := context.Background()
	path := storetest.Target(t)
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Another process is mid-write (serve, say): the writer is taken.
	locked, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- db.WithTx(ctx, func(tx *store.Tx) error {
			if err := tx.SetParam(ctx, "k", "v", "t"); err != nil {
				return err
			}
			close(locked)
			<-release
			return nil
		})
	}()
	<-locked
	// Waiting for the writer would outlast this deadline (busy_timeout is 10 s).
	octx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	other, err := store.Open(octx, path, store.Options{})
	if err != nil {
		close(release)
		t.Fatalf("opening an up-to-date database while another writes: %v", err)
	}
	other.Close()
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

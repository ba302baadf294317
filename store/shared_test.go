package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/store/storetest"
)

// Every SQLite migration has a PostgreSQL twin of the same number and name.
func TestMigrations_PostgresTwins(t *testing.T) {
	lite, err := store.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	pg, err := store.PostgresMigrations()
	if err != nil {
		t.Fatal(err)
	}
	names := func(ms []store.Migration) []string {
		var out []string
		for _, m := range ms {
			out = append(out, fmt.Sprintf("%04d %s", m.Version, m.Name))
		}
		return out
	}
	if a, b := names(lite), names(pg); !slices.Equal(a, b) {
		t.Fatalf("store/migrations and store/migrations_postgres differ:\nSQLite:     %v\nPostgreSQL: %v\n"+
			"every migration needs a twin of the same name in the other folder", a, b)
	}
}

// openTwice opens one database as two processes would: two stores, each with
// its own pools.
func openTwice(t *testing.T) (*store.DB, *store.DB) {
	t.Helper()
	ctx := context.Background()
	target := storetest.Target(t)
	var dbs [2]*store.DB
	for i := range dbs {
		db, err := store.Open(ctx, target, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	return dbs[0], dbs[1]
}

// Numbers handed out by two processes at once are unique and continuous.
func TestQueries_NextValueAcrossProcesses(t *testing.T) {
	ctx := context.Background()
	a, b := openTwice(t)
	const each = 40
	var mu sync.Mutex
	var got []int64
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		db := a
		if w%2 == 1 {
			db = b
		}
		wg.Go(func() {
			for range each / 4 {
				var v int64
				err := db.WithTx(ctx, func(tx *store.Tx) error {
					var err error
					v, err = tx.NextValue(ctx, store.SeqRegistration)
					return err
				})
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				got = append(got, v)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	slices.Sort(got)
	for i, v := range got {
		if v != int64(i+1) {
			t.Fatalf("numbers %v are not 1..%d without gaps or repeats", got, len(got))
		}
	}
	if len(got) != 8*each/4 {
		t.Fatalf("%d numbers, want %d", len(got), 8*each/4)
	}
}

// A transaction that read a row another one changed meanwhile does not
// commit a stale decision: the loser runs again and sees the winner's write.
func TestDB_WithTxRacingReadThenWrite(t *testing.T) {
	ctx := context.Background()
	a, b := openTwice(t)
	if err := a.WithTx(ctx, func(tx *store.Tx) error { return tx.SetParam(ctx, "counter", "0", "t") }); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for i := range 10 {
		db := a
		if i%2 == 1 {
			db = b
		}
		wg.Go(func() {
			errs <- db.WithTx(ctx, func(tx *store.Tx) error {
				ps, err := tx.Params(ctx)
				if err != nil {
					return err
				}
				var n int
				fmt.Sscan(ps["counter"].Value, &n)
				return tx.SetParam(ctx, "counter", fmt.Sprint(n+1), "t")
			})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	ps, err := a.Read().Params(ctx)
	if err != nil || ps["counter"].Value != "10" {
		t.Fatalf("counter = %q, %v; want 10 (an increment was lost)", ps["counter"].Value, err)
	}
}

// A commit through one process changes the data version the other watches.
func TestDB_DataVersionSeesOtherProcess(t *testing.T) {
	ctx := context.Background()
	a, b := openTwice(t)
	w, err := a.DataVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	v0, err := w.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r := newRequest(1, "verified", time.Now())
	if err := b.WithTx(ctx, func(tx *store.Tx) error { return tx.InsertRequest(ctx, &r) }); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		v, err := w.Version(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if v != v0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the other process's commit did not change the data version")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Search matches word prefixes in any field, ignoring case and accents, on
// both stores.
func TestQueries_RequestsSearch(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	rs := []store.Request{newRequest(1, "verified", time.Now()), newRequest(2, "verified", time.Now()),
		newRequest(42, "requested", time.Now())}
	rs[0].CompanyName, rs[0].Email = "Müller Söhne GmbH", "anna@contoso.example"
	rs[1].CompanyName, rs[1].TaxID = "Fabrikam Ltd", "DE-123456"
	if err := db.WithTx(ctx, func(tx *store.Tx) error {
		for i := range rs {
			if err := tx.InsertRequest(ctx, &rs[i]); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		search string
		want   []string
	}{
		{"muller", []string{"REG-000001"}},
		{"MÜLL söh", []string{"REG-000001"}},
		{"contoso", []string{"REG-000001"}},
		{"fabri", []string{"REG-000002"}},
		{"123456", []string{"REG-000002"}},
		{"42", []string{"REG-000042"}},
		{"REG-000042", []string{"REG-000042"}},
		{"müller fabrikam", nil},
		{"'; DROP TABLE x; --", nil},
		{"a & b | !c:*", nil},
	} {
		got, err := db.Read().Requests(ctx, store.ListRequests{Search: c.search})
		if err != nil {
			t.Fatalf("search %q: %v", c.search, err)
		}
		if n := numbers(got); !slices.Equal(n, c.want) {
			t.Errorf("search %q = %v, want %v", c.search, n, c.want)
		}
	}
}

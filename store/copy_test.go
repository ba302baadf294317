package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/store/storetest"
	"github.com/regdesk/regdesk/workflow/sample"
)

func TestDB_CopyTo(t *testing.T) {
	storetest.BothStoresAlready(t)
	ctx := context.Background()
	src, err := store.Open(ctx, filepath.Join(t.TempDir(), store.DBFile), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if err := sample.Seed(ctx, src, 300, 7, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if err := src.WithTx(ctx, func(tx *store.Tx) error {
		_, err := tx.InsertApprover(ctx, "alice", "alice@example.com")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	dst, err := store.Open(ctx, storetest.PostgresURL(t), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()

	var seen []string
	tables, err := src.CopyTo(ctx, dst, func(table string, done, total int64) {
		if done == total {
			seen = append(seen, table)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]int64{}
	for _, c := range tables {
		rows[c.Name] = c.Rows
		if len(c.Checksum) != 64 {
			t.Errorf("%s: checksum %q", c.Name, c.Checksum)
		}
	}
	if rows["customer_requests"] != 300 || rows["customers"] == 0 || rows["approvers"] != 1 || len(seen) < len(tables) {
		t.Fatalf("copied %v (progress finished %v)", rows, seen)
	}
	// The copy works as a store: lists, search, counts, the next numbers.
	a, _ := src.Read().Requests(ctx, store.ListRequests{Search: "contoso"})
	b, _ := dst.Read().Requests(ctx, store.ListRequests{Search: "contoso"})
	if len(a) == 0 || len(a) != len(b) {
		t.Fatalf("search contoso: %d in the source, %d in the copy", len(a), len(b))
	}
	ca, _ := src.Read().RequestCounts(ctx)
	cb, _ := dst.Read().RequestCounts(ctx)
	for k, v := range ca {
		if cb[k] != v {
			t.Fatalf("request counts: %v, copy %v", ca, cb)
		}
	}
	// The insight rollups are not copied: the copy's triggers built them
	// from the requests, to the same figures.
	until := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	for _, days := range []int{7, 366} {
		ia, err := src.Read().Insights(ctx, days, until)
		if err != nil {
			t.Fatal(err)
		}
		ib, err := dst.Read().Insights(ctx, days, until)
		if err != nil {
			t.Fatal(err)
		}
		if ia.Decisions == 0 || !reflect.DeepEqual(ia, ib) {
			t.Fatalf("insights over %d days: source %+v\ncopy %+v", days, ia, ib)
		}
	}
	checkInsights(t, dst, until, "the copy")
	pa, _ := src.Read().PeekValue(ctx, store.SeqRegistration)
	pb, _ := dst.Read().PeekValue(ctx, store.SeqRegistration)
	if pa != pb || pa != 301 {
		t.Fatalf("next registration number %d, copy %d", pa, pb)
	}
	r := newRequest(int(pb), "requested", time.Now())
	if err := dst.WithTx(ctx, func(tx *store.Tx) error { return tx.InsertRequest(ctx, &r) }); err != nil {
		t.Fatalf("a new request in the copy: %v", err)
	}

	t.Run("refuses a database that holds data, changing nothing", func(t *testing.T) {
		_, err := src.CopyTo(ctx, dst, nil)
		if !errors.Is(err, store.ErrConflict) {
			t.Fatalf("second copy = %v, want ErrConflict", err)
		}
		if c, _ := dst.Read().RequestCounts(ctx); c["requested"] != cb["requested"]+1 {
			t.Fatalf("counts changed: %v", c)
		}
	})
	t.Run("copies from SQLite to PostgreSQL only", func(t *testing.T) {
		if _, err := dst.CopyTo(ctx, src, nil); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("copy from PostgreSQL = %v, want ErrInvalid", err)
		}
	})
}

package sample_test

import (
	"context"
	"testing"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/store/storetest"
	"github.com/regdesk/regdesk/workflow/sample"
)

func TestSeed(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	if err := sample.Seed(ctx, db, 2000, 7, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	counts, err := db.Read().RequestCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for status, n := range counts {
		if n == 0 {
			t.Errorf("no %s requests in the sample", status)
		}
		total += n
	}
	if total != 2000 {
		t.Fatalf("%d requests, want 2000", total)
	}
	created, _ := db.Read().Requests(ctx, store.ListRequests{Status: "created", Limit: 0})
	cs, _ := db.Read().Customers(ctx, store.ListCustomers{})
	if len(cs) != len(created) || created[0].CustomerAccount == "" {
		t.Fatalf("%d created requests, %d customers", len(created), len(cs))
	}
	// The indexes dropped for the bulk load are back, and search works.
	var n int
	indexes := `SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'customer_requests_email'`
	if db.Postgres() {
		indexes = `SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'customer_requests_email'`
	}
	db.WriteDB().QueryRowContext(ctx, indexes).Scan(&n)
	if n != 1 {
		t.Fatal("index customer_requests_email missing after the bulk load")
	}
	found, err := db.Read().Requests(ctx, store.ListRequests{Search: created[0].CompanyName, Limit: 1000})
	if err != nil || len(found) == 0 {
		t.Fatalf("search for %q: %d, %v", created[0].CompanyName, len(found), err)
	}
	// A second seed continues the numbers.
	if err := sample.Seed(ctx, db, 10, 8, time.Now()); err != nil {
		t.Fatal(err)
	}
	last, _ := db.Read().Requests(ctx, store.ListRequests{Before: &store.Cursor{ID: 1 << 62}, Limit: 1})
	if last[0].Number != "REG-002010" {
		t.Fatalf("last number = %s", last[0].Number)
	}
}

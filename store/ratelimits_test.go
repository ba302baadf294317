package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/store/storetest"
)

// TestTakeToken: a bucket gives Burst tokens, refuses the next with the
// time until one is back, refills at one per Every, and a refusal changes
// nothing.
func TestTakeToken(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	b := store.Bucket{Burst: 3, Every: 10 * time.Minute}
	for i := range 3 {
		if ok, _, err := db.TakeToken(ctx, "login:a", b, now); err != nil || !ok {
			t.Fatalf("attempt %d: ok=%v err=%v", i+1, ok, err)
		}
	}
	ok, wait, err := db.TakeToken(ctx, "login:a", b, now.Add(time.Minute))
	if err != nil || ok || wait != 9*time.Minute {
		t.Fatalf("fourth attempt: ok=%v wait=%v err=%v, want refused for 9m", ok, wait, err)
	}
	// Another key has its own bucket.
	if ok, _, err := db.TakeToken(ctx, "login:b", b, now); err != nil || !ok {
		t.Fatalf("other key: ok=%v err=%v", ok, err)
	}
	// The refusal took nothing: one token is back ten minutes after the last.
	if ok, _, err := db.TakeToken(ctx, "login:a", b, now.Add(10*time.Minute)); err != nil || !ok {
		t.Fatalf("after the refill: ok=%v err=%v", ok, err)
	}
	if ok, wait, _ := db.TakeToken(ctx, "login:a", b, now.Add(10*time.Minute)); ok || wait != 10*time.Minute {
		t.Fatalf("right after: ok=%v wait=%v", ok, wait)
	}
	// A clock that went back refills nothing.
	if ok, _, _ := db.TakeToken(ctx, "login:a", b, now.Add(-time.Hour)); ok {
		t.Fatal("a clock going back gave a token")
	}
	if _, _, err := db.TakeToken(ctx, "x", store.Bucket{Burst: 0, Every: time.Minute}, now); err == nil {
		t.Fatal("a bucket of no tokens was accepted")
	}

	// Maintenance deletes the buckets that are full again, and only those.
	var deleted int64
	err = db.WithTx(ctx, func(tx *store.Tx) error {
		deleted, err = tx.DeleteFullRateBuckets(ctx, now.Add(9*time.Minute), 100)
		return err
	})
	if err != nil || deleted != 0 {
		t.Fatalf("deleted %d buckets before any was full (%v)", deleted, err)
	}
	err = db.WithTx(ctx, func(tx *store.Tx) error {
		deleted, err = tx.DeleteFullRateBuckets(ctx, now.Add(40*time.Minute), 100)
		return err
	})
	if err != nil || deleted != 2 {
		t.Fatalf("deleted %d full buckets, want 2 (%v)", deleted, err)
	}
}

// TestTakeToken_SharedByProcesses: two handles on one database (two
// processes) racing for one bucket get exactly Burst tokens between them.
func TestTakeToken_SharedByProcesses(t *testing.T) {
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
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	b := store.Bucket{Burst: 10, Every: time.Hour}
	var mu sync.Mutex
	granted := 0
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, _, err := dbs[i%2].TakeToken(ctx, "signup:198.51.100.7", b, now)
			if err != nil {
				t.Error(err)
				return
			}
			if ok {
				mu.Lock()
				granted++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if granted != b.Burst {
		t.Fatalf("%d tokens granted across two processes, want %d", granted, b.Burst)
	}
}

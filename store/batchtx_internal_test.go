package store

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Callers arriving while a transaction runs share the next one, and the
// lead passes on so that no caller waits for more than the batch before it.
func TestWithBatchedTx_SharesTransactions(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), DBFile), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	release := make(chan struct{})
	started := make(chan struct{})
	var wg sync.WaitGroup
	var first *Tx
	wg.Go(func() {
		err := db.WithBatchedTx(ctx, func(tx *Tx) error {
			first = tx
			close(started)
			<-release
			return tx.SetParam(ctx, "batch.first", "v", "test")
		})
		if err != nil {
			t.Error(err)
		}
	})
	<-started
	const n = 5
	var mu sync.Mutex
	seen := map[*Tx]int{}
	for i := range n {
		wg.Go(func() {
			err := db.WithBatchedTx(ctx, func(tx *Tx) error {
				mu.Lock()
				seen[tx]++
				mu.Unlock()
				return tx.SetParam(ctx, fmt.Sprintf("batch.k%d", i), "v", "test")
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		db.batch.mu.Lock()
		waiting := len(db.batch.pending)
		db.batch.mu.Unlock()
		if waiting == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d callers waiting, want %d", waiting, n)
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	if len(seen) != 1 || seen[first] != 0 {
		t.Fatalf("the %d callers that waited ran in %d transactions (first's among them: %v), want one of their own",
			n, len(seen), seen[first] != 0)
	}
	params, err := db.Read().Params(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, ok := params[fmt.Sprintf("batch.k%d", i)]; !ok {
			t.Errorf("caller %d's write is missing", i)
		}
	}
	if _, ok := params["batch.first"]; !ok {
		t.Error("the first caller's write is missing")
	}
	db.batch.mu.Lock()
	defer db.batch.mu.Unlock()
	if db.batch.leading || len(db.batch.pending) != 0 {
		t.Fatalf("after the last batch: leading %v, %d waiting", db.batch.leading, len(db.batch.pending))
	}
}

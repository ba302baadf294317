package main

import (
	"context"
	"fmt"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow/sample"
)

func runSeed(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "seed")
	n := f.Int("requests", 1000, "number of sample requests to add")
	seed := f.Uint64("seed", 1, "random seed (the same seed gives the same data)")
	if _, err := f.parse(args); err != nil {
		return err
	}
	if *n < 1 || *n > 10_000_000 {
		return usageErrorf("seed: --requests must be from 1 to 10000000")
	}
	// A large page cache keeps the indexes' random inserts in memory.
	db, err := store.Open(ctx, f.dbPath(), store.Options{WriteCacheKiB: 1 << 20})
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	if err := sample.Seed(ctx, db, *n, *seed, time.Now()); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "added %d requests in %s\n", *n, time.Since(start).Round(time.Millisecond))
	return nil
}

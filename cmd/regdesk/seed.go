package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow/sample"
)

func seedCmd(e *env) *cobra.Command {
	var n int
	var seed uint64
	c := define("seed", "fill the database with realistic sample requests", func(ctx context.Context, _ []string) error {
		if n < 1 || n > 10_000_000 {
			return usageErrorf("seed: --requests must be from 1 to 10000000")
		}
		// A large page cache keeps the indexes' random inserts in memory.
		db, err := store.Open(ctx, e.dbPath(), store.Options{WriteCacheKiB: 1 << 20})
		if err != nil {
			return err
		}
		defer db.Close()
		start := time.Now()
		if err := sample.Seed(ctx, db, n, seed, time.Now()); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "added %d requests in %s\n", n, time.Since(start).Round(time.Millisecond))
		return nil
	})
	c.Flags().IntVar(&n, "requests", 1000, "number of sample requests to add")
	c.Flags().Uint64Var(&seed, "seed", 1, "random seed (the same seed gives the same data)")
	return c
}

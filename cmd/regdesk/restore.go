package main

import (
	"context"
	"fmt"
	"os"

	"github.com/regdesk/regdesk/store"
)

func runRestore(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "restore")
	pos, err := f.parse(args, "FILE")
	if err != nil {
		return err
	}
	if _, err := os.Stat(pos[0]); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	res, err := store.Restore(ctx, *f.data, pos[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "restored %s into %s (schema %d, %d requests)\n", pos[0], f.dbPath(),
		res.SchemaVersion, res.Requests)
	if res.Previous != "" {
		fmt.Fprintf(e.stdout, "the database it replaced is kept as %s\n", res.Previous)
	}
	return nil
}

package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/regdesk/regdesk/store"
)

func restoreCmd(e *env) *cobra.Command {
	return define("restore FILE", "replace the database with a backup FILE (refused while serve runs)", func(ctx context.Context, args []string) error {
		if _, err := os.Stat(args[0]); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		res, err := store.Restore(ctx, e.data, args[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "restored %s into %s (schema %d, %d requests)\n", args[0], e.dbPath(),
			res.SchemaVersion, res.Requests)
		if res.Previous != "" {
			fmt.Fprintf(e.stdout, "the database it replaced is kept as %s\n", res.Previous)
		}
		return nil
	})
}

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
		if e.db != "" {
			return fmt.Errorf("restore: %s is PostgreSQL: restore it with pg_restore (or copy a SQLite backup in with regdesk migrate-store); see docs/postgresql.md", e.dbName())
		}
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

package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

func backupCmd(e *env) *cobra.Command {
	return define("backup FILE", "write a consistent copy of the database to FILE", func(ctx context.Context, args []string) error {
		if e.db != "" {
			return fmt.Errorf("backup: %s is PostgreSQL: back it up with pg_dump (or pg_basebackup for the whole server); see docs/postgresql.md", e.dbName())
		}
		if _, err := os.Stat(e.dbPath()); err != nil {
			return fmt.Errorf("backup: no database at %s", e.dbPath())
		}
		db, _, err := e.open(ctx, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		if err := db.Backup(ctx, args[0]); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "backed up %s to %s\n", e.dbPath(), args[0])
		return nil
	})
}

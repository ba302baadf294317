package main

import (
	"context"
	"fmt"
	"os"
)

func runBackup(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "backup")
	pos, err := f.parse(args, "FILE")
	if err != nil {
		return err
	}
	if _, err := os.Stat(f.dbPath()); err != nil {
		return fmt.Errorf("backup: no database at %s", f.dbPath())
	}
	db, _, err := f.open(ctx, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Backup(ctx, pos[0]); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "backed up %s to %s\n", f.dbPath(), pos[0])
	return nil
}

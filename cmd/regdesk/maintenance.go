package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
)

func maintenanceCmd(e *env) *cobra.Command {
	return group("maintenance", "run expiry and data retention once (serve runs it on a schedule)", maintenanceRun(e))
}

func maintenanceRun(e *env) *cobra.Command {
	var asJSON bool
	c := define("run", "expire unverified requests, purge old ones, delete ended tokens and sessions", func(ctx context.Context, _ []string) error {
		db, svc, err := e.open(ctx, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		rep, err := svc.Maintain(ctx)
		if err != nil {
			return err
		}
		if asJSON {
			return printJSON(e.stdout, rep)
		}
		fmt.Fprintf(e.stdout, "expired %d unverified requests, purged %d rejected or expired requests, "+
			"deleted %d expired tokens and %d ended sessions (%d transactions, %s)\n",
			rep.Expired, rep.Purged, rep.TokensDeleted, rep.SessionsDeleted, rep.Batches,
			rep.Took.Round(time.Millisecond))
		return nil
	})
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

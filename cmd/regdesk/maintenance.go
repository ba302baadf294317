package main

import (
	"context"
	"fmt"
	"time"
)

func runMaintenance(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "maintenance", map[string]func(context.Context, *env, []string) error{
		"run": maintenanceRun,
	}, args)
}

func maintenanceRun(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "maintenance run")
	asJSON := f.Bool("json", false, "print JSON")
	if _, err := f.parse(args); err != nil {
		return err
	}
	db, svc, err := f.open(ctx, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := svc.Maintain(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, rep)
	}
	fmt.Fprintf(e.stdout, "expired %d unverified requests, purged %d rejected or expired requests, "+
		"deleted %d expired tokens and %d ended sessions (%d transactions, %s)\n",
		rep.Expired, rep.Purged, rep.TokensDeleted, rep.SessionsDeleted, rep.Batches,
		rep.Took.Round(time.Millisecond))
	return nil
}

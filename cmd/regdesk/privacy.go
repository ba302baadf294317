package main

import (
	"context"
	"fmt"
	"time"

	"github.com/regdesk/regdesk/workflow"
)

// requestsExport prints everything held about a prospect as JSON.
func requestsExport(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "requests export")
	pos, err := f.parse(args, "NUMBER")
	if err != nil {
		return err
	}
	db, svc, err := f.open(ctx, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	d, err := svc.Export(ctx, pos[0])
	if err != nil {
		return err
	}
	return printJSON(e.stdout, d)
}

// requestsErase removes the personal data held about a prospect.
func requestsErase(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "requests erase")
	as := f.String("as", "", "who is acting (for the audit trail)")
	pos, err := f.parse(args, "NUMBER")
	if err != nil {
		return err
	}
	db, svc, err := f.open(ctx, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := svc.Erase(ctx, workflow.Action{Number: pos[0], Actor: *as})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: personal data erased (%s); the number, status and dates stay in the audit trail\n",
		r.Number, r.PurgedAt.Format(time.RFC3339))
	return nil
}

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
	return numberAction(ctx, e, args, "requests erase", "who is acting (for the audit trail)",
		func(ctx context.Context, svc *workflow.Service, a workflow.Action) (string, error) {
			r, err := svc.Erase(ctx, a)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%s: personal data erased (%s); the number, status and dates stay in the audit trail",
				r.Number, r.PurgedAt.Format(time.RFC3339)), nil
		})
}

package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
)

// requestsExport prints everything held about a prospect as JSON.
func requestsExport(e *env) *cobra.Command {
	c := define("export NUMBER", "print everything held about a prospect as JSON", func(ctx context.Context, args []string) error {
		db, svc, err := e.open(ctx, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		d, err := svc.Export(ctx, args[0])
		if err != nil {
			return err
		}
		return printJSON(e.stdout, d)
	})
	c.ValidArgsFunction = completeRequests(e)
	return c
}

// requestsErase removes the personal data held about a prospect.
func requestsErase(e *env) *cobra.Command {
	return numberAction(e, "erase NUMBER", "erase the personal data of a request that has no customer",
		"who is acting (for the audit trail)",
		completeRequests(e, domain.Requested, domain.Rejected, domain.Expired),
		func(ctx context.Context, svc *workflow.Service, a workflow.Action) (string, error) {
			r, err := svc.Erase(ctx, a)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%s: personal data erased (%s); the number, status and dates stay in the audit trail",
				r.Number, r.PurgedAt.Format(time.RFC3339)), nil
		})
}

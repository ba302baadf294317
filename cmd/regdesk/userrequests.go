package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
)

func userRequestsCmd(e *env) *cobra.Command {
	return group("user-requests", "list, approve, reject, cancel, provision and retry user requests",
		userRequestsList(e), userRequestsApprove(e), userRequestsReject(e), userRequestsCancel(e),
		userRequestsProvision(e), userRequestsRetry(e))
}

func userRequestsList(e *env) *cobra.Command {
	var status string
	var limit int
	var asJSON bool
	c := define("list", "list user requests in queue order (oldest first)", func(ctx context.Context, _ []string) error {
		if err := validStatus(status, domain.UserRequestStatuses); err != nil {
			return err
		}
		if limit < 0 {
			return usageErrorf("--limit must be 0 or more")
		}
		db, _, err := e.open(ctx, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		us, err := db.Read().UserRequests(ctx, store.ListUserRequests{Status: domain.UserRequestStatus(status), Limit: limit})
		if err != nil {
			return err
		}
		if asJSON {
			out := make([]workflow.UserRequestRecord, 0, len(us))
			for _, u := range us {
				out = append(out, workflow.NewUserRequestRecord(u))
			}
			return printJSON(e.stdout, out)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NUMBER\tSTATUS\tREQUEST\tUSERNAME\tACCOUNT\tROLE\tLAST ERROR")
		for _, u := range us {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", u.Number, u.Status, u.RequestNumber,
				safe(u.Username), safe(u.CustomerAccount), safe(u.Role), cell(u.LastError, 40))
		}
		return tw.Flush()
	})
	c.Flags().StringVar(&status, "status", "", "only user requests in this status")
	c.Flags().IntVar(&limit, "limit", 100, "at most this many (0 = all)")
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	completeWith(c, "status", completeWords(domain.UserRequestStatuses...))
	return c
}

func userRequestsProvision(e *env) *cobra.Command {
	return numberAction(e, "provision NUMBER", "create the login of a user request by hand (workflow disabled)",
		"approver acting", completeUserRequests(e, domain.URDraft),
		func(ctx context.Context, svc *workflow.Service, a workflow.Action) (string, error) {
			u, err := svc.ProvisionUser(ctx, a)
			return fmt.Sprintf("%s: login %s created; welcome mail queued to %s", u.Number, u.Username, u.Email), err
		})
}

func userRequestsRetry(e *env) *cobra.Command {
	return numberAction(e, "retry NUMBER", "resubmit a failed user request to the workflow",
		"approver acting", completeUserRequests(e, domain.URFailed),
		func(ctx context.Context, svc *workflow.Service, a workflow.Action) (string, error) {
			u, err := svc.RetryUserRequest(ctx, a)
			return fmt.Sprintf("%s is %s again; the workflow picks it up", u.Number, u.Status), err
		})
}

func userRequestsApprove(e *env) *cobra.Command {
	return numberAction(e, "approve NUMBER", "approve a user request waiting for approval; the workflow provisions the login",
		"approver acting", completeUserRequests(e, domain.URPendingApproval),
		func(ctx context.Context, svc *workflow.Service, a workflow.Action) (string, error) {
			u, err := svc.ApproveUserRequest(ctx, a)
			return domain.ApproveUserRequest.Outcome(u.Number) + " (by " + a.Actor + ")", err
		})
}

func userRequestsReject(e *env) *cobra.Command {
	return reasonAction(e, "reject NUMBER", "reject a user request waiting for approval; the contact is emailed",
		completeUserRequests(e, domain.URPendingApproval), domain.RejectUserRequest,
		(*workflow.Service).RejectUserRequest)
}

func userRequestsCancel(e *env) *cobra.Command {
	return reasonAction(e, "cancel NUMBER", "cancel a user request that is draft, submitted, waiting for approval or failed",
		completeUserRequests(e, ""), domain.CancelUserRequest, (*workflow.Service).CancelUserRequest)
}

// reasonAction defines `NAME NUMBER --as A [--reason TEXT]` for a user
// request action.
func reasonAction(e *env, use, short string, complete cobra.CompletionFunc, w domain.Wording,
	act func(*workflow.Service, context.Context, workflow.Action, string) (store.UserRequest, error)) *cobra.Command {
	var as, reason string
	c := define(use, short, func(ctx context.Context, args []string) error {
		db, svc, err := e.open(ctx, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		u, err := act(svc, ctx, workflow.Action{Number: args[0], Actor: as}, reason)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, w.Outcome(u.Number)+" (by "+as+")")
		return nil
	})
	c.Long = strings.ToUpper(short[:1]) + short[1:] + ".\n" + w.Effect
	c.Flags().StringVar(&as, "as", "", "approver acting")
	c.Flags().StringVar(&reason, "reason", "", "why, in words (goes to the audit trail; a rejection also emails it)")
	c.ValidArgsFunction = complete
	completeWith(c, "as", completeApprovers(e))
	return c
}

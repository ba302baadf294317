package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
)

func runUserRequests(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "user-requests", map[string]func(context.Context, *env, []string) error{
		"list": userRequestsList, "provision": userRequestsProvision, "retry": userRequestsRetry,
	}, args)
}

// userRequestJSON is the contract for scripts: user-requests list --json.
type userRequestJSON struct {
	Number          string                   `json:"number"`
	Status          domain.UserRequestStatus `json:"status"`
	RequestNumber   string                   `json:"request_number"`
	Username        string                   `json:"username"`
	Email           string                   `json:"email"`
	Role            string                   `json:"role"`
	CustomerAccount string                   `json:"customer_account"`
	Step            string                   `json:"step"`
	Attempts        int                      `json:"attempts"`
	LastError       string                   `json:"last_error"`
	CreatedAt       time.Time                `json:"created_at"`
	UpdatedAt       time.Time                `json:"updated_at"`
}

func userRequestsList(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "user-requests list")
	status := f.String("status", "", "only user requests in this status")
	limit := f.Int("limit", 100, "at most this many (0 = all)")
	asJSON := f.Bool("json", false, "print JSON")
	if _, err := f.parse(args); err != nil {
		return err
	}
	if err := validStatus(*status, domain.UserRequestStatuses); err != nil {
		return err
	}
	if *limit < 0 {
		return usageErrorf("--limit must be 0 or more")
	}
	db, _, err := f.open(ctx, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	us, err := db.Read().UserRequests(ctx, store.ListUserRequests{Status: domain.UserRequestStatus(*status), Limit: *limit})
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]userRequestJSON, 0, len(us))
		for _, u := range us {
			out = append(out, userRequestJSON{Number: u.Number, Status: u.Status,
				RequestNumber: u.RequestNumber, Username: u.Username, Email: u.Email, Role: u.Role,
				CustomerAccount: u.CustomerAccount, Step: u.Step, Attempts: u.Attempts,
				LastError: u.LastError, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt})
		}
		return printJSON(e.stdout, out)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NUMBER\tSTATUS\tREQUEST\tUSERNAME\tACCOUNT\tROLE\tLAST ERROR")
	for _, u := range us {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", u.Number, u.Status, u.RequestNumber,
			u.Username, u.CustomerAccount, u.Role, clip(u.LastError, 40))
	}
	return tw.Flush()
}

func userRequestsProvision(ctx context.Context, e *env, args []string) error {
	return numberAction(ctx, e, args, "user-requests provision", "approver acting",
		func(ctx context.Context, svc *workflow.Service, a workflow.Action) (string, error) {
			u, err := svc.ProvisionUser(ctx, a)
			return fmt.Sprintf("%s: login %s created; welcome mail queued to %s", u.Number, u.Username, u.Email), err
		})
}

func userRequestsRetry(ctx context.Context, e *env, args []string) error {
	return numberAction(ctx, e, args, "user-requests retry", "approver acting",
		func(ctx context.Context, svc *workflow.Service, a workflow.Action) (string, error) {
			u, err := svc.RetryUserRequest(ctx, a)
			return fmt.Sprintf("%s is %s again; the workflow picks it up", u.Number, u.Status), err
		})
}

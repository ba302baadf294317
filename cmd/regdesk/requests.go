package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
)

func runRequests(ctx context.Context, e *env, args []string) error {
	sub := map[string]func(context.Context, *env, []string) error{
		"list": requestsList, "show": requestsShow, "approve": requestsApprove,
		"reject": requestsReject, "create": requestsCreate, "resend": requestsResend,
		"export": requestsExport, "erase": requestsErase,
	}
	return dispatch(ctx, e, "requests", sub, args)
}

// dispatch runs the subcommand of a group command.
func dispatch(ctx context.Context, e *env, group string, sub map[string]func(context.Context, *env, []string) error, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return usageErrorf("%s: missing subcommand (%s)", group, subNames(sub))
	}
	fn, ok := sub[args[0]]
	if !ok {
		return usageErrorf("%s: unknown subcommand %q (%s)", group, args[0], subNames(sub))
	}
	return fn(ctx, e, args[1:])
}

func subNames(sub map[string]func(context.Context, *env, []string) error) string {
	var names []string
	for n := range sub {
		names = append(names, n)
	}
	sortStrings(names)
	return joinComma(names)
}

// requestJSON is the contract for scripts: requests list/show --json.
type requestJSON struct {
	Number          string               `json:"number"`
	Status          domain.RequestStatus `json:"status"`
	Version         int64                `json:"version"`
	CompanyName     string               `json:"company_name"`
	TaxID           string               `json:"tax_id"`
	Street          string               `json:"street"`
	City            string               `json:"city"`
	State           string               `json:"state"`
	PostalCode      string               `json:"postal_code"`
	Country         string               `json:"country"`
	FirstName       string               `json:"first_name"`
	LastName        string               `json:"last_name"`
	JobTitle        string               `json:"job_title"`
	Email           string               `json:"email"`
	Phone           string               `json:"phone"`
	Language        string               `json:"language"`
	Username        string               `json:"username"`
	CreatedAt       time.Time            `json:"created_at"`
	UpdatedAt       time.Time            `json:"updated_at"`
	VerifiedAt      *time.Time           `json:"verified_at"`
	DecidedAt       *time.Time           `json:"decided_at"`
	DecidedBy       string               `json:"decided_by"`
	RejectReason    string               `json:"reject_reason"`
	RejectComment   string               `json:"reject_comment"`
	CustomerAccount string               `json:"customer_account"`
}

func toRequestJSON(r store.Request) requestJSON {
	return requestJSON{Number: r.Number, Status: r.Status, Version: r.Version,
		CompanyName: r.CompanyName, TaxID: r.TaxID, Street: r.Street, City: r.City, State: r.State,
		PostalCode: r.PostalCode, Country: r.Country, FirstName: r.FirstName, LastName: r.LastName,
		JobTitle: r.JobTitle, Email: r.Email, Phone: r.Phone, Language: r.Language,
		Username: r.Username, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		VerifiedAt: r.VerifiedAt, DecidedAt: r.DecidedAt, DecidedBy: r.DecidedBy,
		RejectReason: r.RejectReason, RejectComment: r.RejectComment,
		CustomerAccount: r.CustomerAccount}
}

func validStatus[S ~string](s string, all []S) error {
	if s == "" {
		return nil
	}
	names := make([]string, len(all))
	for i, x := range all {
		if string(x) == s {
			return nil
		}
		names[i] = string(x)
	}
	return usageErrorf("unknown status %q (use one of %s)", s, joinComma(names))
}

func requestsList(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "requests list")
	status := f.String("status", "", "only requests in this status")
	search := f.String("search", "", "words (or their beginnings) in number, company, contact, email or tax id")
	limit := f.Int("limit", 100, "at most this many (0 = all)")
	asJSON := f.Bool("json", false, "print JSON")
	if _, err := f.parse(args); err != nil {
		return err
	}
	if err := validStatus(*status, domain.RequestStatuses); err != nil {
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
	rs, err := db.Read().Requests(ctx, store.ListRequests{Status: domain.RequestStatus(*status), Search: *search, Limit: *limit})
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]requestJSON, 0, len(rs))
		for _, r := range rs {
			out = append(out, toRequestJSON(r))
		}
		return printJSON(e.stdout, out)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NUMBER\tSTATUS\tCREATED\tCOMPANY\tCONTACT\tEMAIL\tCOUNTRY")
	for _, r := range rs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Number, r.Status,
			r.CreatedAt.Format("2006-01-02 15:04"), clip(r.CompanyName, 32),
			clip(r.FirstName+" "+r.LastName, 24), clip(r.Email, 32), r.Country)
	}
	return tw.Flush()
}

func requestsShow(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "requests show")
	asJSON := f.Bool("json", false, "print JSON")
	pos, err := f.parse(args, "NUMBER")
	if err != nil {
		return err
	}
	db, _, err := f.open(ctx, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := db.Read().RequestByNumber(ctx, pos[0])
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, toRequestJSON(r))
	}
	return printRequest(e.stdout, r)
}

func printRequest(w io.Writer, r store.Request) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s\t%s\n", k, v)
		}
	}
	row("Number", r.Number)
	row("Status", string(r.Status))
	row("Company", r.CompanyName)
	row("Tax id", r.TaxID)
	row("Address", joinNonEmpty(", ", r.Street, r.City, r.State, r.PostalCode, r.Country))
	row("Contact", joinNonEmpty(", ", r.FirstName+" "+r.LastName, r.JobTitle))
	row("Email", r.Email)
	row("Phone", r.Phone)
	row("Language", r.Language)
	row("User name", r.Username)
	row("Created", r.CreatedAt.Format(time.RFC3339))
	if r.VerifiedAt != nil {
		row("Verified", r.VerifiedAt.Format(time.RFC3339))
	}
	if r.DecidedAt != nil {
		row("Decided", r.DecidedAt.Format(time.RFC3339)+" by "+r.DecidedBy)
	}
	row("Reason", r.RejectReason)
	row("Comment", r.RejectComment)
	row("Customer", r.CustomerAccount)
	return tw.Flush()
}

func requestsApprove(ctx context.Context, e *env, args []string) error {
	return numberAction(ctx, e, args, "requests approve", "approver acting",
		func(ctx context.Context, svc *workflow.Service, a workflow.Action) (string, error) {
			r, err := svc.Approve(ctx, a)
			return domain.ApproveRequest.Outcome(r.Number) + " by " + a.Actor, err
		})
}

func requestsReject(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "requests reject")
	as := f.String("as", "", "approver acting")
	reason := f.String("reason", "", "reason code (regdesk params show: reject.reasons)")
	comment := f.String("comment", "", "comment emailed to the prospect")
	pos, err := f.parse(args, "NUMBER")
	if err != nil {
		return err
	}
	if *reason == "" {
		return usageErrorf("requests reject: --reason CODE is required")
	}
	db, svc, err := f.open(ctx, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := svc.Reject(ctx, workflow.Action{Number: pos[0], Actor: *as}, *reason, *comment)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s rejected by %s (%s); the prospect is emailed\n", r.Number, *as, *reason)
	return nil
}

func requestsCreate(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "requests create")
	as := f.String("as", "", "approver acting")
	existing := f.String("existing", "", "join this existing customer account instead of creating one")
	tmpl := f.String("template", "", "customer account template for a new customer (default: parameter)")
	role := f.String("role", "", "user role: customer_user or customer_admin (default: parameter)")
	pos, err := f.parse(args, "NUMBER")
	if err != nil {
		return err
	}
	if *existing != "" && *tmpl != "" {
		return usageErrorf("requests create: --template applies to a new customer, not with --existing")
	}
	db, svc, err := f.open(ctx, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := svc.Create(ctx, workflow.CreateInput{Action: workflow.Action{Number: pos[0], Actor: *as},
		Existing: *existing, Template: *tmpl, Role: *role})
	if err != nil {
		return err
	}
	verb := "joined existing customer"
	if res.NewCustomer {
		verb = "created customer"
	}
	fmt.Fprintf(e.stdout, "%s: %s %s (%s); user request %s is %s\n", res.Request.Number, verb,
		res.Customer.Account, res.Customer.Name, res.UserRequest.Number, res.UserRequest.Status)
	return nil
}

func requestsResend(ctx context.Context, e *env, args []string) error {
	return numberAction(ctx, e, args, "requests resend", "who is acting (for the audit trail)",
		func(ctx context.Context, svc *workflow.Service, a workflow.Action) (string, error) {
			_, err := svc.ResendActivation(ctx, a)
			return domain.ResendActivation.Outcome(a.Number), err
		})
}

package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
)

func requestsCmd(e *env) *cobra.Command {
	return group("requests", "list, show, approve, reject, edit, create, resend, export, erase requests",
		requestsList(e), requestsShow(e), requestsApprove(e), requestsReject(e),
		requestsCreate(e), requestsResend(e), requestsExport(e), requestsErase(e), requestsEdit(e))
}

// requestJSON is the contract for scripts: requests list/show --json. The
// request is the workflow's record, the shape the HTTP API and webhooks use.
type requestJSON struct {
	workflow.RequestRecord
	// Audit is the request's history, oldest first (requests show only).
	Audit []auditJSON `json:"audit,omitempty"`
}

// auditJSON is one entry of a request's history.
type auditJSON struct {
	At    time.Time `json:"at"`
	Actor string    `json:"actor"`
	// OSUser is the operating-system account of the local command or TUI
	// that acted as Actor; absent over SSH, the portal and the API.
	OSUser string `json:"os_user,omitempty"`
	Action string `json:"action"`
	Detail string `json:"detail"`
}

func toRequestJSON(r store.Request) requestJSON {
	return requestJSON{RequestRecord: workflow.NewRequestRecord(r)}
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

func requestsList(e *env) *cobra.Command {
	var status, search string
	var limit int
	var asJSON bool
	c := define("list", "list requests in queue order (oldest first)", func(ctx context.Context, _ []string) error {
		if err := validStatus(status, domain.RequestStatuses); err != nil {
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
		rs, err := db.Read().Requests(ctx, store.ListRequests{Status: domain.RequestStatus(status), Search: search, Limit: limit})
		if err != nil {
			return err
		}
		if asJSON {
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
				r.CreatedAt.Format("2006-01-02 15:04"), cell(r.CompanyName, 32),
				cell(r.FirstName+" "+r.LastName, 24), cell(r.Email, 32), safe(r.Country))
		}
		return tw.Flush()
	})
	c.Flags().StringVar(&status, "status", "", "only requests in this status")
	c.Flags().StringVar(&search, "search", "", "words (or their beginnings) in number, company, contact, email or tax id")
	c.Flags().IntVar(&limit, "limit", 100, "at most this many (0 = all)")
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	completeWith(c, "status", completeWords(domain.RequestStatuses...))
	return c
}

func requestsShow(e *env) *cobra.Command {
	var asJSON bool
	c := define("show NUMBER", "show one request", func(ctx context.Context, args []string) error {
		db, _, err := e.open(ctx, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		r, err := db.Read().RequestByNumber(ctx, args[0])
		if err != nil {
			return err
		}
		trail, err := db.Read().AuditTrail(ctx, store.EntityRequest, r.Number)
		if err != nil {
			return err
		}
		if asJSON {
			out := toRequestJSON(r)
			out.Audit = make([]auditJSON, 0, len(trail))
			for _, a := range trail {
				out.Audit = append(out.Audit, auditJSON{At: a.At, Actor: a.Actor, OSUser: a.OSUser, Action: a.Action, Detail: a.Detail})
			}
			return printJSON(e.stdout, out)
		}
		if err := printRequest(e.stdout, r); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, "\nHistory")
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		for _, a := range trail {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", a.At.Format(time.RFC3339), safe(domain.ActorLabel(a.Actor, a.OSUser)), safe(a.Action), safe(a.Detail))
		}
		return tw.Flush()
	})
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	c.ValidArgsFunction = completeRequests(e)
	return c
}

func printRequest(w io.Writer, r store.Request) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s\t%s\n", k, safe(v))
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

func requestsApprove(e *env) *cobra.Command {
	return numberAction(e, "approve NUMBER", "approve a verified request", "approver acting",
		completeRequests(e, domain.Verified),
		func(ctx context.Context, svc *workflow.Service, a workflow.Action) (string, error) {
			r, err := svc.Approve(ctx, a)
			return domain.ApproveRequest.Outcome(r.Number) + " by " + a.Actor, err
		})
}

func requestsReject(e *env) *cobra.Command {
	var as, reason, comment string
	c := define("reject NUMBER", "reject a verified or approved request; the prospect is emailed", func(ctx context.Context, args []string) error {
		if reason == "" {
			return usageErrorf("requests reject: --reason CODE is required")
		}
		db, svc, err := e.open(ctx, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		r, err := svc.Reject(ctx, workflow.Action{Number: args[0], Actor: as}, reason, comment)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s rejected by %s (%s); the prospect is emailed\n", r.Number, as, reason)
		return nil
	})
	c.Flags().StringVar(&as, "as", "", "approver acting")
	c.Flags().StringVar(&reason, "reason", "", "reason code (regdesk params show: reject.reasons)")
	c.Flags().StringVar(&comment, "comment", "", "comment emailed to the prospect")
	c.ValidArgsFunction = completeRequests(e, domain.Verified, domain.Approved)
	completeWith(c, "as", completeApprovers(e))
	completeWith(c, "reason", completeReasons(e))
	return c
}

func requestsCreate(e *env) *cobra.Command {
	var as, existing, tmpl, role string
	c := define("create NUMBER", "create the customer (or join an existing one), its contact and user request", func(ctx context.Context, args []string) error {
		if existing != "" && tmpl != "" {
			return usageErrorf("requests create: --template applies to a new customer, not with --existing")
		}
		db, svc, err := e.open(ctx, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		res, err := svc.Create(ctx, workflow.CreateInput{Action: workflow.Action{Number: args[0], Actor: as},
			Existing: existing, Template: tmpl, Role: role})
		if err != nil {
			return err
		}
		verb := "joined existing customer"
		if res.NewCustomer {
			verb = "created customer"
		}
		fmt.Fprintf(e.stdout, "%s: %s %s (%s); user request %s is %s\n", res.Request.Number, verb,
			res.Customer.Account, safe(res.Customer.Name), res.UserRequest.Number, res.UserRequest.Status)
		return nil
	})
	c.Flags().StringVar(&as, "as", "", "approver acting")
	c.Flags().StringVar(&existing, "existing", "", "join this existing customer account instead of creating one")
	c.Flags().StringVar(&tmpl, "template", "", "customer account template for a new customer (default: parameter)")
	c.Flags().StringVar(&role, "role", "", "user role: customer_user or customer_admin (default: parameter)")
	c.ValidArgsFunction = completeRequests(e, domain.Approved)
	completeWith(c, "as", completeApprovers(e))
	completeWith(c, "existing", completeCustomers(e))
	completeWith(c, "template", completeTemplates(e))
	completeWith(c, "role", completeWords(store.RoleCustomerUser, store.RoleCustomerAdmin))
	return c
}

func requestsResend(e *env) *cobra.Command {
	return numberAction(e, "resend NUMBER", "send a new activation link; earlier links are revoked",
		"who is acting (for the audit trail)", completeRequests(e, domain.Requested),
		func(ctx context.Context, svc *workflow.Service, a workflow.Action) (string, error) {
			_, err := svc.ResendActivation(ctx, a)
			return domain.ResendActivation.Outcome(a.Number), err
		})
}

// requestsEdit corrects a request's fields before Create.
func requestsEdit(e *env) *cobra.Command {
	var as string
	var sets []string
	var asJSON bool
	c := define("edit NUMBER", "correct a verified or approved request's fields (not the email); each change is audited",
		func(ctx context.Context, args []string) error {
			fields := map[string]string{}
			for _, s := range sets {
				name, value, ok := strings.Cut(s, "=")
				if !ok || name == "" {
					return usageErrorf("requests edit: --set takes FIELD=VALUE, not %q", s)
				}
				if _, dup := fields[name]; dup {
					return usageErrorf("requests edit: --set %s given twice", name)
				}
				fields[name] = value
			}
			if len(fields) == 0 {
				return usageErrorf("requests edit: say what to change with --set FIELD=VALUE")
			}
			db, svc, err := e.open(ctx, nil)
			if err != nil {
				return err
			}
			defer db.Close()
			res, err := svc.Edit(ctx, workflow.EditInput{Action: workflow.Action{Number: args[0], Actor: as}, Fields: fields})
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(e.stdout, editJSON{Request: toRequestJSON(res.Request),
					Changes: append([]workflow.FieldChange{}, res.Changes...), Warnings: warningTexts(res.Warnings)})
			}
			if len(res.Changes) == 0 {
				fmt.Fprintf(e.stdout, "%s: nothing changed; the values are as stored\n", res.Request.Number)
				return nil
			}
			fmt.Fprintln(e.stdout, domain.EditRequest.Outcome(res.Request.Number)+" by "+as)
			for _, ch := range res.Changes {
				fmt.Fprintf(e.stdout, "  %s: %q → %q\n", ch.Field, ch.Old, ch.New)
			}
			for _, w := range res.Warnings {
				fmt.Fprintln(e.stdout, "  warning: "+w.Message)
			}
			return nil
		})
	var editable []string
	for _, f := range domain.RequestFields() {
		if f.Editable() {
			editable = append(editable, f.Name)
		}
	}
	c.Long = "Correct a verified or approved request's fields before Create, with the sign-up form's rules.\n" +
		"Fields: " + strings.Join(editable, ", ") + ".\n" +
		"The email address is not editable: only its owner proved it. Each changed field is recorded\n" +
		"in the audit trail (old → new) and the duplicate warnings are checked again."
	c.Example = "  regdesk requests edit REG-000042 --as alice --set 'street=1 High Street' --set 'postal_code=M1 1AE'"
	c.Flags().StringVar(&as, "as", "", "approver acting")
	c.Flags().StringArrayVar(&sets, "set", nil, "a sign-up field and its new value, as FIELD=VALUE (repeatable)")
	c.Flags().BoolVar(&asJSON, "json", false, "print the request, the changes and the warnings as JSON")
	c.ValidArgsFunction = completeRequests(e, domain.Verified, domain.Approved)
	completeWith(c, "as", completeApprovers(e))
	completeWith(c, "set", completeWords(setPrefixes(editable)...))
	return c
}

// editJSON is requests edit --json.
type editJSON struct {
	Request  requestJSON            `json:"request"`
	Changes  []workflow.FieldChange `json:"changes"`
	Warnings []string               `json:"warnings"`
}

func warningTexts(ws []workflow.Warning) []string {
	out := make([]string, 0, len(ws))
	for _, w := range ws {
		out = append(out, w.Message)
	}
	return out
}

func setPrefixes(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = n + "="
	}
	return out
}

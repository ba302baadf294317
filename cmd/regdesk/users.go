package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
)

func usersCmd(e *env) *cobra.Command {
	return group("users", "list, inactivate and activate customers' logins; reset two-step login",
		usersList(e), usersInactivate(e), usersActivate(e), usersResetTwoFactor(e))
}

// userJSON is users list --json.
type userJSON struct {
	Username        string     `json:"username"`
	Email           string     `json:"email"`
	Role            string     `json:"role"`
	CustomerAccount string     `json:"customer_account"`
	Active          bool       `json:"active"`
	CreatedAt       time.Time  `json:"created_at"`
	InactivatedAt   *time.Time `json:"inactivated_at"`
	InactivatedBy   string     `json:"inactivated_by"`
}

func usersList(e *env) *cobra.Command {
	var account string
	var asJSON bool
	c := define("list", "list the logins, by user name", func(ctx context.Context, _ []string) error {
		db, _, err := e.open(ctx, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		q := db.Read()
		var customerID int64
		if account != "" {
			cust, err := q.CustomerByAccount(ctx, account)
			if err != nil {
				return fmt.Errorf("customer %s: %w", account, err)
			}
			customerID = cust.ID
		}
		us, err := q.Users(ctx, customerID)
		if err != nil {
			return err
		}
		accounts := map[int64]string{}
		out := make([]userJSON, 0, len(us))
		for _, u := range us {
			if _, ok := accounts[u.CustomerID]; !ok {
				cust, err := q.CustomerByID(ctx, u.CustomerID)
				if err != nil {
					return err
				}
				accounts[u.CustomerID] = cust.Account
			}
			out = append(out, userJSON{Username: u.Username, Email: u.Email, Role: u.Role,
				CustomerAccount: accounts[u.CustomerID], Active: u.Active, CreatedAt: u.CreatedAt,
				InactivatedAt: u.InactivatedAt, InactivatedBy: u.InactivatedBy})
		}
		if asJSON {
			return printJSON(e.stdout, out)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "USERNAME\tACCOUNT\tROLE\tEMAIL\tSTATE")
		for _, u := range out {
			state := "active"
			if !u.Active {
				state = "inactive"
				if u.InactivatedBy != "" {
					state += " (by " + u.InactivatedBy + ")"
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", safe(u.Username), safe(u.CustomerAccount), safe(u.Role), safe(u.Email), state)
		}
		return tw.Flush()
	})
	c.Flags().StringVar(&account, "account", "", "only this customer account's logins")
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	completeWith(c, "account", completeCustomers(e))
	return c
}

func usersInactivate(e *env) *cobra.Command {
	return userAction(e, "inactivate USERNAME", "switch a login off; its sessions end at once", domain.InactivateUser,
		(*workflow.Service).InactivateUser)
}

func usersActivate(e *env) *cobra.Command {
	return userAction(e, "activate USERNAME", "switch an inactive login on again; the user is mailed a set-password link",
		domain.ActivateUser, (*workflow.Service).ActivateUser)
}

// userAction defines `NAME USERNAME --as A`.
func userAction(e *env, use, short string, w domain.Wording,
	act func(*workflow.Service, context.Context, int64, string) (store.User, error)) *cobra.Command {
	var as string
	c := define(use, short, func(ctx context.Context, args []string) error {
		db, svc, err := e.open(ctx, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		u, err := svc.UserByName(ctx, args[0])
		if err != nil {
			return err
		}
		if u, err = act(svc, ctx, u.ID, as); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, w.Outcome(u.Username)+" (by "+as+")")
		return nil
	})
	c.Long = w.Effect
	c.Flags().StringVar(&as, "as", "", "approver acting")
	completeWith(c, "as", completeApprovers(e))
	return c
}

// usersResetTwoFactor turns off a customer's two-step login, for a customer
// who lost the phone and the recovery codes.
func usersResetTwoFactor(e *env) *cobra.Command {
	var as string
	c := define("reset-2fa USERNAME", "turn off a customer's two-step login (lost phone); audited", func(ctx context.Context, args []string) error {
		db, svc, err := e.open(ctx, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		u, err := svc.ResetTwoFactor(ctx, args[0], as)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "two-step login of %s reset; they log in with the password and can set it up again\n", u.Username)
		return nil
	})
	c.Flags().StringVar(&as, "as", "", "approver acting")
	completeWith(c, "as", completeApprovers(e))
	return c
}

package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

func usersCmd(e *env) *cobra.Command {
	return group("users", "customers' logins", usersResetTwoFactor(e))
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

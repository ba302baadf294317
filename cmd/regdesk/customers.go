package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
)

func customersCmd(e *env) *cobra.Command {
	return group("customers", "list customer accounts", customersList(e))
}

func customersList(e *env) *cobra.Command {
	var search string
	var limit int
	var asJSON bool
	c := define("list", "list customer accounts, oldest first (creation order)", func(ctx context.Context, _ []string) error {
		if limit < 0 {
			return usageErrorf("--limit must be 0 or more")
		}
		db, _, err := e.open(ctx, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		cs, err := db.Read().Customers(ctx, store.ListCustomers{Search: search, Limit: limit})
		if err != nil {
			return err
		}
		if asJSON {
			out := make([]workflow.CustomerRecord, 0, len(cs))
			for _, c := range cs {
				out = append(out, workflow.NewCustomerRecord(c))
			}
			return printJSON(e.stdout, out)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ACCOUNT\tNAME\tCOUNTRY\tGROUP\tCURRENCY\tCREATED")
		for _, c := range cs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", safe(c.Account), cell(c.Name, 40), safe(c.Country),
				safe(c.CustomerGroup), safe(c.Currency), c.CreatedAt.Format("2006-01-02"))
		}
		return tw.Flush()
	})
	c.Flags().StringVar(&search, "search", "", "substring of account, name or tax id")
	c.Flags().IntVar(&limit, "limit", 100, "at most this many (0 = all)")
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

package main

import (
	"github.com/spf13/cobra"

	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/regdesk/regdesk/store"
)

func customersCmd(e *env) *cobra.Command {
	return group("customers", "list customer accounts", customersList(e))
}

type customerJSON struct {
	Account       string    `json:"account"`
	Name          string    `json:"name"`
	TaxID         string    `json:"tax_id"`
	Street        string    `json:"street"`
	City          string    `json:"city"`
	State         string    `json:"state"`
	PostalCode    string    `json:"postal_code"`
	Country       string    `json:"country"`
	Template      string    `json:"template"`
	CustomerGroup string    `json:"customer_group"`
	Currency      string    `json:"currency"`
	Language      string    `json:"language"`
	PaymentTerms  string    `json:"payment_terms"`
	CreatedAt     time.Time `json:"created_at"`
	CreatedBy     string    `json:"created_by"`
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
			out := make([]customerJSON, 0, len(cs))
			for _, c := range cs {
				out = append(out, customerJSON{Account: c.Account, Name: c.Name, TaxID: c.TaxID,
					Street: c.Street, City: c.City, State: c.State, PostalCode: c.PostalCode,
					Country: c.Country, Template: c.Template, CustomerGroup: c.CustomerGroup,
					Currency: c.Currency, Language: c.Language, PaymentTerms: c.PaymentTerms,
					CreatedAt: c.CreatedAt, CreatedBy: c.CreatedBy})
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

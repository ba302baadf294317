package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/regdesk/regdesk/store"
)

func runCustomers(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "customers", map[string]func(context.Context, *env, []string) error{
		"list": customersList,
	}, args)
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

func customersList(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "customers list")
	search := f.String("search", "", "substring of account, name or tax id")
	limit := f.Int("limit", 100, "at most this many (0 = all)")
	asJSON := f.Bool("json", false, "print JSON")
	if _, err := f.parse(args); err != nil {
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
	cs, err := db.Read().Customers(ctx, store.ListCustomers{Search: *search, Limit: *limit})
	if err != nil {
		return err
	}
	if *asJSON {
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
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.Account, clip(c.Name, 40), c.Country,
			c.CustomerGroup, c.Currency, c.CreatedAt.Format("2006-01-02"))
	}
	return tw.Flush()
}

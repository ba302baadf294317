package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
)

func templatesCmd(e *env) *cobra.Command {
	return group("templates", "list and maintain the customer account templates",
		templatesList(e), templatesAdd(e), templatesSet(e), templatesRemove(e))
}

// templateJSON is templates list --json.
type templateJSON struct {
	Code          string `json:"code"`
	Description   string `json:"description"`
	CustomerGroup string `json:"customer_group"`
	Currency      string `json:"currency"`
	Language      string `json:"language"`
	PaymentTerms  string `json:"payment_terms"`
}

func templatesList(e *env) *cobra.Command {
	var asJSON bool
	c := define("list", "list the customer account templates in use, by code", func(ctx context.Context, _ []string) error {
		db, svc, err := e.open(ctx, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		ts, err := svc.Templates(ctx)
		if err != nil {
			return err
		}
		out := make([]templateJSON, 0, len(ts))
		for _, t := range ts {
			out = append(out, templateJSON{Code: t.Code, Description: t.Name, CustomerGroup: t.CustomerGroup,
				Currency: t.Currency, Language: t.Language, PaymentTerms: t.PaymentTerms})
		}
		if asJSON {
			return printJSON(e.stdout, out)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "CODE\tDESCRIPTION\tGROUP\tCURRENCY\tLANGUAGE\tPAYMENT TERMS")
		for _, t := range out {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", safe(t.Code), safe(t.Description), safe(t.CustomerGroup),
				safe(t.Currency), safe(t.Language), safe(t.PaymentTerms))
		}
		return tw.Flush()
	})
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

// templateFlags are the fields of templates add and set.
type templateFlags struct {
	description, group, currency, language, terms, as string
}

func (f *templateFlags) define(e *env, c *cobra.Command) {
	c.Flags().StringVar(&f.description, "description", "", "what the template is for, e.g. \"European Union customer\"")
	c.Flags().StringVar(&f.group, "group", "", "customer group code, e.g. EU")
	c.Flags().StringVar(&f.currency, "currency", "", "ISO 4217 currency code, e.g. EUR")
	c.Flags().StringVar(&f.language, "language", "", "BCP 47 language tag, e.g. en-GB")
	c.Flags().StringVar(&f.terms, "payment-terms", "", "payment terms, e.g. \"Net 30\"")
	c.Flags().StringVar(&f.as, "as", "operator", "who makes the change (for the audit trail)")
	completeWith(c, "as", completeApprovers(e))
}

func templatesAdd(e *env) *cobra.Command {
	var f templateFlags
	c := define("add CODE", "add a customer account template (every field is required)", func(ctx context.Context, args []string) error {
		db, svc, err := e.open(ctx, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		t := store.Template{Code: args[0], Name: f.description, CustomerGroup: f.group, Currency: f.currency,
			Language: f.language, PaymentTerms: f.terms}
		if err := svc.AddTemplate(ctx, t, f.as); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "template %s added (by %s)\n", safe(t.Code), safe(f.as))
		return nil
	})
	f.define(e, c)
	return c
}

func templatesSet(e *env) *cobra.Command {
	var f templateFlags
	var c *cobra.Command
	c = define("set CODE", "change a customer account template; customers created from it keep their values", func(ctx context.Context, args []string) error {
		var ch workflow.TemplateChange
		for flag, dst := range map[string]**string{"description": &ch.Description, "group": &ch.CustomerGroup,
			"currency": &ch.Currency, "language": &ch.Language, "payment-terms": &ch.PaymentTerms} {
			if c.Flags().Changed(flag) {
				v, _ := c.Flags().GetString(flag)
				*dst = &v
			}
		}
		db, svc, err := e.open(ctx, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		t, err := svc.SetTemplate(ctx, args[0], ch, f.as)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "template %s: %s · %s · %s · %s · %s (by %s)\n", safe(t.Code), safe(t.Name),
			safe(t.CustomerGroup), safe(t.Currency), safe(t.Language), safe(t.PaymentTerms), safe(f.as))
		return nil
	})
	f.define(e, c)
	c.ValidArgsFunction = completeTemplates(e)
	return c
}

func templatesRemove(e *env) *cobra.Command {
	var as string
	c := define("remove CODE", "take a customer account template out of use (refused while a parameter names it)", func(ctx context.Context, args []string) error {
		db, svc, err := e.open(ctx, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		if err := svc.RemoveTemplate(ctx, args[0], as); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "template %s removed; customers created from it keep their values (by %s)\n", safe(args[0]), safe(as))
		return nil
	})
	c.Flags().StringVar(&as, "as", "operator", "who makes the change (for the audit trail)")
	completeWith(c, "as", completeApprovers(e))
	c.ValidArgsFunction = completeTemplates(e)
	return c
}

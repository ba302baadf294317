package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/regdesk/regdesk/workflow"
)

func paramsCmd(e *env) *cobra.Command {
	return group("params", "show and set the customer self-service parameters", paramsShow(e), paramsSet(e))
}

type paramJSON struct {
	Key       string `json:"key"`
	Value     string `json:"value"`
	Default   bool   `json:"default"`
	Help      string `json:"help"`
	UpdatedBy string `json:"updated_by,omitempty"`
}

func paramsShow(e *env) *cobra.Command {
	var asJSON bool
	c := define("show", "show every parameter, its value and what it means", func(ctx context.Context, _ []string) error {
		db, _, err := e.open(ctx, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		ps, err := workflow.ListParams(ctx, db.Read())
		if err != nil {
			return err
		}
		if asJSON {
			out := make([]paramJSON, 0, len(ps))
			for _, p := range ps {
				out = append(out, paramJSON{Key: p.Key, Value: p.Value, Default: p.IsDefault,
					Help: p.Help, UpdatedBy: p.UpdatedBy})
			}
			return printJSON(e.stdout, out)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "KEY\tVALUE\tABOUT")
		for _, p := range ps {
			v := p.Value
			if strings.Contains(v, "\n") {
				v = firstLine(v) + " …"
			}
			if p.IsDefault {
				v += " (default)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", p.Key, cell(v, 48), p.Help)
		}
		return tw.Flush()
	})
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

func paramsSet(e *env) *cobra.Command {
	var as string
	c := define("set KEY VALUE", "set a parameter (creates the database)", func(ctx context.Context, args []string) error {
		db, svc, err := e.openOrCreate(ctx, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		if err := svc.SetParam(ctx, args[0], args[1], as); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s set\n", args[0])
		return nil
	})
	c.Flags().StringVar(&as, "as", "operator", "who is changing it (for the audit trail)")
	c.ValidArgsFunction = completeParams(e)
	completeWith(c, "as", completeApprovers(e))
	return c
}

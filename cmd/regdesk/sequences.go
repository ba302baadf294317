package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/regdesk/regdesk/workflow"
)

func sequencesCmd(e *env) *cobra.Command {
	return group("sequences", "show the number sequences and move one forward",
		sequencesShow(e), sequencesSet(e))
}

func sequencesShow(e *env) *cobra.Command {
	var asJSON bool
	c := define("show", "show each number sequence: its format and the next number", func(ctx context.Context, _ []string) error {
		db, svc, err := e.open(ctx, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		seqs, err := svc.Sequences(ctx)
		if err != nil {
			return err
		}
		if asJSON {
			return printJSON(e.stdout, seqs)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tFORMAT\tNEXT\tNEXT NUMBER")
		for _, s := range seqs {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", s.Name, safe(s.Format), s.Next, safe(s.NextNumber))
		}
		return tw.Flush()
	})
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

func sequencesSet(e *env) *cobra.Command {
	var next int64
	var as string
	c := define("set NAME", "move a number sequence forward: its next record gets --next N (never backwards)", func(ctx context.Context, args []string) error {
		if next <= 0 {
			return usageErrorf("sequences set: --next N is required (a number above the current one)")
		}
		db, svc, err := e.open(ctx, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		s, err := svc.SetSequenceNext(ctx, args[0], next, as)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "the next %s number is %s (by %s)\n", s.Name, safe(s.NextNumber), as)
		return nil
	})
	c.Long = "Moves a number sequence forward, say to leave room for numbers given out elsewhere. " +
		"A sequence never moves back: numbers already given out would come again. The change is audited."
	c.Flags().Int64Var(&next, "next", 0, "the value the next record gets; above the current one")
	c.Flags().StringVar(&as, "as", "operator", "who makes the change (for the audit trail)")
	completeWith(c, "as", completeApprovers(e))
	c.ValidArgsFunction = func(_ *cobra.Command, args []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return prefixed(workflow.SequenceNames(), prefix), cobra.ShellCompDirectiveNoFileComp
	}
	return c
}

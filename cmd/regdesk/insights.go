package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/guptarohit/asciigraph"
	"github.com/spf13/cobra"

	"github.com/regdesk/regdesk/workflow"
)

func insightsCmd(e *env) *cobra.Command {
	var days int
	var asJSON bool
	c := define("insights", "how the desk is doing: sign-ups, the verified queue, decisions and expiries", func(ctx context.Context, _ []string) error {
		if days < 1 || days > workflow.MaxInsightDays {
			return usageErrorf("--days must be from 1 to %d", workflow.MaxInsightDays)
		}
		db, svc, err := e.open(ctx, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		in, err := svc.Insights(ctx, db.Read(), days)
		if err != nil {
			return err
		}
		if asJSON {
			return printJSON(e.stdout, in)
		}
		return printInsights(e, in)
	})
	c.Flags().IntVar(&days, "days", 30, fmt.Sprintf("the period: this many days up to today (1-%d)", workflow.MaxInsightDays))
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

// printInsights writes the figures as text with a chart of sign-ups per day.
func printInsights(e *env, in workflow.Insights) error {
	fmt.Fprintf(e.stdout, "Insights, the last %d days: %s to %s UTC\n\n", in.Days,
		in.Since.Format(time.DateOnly), in.Until.Format("2006-01-02 15:04"))
	series := make([]float64, 0, len(in.PerDay)+1)
	peak := 1.0
	for _, d := range in.PerDay {
		series = append(series, float64(d.Signups))
		peak = max(peak, float64(d.Signups))
	}
	if len(series) == 1 {
		series = append(series, series[0])
	}
	fmt.Fprintln(e.stdout, asciigraph.Plot(series, asciigraph.Height(max(min(int(peak), 10), 2)), asciigraph.Width(60),
		asciigraph.LowerBound(0), asciigraph.UpperBound(peak), asciigraph.Precision(0),
		asciigraph.XAxisRange(0, float64(max(in.Days-1, 1))), asciigraph.XAxisTickCount(min(4, max(in.Days, 2))),
		asciigraph.XAxisValueFormatter(func(v float64) string {
			return in.Since.AddDate(0, 0, int(v+0.5)).Format("Jan 2")
		}),
		asciigraph.Caption("sign-ups per day")))
	fmt.Fprintln(e.stdout)
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	rate := "-"
	if in.Signups > 0 {
		rate = fmt.Sprintf("%.0f%%", in.VerificationRate*100)
	}
	fmt.Fprintf(tw, "Sign-ups\t%d\tverified %s (%d)\n", in.Signups, rate, in.Verified)
	fmt.Fprintf(tw, "Expired\t%d\t\n", in.Expired)
	if in.Queue.Waiting > 0 {
		fmt.Fprintf(tw, "Verified queue\t%d waiting\toldest %s, median %s\n", in.Queue.Waiting,
			ageText(in.Queue.OldestAgeSeconds), ageText(in.Queue.MedianAgeSeconds))
	} else {
		fmt.Fprintf(tw, "Verified queue\tempty\t\n")
	}
	if in.DecisionTime.Decisions > 0 {
		fmt.Fprintf(tw, "Verified to decision\tmedian %s\t90%% within %s (%d decisions)\n",
			ageText(in.DecisionTime.MedianSeconds), ageText(in.DecisionTime.P90Seconds), in.DecisionTime.Decisions)
	} else {
		fmt.Fprintf(tw, "Verified to decision\tno decisions\t\n")
	}
	fmt.Fprintf(tw, "Approved\t%d\t\n", in.Approved)
	fmt.Fprintf(tw, "Rejected\t%d\t\n", in.Rejected)
	for _, r := range in.RejectedByReason {
		fmt.Fprintf(tw, "  %s\t%d\t\n", safe(r.Reason), r.N)
	}
	for i, a := range in.Approvers {
		label := ""
		if i == 0 {
			label = "Decisions by"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d approved, %d rejected\n", label, cell(a.Approver, 30), a.Approved, a.Rejected)
	}
	return tw.Flush()
}

// ageText is a number of seconds as the largest whole unit: 45m, 26h, 3d.
func ageText(s int64) string {
	d := time.Duration(s) * time.Second
	switch {
	case d < time.Minute:
		return "under a minute"
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

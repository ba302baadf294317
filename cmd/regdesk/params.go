package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/regdesk/regdesk/workflow"
)

func runParams(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "params", map[string]func(context.Context, *env, []string) error{
		"show": paramsShow, "set": paramsSet,
	}, args)
}

type paramJSON struct {
	Key       string `json:"key"`
	Value     string `json:"value"`
	Default   bool   `json:"default"`
	Help      string `json:"help"`
	UpdatedBy string `json:"updated_by,omitempty"`
}

func paramsShow(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "params show")
	asJSON := f.Bool("json", false, "print JSON")
	if _, err := f.parse(args); err != nil {
		return err
	}
	db, _, err := f.open(ctx, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	ps, err := workflow.ListParams(ctx, db.Read())
	if err != nil {
		return err
	}
	if *asJSON {
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
		fmt.Fprintf(tw, "%s\t%s\t%s\n", p.Key, clip(v, 48), p.Help)
	}
	return tw.Flush()
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

func paramsSet(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "params set")
	as := f.String("as", "operator", "who is changing it (for the audit trail)")
	pos, err := f.parse(args, "KEY", "VALUE")
	if err != nil {
		return err
	}
	db, svc, err := f.openOrCreate(ctx, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := svc.SetParam(ctx, pos[0], pos[1], *as); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s set\n", pos[0])
	return nil
}

package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/regdesk/regdesk/store"
)

func tokensCmd(e *env) *cobra.Command {
	return group("tokens", "bearer tokens of the HTTP API (/api/v1)", tokensAdd(e), tokensList(e), tokensRevoke(e))
}

func tokensAdd(e *env) *cobra.Command {
	var scope string
	c := define("add NAME", "make a token; prints only the token, once (only its hash is kept)",
		func(ctx context.Context, args []string) error {
			if scope != store.ScopeRead && scope != store.ScopeDecide {
				return usageErrorf("tokens add: --scope read|decide is required")
			}
			db, svc, err := e.openOrCreate(ctx, nil)
			if err != nil {
				return err
			}
			defer db.Close()
			token, _, err := svc.AddAPIToken(ctx, args[0], scope, "operator")
			if err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, token)
			return nil
		})
	c.Flags().StringVar(&scope, "scope", "", "read (list and show) or decide (also approve, reject, create)")
	return c
}

type tokenJSON struct {
	Name       string     `json:"name"`
	Scope      string     `json:"scope"`
	CreatedAt  time.Time  `json:"created_at"`
	CreatedBy  string     `json:"created_by"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

func tokensList(e *env) *cobra.Command {
	var asJSON bool
	c := define("list", "list tokens: scope, last use, revoked", func(ctx context.Context, _ []string) error {
		db, _, err := e.open(ctx, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		ts, err := db.Read().APITokens(ctx)
		if err != nil {
			return err
		}
		if asJSON {
			out := make([]tokenJSON, 0, len(ts))
			for _, t := range ts {
				out = append(out, tokenJSON{Name: t.Name, Scope: t.Scope, CreatedAt: t.CreatedAt,
					CreatedBy: t.CreatedBy, LastUsedAt: t.LastUsedAt, RevokedAt: t.RevokedAt})
			}
			return printJSON(e.stdout, out)
		}
		stamp := func(t *time.Time, none string) string {
			if t == nil {
				return none
			}
			return t.Format("2006-01-02 15:04")
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tSCOPE\tCREATED\tLAST USED\tREVOKED")
		for _, t := range ts {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", safe(t.Name), t.Scope, stamp(&t.CreatedAt, ""),
				stamp(t.LastUsedAt, "never"), stamp(t.RevokedAt, "-"))
		}
		return tw.Flush()
	})
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

func tokensRevoke(e *env) *cobra.Command {
	return define("revoke NAME", "revoke a token; its next request is refused", func(ctx context.Context, args []string) error {
		db, svc, err := e.open(ctx, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		if _, err := svc.RevokeAPIToken(ctx, args[0], "operator"); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "token %s revoked\n", args[0])
		return nil
	})
}

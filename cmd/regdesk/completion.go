package main

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
)

// Tab completion that knows the data. `regdesk completion bash|zsh|fish|
// powershell` (cobra's) prints the shell's script; the script calls the
// hidden `regdesk __complete …`, which lands here. Every completion opens the
// database read-only (store.OpenReader: the read pool alone, no migration),
// so it never waits for a running serve, and gives up after completionWait.

const (
	completionCap  = 30 // candidates offered at most
	completionWait = 2 * time.Second
)

type completeFunc = func(ctx context.Context, q *store.Reader, args []string, prefix string) ([]cobra.Completion, error)

// fromDB is a completion that reads the database; a missing or unreadable
// database offers nothing rather than file names.
func fromDB(e *env, fn completeFunc) cobra.CompletionFunc {
	return func(c *cobra.Command, args []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
		none := cobra.ShellCompDirectiveNoFileComp
		_ = bindEnv(c, e.getenv) // a bad REGDESK_ value is reported when the command runs
		ctx, cancel := context.WithTimeout(cmp.Or(c.Context(), context.Background()), completionWait)
		defer cancel()
		r, err := store.OpenReader(ctx, e.dbPath())
		if err != nil {
			cobra.CompDebugln(err.Error(), false)
			return nil, none
		}
		defer r.Close()
		out, err := fn(ctx, r, args, prefix)
		if err != nil {
			cobra.CompDebugln(err.Error(), false)
			return nil, none
		}
		return out, none | cobra.ShellCompDirectiveKeepOrder
	}
}

// onlyFirst completes the first positional argument and nothing after it.
func onlyFirst(fn completeFunc) completeFunc {
	return func(ctx context.Context, q *store.Reader, args []string, prefix string) ([]cobra.Completion, error) {
		if len(args) > 0 {
			return nil, nil
		}
		return fn(ctx, q, args, prefix)
	}
}

// completeWords offers fixed words (statuses, roles).
func completeWords[S ~string](words ...S) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
		var out []cobra.Completion
		for _, w := range words {
			if strings.HasPrefix(string(w), prefix) {
				out = append(out, string(w))
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder
	}
}

// completeRequests offers request numbers in the given statuses (every
// status when none is given), newest first, at most completionCap, each
// described by its status and company.
func completeRequests(e *env, statuses ...domain.RequestStatus) cobra.CompletionFunc {
	if len(statuses) == 0 {
		statuses = []domain.RequestStatus{""}
	}
	return fromDB(e, onlyFirst(func(ctx context.Context, q *store.Reader, _ []string, prefix string) ([]cobra.Completion, error) {
		var rs []store.Request
		for _, s := range statuses {
			page, err := q.Requests(ctx, store.ListRequests{Status: s, Search: prefix,
				Before: &store.Cursor{ID: math.MaxInt64}, Limit: completionCap})
			if err != nil {
				return nil, err
			}
			rs = append(rs, page...)
		}
		slices.SortFunc(rs, func(a, b store.Request) int { return cmp.Compare(b.ID, a.ID) })
		var out []cobra.Completion
		for _, r := range rs {
			if len(out) == completionCap {
				break
			}
			if hasPrefixFold(r.Number, prefix) {
				out = append(out, cobra.CompletionWithDesc(r.Number, describe(string(r.Status), r.CompanyName)))
			}
		}
		return out, nil
	}))
}

// completeUserRequests offers user request numbers in the given status,
// newest first.
func completeUserRequests(e *env, status domain.UserRequestStatus) cobra.CompletionFunc {
	return fromDB(e, onlyFirst(func(ctx context.Context, q *store.Reader, _ []string, prefix string) ([]cobra.Completion, error) {
		// User requests are few next to requests: read them by key and keep the newest.
		us, err := q.UserRequests(ctx, store.ListUserRequests{Status: status})
		if err != nil {
			return nil, err
		}
		var out []cobra.Completion
		for i := len(us) - 1; i >= 0 && len(out) < completionCap; i-- {
			if u := us[i]; hasPrefixFold(u.Number, prefix) {
				out = append(out, cobra.CompletionWithDesc(u.Number, describe(string(u.Status), u.Username)))
			}
		}
		return out, nil
	}))
}

// completeApprovers offers approver names.
func completeApprovers(e *env) cobra.CompletionFunc {
	return fromDB(e, func(ctx context.Context, q *store.Reader, _ []string, prefix string) ([]cobra.Completion, error) {
		as, err := q.Approvers(ctx)
		if err != nil {
			return nil, err
		}
		var out []cobra.Completion
		for _, a := range as {
			if strings.HasPrefix(a.Name, prefix) {
				out = append(out, cobra.CompletionWithDesc(a.Name, describe(a.Email)))
			}
		}
		return out, nil
	})
}

// completeReasons offers the reason codes of the reject.reasons parameter.
func completeReasons(e *env) cobra.CompletionFunc {
	return fromDB(e, func(ctx context.Context, q *store.Reader, _ []string, prefix string) ([]cobra.Completion, error) {
		p, err := workflow.LoadParams(ctx, q.Queries)
		if err != nil {
			return nil, err
		}
		return prefixed(p.RejectReasons(), prefix), nil
	})
}

// completeTemplates offers customer account template codes.
func completeTemplates(e *env) cobra.CompletionFunc {
	return fromDB(e, func(ctx context.Context, q *store.Reader, _ []string, prefix string) ([]cobra.Completion, error) {
		return templateCodes(ctx, q, prefix)
	})
}

func templateCodes(ctx context.Context, q *store.Reader, prefix string) ([]cobra.Completion, error) {
	ts, err := q.Templates(ctx)
	if err != nil {
		return nil, err
	}
	var out []cobra.Completion
	for _, t := range ts {
		if hasPrefixFold(t.Code, prefix) {
			out = append(out, cobra.CompletionWithDesc(t.Code, describe(t.Name, t.Currency)))
		}
	}
	return out, nil
}

// completeCustomers offers customer account numbers.
func completeCustomers(e *env) cobra.CompletionFunc {
	return fromDB(e, func(ctx context.Context, q *store.Reader, _ []string, prefix string) ([]cobra.Completion, error) {
		cs, err := q.Customers(ctx, store.ListCustomers{Search: prefix, Limit: completionCap})
		if err != nil {
			return nil, err
		}
		var out []cobra.Completion
		for _, c := range cs {
			if hasPrefixFold(c.Account, prefix) {
				out = append(out, cobra.CompletionWithDesc(c.Account, describe(c.Name)))
			}
		}
		return out, nil
	})
}

// completeParams offers parameter keys for KEY and, for VALUE, what that
// parameter accepts: true/false, the user roles or the template codes where
// the parameter takes only those, and always its current and default value.
func completeParams(e *env) cobra.CompletionFunc {
	return fromDB(e, func(ctx context.Context, q *store.Reader, args []string, prefix string) ([]cobra.Completion, error) {
		switch len(args) {
		case 0:
			var out []cobra.Completion
			for _, d := range workflow.ParamDefs() {
				if strings.HasPrefix(d.Key, prefix) {
					out = append(out, cobra.CompletionWithDesc(d.Key, d.Help))
				}
			}
			return out, nil
		case 1:
			return paramValues(ctx, q, args[0], prefix)
		}
		return nil, nil
	})
}

func paramValues(ctx context.Context, q *store.Reader, key, prefix string) ([]cobra.Completion, error) {
	def, ok := workflow.ParamDefByKey(key)
	if !ok {
		return nil, nil
	}
	if key == workflow.ParamDefaultTemplate {
		return templateCodes(ctx, q, prefix)
	}
	p, err := workflow.LoadParams(ctx, q.Queries)
	if err != nil {
		return nil, err
	}
	var words []string
	// A parameter that refuses a plain word but takes some of these is a
	// choice among them; the definition's own validation decides, nothing
	// here repeats its rules.
	if def.Validate("maybe") != nil {
		for _, w := range []string{"true", "false", store.RoleCustomerUser, store.RoleCustomerAdmin} {
			if def.Validate(w) == nil {
				words = append(words, w)
			}
		}
	}
	for _, v := range []string{p.String(key), def.Default} {
		if v != "" && !strings.Contains(v, "\n") && !slices.Contains(words, v) {
			words = append(words, v)
		}
	}
	return prefixed(words, prefix), nil
}

func prefixed(words []string, prefix string) []cobra.Completion {
	var out []cobra.Completion
	for _, w := range words {
		if strings.HasPrefix(w, prefix) {
			out = append(out, w)
		}
	}
	return out
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// describe joins the non-empty parts of a candidate's description, made safe
// for the terminal: a company name may carry escape sequences.
func describe(parts ...string) string {
	return cell(joinNonEmpty(" · ", parts...), 60)
}

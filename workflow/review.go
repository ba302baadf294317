package workflow

import (
	"context"
	"fmt"
	"strings"

	"github.com/regdesk/regdesk/store"
)

// Warning is something an approver should look at before deciding.
type Warning struct {
	Field   string // email, domain, company_name, tax_id
	Message string // "Same email as customer C00012 (Contoso Ltd)"
	Ref     string
}

// Warnings lists customers and open requests that resemble r.
func (s *Service) Warnings(ctx context.Context, q *store.Queries, r store.Request) ([]Warning, error) {
	m := store.MatchQuery{ExcludeRequestID: r.ID, Email: r.Email, CompanyName: r.CompanyName, TaxID: r.TaxID}
	if _, domain, ok := strings.Cut(r.Email, "@"); ok && !freeMailDomains[strings.ToLower(domain)] {
		m.Domain = domain
	}
	matches, err := q.Matches(ctx, m)
	if err != nil {
		return nil, err
	}
	label := map[string]string{"email": "Same email", "domain": "Same email domain",
		"company_name": "Same company name", "tax_id": "Same tax id"}
	var out []Warning
	seen := map[string]bool{}
	for _, x := range matches {
		// An exact email match already implies the domain one.
		if x.Field == "domain" && seen["email"+x.Ref] {
			continue
		}
		seen[x.Field+x.Ref] = true
		what := "customer " + x.Ref
		if x.Entity == store.EntityRequest {
			what = x.Status + " request " + x.Ref
		}
		out = append(out, Warning{Field: x.Field, Ref: x.Ref,
			Message: fmt.Sprintf("%s as %s (%s)", label[x.Field], what, x.Name)})
	}
	return out, nil
}

// SetApproverParam is SetParam for an approver (the TUI): operator-only
// parameters (ParamDef.OperatorOnly) are refused.
func (s *Service) SetApproverParam(ctx context.Context, key, value, actor string) error {
	if d, ok := ParamDefByKey(key); ok && d.OperatorOnly() {
		return &ParamError{Key: key, Reason: "only the operator sets it, on the server: regdesk params set " + key + " VALUE"}
	}
	return s.SetParam(ctx, key, value, actor)
}

// SetParam validates and stores a parameter, with an audit row (the
// operator's command line).
func (s *Service) SetParam(ctx context.Context, key, value, actor string) error {
	d, ok := ParamDefByKey(key)
	if !ok {
		return &ParamError{Key: key}
	}
	if err := d.Validate(value); err != nil {
		return &ParamError{Key: key, Reason: err.Error()}
	}
	if actor == "" {
		actor = "operator"
	}
	if err := checkActor(actor); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		if key == ParamDefaultTemplate {
			ts, err := tx.Templates(ctx)
			if err != nil {
				return err
			}
			var codes []string
			found := false
			for _, t := range ts {
				codes = append(codes, t.Code)
				found = found || t.Code == value
			}
			if !found {
				return &ParamError{Key: key, Reason: fmt.Sprintf("no template %q; use one of %s",
					value, strings.Join(codes, ", "))}
			}
		}
		if err := tx.SetParam(ctx, key, value, actor); err != nil {
			return err
		}
		detail := value
		if strings.HasPrefix(key, "template.") {
			detail = "template changed"
		}
		return audit(ctx, tx, actor, store.EntityParam, key, "set", detail)
	})
}

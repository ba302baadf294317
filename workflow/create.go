package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow/domain"
)

// CreateInput is the approver's Create: a new customer account from a
// template, or an existing account the contact joins, and the user's role.
type CreateInput struct {
	Action
	Existing string // account number; empty creates a new customer
	Template string // template code for a new customer; empty uses the parameter
	Role     string // empty uses the parameter
}

// CreateResult is what Create made.
type CreateResult struct {
	Request     store.Request
	Customer    store.Customer
	NewCustomer bool
	Contact     store.Contact
	UserRequest store.UserRequest
}

// Create turns an approved request into a customer (new or existing), a
// contact person and a user request, submitted to the workflow when it is
// enabled and left as a draft otherwise.
func (s *Service) Create(ctx context.Context, in CreateInput) (CreateResult, error) {
	var res CreateResult
	if err := checkActor(in.Actor); err != nil {
		return res, err
	}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		p, err := s.Params(ctx, &tx.Queries)
		if err != nil {
			return err
		}
		r, err := tx.RequestByNumber(ctx, in.Number)
		if err != nil {
			return err
		}
		// Refuse an illegal transition before allocating anything.
		if _, err := NextRequest(r.Status, EventCreate); err != nil {
			return changed(ctx, &tx.Queries, r, err)
		}
		role := in.Role
		if role == "" {
			role = p.String(ParamDefaultRole)
		}
		if validRole(role) != nil {
			return &FieldError{Field: "role", Message: fmt.Sprintf("unknown role %q; use %s or %s",
				role, store.RoleCustomerUser, store.RoleCustomerAdmin)}
		}
		if in.Existing != "" {
			res.Customer, err = tx.CustomerByAccount(ctx, strings.TrimSpace(in.Existing))
			if errors.Is(err, store.ErrNotFound) {
				return &FieldError{Field: "existing", Message: fmt.Sprintf("no customer account %q", in.Existing)}
			}
			if err != nil {
				return err
			}
		} else {
			if res.Customer, err = s.newCustomer(ctx, tx, p, r, in); err != nil {
				return err
			}
			res.NewCustomer = true
		}
		res.Request, err = s.transition(ctx, tx, r, in.Version, EventCreate,
			store.RequestChange{Actor: in.Actor, CustomerID: res.Customer.ID}, res.Customer.Account)
		if err != nil {
			return err
		}
		res.Contact = store.Contact{CustomerID: res.Customer.ID, RequestID: &r.ID,
			FirstName: r.FirstName, LastName: r.LastName, JobTitle: r.JobTitle, Email: r.Email,
			Phone: r.Phone, Language: r.Language}
		if err := tx.InsertContact(ctx, &res.Contact); err != nil {
			return err
		}
		res.UserRequest, err = s.submitUserRequest(ctx, tx, p, store.UserRequest{
			RequestID: &r.ID, CustomerID: res.Customer.ID, ContactID: res.Contact.ID,
			Username: r.Username, Email: r.Email, Role: role, PasswordHash: r.PasswordHash,
			CreatedBy: in.Actor})
		return err
	})
	if err != nil {
		return res, fmt.Errorf("create %s: %w", in.Number, err)
	}
	s.log.Info("customer created", "number", in.Number, "account", res.Customer.Account,
		"new", res.NewCustomer, "user_request", res.UserRequest.Number, "actor", in.Actor)
	return res, nil
}

func (s *Service) newCustomer(ctx context.Context, tx *store.Tx, p Params, r store.Request, in CreateInput) (store.Customer, error) {
	code := in.Template
	if code == "" {
		code = p.String(ParamDefaultTemplate)
	}
	templates, err := tx.Templates(ctx)
	if err != nil {
		return store.Customer{}, err
	}
	var tmpl *store.Template
	var codes []string
	for i, t := range templates {
		codes = append(codes, t.Code)
		if strings.EqualFold(t.Code, code) {
			tmpl = &templates[i]
		}
	}
	if tmpl == nil {
		return store.Customer{}, &FieldError{Field: "template", Message: fmt.Sprintf(
			"unknown template %q; use one of %s", code, strings.Join(codes, ", "))}
	}
	account, err := s.nextNumber(ctx, tx, p, store.SeqCustomer, ParamSeqCustomer)
	if err != nil {
		return store.Customer{}, err
	}
	c := store.Customer{Account: account, Name: r.CompanyName, TaxID: r.TaxID, Street: r.Street,
		City: r.City, State: r.State, PostalCode: r.PostalCode, Country: r.Country,
		Template: tmpl.Code, CustomerGroup: tmpl.CustomerGroup, Currency: tmpl.Currency,
		Language: tmpl.Language, PaymentTerms: tmpl.PaymentTerms, CreatedBy: in.Actor}
	if r.Language != "" {
		c.Language = r.Language
	}
	if err := tx.InsertCustomer(ctx, &c); err != nil {
		return c, err
	}
	return c, audit(ctx, tx, in.Actor, store.EntityCustomer, c.Account, "create",
		"from "+r.Number+" with template "+tmpl.Code)
}

// nextNumber allocates and formats the next number of a sequence in tx.
func (s *Service) nextNumber(ctx context.Context, tx *store.Tx, p Params, seq, formatKey string) (string, error) {
	v, err := tx.NextValue(ctx, seq)
	if err != nil {
		return "", err
	}
	return FormatNumber(p.String(formatKey), v)
}

// NextAccountPreview is the account number a new customer would get now.
func (s *Service) NextAccountPreview(ctx context.Context) (string, error) {
	q := s.db.Read()
	p, err := s.Params(ctx, q)
	if err != nil {
		return "", err
	}
	v, err := q.PeekValue(ctx, store.SeqCustomer)
	if err != nil {
		return "", err
	}
	return FormatNumber(p.String(ParamSeqCustomer), v)
}

// submitUserRequest stores a user request: submitted to the workflow when it
// is enabled, a draft waiting for Provision user otherwise.
func (s *Service) submitUserRequest(ctx context.Context, tx *store.Tx, p Params, u store.UserRequest) (store.UserRequest, error) {
	number, err := s.nextNumber(ctx, tx, p, store.SeqUserRequest, ParamSeqUserRequest)
	if err != nil {
		return u, err
	}
	u.Number, u.Status = number, domain.URDraft
	enabled := p.Bool(ParamWorkflowEnabled)
	if enabled {
		u.Status = domain.URSubmitted
		u.Step = StepProvision
		if p.Bool(ParamApproveUserStep) {
			u.Step = StepApprove
		}
	}
	if err := tx.InsertUserRequest(ctx, &u); err != nil {
		return u, err
	}
	outcome := "draft: the workflow is disabled"
	if enabled {
		outcome = "submitted to the workflow"
	}
	if err := tx.InsertStep(ctx, store.Step{UserRequestID: u.ID, Step: "submit", Outcome: "done",
		Detail: outcome, Actor: u.CreatedBy}); err != nil {
		return u, err
	}
	if err := audit(ctx, tx, u.CreatedBy, store.EntityUserRequest, u.Number, "create", outcome); err != nil {
		return u, err
	}
	if enabled && s.jobs != nil {
		if err := s.jobs.UserRequestSubmitted(ctx, tx, u.ID); err != nil {
			return u, err
		}
	}
	return tx.UserRequestByID(ctx, u.ID)
}

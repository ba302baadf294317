package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow/domain"
)

// ProspectData is everything regdesk holds about one prospect, for a data
// subject access request. Secrets (password hash, token hashes, mail bodies
// with links) are described, not copied.
type ProspectData struct {
	ExportedAt  time.Time          `json:"exported_at"`
	Request     ExportRequest      `json:"request"`
	Tokens      []ExportToken      `json:"tokens"`
	Mail        []ExportMail       `json:"mail"`
	Audit       []ExportAudit      `json:"audit"`
	Customer    *ExportCustomer    `json:"customer,omitempty"`
	Contact     *ExportContact     `json:"contact,omitempty"`
	UserRequest *ExportUserRequest `json:"user_request,omitempty"`
	User        *ExportUser        `json:"user,omitempty"`
}

// ExportRequest is the customer request as stored.
type ExportRequest struct {
	Number           string               `json:"number"`
	Status           domain.RequestStatus `json:"status"`
	CompanyName      string               `json:"company_name"`
	TaxID            string               `json:"tax_id"`
	Street           string               `json:"street"`
	City             string               `json:"city"`
	State            string               `json:"state"`
	PostalCode       string               `json:"postal_code"`
	Country          string               `json:"country"`
	FirstName        string               `json:"first_name"`
	LastName         string               `json:"last_name"`
	JobTitle         string               `json:"job_title"`
	Email            string               `json:"email"`
	Phone            string               `json:"phone"`
	Language         string               `json:"language"`
	Username         string               `json:"username"`
	PasswordHashHeld bool                 `json:"password_hash_held"`
	SourceIP         string               `json:"source_ip"`
	CreatedAt        time.Time            `json:"created_at"`
	UpdatedAt        time.Time            `json:"updated_at"`
	VerifiedAt       *time.Time           `json:"verified_at"`
	DecidedAt        *time.Time           `json:"decided_at"`
	DecidedBy        string               `json:"decided_by"`
	RejectReason     string               `json:"reject_reason"`
	RejectComment    string               `json:"reject_comment"`
	CustomerAccount  string               `json:"customer_account"`
	PurgedAt         *time.Time           `json:"purged_at"`
}

// ExportToken is a link token's metadata; the token itself is never stored.
type ExportToken struct {
	Kind      string     `json:"kind"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	UsedAt    *time.Time `json:"used_at"`
}

// ExportMail is a message sent (or queued) to the prospect.
type ExportMail struct {
	Kind      string     `json:"kind"`
	To        string     `json:"to"`
	Subject   string     `json:"subject"`
	Status    string     `json:"status"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at"`
}

// ExportAudit is one entry of the request's audit trail.
type ExportAudit struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Entity string    `json:"entity"`
	Ref    string    `json:"ref"`
	Action string    `json:"action"`
	Detail string    `json:"detail"`
}

// ExportCustomer is the customer account a request created or joined.
type ExportCustomer struct {
	Account    string    `json:"account"`
	Name       string    `json:"name"`
	TaxID      string    `json:"tax_id"`
	Street     string    `json:"street"`
	City       string    `json:"city"`
	State      string    `json:"state"`
	PostalCode string    `json:"postal_code"`
	Country    string    `json:"country"`
	Language   string    `json:"language"`
	CreatedAt  time.Time `json:"created_at"`
}

// ExportContact is the contact person made from the request.
type ExportContact struct {
	FirstName string    `json:"first_name"`
	LastName  string    `json:"last_name"`
	JobTitle  string    `json:"job_title"`
	Email     string    `json:"email"`
	Phone     string    `json:"phone"`
	Language  string    `json:"language"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ExportUserRequest is the user request made from the request.
type ExportUserRequest struct {
	Number    string                   `json:"number"`
	Status    domain.UserRequestStatus `json:"status"`
	Username  string                   `json:"username"`
	Email     string                   `json:"email"`
	Role      string                   `json:"role"`
	CreatedAt time.Time                `json:"created_at"`
	UpdatedAt time.Time                `json:"updated_at"`
}

// ExportUser is the login provisioned for the prospect.
type ExportUser struct {
	Username          string     `json:"username"`
	Email             string     `json:"email"`
	Role              string     `json:"role"`
	Active            bool       `json:"active"`
	CreatedAt         time.Time  `json:"created_at"`
	PasswordChangedAt *time.Time `json:"password_changed_at"`
	InactivatedAt     *time.Time `json:"inactivated_at"`
}

// Export gathers everything held about the prospect behind a request, read
// in one snapshot.
func (s *Service) Export(ctx context.Context, number string) (ProspectData, error) {
	var d ProspectData
	// A read transaction on the write pool would block writers; the read
	// pool's queries each see a committed state, and one request's records
	// change rarely enough that a field-by-field read is a faithful copy.
	q := s.db.Read()
	r, err := q.RequestByNumber(ctx, number)
	if err != nil {
		return d, fmt.Errorf("export %s: %w", number, err)
	}
	d.ExportedAt = s.now().UTC()
	d.Request = ExportRequest{Number: r.Number, Status: r.Status, CompanyName: r.CompanyName,
		TaxID: r.TaxID, Street: r.Street, City: r.City, State: r.State, PostalCode: r.PostalCode,
		Country: r.Country, FirstName: r.FirstName, LastName: r.LastName, JobTitle: r.JobTitle,
		Email: r.Email, Phone: r.Phone, Language: r.Language, Username: r.Username,
		PasswordHashHeld: r.PasswordHash != "", SourceIP: r.SourceIP, CreatedAt: r.CreatedAt,
		UpdatedAt: r.UpdatedAt, VerifiedAt: r.VerifiedAt, DecidedAt: r.DecidedAt,
		DecidedBy: r.DecidedBy, RejectReason: r.RejectReason, RejectComment: r.RejectComment,
		CustomerAccount: r.CustomerAccount, PurgedAt: r.PurgedAt}
	tokens, err := q.TokensOfRequest(ctx, r.ID)
	if err != nil {
		return d, fmt.Errorf("export %s: %w", number, err)
	}
	d.Tokens = []ExportToken{}
	for _, t := range tokens {
		d.Tokens = append(d.Tokens, ExportToken{Kind: t.Kind, CreatedAt: t.CreatedAt,
			ExpiresAt: t.ExpiresAt, UsedAt: t.UsedAt})
	}
	d.Mail = []ExportMail{}
	for _, ref := range mailRefs(r) {
		ms, err := q.Mails(ctx, store.ListMail{Ref: ref})
		if err != nil {
			return d, fmt.Errorf("export %s: %w", number, err)
		}
		for i := len(ms) - 1; i >= 0; i-- { // oldest first
			m := ms[i]
			d.Mail = append(d.Mail, ExportMail{Kind: m.Kind, To: m.To, Subject: m.Subject,
				Status: m.Status, CreatedAt: m.CreatedAt, SentAt: m.SentAt})
		}
	}
	trail, err := q.AuditTrail(ctx, store.EntityRequest, r.Number)
	if err != nil {
		return d, fmt.Errorf("export %s: %w", number, err)
	}
	d.Audit = []ExportAudit{}
	for _, e := range trail {
		d.Audit = append(d.Audit, exportAudit(e))
	}
	if r.CustomerID == nil {
		return d, nil
	}
	if err := s.exportCustomer(ctx, q, r, &d); err != nil {
		return d, fmt.Errorf("export %s: %w", number, err)
	}
	return d, nil
}

func mailRefs(r store.Request) []string {
	refs := []string{r.Number}
	if r.Email != "" {
		refs = append(refs, "known:"+strings.ToLower(r.Email))
	}
	return refs
}

func exportAudit(e store.AuditEntry) ExportAudit {
	return ExportAudit{At: e.At, Actor: e.Actor, Entity: e.Entity, Ref: e.Ref, Action: e.Action, Detail: e.Detail}
}

func (s *Service) exportCustomer(ctx context.Context, q *store.Queries, r store.Request, d *ProspectData) error {
	c, err := q.CustomerByID(ctx, *r.CustomerID)
	if err != nil {
		return err
	}
	d.Customer = &ExportCustomer{Account: c.Account, Name: c.Name, TaxID: c.TaxID, Street: c.Street,
		City: c.City, State: c.State, PostalCode: c.PostalCode, Country: c.Country,
		Language: c.Language, CreatedAt: c.CreatedAt}
	contact, err := q.ContactOfRequest(ctx, r.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	d.Contact = &ExportContact{FirstName: contact.FirstName, LastName: contact.LastName,
		JobTitle: contact.JobTitle, Email: contact.Email, Phone: contact.Phone,
		Language: contact.Language, CreatedAt: contact.CreatedAt, UpdatedAt: contact.UpdatedAt}
	ur, err := q.UserRequestOfRequest(ctx, r.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	d.UserRequest = &ExportUserRequest{Number: ur.Number, Status: ur.Status, Username: ur.Username,
		Email: ur.Email, Role: ur.Role, CreatedAt: ur.CreatedAt, UpdatedAt: ur.UpdatedAt}
	urTrail, err := q.AuditTrail(ctx, store.EntityUserRequest, ur.Number)
	if err != nil {
		return err
	}
	for _, e := range urTrail {
		d.Audit = append(d.Audit, exportAudit(e))
	}
	u, err := q.UserByUserRequest(ctx, ur.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	d.User = &ExportUser{Username: u.Username, Email: u.Email, Role: u.Role, Active: u.Active,
		CreatedAt: u.CreatedAt, PasswordChangedAt: u.PasswordChangedAt, InactivatedAt: u.InactivatedAt}
	return nil
}

// EraseError says why a request's data cannot be erased here.
type EraseError struct {
	Number  string
	Status  domain.RequestStatus
	Account string // set when the request became a customer
}

func (e *EraseError) Error() string {
	if e.Account != "" {
		return fmt.Sprintf("cannot erase %s: it became customer %s, so the contact person and "+
			"login belong to that customer account now; erase them there", e.Number, e.Account)
	}
	return fmt.Sprintf("cannot erase %s while it is %s and waiting for review: reject it first "+
		"(regdesk requests reject %s --reason other --as NAME; the prospect is emailed), then erase it",
		e.Number, e.Status, e.Number)
}

// Unwrap makes an EraseError match ErrConflict.
func (e *EraseError) Unwrap() error { return ErrConflict }

// Erase removes the personal data held about a prospect on their request.
// An unverified request expires first; a rejected or expired one is purged;
// one waiting for review must be rejected first, and one that became a
// customer is refused with the reason. Erasing twice changes nothing. Mail still queued to the prospect is
// not sent. The audit row names who erased it.
func (s *Service) Erase(ctx context.Context, a Action) (store.Request, error) {
	if err := checkActor(a.Actor); err != nil {
		return store.Request{}, err
	}
	var out store.Request
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		r, err := tx.RequestByNumber(ctx, a.Number)
		if err != nil {
			return err
		}
		if a.Version != 0 && a.Version != r.Version {
			return changed(ctx, &tx.Queries, r, ErrConflict)
		}
		switch {
		case r.PurgedAt != nil:
			out = r // erased already: nothing left to do
			return nil
		case r.CustomerID != nil:
			return &EraseError{Number: r.Number, Status: r.Status, Account: r.CustomerAccount}
		case r.Status == domain.Verified || r.Status == domain.Approved:
			return &EraseError{Number: r.Number, Status: r.Status}
		case r.Status == domain.Requested:
			if _, err := s.transition(ctx, tx, r, 0, EventExpire, store.RequestChange{Actor: a.Actor},
				"erased on the prospect's request"); err != nil {
				return err
			}
		default:
			if err := audit(ctx, tx, a.Actor, store.EntityRequest, r.Number, "erase",
				"personal data erased on the prospect's request"); err != nil {
				return err
			}
		}
		if err := tx.PurgeRequest(ctx, r); err != nil {
			return err
		}
		out, err = tx.RequestByID(ctx, r.ID)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("erase %s: %w", a.Number, err)
	}
	s.log.Info("request erased", "number", a.Number, "actor", a.Actor)
	return out, nil
}

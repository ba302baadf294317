package workflow

import (
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow/domain"
)

// RequestRecord is a customer request as scripts see it: the HTTP API and
// webhook payloads, in the shape of `requests show --json`. It never carries
// the password hash or the sign-up's client address.
type RequestRecord struct {
	Number          string               `json:"number"`
	Status          domain.RequestStatus `json:"status"`
	Version         int64                `json:"version"`
	CompanyName     string               `json:"company_name"`
	TaxID           string               `json:"tax_id"`
	Street          string               `json:"street"`
	City            string               `json:"city"`
	State           string               `json:"state"`
	PostalCode      string               `json:"postal_code"`
	Country         string               `json:"country"`
	FirstName       string               `json:"first_name"`
	LastName        string               `json:"last_name"`
	JobTitle        string               `json:"job_title"`
	Email           string               `json:"email"`
	Phone           string               `json:"phone"`
	Language        string               `json:"language"`
	Username        string               `json:"username"`
	CreatedAt       time.Time            `json:"created_at"`
	UpdatedAt       time.Time            `json:"updated_at"`
	VerifiedAt      *time.Time           `json:"verified_at"`
	DecidedAt       *time.Time           `json:"decided_at"`
	DecidedBy       string               `json:"decided_by"`
	RejectReason    string               `json:"reject_reason"`
	RejectComment   string               `json:"reject_comment"`
	CustomerAccount string               `json:"customer_account"`
}

// NewRequestRecord is r as a record.
func NewRequestRecord(r store.Request) RequestRecord {
	return RequestRecord{Number: r.Number, Status: r.Status, Version: r.Version,
		CompanyName: r.CompanyName, TaxID: r.TaxID, Street: r.Street, City: r.City, State: r.State,
		PostalCode: r.PostalCode, Country: r.Country, FirstName: r.FirstName, LastName: r.LastName,
		JobTitle: r.JobTitle, Email: r.Email, Phone: r.Phone, Language: r.Language,
		Username: r.Username, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		VerifiedAt: r.VerifiedAt, DecidedAt: r.DecidedAt, DecidedBy: r.DecidedBy,
		RejectReason: r.RejectReason, RejectComment: r.RejectComment,
		CustomerAccount: r.CustomerAccount}
}

// CustomerRecord is a customer account in the shape of `customers list --json`:
// the address and the fields its template gave it.
type CustomerRecord struct {
	Account       string    `json:"account"`
	Name          string    `json:"name"`
	TaxID         string    `json:"tax_id"`
	Street        string    `json:"street"`
	City          string    `json:"city"`
	State         string    `json:"state"`
	PostalCode    string    `json:"postal_code"`
	Country       string    `json:"country"`
	Template      string    `json:"template"`
	CustomerGroup string    `json:"customer_group"`
	Currency      string    `json:"currency"`
	Language      string    `json:"language"`
	PaymentTerms  string    `json:"payment_terms"`
	CreatedAt     time.Time `json:"created_at"`
	CreatedBy     string    `json:"created_by"`
}

// NewCustomerRecord is c as a record.
func NewCustomerRecord(c store.Customer) CustomerRecord {
	return CustomerRecord{Account: c.Account, Name: c.Name, TaxID: c.TaxID, Street: c.Street,
		City: c.City, State: c.State, PostalCode: c.PostalCode, Country: c.Country,
		Template: c.Template, CustomerGroup: c.CustomerGroup, Currency: c.Currency,
		Language: c.Language, PaymentTerms: c.PaymentTerms, CreatedAt: c.CreatedAt,
		CreatedBy: c.CreatedBy}
}

// UserRequestRecord is a user request in the shape of `user-requests list --json`.
type UserRequestRecord struct {
	Number          string                   `json:"number"`
	Status          domain.UserRequestStatus `json:"status"`
	RequestNumber   string                   `json:"request_number"`
	Username        string                   `json:"username"`
	Email           string                   `json:"email"`
	Role            string                   `json:"role"`
	CustomerAccount string                   `json:"customer_account"`
	Step            string                   `json:"step"`
	Attempts        int                      `json:"attempts"`
	LastError       string                   `json:"last_error"`
	CreatedBy       string                   `json:"created_by"` // who asked: an approver at Create, or a customer administrator
	CreatedAt       time.Time                `json:"created_at"`
	UpdatedAt       time.Time                `json:"updated_at"`
}

// NewUserRequestRecord is u as a record.
func NewUserRequestRecord(u store.UserRequest) UserRequestRecord {
	return UserRequestRecord{Number: u.Number, Status: u.Status, RequestNumber: u.RequestNumber,
		Username: u.Username, Email: u.Email, Role: u.Role, CustomerAccount: u.CustomerAccount,
		Step: u.Step, Attempts: u.Attempts, LastError: u.LastError, CreatedBy: u.CreatedBy, CreatedAt: u.CreatedAt,
		UpdatedAt: u.UpdatedAt}
}

// ContactRecord is a contact person.
type ContactRecord struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	JobTitle  string `json:"job_title"`
	Email     string `json:"email"`
	Phone     string `json:"phone"`
	Language  string `json:"language"`
}

// NewContactRecord is c as a record.
func NewContactRecord(c store.Contact) ContactRecord {
	return ContactRecord{FirstName: c.FirstName, LastName: c.LastName, JobTitle: c.JobTitle,
		Email: c.Email, Phone: c.Phone, Language: c.Language}
}

package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Template is a customer account template: the defaults a new account gets.
type Template struct {
	Code          string
	Name          string
	CustomerGroup string
	Currency      string
	Language      string
	PaymentTerms  string
}

// Templates lists the customer account templates in use, by code.
func (q *Queries) Templates(ctx context.Context) ([]Template, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT code, name, customer_group, currency, language,
		payment_terms FROM customer_templates WHERE removed_at IS NULL ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("store: templates: %w", mapErr(err))
	}
	defer rows.Close()
	var out []Template
	for rows.Next() {
		var t Template
		if err := rows.Scan(&t.Code, &t.Name, &t.CustomerGroup, &t.Currency, &t.Language,
			&t.PaymentTerms); err != nil {
			return nil, fmt.Errorf("store: templates: %w", mapErr(err))
		}
		out = append(out, t)
	}
	return out, mapErr(rows.Err())
}

// TemplateByCode is a template in use; ErrNotFound for an unknown or
// removed one.
func (q *Queries) TemplateByCode(ctx context.Context, code string) (Template, error) {
	var t Template
	err := q.q.QueryRowContext(ctx, `SELECT code, name, customer_group, currency, language,
		payment_terms FROM customer_templates WHERE code = ? AND removed_at IS NULL`, code).
		Scan(&t.Code, &t.Name, &t.CustomerGroup, &t.Currency, &t.Language, &t.PaymentTerms)
	if err != nil {
		return t, fmt.Errorf("store: template %s: %w", code, mapErr(err))
	}
	return t, nil
}

// AddTemplate stores a new template, or brings a removed one of the same
// code back with t's values; ErrConflict when the code is in use.
func (q *Queries) AddTemplate(ctx context.Context, t Template) error {
	res, err := q.q.ExecContext(ctx, `UPDATE customer_templates SET name = ?, customer_group = ?,
		currency = ?, language = ?, payment_terms = ?, removed_at = NULL
		WHERE code = ? AND removed_at IS NOT NULL`,
		t.Name, t.CustomerGroup, t.Currency, t.Language, t.PaymentTerms, t.Code)
	if err != nil {
		return fmt.Errorf("store: add template %s: %w", t.Code, mapErr(err))
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	_, err = q.q.ExecContext(ctx, `INSERT INTO customer_templates (code, name, customer_group,
		currency, language, payment_terms) VALUES (?, ?, ?, ?, ?, ?)`,
		t.Code, t.Name, t.CustomerGroup, t.Currency, t.Language, t.PaymentTerms)
	if err != nil {
		return fmt.Errorf("store: add template %s: %w", t.Code, mapErr(err))
	}
	return nil
}

// UpdateTemplate changes a template in use; customers created from it keep
// the values they were created with. ErrNotFound for an unknown or removed one.
func (q *Queries) UpdateTemplate(ctx context.Context, t Template) error {
	res, err := q.q.ExecContext(ctx, `UPDATE customer_templates SET name = ?, customer_group = ?,
		currency = ?, language = ?, payment_terms = ? WHERE code = ? AND removed_at IS NULL`,
		t.Name, t.CustomerGroup, t.Currency, t.Language, t.PaymentTerms, t.Code)
	if err != nil {
		return fmt.Errorf("store: set template %s: %w", t.Code, mapErr(err))
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("store: set template %s: %w", t.Code, ErrNotFound)
	}
	return nil
}

// RemoveTemplate takes a template out of use. Its row stays, so customers
// created from it still name it. ErrNotFound for an unknown or removed one.
func (q *Queries) RemoveTemplate(ctx context.Context, code string) error {
	res, err := q.q.ExecContext(ctx, `UPDATE customer_templates SET removed_at = ?
		WHERE code = ? AND removed_at IS NULL`, q.nowMS(), code)
	if err != nil {
		return fmt.Errorf("store: remove template %s: %w", code, mapErr(err))
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("store: remove template %s: %w", code, ErrNotFound)
	}
	return nil
}

// Customer is a customer account.
type Customer struct {
	ID            int64
	Account       string
	Name          string
	TaxID         string
	Street        string
	City          string
	State         string
	PostalCode    string
	Country       string
	Template      string
	CustomerGroup string
	Currency      string
	Language      string
	PaymentTerms  string
	CreatedAt     time.Time
	CreatedBy     string
}

const customerColumns = `id, account, name, tax_id, street, city, state, postal_code, country,
	template, customer_group, currency, language, payment_terms, created_at, created_by`

func scanCustomer(s scanner) (Customer, error) {
	var c Customer
	var at int64
	err := s.Scan(&c.ID, &c.Account, &c.Name, &c.TaxID, &c.Street, &c.City, &c.State,
		&c.PostalCode, &c.Country, &c.Template, &c.CustomerGroup, &c.Currency, &c.Language,
		&c.PaymentTerms, &at, &c.CreatedBy)
	c.CreatedAt = ms(at)
	return c, mapErr(err)
}

// InsertCustomer stores a new customer account and fills in ID and CreatedAt.
func (q *Queries) InsertCustomer(ctx context.Context, c *Customer) error {
	c.CreatedAt = q.now().UTC()
	id, err := q.insertID(ctx, `INSERT INTO customers (account, name, tax_id, street, city,
		state, postal_code, country, template, customer_group, currency, language, payment_terms,
		created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.Account, c.Name, c.TaxID, c.Street, c.City, c.State, c.PostalCode, c.Country,
		c.Template, c.CustomerGroup, c.Currency, c.Language, c.PaymentTerms,
		c.CreatedAt.UnixMilli(), c.CreatedBy)
	if err != nil {
		return fmt.Errorf("store: insert customer %s: %w", c.Account, mapErr(err))
	}
	c.ID = id
	return nil
}

// CustomerByAccount returns the customer with that account number.
func (q *Queries) CustomerByAccount(ctx context.Context, account string) (Customer, error) {
	c, err := scanCustomer(q.q.QueryRowContext(ctx,
		`SELECT `+customerColumns+` FROM customers WHERE account = ?`, account))
	if err != nil {
		return c, fmt.Errorf("store: customer %s: %w", account, err)
	}
	return c, nil
}

// CustomerByID returns the customer with that id.
func (q *Queries) CustomerByID(ctx context.Context, id int64) (Customer, error) {
	c, err := scanCustomer(q.q.QueryRowContext(ctx,
		`SELECT `+customerColumns+` FROM customers WHERE id = ?`, id))
	if err != nil {
		return c, fmt.Errorf("store: customer #%d: %w", id, err)
	}
	return c, nil
}

// CustomersByEmailDomain returns customers with a contact person whose email
// address is at domain, oldest first.
func (q *Queries) CustomersByEmailDomain(ctx context.Context, domain string, limit int) ([]Customer, error) {
	out, err := queryAll(ctx, q.q, scanCustomer, `SELECT `+customerColumns+` FROM customers
		WHERE id IN (SELECT p.customer_id FROM contact_persons p
			WHERE substr(p.email, instr(p.email, '@') + 1) = ? COLLATE NOCASE)
		ORDER BY id LIMIT ?`, domain, limit)
	if err != nil {
		return nil, fmt.Errorf("store: customers at %s: %w", domain, err)
	}
	return out, nil
}

// ListCustomers is a page of customers in creation order. Account numbers
// do not sort that way once their sequence's format changes (C00009 after
// C000010), so the order and the page key are the row id.
type ListCustomers struct {
	Search  string // substring of account, name or tax id
	AfterID int64  // id of the customer to start after
	Limit   int    // 0 means every row
}

// Customers returns one page of customers.
func (q *Queries) Customers(ctx context.Context, p ListCustomers) ([]Customer, error) {
	query := `SELECT ` + customerColumns + ` FROM customers WHERE id > ?`
	args := []any{p.AfterID}
	if p.Search != "" {
		like := "%" + escapeLike(p.Search) + "%"
		query += ` AND (account ` + q.d.likeOp + ` ? ESCAPE '\' OR name ` + q.d.likeOp + ` ? ESCAPE '\' OR tax_id ` + q.d.likeOp + ` ? ESCAPE '\')`
		args = append(args, like, like, like)
	}
	query += ` ORDER BY id`
	if p.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, p.Limit)
	}
	out, err := queryAll(ctx, q.q, scanCustomer, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: customers: %w", err)
	}
	return out, nil
}

// Contact is a contact person of a customer.
type Contact struct {
	ID         int64
	CustomerID int64
	RequestID  *int64
	FirstName  string
	LastName   string
	JobTitle   string
	Email      string
	Phone      string
	Language   string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

const contactColumns = `id, customer_id, request_id, first_name, last_name, job_title, email,
	phone, language, created_at, updated_at`

func scanContact(s scanner) (Contact, error) {
	var c Contact
	var req sql.NullInt64
	var created, updated int64
	err := s.Scan(&c.ID, &c.CustomerID, &req, &c.FirstName, &c.LastName, &c.JobTitle, &c.Email,
		&c.Phone, &c.Language, &created, &updated)
	if req.Valid {
		c.RequestID = &req.Int64
	}
	c.CreatedAt, c.UpdatedAt = ms(created), ms(updated)
	return c, mapErr(err)
}

// InsertContact stores a contact person and fills in ID and timestamps.
func (q *Queries) InsertContact(ctx context.Context, c *Contact) error {
	c.CreatedAt = q.now().UTC()
	c.UpdatedAt = c.CreatedAt
	var req any
	if c.RequestID != nil {
		req = *c.RequestID
	}
	id, err := q.insertID(ctx, `INSERT INTO contact_persons (customer_id, request_id,
		first_name, last_name, job_title, email, phone, language, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.CustomerID, req, c.FirstName, c.LastName,
		c.JobTitle, c.Email, c.Phone, c.Language, c.CreatedAt.UnixMilli(), c.UpdatedAt.UnixMilli())
	if err != nil {
		return fmt.Errorf("store: insert contact: %w", mapErr(err))
	}
	c.ID = id
	return nil
}

// ContactByID returns one contact person.
func (q *Queries) ContactByID(ctx context.Context, id int64) (Contact, error) {
	c, err := scanContact(q.q.QueryRowContext(ctx,
		`SELECT `+contactColumns+` FROM contact_persons WHERE id = ?`, id))
	if err != nil {
		return c, fmt.Errorf("store: contact #%d: %w", id, err)
	}
	return c, nil
}

// Contacts lists a customer's contact persons.
func (q *Queries) Contacts(ctx context.Context, customerID int64) ([]Contact, error) {
	out, err := queryAll(ctx, q.q, scanContact, `SELECT `+contactColumns+` FROM contact_persons
		WHERE customer_id = ? ORDER BY last_name, first_name, id`, customerID)
	if err != nil {
		return nil, fmt.Errorf("store: contacts: %w", err)
	}
	return out, nil
}

// UpdateContact saves a contact person's own details.
func (q *Queries) UpdateContact(ctx context.Context, c Contact) error {
	res, err := q.q.ExecContext(ctx, `UPDATE contact_persons SET first_name = ?, last_name = ?,
		job_title = ?, email = ?, phone = ?, language = ?, updated_at = ? WHERE id = ?`,
		c.FirstName, c.LastName, c.JobTitle, c.Email, c.Phone, c.Language, q.nowMS(), c.ID)
	if err != nil {
		return fmt.Errorf("store: update contact #%d: %w", c.ID, mapErr(err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("store: update contact #%d: %w", c.ID, ErrNotFound)
	}
	return nil
}

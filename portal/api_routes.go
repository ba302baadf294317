package portal

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
)

// register lists every API route.
func (a *apiServer) register() {
	read := func(op huma.Operation) huma.Operation {
		op.Metadata = map[string]any{metaScope: store.ScopeRead}
		op.Security = []map[string][]string{{"bearer": {}}}
		op.MaxBodyBytes = apiMaxBody
		op.Errors = append([]int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusTooManyRequests,
			http.StatusUnprocessableEntity}, op.Errors...)
		return op
	}
	decide := func(op huma.Operation) huma.Operation {
		op = read(op)
		op.Metadata[metaScope] = store.ScopeDecide
		op.Errors = append(op.Errors, http.StatusForbidden, http.StatusNotFound, http.StatusConflict,
			http.StatusRequestEntityTooLarge)
		return op
	}
	huma.Register(a.api, read(huma.Operation{OperationID: "list-requests", Method: http.MethodGet,
		Path: "/requests", Summary: "List customer requests", Tags: []string{"requests"},
		Description: "Customer requests in queue order (oldest first), a page at a time: pass next_cursor as cursor for the next page."}),
		a.listRequests)
	huma.Register(a.api, read(huma.Operation{OperationID: "get-request", Method: http.MethodGet,
		Path: "/requests/{number}", Summary: "Show a customer request", Tags: []string{"requests"},
		Errors: []int{http.StatusNotFound}}), a.getRequest)
	huma.Register(a.api, decide(huma.Operation{OperationID: "approve-request", Method: http.MethodPost,
		Path: "/requests/{number}/approve", Summary: "Approve a verified request", Tags: []string{"requests"}}),
		a.approve)
	huma.Register(a.api, decide(huma.Operation{OperationID: "reject-request", Method: http.MethodPost,
		Path: "/requests/{number}/reject", Summary: "Reject a verified or approved request",
		Description: "The prospect is emailed the reason and the comment.", Tags: []string{"requests"}}),
		a.reject)
	huma.Register(a.api, decide(huma.Operation{OperationID: "create-customer", Method: http.MethodPost,
		Path: "/requests/{number}/create", Summary: "Create the customer of an approved request",
		Description: "A new customer account from a template, or the contact joins an existing account; " +
			"then the contact person and a user request.", Tags: []string{"requests"}}), a.create)
	huma.Register(a.api, read(huma.Operation{OperationID: "list-customers", Method: http.MethodGet,
		Path: "/customers", Summary: "List customer accounts", Tags: []string{"customers"},
		Description: "Oldest first (creation order, which account numbers need not follow after a format change), a page at a time."}), a.listCustomers)
	huma.Register(a.api, read(huma.Operation{OperationID: "list-user-requests", Method: http.MethodGet,
		Path: "/user-requests", Summary: "List user requests", Tags: []string{"user requests"},
		Description: "In queue order (oldest first), a page at a time."}), a.listUserRequests)
}

// Page is one page of a list.
type Page[T any] struct {
	Items []T `json:"items" nullable:"false"`
	// NextCursor fetches the next page; empty on the last page.
	NextCursor string `json:"next_cursor" doc:"Pass as cursor for the next page; empty on the last page."`
}

// PageInput is the paging of every list.
type PageInput struct {
	Cursor string `query:"cursor" maxLength:"200" doc:"next_cursor of the previous page"`
	Limit  int    `query:"limit" minimum:"1" maximum:"1000" default:"100" doc:"At most this many items"`
}

// Cursors are opaque to clients: a list's name and a position, base64url.
func encodeCursor(list, pos string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(list + ":" + pos))
}

func decodeCursor(list, c string) (string, error) {
	if c == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	pos, ok := strings.CutPrefix(string(b), list+":")
	if err != nil || !ok {
		return "", huma.Error400BadRequest("cursor is not a next_cursor of this list",
			&huma.ErrorDetail{Location: "query.cursor", Value: c, Message: "not a cursor of this list"})
	}
	return pos, nil
}

func decodeIDCursor(list, c string) (int64, error) {
	pos, err := decodeCursor(list, c)
	if err != nil || pos == "" {
		return 0, err
	}
	id, perr := strconv.ParseInt(pos, 10, 64)
	if perr != nil || id < 0 {
		return 0, huma.Error400BadRequest("cursor is not a next_cursor of this list",
			&huma.ErrorDetail{Location: "query.cursor", Value: c, Message: "not a cursor of this list"})
	}
	return id, nil
}

type listRequestsInput struct {
	Status string `query:"status" enum:"requested,verified,approved,created,rejected,expired" doc:"Only requests in this status"`
	Search string `query:"search" maxLength:"200" doc:"Words (or their beginnings) in number, company, contact, email or tax id"`
	PageInput
}

type requestsOutput struct{ Body Page[workflow.RequestRecord] }

func (a *apiServer) listRequests(ctx context.Context, in *listRequestsInput) (*requestsOutput, error) {
	after, err := decodeIDCursor("requests", in.Cursor)
	if err != nil {
		return nil, err
	}
	p := store.ListRequests{Status: domain.RequestStatus(in.Status), Search: in.Search, Limit: in.Limit + 1}
	if after > 0 {
		p.After = &store.Cursor{ID: after}
	}
	rs, err := a.s.db.Read().Requests(ctx, p)
	if err != nil {
		return nil, a.problem(ctx, err)
	}
	out := &requestsOutput{Body: Page[workflow.RequestRecord]{Items: []workflow.RequestRecord{}}}
	if len(rs) > in.Limit {
		rs = rs[:in.Limit]
		out.Body.NextCursor = encodeCursor("requests", strconv.FormatInt(rs[len(rs)-1].ID, 10))
	}
	for _, r := range rs {
		out.Body.Items = append(out.Body.Items, workflow.NewRequestRecord(r))
	}
	return out, nil
}

// NumberInput names a request in the path.
type NumberInput struct {
	Number string `path:"number" maxLength:"64" doc:"Registration number, e.g. REG-000042"`
}

type requestOutput struct{ Body workflow.RequestRecord }

func (a *apiServer) getRequest(ctx context.Context, in *NumberInput) (*requestOutput, error) {
	r, err := a.s.db.Read().RequestByNumber(ctx, in.Number)
	if errors.Is(err, store.ErrNotFound) {
		return nil, huma.Error404NotFound("no request " + strconv.Quote(in.Number))
	}
	if err != nil {
		return nil, a.problem(ctx, err)
	}
	return &requestOutput{Body: workflow.NewRequestRecord(r)}, nil
}

// decided runs a decision and answers with the request as it is afterwards.
func (a *apiServer) decided(ctx context.Context, number string, r store.Request, err error) (*requestOutput, error) {
	if errors.Is(err, store.ErrNotFound) {
		return nil, huma.Error404NotFound("no request " + strconv.Quote(number))
	}
	if err != nil {
		return nil, a.problem(ctx, err)
	}
	return &requestOutput{Body: workflow.NewRequestRecord(r)}, nil
}

func (a *apiServer) approve(ctx context.Context, in *NumberInput) (*requestOutput, error) {
	r, err := a.s.svc.Approve(ctx, workflow.Action{Number: in.Number, Actor: tokenFrom(ctx).Name})
	return a.decided(ctx, in.Number, r, err)
}

type rejectInput struct {
	NumberInput
	Body struct {
		Reason  string `json:"reason" maxLength:"64" doc:"A reason code (the reject_reasons parameter)"`
		Comment string `json:"comment,omitempty" maxLength:"1000" doc:"For the prospect; needed with reason other"`
	}
}

func (a *apiServer) reject(ctx context.Context, in *rejectInput) (*requestOutput, error) {
	r, err := a.s.svc.Reject(ctx, workflow.Action{Number: in.Number, Actor: tokenFrom(ctx).Name},
		in.Body.Reason, in.Body.Comment)
	return a.decided(ctx, in.Number, r, err)
}

// CreateBody chooses what Create makes; every field is optional.
type CreateBody struct {
	Existing string `json:"existing,omitempty" maxLength:"64" doc:"Account number the contact joins; empty creates a new customer"`
	Template string `json:"template,omitempty" maxLength:"64" doc:"Customer account template of a new customer; empty uses the parameter"`
	Role     string `json:"role,omitempty" enum:"customer_user,customer_admin" doc:"The login's role; empty uses the parameter"`
}

type createInput struct {
	NumberInput
	Body *CreateBody
}

// Created is what Create made.
type Created struct {
	Request     workflow.RequestRecord     `json:"request"`
	NewCustomer bool                       `json:"new_customer"`
	Customer    workflow.CustomerRecord    `json:"customer"`
	UserRequest workflow.UserRequestRecord `json:"user_request"`
}

type createOutput struct{ Body Created }

func (a *apiServer) create(ctx context.Context, in *createInput) (*createOutput, error) {
	c := workflow.CreateInput{Action: workflow.Action{Number: in.Number, Actor: tokenFrom(ctx).Name}}
	if in.Body != nil {
		c.Existing, c.Template, c.Role = in.Body.Existing, in.Body.Template, in.Body.Role
	}
	res, err := a.s.svc.Create(ctx, c)
	if errors.Is(err, store.ErrNotFound) {
		return nil, huma.Error404NotFound("no request " + strconv.Quote(in.Number))
	}
	if err != nil {
		return nil, a.problem(ctx, err)
	}
	return &createOutput{Body: Created{Request: workflow.NewRequestRecord(res.Request),
		NewCustomer: res.NewCustomer, Customer: workflow.NewCustomerRecord(res.Customer),
		UserRequest: workflow.NewUserRequestRecord(res.UserRequest)}}, nil
}

type listCustomersInput struct {
	Search string `query:"search" maxLength:"200" doc:"Part of the account number, name or tax id"`
	PageInput
}

type customersOutput struct{ Body Page[workflow.CustomerRecord] }

func (a *apiServer) listCustomers(ctx context.Context, in *listCustomersInput) (*customersOutput, error) {
	after, err := decodeIDCursor("customers", in.Cursor)
	if err != nil {
		return nil, err
	}
	cs, err := a.s.db.Read().Customers(ctx, store.ListCustomers{Search: in.Search, AfterID: after, Limit: in.Limit + 1})
	if err != nil {
		return nil, a.problem(ctx, err)
	}
	out := &customersOutput{Body: Page[workflow.CustomerRecord]{Items: []workflow.CustomerRecord{}}}
	if len(cs) > in.Limit {
		cs = cs[:in.Limit]
		out.Body.NextCursor = encodeCursor("customers", strconv.FormatInt(cs[len(cs)-1].ID, 10))
	}
	for _, c := range cs {
		out.Body.Items = append(out.Body.Items, workflow.NewCustomerRecord(c))
	}
	return out, nil
}

type listUserRequestsInput struct {
	Status string `query:"status" enum:"draft,submitted,pending_approval,provisioned,completed,rejected,canceled,failed" doc:"Only user requests in this status"`
	PageInput
}

type userRequestsOutput struct {
	Body Page[workflow.UserRequestRecord]
}

func (a *apiServer) listUserRequests(ctx context.Context, in *listUserRequestsInput) (*userRequestsOutput, error) {
	after, err := decodeIDCursor("user-requests", in.Cursor)
	if err != nil {
		return nil, err
	}
	us, err := a.s.db.Read().UserRequests(ctx, store.ListUserRequests{Status: domain.UserRequestStatus(in.Status), AfterID: after, Limit: in.Limit + 1})
	if err != nil {
		return nil, a.problem(ctx, err)
	}
	out := &userRequestsOutput{Body: Page[workflow.UserRequestRecord]{Items: []workflow.UserRequestRecord{}}}
	if len(us) > in.Limit {
		us = us[:in.Limit]
		out.Body.NextCursor = encodeCursor("user-requests", strconv.FormatInt(us[len(us)-1].ID, 10))
	}
	for _, u := range us {
		out.Body.Items = append(out.Body.Items, workflow.NewUserRequestRecord(u))
	}
	return out, nil
}

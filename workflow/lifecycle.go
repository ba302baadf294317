// Package workflow is regdesk's process: the customer-request and
// user-request lifecycles as data, and the service that applies them.
package workflow

import (
	"fmt"

	"github.com/regdesk/regdesk/workflow/domain"
)

// Customer request events.
const (
	EventActivate = "activate"
	EventApprove  = "approve"
	EventReject   = "reject"
	EventCreate   = "create"
	EventExpire   = "expire"
	// EventSupersede expires an unconfirmed request that a newer sign-up
	// from the same address replaced; the audit trail tells the two apart.
	EventSupersede = "supersede"
)

// User request events.
const (
	EventSubmit       = "submit"
	EventAwait        = "await_approval" // the optional human step begins
	EventApproveUser  = "approve_user"
	EventRejectUser   = "reject_user"
	EventProvision    = "provision"
	EventNotify       = "notify"
	EventFail         = "fail"
	EventRetry        = "retry"
	EventCancel       = "cancel"
	EventProvisionNow = "provision_by_hand"
)

type edge[S ~string] struct {
	from  S
	event string
}

// requestTransitions is the customer request lifecycle:
// requested → verified → approved → created, or rejected, or expired.
var requestTransitions = map[edge[domain.RequestStatus]]domain.RequestStatus{
	{domain.Requested, EventActivate}:  domain.Verified,
	{domain.Requested, EventExpire}:    domain.Expired,
	{domain.Requested, EventSupersede}: domain.Expired,
	{domain.Verified, EventApprove}:    domain.Approved,
	{domain.Verified, EventReject}:     domain.Rejected,
	{domain.Approved, EventCreate}:     domain.Created,
	{domain.Approved, EventReject}:     domain.Rejected,
}

// userRequestTransitions is the user request lifecycle:
// draft → submitted → (pending_approval →) provisioned → completed; or
// rejected, canceled, failed (a step ran out of retries; retry resubmits).
var userRequestTransitions = map[edge[domain.UserRequestStatus]]domain.UserRequestStatus{
	{domain.URDraft, EventSubmit}:                domain.URSubmitted,
	{domain.URDraft, EventProvisionNow}:          domain.URProvisioned,
	{domain.URDraft, EventCancel}:                domain.URCanceled,
	{domain.URSubmitted, EventAwait}:             domain.URPendingApproval,
	{domain.URSubmitted, EventProvision}:         domain.URProvisioned,
	{domain.URSubmitted, EventFail}:              domain.URFailed,
	{domain.URSubmitted, EventCancel}:            domain.URCanceled,
	{domain.URPendingApproval, EventApproveUser}: domain.URSubmitted,
	{domain.URPendingApproval, EventRejectUser}:  domain.URRejected,
	{domain.URPendingApproval, EventCancel}:      domain.URCanceled,
	{domain.URProvisioned, EventNotify}:          domain.URCompleted,
	{domain.URProvisioned, EventFail}:            domain.URFailed,
	{domain.URFailed, EventRetry}:                domain.URSubmitted,
	{domain.URFailed, EventCancel}:               domain.URCanceled,
}

// TransitionError is an event that does not apply in the current status.
type TransitionError struct {
	Kind  string // "customer request" or "user request"
	From  string
	Event string
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("cannot %s a %s that is %s", eventVerb(e.Event), e.Kind, e.From)
}

func eventVerb(event string) string {
	switch event {
	case EventActivate:
		return "activate"
	case EventCreate:
		return "create a customer for"
	case EventProvisionNow:
		return "provision"
	case EventApproveUser:
		return "approve"
	case EventRejectUser:
		return "reject"
	case EventAwait:
		return "send for approval"
	}
	return event
}

// NextRequest is the status a customer request moves to on event.
func NextRequest(from domain.RequestStatus, event string) (domain.RequestStatus, error) {
	if to, ok := requestTransitions[edge[domain.RequestStatus]{from, event}]; ok {
		return to, nil
	}
	return "", &TransitionError{Kind: "customer request", From: string(from), Event: event}
}

// NextUserRequest is the status a user request moves to on event.
func NextUserRequest(from domain.UserRequestStatus, event string) (domain.UserRequestStatus, error) {
	if to, ok := userRequestTransitions[edge[domain.UserRequestStatus]{from, event}]; ok {
		return to, nil
	}
	return "", &TransitionError{Kind: "user request", From: string(from), Event: event}
}

// RequestEvents lists the customer request events, for exhaustive tests.
var RequestEvents = []string{EventActivate, EventApprove, EventReject, EventCreate, EventExpire, EventSupersede}

// UserRequestEvents lists the user request events, for exhaustive tests.
var UserRequestEvents = []string{EventSubmit, EventAwait, EventApproveUser, EventRejectUser,
	EventProvision, EventNotify, EventFail, EventRetry, EventCancel, EventProvisionNow}

// Package workflow is regdesk's process: the customer-request and
// user-request lifecycles as data, and the service that applies them.
package workflow

import "fmt"

// Customer request statuses.
const (
	Requested = "requested"
	Verified  = "verified"
	Approved  = "approved"
	Created   = "created"
	Rejected  = "rejected"
	Expired   = "expired"
)

// RequestStatuses lists the customer request statuses in process order.
var RequestStatuses = []string{Requested, Verified, Approved, Created, Rejected, Expired}

// Customer request events.
const (
	EventActivate = "activate"
	EventApprove  = "approve"
	EventReject   = "reject"
	EventCreate   = "create"
	EventExpire   = "expire"
)

// User request statuses.
const (
	URDraft           = "draft"
	URSubmitted       = "submitted"
	URPendingApproval = "pending_approval"
	URProvisioned     = "provisioned"
	URCompleted       = "completed"
	URRejected        = "rejected"
	URCanceled        = "canceled"
	URFailed          = "failed"
)

// UserRequestStatuses lists the user request statuses in process order.
var UserRequestStatuses = []string{URDraft, URSubmitted, URPendingApproval, URProvisioned,
	URCompleted, URRejected, URCanceled, URFailed}

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

type edge struct{ from, event string }

// requestTransitions is the customer request lifecycle:
// requested → verified → approved → created, or rejected, or expired.
var requestTransitions = map[edge]string{
	{Requested, EventActivate}: Verified,
	{Requested, EventExpire}:   Expired,
	{Verified, EventApprove}:   Approved,
	{Verified, EventReject}:    Rejected,
	{Approved, EventCreate}:    Created,
	{Approved, EventReject}:    Rejected,
}

// userRequestTransitions is the user request lifecycle:
// draft → submitted → (pending_approval →) provisioned → completed; or
// rejected, canceled, failed (a step ran out of retries; retry resubmits).
var userRequestTransitions = map[edge]string{
	{URDraft, EventSubmit}:                URSubmitted,
	{URDraft, EventProvisionNow}:          URProvisioned,
	{URDraft, EventCancel}:                URCanceled,
	{URSubmitted, EventAwait}:             URPendingApproval,
	{URSubmitted, EventProvision}:         URProvisioned,
	{URSubmitted, EventFail}:              URFailed,
	{URSubmitted, EventCancel}:            URCanceled,
	{URPendingApproval, EventApproveUser}: URSubmitted,
	{URPendingApproval, EventRejectUser}:  URRejected,
	{URPendingApproval, EventCancel}:      URCanceled,
	{URProvisioned, EventNotify}:          URCompleted,
	{URProvisioned, EventFail}:            URFailed,
	{URFailed, EventRetry}:                URSubmitted,
	{URFailed, EventCancel}:               URCanceled,
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
func NextRequest(from, event string) (string, error) {
	if to, ok := requestTransitions[edge{from, event}]; ok {
		return to, nil
	}
	return "", &TransitionError{Kind: "customer request", From: from, Event: event}
}

// NextUserRequest is the status a user request moves to on event.
func NextUserRequest(from, event string) (string, error) {
	if to, ok := userRequestTransitions[edge{from, event}]; ok {
		return to, nil
	}
	return "", &TransitionError{Kind: "user request", From: from, Event: event}
}

// RequestEvents lists the customer request events, for exhaustive tests.
var RequestEvents = []string{EventActivate, EventApprove, EventReject, EventCreate, EventExpire}

// UserRequestEvents lists the user request events, for exhaustive tests.
var UserRequestEvents = []string{EventSubmit, EventAwait, EventApproveUser, EventRejectUser,
	EventProvision, EventNotify, EventFail, EventRetry, EventCancel, EventProvisionNow}

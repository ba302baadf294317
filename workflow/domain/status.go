// Package domain is regdesk's vocabulary: the statuses of customer and user
// requests, the rules for a request's fields, and the words each action uses.
// It imports nothing from regdesk, so every layer (store, workflow, portal,
// tui, cmd) speaks it and none defines its own copy.
package domain

import (
	"fmt"
	"slices"
	"strings"
)

// RequestStatus is where a customer request stands.
type RequestStatus string

// Customer request statuses: requested → verified → approved → created; or
// rejected; or expired.
const (
	Requested RequestStatus = "requested"
	Verified  RequestStatus = "verified"
	Approved  RequestStatus = "approved"
	Created   RequestStatus = "created"
	Rejected  RequestStatus = "rejected"
	Expired   RequestStatus = "expired"
)

// RequestStatuses lists the customer request statuses in process order.
var RequestStatuses = []RequestStatus{Requested, Verified, Approved, Created, Rejected, Expired}

// OpenRequestStatuses are the statuses of a request still on its way to a
// customer: it holds its user name and counts in duplicate warnings.
var OpenRequestStatuses = []RequestStatus{Requested, Verified, Approved}

// Editable reports whether an approver may still correct the request's
// fields: after activation and before Create.
func (s RequestStatus) Editable() bool { return s == Verified || s == Approved }

// Open reports whether s is one of [OpenRequestStatuses].
func (s RequestStatus) Open() bool { return slices.Contains(OpenRequestStatuses, s) }

// Valid reports whether s is a customer request status.
func (s RequestStatus) Valid() bool { return slices.Contains(RequestStatuses, s) }

func (s RequestStatus) String() string { return string(s) }

// ParseRequestStatus reads a status as typed by a person (any case).
func ParseRequestStatus(s string) (RequestStatus, error) {
	st := RequestStatus(strings.ToLower(strings.TrimSpace(s)))
	if !st.Valid() {
		return "", fmt.Errorf("unknown status %q; use one of %s", s, joinStatuses(RequestStatuses))
	}
	return st, nil
}

// UserRequestStatus is where a user request stands.
type UserRequestStatus string

// User request statuses: draft → submitted → (pending_approval →)
// provisioned → completed; or rejected, canceled, failed.
const (
	URDraft           UserRequestStatus = "draft"
	URSubmitted       UserRequestStatus = "submitted"
	URPendingApproval UserRequestStatus = "pending_approval"
	URProvisioned     UserRequestStatus = "provisioned"
	URCompleted       UserRequestStatus = "completed"
	URRejected        UserRequestStatus = "rejected"
	URCanceled        UserRequestStatus = "canceled"
	URFailed          UserRequestStatus = "failed"
)

// UserRequestStatuses lists the user request statuses in process order.
var UserRequestStatuses = []UserRequestStatus{URDraft, URSubmitted, URPendingApproval,
	URProvisioned, URCompleted, URRejected, URCanceled, URFailed}

// ClosedUserRequestStatuses end a user request: its user name is free again
// unless a login took it.
var ClosedUserRequestStatuses = []UserRequestStatus{URCompleted, URRejected, URCanceled}

// Open reports whether the user request is still under way.
func (s UserRequestStatus) Open() bool { return !slices.Contains(ClosedUserRequestStatuses, s) }

// Valid reports whether s is a user request status.
func (s UserRequestStatus) Valid() bool { return slices.Contains(UserRequestStatuses, s) }

func (s UserRequestStatus) String() string { return string(s) }

// ParseUserRequestStatus reads a user request status as typed by a person.
func ParseUserRequestStatus(s string) (UserRequestStatus, error) {
	st := UserRequestStatus(strings.ToLower(strings.TrimSpace(s)))
	if !st.Valid() {
		return "", fmt.Errorf("unknown status %q; use one of %s", s, joinStatuses(UserRequestStatuses))
	}
	return st, nil
}

func joinStatuses[S ~string](ss []S) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return strings.Join(out, ", ")
}

package workflow

import (
	"errors"
	"testing"

	"github.com/regdesk/regdesk/workflow/domain"
)

func TestNextRequest(t *testing.T) {
	legal := map[edge[domain.RequestStatus]]domain.RequestStatus{
		{domain.Requested, EventActivate}:  domain.Verified,
		{domain.Requested, EventExpire}:    domain.Expired,
		{domain.Requested, EventSupersede}: domain.Expired,
		{domain.Verified, EventApprove}:    domain.Approved,
		{domain.Verified, EventReject}:     domain.Rejected,
		{domain.Approved, EventCreate}:     domain.Created,
		{domain.Approved, EventReject}:     domain.Rejected,
	}
	for _, from := range domain.RequestStatuses {
		for _, ev := range RequestEvents {
			t.Run(string(from)+"/"+ev, func(t *testing.T) {
				to, err := NextRequest(from, ev)
				want, ok := legal[edge[domain.RequestStatus]{from, ev}]
				if ok {
					if err != nil || to != want {
						t.Fatalf("NextRequest(%s, %s) = %q, %v; want %q", from, ev, to, err, want)
					}
					return
				}
				var te *TransitionError
				if !errors.As(err, &te) || to != "" {
					t.Fatalf("NextRequest(%s, %s) = %q, %v; want a TransitionError", from, ev, to, err)
				}
				if te.From != string(from) || te.Event != ev || te.Error() == "" {
					t.Fatalf("TransitionError = %+v", te)
				}
			})
		}
	}
}

func TestNextUserRequest(t *testing.T) {
	legal := map[edge[domain.UserRequestStatus]]domain.UserRequestStatus{
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
	n := 0
	for _, from := range domain.UserRequestStatuses {
		for _, ev := range UserRequestEvents {
			to, err := NextUserRequest(from, ev)
			want, ok := legal[edge[domain.UserRequestStatus]{from, ev}]
			if ok {
				n++
				if err != nil || to != want {
					t.Errorf("NextUserRequest(%s, %s) = %q, %v; want %q", from, ev, to, err, want)
				}
				continue
			}
			var te *TransitionError
			if !errors.As(err, &te) || to != "" {
				t.Errorf("NextUserRequest(%s, %s) = %q, %v; want a TransitionError", from, ev, to, err)
			}
		}
	}
	if n != len(legal) {
		t.Errorf("checked %d legal transitions, table has %d", n, len(legal))
	}
	// Terminal statuses have no way out.
	for _, s := range domain.ClosedUserRequestStatuses {
		for _, ev := range UserRequestEvents {
			if _, err := NextUserRequest(s, ev); err == nil {
				t.Errorf("%s is terminal but %s applies", s, ev)
			}
		}
	}
}

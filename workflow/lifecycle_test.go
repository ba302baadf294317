package workflow

import (
	"errors"
	"testing"
)

func TestNextRequest(t *testing.T) {
	legal := map[[2]string]string{
		{Requested, EventActivate}: Verified,
		{Requested, EventExpire}:   Expired,
		{Verified, EventApprove}:   Approved,
		{Verified, EventReject}:    Rejected,
		{Approved, EventCreate}:    Created,
		{Approved, EventReject}:    Rejected,
	}
	for _, from := range RequestStatuses {
		for _, ev := range RequestEvents {
			t.Run(from+"/"+ev, func(t *testing.T) {
				to, err := NextRequest(from, ev)
				want, ok := legal[[2]string{from, ev}]
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
				if te.From != from || te.Event != ev || te.Error() == "" {
					t.Fatalf("TransitionError = %+v", te)
				}
			})
		}
	}
}

func TestNextUserRequest(t *testing.T) {
	legal := map[[2]string]string{
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
	n := 0
	for _, from := range UserRequestStatuses {
		for _, ev := range UserRequestEvents {
			to, err := NextUserRequest(from, ev)
			want, ok := legal[[2]string{from, ev}]
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
	for _, s := range []string{URCompleted, URRejected, URCanceled} {
		for _, ev := range UserRequestEvents {
			if _, err := NextUserRequest(s, ev); err == nil {
				t.Errorf("%s is terminal but %s applies", s, ev)
			}
		}
	}
}

package workflow

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow/domain"
)

// TestService_CheckActivation_oldLinks: an activation link that no longer
// works says what became of it, through the maintenance sweep too, and using
// it changes nothing.
func TestService_CheckActivation_oldLinks(t *testing.T) {
	ctx := context.Background()
	s, clock := newOpsService(t)
	number, first := signUpN(t, s, 1)
	second, err := s.ResendActivation(ctx, Action{Number: number, Actor: "alice"})
	if err != nil {
		t.Fatal(err)
	}

	// Three days on, both links are past their 48 hours and the sweep has
	// run, but the request still waits for its confirmation.
	clock.Advance(3 * 24 * time.Hour)
	if _, err := s.Maintain(ctx); err != nil {
		t.Fatal(err)
	}
	// A link nobody was sent: the first with its first character changed
	// (to another one: a random token may start with x).
	forged := "x" + first[1:]
	if first[0] == 'x' {
		forged = "y" + first[1:]
	}
	for token, want := range map[string]error{first: ErrTokenReplaced, second: ErrTokenExpired, forged: ErrTokenInvalid} {
		st, err := s.CheckActivation(ctx, token)
		if err != nil || !errors.Is(st.Err, want) {
			t.Errorf("check: %v %v, want %v", st.Err, err, want)
		}
		if _, err := s.Activate(ctx, token); !errors.Is(err, want) {
			t.Errorf("activate: %v, want %v", err, want)
		}
	}
	if r := mustRequest(t, s, number); r.Status != domain.Requested {
		t.Fatalf("status %s after old links, want requested", r.Status)
	}

	// A new sign-up from the same address replaces the waiting one.
	third, err := s.ResendActivation(ctx, Action{Number: number, Actor: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	r := mustRequest(t, s, number)
	in := signupInputN(1)
	in.Email, in.Username = r.Email, "ada1b"
	if _, err := s.SignUp(ctx, in); err != nil {
		t.Fatal(err)
	}
	for _, token := range []string{first, third} {
		if st, _ := s.CheckActivation(ctx, token); !errors.Is(st.Err, ErrSignupReplaced) {
			t.Errorf("link of the replaced sign-up: %v, want %v", st.Err, ErrSignupReplaced)
		}
	}
	trail, err := s.DB().Read().AuditTrail(ctx, store.EntityRequest, number)
	if err != nil {
		t.Fatal(err)
	}
	if last := trail[len(trail)-1]; last.Action != EventSupersede {
		t.Errorf("last audit %+v, want %s", last, EventSupersede)
	}
}

// A request that expired while its link still worked says so.
func TestService_CheckActivation_signupExpired(t *testing.T) {
	ctx := context.Background()
	s, clock := newOpsService(t)
	if err := s.SetParam(ctx, ParamUnverifiedTTL, "24h", "op"); err != nil {
		t.Fatal(err)
	}
	number, token := signUpN(t, s, 1)
	clock.Advance(25 * time.Hour)
	// The request expires with its link still in the table (the sweep's
	// purge would delete it, and the page would then say "not valid").
	if err := s.DB().WithTx(ctx, func(tx *store.Tx) error {
		r, err := tx.RequestByNumber(ctx, number)
		if err != nil {
			return err
		}
		_, err = s.transition(ctx, tx, r, 0, EventExpire, store.RequestChange{Actor: MaintenanceActor}, "test")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.CheckActivation(ctx, token); !errors.Is(st.Err, ErrSignupExpired) {
		t.Errorf("link of an expired sign-up: %v, want %v", st.Err, ErrSignupExpired)
	}
	if _, err := s.Activate(ctx, token); !errors.Is(err, ErrSignupExpired) {
		t.Errorf("activate: %v", err)
	}
}

package workflow

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/regdesk/regdesk/store"
)

// redeemTwice runs redeem twice at the same moment and returns the errors.
func redeemTwice(redeem func() error) [2]error {
	var errs [2]error
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range errs {
		wg.Go(func() {
			<-start
			errs[i] = redeem()
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// oneWins checks that exactly one of two redemptions succeeded and the
// other was told the link is used.
func oneWins(t *testing.T, errs [2]error) {
	t.Helper()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, ErrTokenUsed):
			t.Errorf("the losing redemption: %v, want ErrTokenUsed", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d of 2 simultaneous redemptions succeeded (%v), want exactly 1", ok, errs)
	}
}

func TestService_SimultaneousRedemptions(t *testing.T) {
	ctx := context.Background()
	for range 20 { // the race is in the scheduling: try it often
		t.Run("activation link", func(t *testing.T) {
			f := newFixture(t)
			res, err := f.svc.SignUp(ctx, f.input())
			if err != nil {
				t.Fatal(err)
			}
			oneWins(t, redeemTwice(func() error { _, err := f.svc.Activate(ctx, res.Token); return err }))
			trail, err := f.db.Read().AuditTrail(ctx, store.EntityRequest, res.Number)
			if err != nil {
				t.Fatal(err)
			}
			activations := 0
			for _, e := range trail {
				if e.Action == EventActivate {
					activations++
				}
			}
			if activations != 1 {
				t.Fatalf("%d activations in the audit trail, want 1: %+v", activations, trail)
			}
		})
		t.Run("password reset link", func(t *testing.T) {
			f := newFixture(t)
			u := f.provisioned(store.RoleCustomerUser)
			if err := f.svc.RequestPasswordReset(ctx, u.Username); err != nil {
				t.Fatal(err)
			}
			token := tokenOf(t, f.mailsOf("password_reset")[0])
			hashes := [2]string{"$argon2id$first", "$argon2id$second"}
			var n sync.Mutex
			next := 0
			errs := redeemTwice(func() error {
				n.Lock()
				h := hashes[next]
				next++
				n.Unlock()
				_, err := f.svc.ResetPassword(ctx, token, h)
				return err
			})
			oneWins(t, errs)
			got, err := f.db.Read().UserByLogin(ctx, u.Username)
			if err != nil {
				t.Fatal(err)
			}
			if got.PasswordHash != hashes[0] && got.PasswordHash != hashes[1] {
				t.Fatalf("password hash %q is neither redemption's", got.PasswordHash)
			}
		})
	}
}

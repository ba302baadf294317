package workflow

import (
	"context"
	"fmt"
	"testing"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/store/storetest"
)

// newOpsService is a Service over a fresh database with a fake clock.
func newOpsService(t *testing.T) (*Service, *storetest.Clock) {
	t.Helper()
	clock := storetest.NewClock()
	db := storetest.NewWithClock(t, clock.Now)
	return New(Config{DB: db, BaseURL: "https://portal.example.com"}), clock
}

// signUpN signs up a prospect numbered i and returns the request number and
// activation token.
func signUpN(t *testing.T, s *Service, i int) (string, string) {
	t.Helper()
	res, err := s.SignUp(context.Background(), signupInputN(i))
	if err != nil {
		t.Fatalf("sign up %d: %v", i, err)
	}
	return res.Number, res.Token
}

func mustRequest(t *testing.T, s *Service, number string) store.Request {
	t.Helper()
	r, err := s.DB().Read().RequestByNumber(context.Background(), number)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func mustActivate(t *testing.T, s *Service, token string) store.Request {
	t.Helper()
	r, err := s.Activate(context.Background(), token)
	if err != nil {
		t.Fatalf("activate: %v", err)
	}
	return r
}

// signupInputN is the sign-up of prospect number i.
func signupInputN(i int) SignupInput {
	return SignupInput{
		CompanyName: fmt.Sprintf("Contoso %d Ltd", i), TaxID: fmt.Sprintf("GB%09d", i),
		Street: "1 High Street", City: "Manchester", PostalCode: "M1 1AE", Country: "GB",
		FirstName: "Ada", LastName: fmt.Sprintf("Lovelace%d", i), Email: fmt.Sprintf("ada%d@contoso%d.example", i, i),
		Phone: "+44 161 555 0100", Username: fmt.Sprintf("ada%d", i),
		PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", SourceIP: fmt.Sprintf("203.0.113.%d", i%250+1)}
}

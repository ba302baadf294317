package portal

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/store/storetest"
	"github.com/regdesk/regdesk/workflow"
)

// BenchmarkLogin_POST measures successful logins through the whole stack
// (middleware, form, user lookup, argon2id with the OWASP parameters, the
// session insert) with real hashes, side by side in alternating rounds with
// the bare Hasher.Verify a login is bound by: x-ref is logins/s ÷
// verifies/s, the share of a login that is the hash. Run with -cpu 1 for
// the figure per core (logins/s ÷ 15 for the goal against Keycloak's).
func BenchmarkLogin_POST(b *testing.B) {
	db := storetest.New(b)
	svc := workflow.New(workflow.Config{DB: db})
	h, err := New(Deps{DB: db, Service: svc, sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	hash, err := NewHasher(HasherConfig{}).Hash(ctx, adaPassword)
	if err != nil {
		b.Fatal(err)
	}
	err = db.WithTx(ctx, func(tx *store.Tx) error {
		c := store.Customer{Account: "C1", Name: "Bench Ltd", Street: "s", City: "c", PostalCode: "1",
			Country: "GB", Template: "STANDARD", CustomerGroup: "DOM", Currency: "GBP", Language: "en", PaymentTerms: "Net 30", CreatedBy: "b"}
		if err := tx.InsertCustomer(ctx, &c); err != nil {
			return err
		}
		p := store.Contact{CustomerID: c.ID, FirstName: "Ada", LastName: "L", Email: "ada@bench.example"}
		if err := tx.InsertContact(ctx, &p); err != nil {
			return err
		}
		return tx.InsertUser(ctx, &store.User{Username: "ada", Email: p.Email, PasswordHash: hash,
			Role: store.RoleCustomerUser, CustomerID: c.ID, ContactID: p.ID})
	})
	if err != nil {
		b.Fatal(err)
	}
	body := url.Values{FieldUsername: {"ada"}, FieldPassword: {adaPassword}}.Encode()
	bare := NewHasher(HasherConfig{})
	b.ReportAllocs()
	sideBySide(b, 4, "logins/s", "verifies/s", func(i int64) error {
		// A client address per login keeps the rate limits out of the way.
		req := httptest.NewRequest("POST", "/login", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.RemoteAddr = fmt.Sprintf("10.%d.%d.%d:1", i>>16&255, i>>8&255, i&255)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusSeeOther {
			return fmt.Errorf("login: %d", rec.Code)
		}
		return nil
	}, func(int64) error {
		if ok, err := bare.Verify(ctx, adaPassword, hash); !ok || err != nil {
			return fmt.Errorf("verify: %v %v", ok, err)
		}
		return nil
	})
}

// BenchmarkLogin_hashOnly is the bare Hasher.Verify a login is bound by.
func BenchmarkLogin_hashOnly(b *testing.B) {
	h := NewHasher(HasherConfig{})
	ctx := context.Background()
	hash, err := h.Hash(ctx, adaPassword)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if ok, err := h.Verify(ctx, adaPassword, hash); !ok || err != nil {
				b.Errorf("verify: %v %v", ok, err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verifies/s")
}

package workflow

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow/domain"
)

func TestService_Maintain(t *testing.T) {
	ctx := context.Background()
	s, clock := newOpsService(t)
	db := s.DB()
	const day = 24 * time.Hour

	old, _ := signUpN(t, s, 1)         // unverified, will pass 14 days
	waiting, token := signUpN(t, s, 2) // verified: never expires
	mustActivate(t, s, token)
	clock.Advance(13 * day)
	young, _ := signUpN(t, s, 3) // unverified, 1 day old at the check
	clock.Advance(day + time.Minute)
	oldReq := mustRequest(t, s, old)

	t.Run("expires and purges unverified requests past their lifetime", func(t *testing.T) {
		rep, err := s.Maintain(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Expired != 1 || rep.Purged != 0 {
			t.Fatalf("report %+v, want 1 expired, 0 purged", rep)
		}
		// The expired request's token goes with its purge; the sweep takes the
		// used link of the verified request (expired 12 days ago), not the
		// young request's live one.
		if rep.TokensDeleted != 1 {
			t.Errorf("tokens deleted by the sweep: %d, want 1", rep.TokensDeleted)
		}
		r := mustRequest(t, s, old)
		if r.Status != domain.Expired || r.PurgedAt == nil {
			t.Fatalf("status %s purged %v, want expired and purged", r.Status, r.PurgedAt)
		}
		for name, v := range map[string]string{"company": r.CompanyName, "email": r.Email,
			"phone": r.Phone, "username": r.Username, "hash": r.PasswordHash, "tax id": r.TaxID,
			"street": r.Street, "first name": r.FirstName, "last name": r.LastName, "ip": r.SourceIP} {
			if v != "" {
				t.Errorf("%s kept after expiry: %q", name, v)
			}
		}
		if r.Number != old || !r.CreatedAt.Equal(oldReq.CreatedAt) {
			t.Errorf("number/created changed: %s %s", r.Number, r.CreatedAt)
		}
		toks, err := db.Read().TokensOfRequest(ctx, r.ID)
		if err != nil || len(toks) != 0 {
			t.Errorf("tokens left: %v %v", toks, err)
		}
		ms, err := db.Read().Mails(ctx, store.ListMail{Ref: old})
		if err != nil || len(ms) != 1 {
			t.Fatalf("mail of %s: %v %v", old, ms, err)
		}
		if ms[0].To != "" || ms[0].Text != "" || ms[0].HTML != "" || ms[0].Subject != store.Erased {
			t.Errorf("mail not redacted: %+v", ms[0])
		}
		trail, err := db.Read().AuditTrail(ctx, store.EntityRequest, old)
		if err != nil {
			t.Fatal(err)
		}
		last := trail[len(trail)-1]
		if last.Actor != MaintenanceActor || last.Action != EventExpire {
			t.Errorf("last audit %+v, want expire by maintenance", last)
		}
		for _, e := range trail {
			if strings.Contains(e.Detail, oldReq.SourceIP) || strings.Contains(e.Detail, oldReq.Email) {
				t.Errorf("audit keeps personal data: %+v", e)
			}
		}
		found, err := db.Read().Requests(ctx, store.ListRequests{Search: oldReq.CompanyName})
		if err != nil || len(found) != 0 {
			t.Errorf("search by erased company found %d (%v)", len(found), err)
		}
		found, err = db.Read().Requests(ctx, store.ListRequests{Search: old})
		if err != nil || len(found) != 1 {
			t.Errorf("search by number found %d (%v), want 1", len(found), err)
		}
		counts, _ := db.Read().RequestCounts(ctx)
		if counts[domain.Expired] != 1 || counts[domain.Requested] != 1 || counts[domain.Verified] != 1 {
			t.Errorf("counts %v", counts)
		}
		if r := mustRequest(t, s, young); r.Status != domain.Requested || r.Email == "" {
			t.Errorf("young request touched: %s %q", r.Status, r.Email)
		}
		if r := mustRequest(t, s, waiting); r.Status != domain.Verified || r.Email == "" {
			t.Errorf("verified request touched: %s %q", r.Status, r.Email)
		}
	})

	t.Run("a second pass changes nothing", func(t *testing.T) {
		before, _ := db.Read().AuditTrail(ctx, store.EntityRequest, old)
		rep, err := s.Maintain(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Expired != 0 || rep.Purged != 0 {
			t.Fatalf("second pass %+v", rep)
		}
		after, _ := db.Read().AuditTrail(ctx, store.EntityRequest, old)
		if len(after) != len(before) {
			t.Errorf("audit grew from %d to %d", len(before), len(after))
		}
	})

	t.Run("rejected requests are purged after the retention period", func(t *testing.T) {
		if _, err := s.Reject(ctx, Action{Number: waiting, Actor: "alice"}, "incomplete", "Call me on +44 161 555 0100"); err != nil {
			t.Fatal(err)
		}
		clock.Advance(89 * day)
		if rep, err := s.Maintain(ctx); err != nil || rep.Purged != 0 {
			t.Fatalf("before retention: %+v %v", rep, err)
		}
		if r := mustRequest(t, s, waiting); r.PurgedAt != nil || r.Email == "" {
			t.Fatal("purged before the retention period")
		}
		clock.Advance(day + time.Minute)
		rep, err := s.Maintain(ctx)
		if err != nil || rep.Purged != 1 {
			t.Fatalf("after retention: %+v %v", rep, err)
		}
		r := mustRequest(t, s, waiting)
		if r.Status != domain.Rejected || r.PurgedAt == nil || r.Email != "" || r.RejectComment != "" {
			t.Errorf("rejected request after purge: %+v", r)
		}
		if r.RejectReason != "incomplete" || r.DecidedBy != "alice" || r.DecidedAt == nil || r.VerifiedAt == nil {
			t.Errorf("decision lost in purge: %+v", r)
		}
		trail, _ := db.Read().AuditTrail(ctx, store.EntityRequest, waiting)
		if last := trail[len(trail)-1]; last.Action != "purge" || last.Actor != MaintenanceActor {
			t.Errorf("last audit %+v", last)
		}
		ms, _ := db.Read().Mails(ctx, store.ListMail{Ref: waiting})
		for _, m := range ms {
			if m.To != "" || strings.Contains(m.Text, "555") {
				t.Errorf("mail keeps personal data: %+v", m)
			}
		}
	})

	t.Run("expired tokens and sessions are deleted", func(t *testing.T) {
		var user int64
		err := db.WithTx(ctx, func(tx *store.Tx) error {
			c := &store.Customer{Account: "C1", Name: "X", Street: "s", City: "c", PostalCode: "p",
				Country: "GB", Template: "STANDARD", CustomerGroup: "DOM", Currency: "USD",
				Language: "en", PaymentTerms: "Net 30", CreatedBy: "t"}
			if err := tx.InsertCustomer(ctx, c); err != nil {
				return err
			}
			ct := &store.Contact{CustomerID: c.ID, FirstName: "A", LastName: "B", Email: "a@b.example"}
			if err := tx.InsertContact(ctx, ct); err != nil {
				return err
			}
			u := &store.User{Username: "ab", Email: "a@b.example", Role: store.RoleCustomerUser,
				CustomerID: c.ID, ContactID: ct.ID}
			if err := tx.InsertUser(ctx, u); err != nil {
				return err
			}
			user = u.ID
			for i, exp := range []time.Duration{-time.Hour, 12 * time.Hour} {
				if err := tx.InsertSession(ctx, &store.Session{Hash: []byte{byte(i)}, UserID: u.ID,
					ExpiresAt: clock.Now().Add(exp)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := s.Maintain(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rep.SessionsDeleted != 1 {
			t.Errorf("sessions deleted %d, want 1", rep.SessionsDeleted)
		}
		if _, err := db.Read().SessionByHash(ctx, []byte{1}); err != nil {
			t.Errorf("live session of user %d deleted: %v", user, err)
		}
	})
}

func TestService_Maintain_boundedBatches(t *testing.T) {
	ctx := context.Background()
	s, clock := newOpsService(t)
	for i := range 7 {
		signUpN(t, s, i)
	}
	clock.Advance(15 * 24 * time.Hour)
	rep, err := s.maintain(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	// 3 + 3 + 1 expiries, then one sweep of tokens and sessions.
	if rep.Expired != 7 || rep.Batches != 4 {
		t.Fatalf("report %+v, want 7 expired in 4 batches", rep)
	}
	counts, _ := s.DB().Read().RequestCounts(ctx)
	if counts[domain.Requested] != 0 || counts[domain.Expired] != 7 {
		t.Errorf("counts %v", counts)
	}
}

func TestService_Maintain_purgesExpiredWithData(t *testing.T) {
	// Requests loaded as expired (seeded, or restored from an older version)
	// still holding personal data are purged too.
	ctx := context.Background()
	s, clock := newOpsService(t)
	now := clock.Now()
	err := s.DB().WithTx(ctx, func(tx *store.Tx) error {
		return tx.InsertRequestsBulk(ctx, []store.Request{{Number: "REG-9", Status: domain.Expired,
			CompanyName: "Old Co", Street: "s", City: "c", PostalCode: "p", Country: "DE",
			FirstName: "F", LastName: "L", Email: "f@old.example", Phone: "1", Username: "fl",
			CreatedAt: now, UpdatedAt: now}})
	})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := s.Maintain(ctx)
	if err != nil || rep.Purged != 1 {
		t.Fatalf("%+v %v", rep, err)
	}
	if r := mustRequest(t, s, "REG-9"); r.Email != "" || r.PurgedAt == nil {
		t.Errorf("not purged: %+v", r)
	}
}

func TestRunMaintenance_stopsWithContext(t *testing.T) {
	s, clock := newOpsService(t)
	signUpN(t, s, 1)
	clock.Advance(15 * 24 * time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- RunMaintenance(ctx, s, time.Hour) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		counts, _ := s.DB().Read().RequestCounts(context.Background())
		if counts[domain.Expired] == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first pass did not run")
		}
		time.Sleep(10 * time.Millisecond) // polling with a deadline
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := RunMaintenance(context.Background(), s, 0); err == nil {
		t.Error("a zero interval was accepted")
	}
}

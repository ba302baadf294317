package workflow

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/regdesk/regdesk/store"
)

func TestService_SendDigest(t *testing.T) {
	ctx := context.Background()
	s, clock := newOpsService(t)
	db := s.DB()
	err := db.WithTx(ctx, func(tx *store.Tx) error {
		for _, a := range [][2]string{{"alice", "alice@desk.example"}, {"bob", ""}, {"carol", "carol@desk.example"}} {
			if _, err := tx.InsertApprover(ctx, a[0], a[1]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	digests := func(name string) []store.Mail {
		t.Helper()
		ms, err := db.Read().Mails(ctx, store.ListMail{Ref: "digest:" + name})
		if err != nil {
			t.Fatal(err)
		}
		return ms
	}

	t.Run("nothing verified: no mail", func(t *testing.T) {
		signUpN(t, s, 1) // unverified requests are not announced
		rep, err := s.SendDigest(ctx)
		if err != nil || !rep.Due || rep.Requests != 0 || len(rep.Recipients) != 0 {
			t.Fatalf("%+v %v", rep, err)
		}
	})

	var first []string
	t.Run("one mail per approver with an address, listing every new request", func(t *testing.T) {
		for i := 2; i <= 3; i++ {
			n, tok := signUpN(t, s, i)
			mustActivate(t, s, tok)
			first = append(first, n)
		}
		rep, err := s.SendDigest(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Requests != 2 || strings.Join(rep.Recipients, ",") != "alice,carol" {
			t.Fatalf("report %+v", rep)
		}
		if len(digests("bob")) != 0 {
			t.Error("bob has no address but got a digest")
		}
		ms := digests("alice")
		if len(ms) != 1 {
			t.Fatalf("alice got %d digests, want 1", len(ms))
		}
		m := ms[0]
		if m.To != "alice@desk.example" || m.Subject != "2 new registration requests to review" {
			t.Errorf("digest to %q subject %q", m.To, m.Subject)
		}
		for _, n := range first {
			if !strings.Contains(m.Text, n) {
				t.Errorf("digest does not list %s:\n%s", n, m.Text)
			}
		}
		if !strings.Contains(m.Text, "Contoso 2 Ltd, Ada Lovelace2 (GB)") {
			t.Errorf("digest lacks the company and contact:\n%s", m.Text)
		}
	})

	t.Run("at most one digest per interval, covering only what is new", func(t *testing.T) {
		n, tok := signUpN(t, s, 4)
		mustActivate(t, s, tok)
		clock.Advance(10 * time.Minute)
		rep, err := s.SendDigest(ctx)
		if err != nil || rep.Due || len(rep.Recipients) != 0 {
			t.Fatalf("within the interval: %+v %v", rep, err)
		}
		if len(digests("alice")) != 1 {
			t.Fatal("a second digest within the interval")
		}
		clock.Advance(5 * time.Minute) // 15m: the default interval has passed
		rep, err = s.SendDigest(ctx)
		if err != nil || rep.Requests != 1 {
			t.Fatalf("after the interval: %+v %v", rep, err)
		}
		ms := digests("alice")
		if len(ms) != 2 {
			t.Fatalf("alice has %d digests, want 2", len(ms))
		}
		latest := ms[0] // newest first
		if latest.Subject != "1 new registration request to review" || !strings.Contains(latest.Text, n) {
			t.Errorf("second digest %q:\n%s", latest.Subject, latest.Text)
		}
		for _, old := range first {
			if strings.Contains(latest.Text, old) {
				t.Errorf("second digest repeats %s", old)
			}
		}
	})

	t.Run("requests decided before the digest are not listed", func(t *testing.T) {
		n, tok := signUpN(t, s, 5)
		mustActivate(t, s, tok)
		if _, err := s.Approve(ctx, Action{Number: n, Actor: "alice"}); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Hour)
		rep, err := s.SendDigest(ctx)
		if err != nil || !rep.Due || rep.Requests != 0 || len(rep.Recipients) != 0 {
			t.Fatalf("%+v %v", rep, err)
		}
		st, err := db.Read().GetDigestState(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if r := mustRequest(t, s, n); st.RequestID != r.ID {
			t.Errorf("high-water mark at #%d, want #%d (the decided request)", st.RequestID, r.ID)
		}
	})

	t.Run("the interval is a parameter", func(t *testing.T) {
		if err := s.SetParam(ctx, ParamDigestInterval, "2h", "alice"); err != nil {
			t.Fatal(err)
		}
		_, tok := signUpN(t, s, 6)
		mustActivate(t, s, tok)
		// The last digest went out an hour and a bit ago.
		if rep, err := s.SendDigest(ctx); err != nil || rep.Due {
			t.Fatalf("%+v %v", rep, err)
		}
		clock.Advance(time.Hour)
		if rep, err := s.SendDigest(ctx); err != nil || rep.Requests != 1 {
			t.Fatalf("%+v %v", rep, err)
		}
	})
}

func TestService_VerifiedSince(t *testing.T) {
	ctx := context.Background()
	s, clock := newOpsService(t)
	_, tok := signUpN(t, s, 1)
	mustActivate(t, s, tok)
	since := clock.Now()
	clock.Advance(time.Minute)
	n2, tok2 := signUpN(t, s, 2)
	mustActivate(t, s, tok2)
	signUpN(t, s, 3)
	rs, err := s.VerifiedSince(ctx, since, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].Number != n2 {
		t.Fatalf("got %v, want only %s", rs, n2)
	}
}

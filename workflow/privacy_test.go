package workflow

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow/domain"
)

func TestService_ExportErase(t *testing.T) {
	ctx := context.Background()
	s, _ := newOpsService(t)
	number, _ := signUpN(t, s, 7)
	before := mustRequest(t, s, number)

	d, err := s.Export(ctx, number)
	if err != nil {
		t.Fatal(err)
	}
	if d.Request.Email != before.Email || d.Request.CompanyName != before.CompanyName ||
		d.Request.SourceIP != before.SourceIP || !d.Request.PasswordHashHeld {
		t.Errorf("export request %+v", d.Request)
	}
	if len(d.Tokens) != 1 || d.Tokens[0].Kind != store.TokenActivation {
		t.Errorf("export tokens %+v", d.Tokens)
	}
	if len(d.Mail) != 1 || d.Mail[0].Kind != "activation" || d.Mail[0].To != before.Email {
		t.Errorf("export mail %+v", d.Mail)
	}
	if len(d.Audit) != 1 || d.Audit[0].Action != "sign_up" {
		t.Errorf("export audit %+v", d.Audit)
	}
	raw, _ := json.Marshal(d)
	if strings.Contains(string(raw), "$argon2id$") || strings.Contains(string(raw), `"hash"`) {
		t.Errorf("export leaks a secret: %s", raw)
	}

	t.Run("erase needs an actor and changes nothing without one", func(t *testing.T) {
		_, err := s.Erase(ctx, Action{Number: number})
		if !errors.Is(err, ErrInvalid) {
			t.Fatalf("err %v, want a field error", err)
		}
		if r := mustRequest(t, s, number); r.Version != before.Version {
			t.Error("the request changed")
		}
	})

	t.Run("erase an unknown number", func(t *testing.T) {
		if _, err := s.Erase(ctx, Action{Number: "REG-999999", Actor: "alice"}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("err %v, want not found", err)
		}
	})

	t.Run("erase, then export shows nothing personal", func(t *testing.T) {
		r, err := s.Erase(ctx, Action{Number: number, Actor: "alice"})
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != domain.Expired || r.PurgedAt == nil {
			t.Fatalf("after erase: %s %v", r.Status, r.PurgedAt)
		}
		d, err := s.Export(ctx, number)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(d)
		for _, v := range []string{before.Email, before.CompanyName, before.Phone, before.SourceIP,
			before.Username, before.LastName, before.TaxID, before.Street} {
			if strings.Contains(string(raw), v) {
				t.Errorf("export after erase still holds %q: %s", v, raw)
			}
		}
		if len(d.Tokens) != 0 || d.Request.PasswordHashHeld || d.Request.PurgedAt == nil {
			t.Errorf("after erase: tokens %v, hash held %v", d.Tokens, d.Request.PasswordHashHeld)
		}
		last := d.Audit[len(d.Audit)-1]
		if last.Actor != "alice" || last.Action != EventExpire {
			t.Errorf("last audit %+v, want expire by alice", last)
		}
	})

	t.Run("erasing twice changes nothing", func(t *testing.T) {
		r1 := mustRequest(t, s, number)
		trail1, _ := s.DB().Read().AuditTrail(ctx, store.EntityRequest, number)
		if _, err := s.Erase(ctx, Action{Number: number, Actor: "alice"}); err != nil {
			t.Fatal(err)
		}
		trail2, _ := s.DB().Read().AuditTrail(ctx, store.EntityRequest, number)
		if r2 := mustRequest(t, s, number); r2.Version != r1.Version || len(trail2) != len(trail1) {
			t.Error("a second erase changed the request or the audit trail")
		}
	})
}

func TestService_Erase_refusals(t *testing.T) {
	ctx := context.Background()
	s, _ := newOpsService(t)

	t.Run("a request waiting for review must be rejected first", func(t *testing.T) {
		n, tok := signUpN(t, s, 1)
		mustActivate(t, s, tok)
		v := mustRequest(t, s, n).Version
		_, err := s.Erase(ctx, Action{Number: n, Actor: "alice"})
		var ee *EraseError
		if !errors.As(err, &ee) || !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "reject it first") {
			t.Fatalf("err %v", err)
		}
		if r := mustRequest(t, s, n); r.Version != v || r.Email == "" {
			t.Error("a refused erase changed the request")
		}
		if _, err := s.Reject(ctx, Action{Number: n, Actor: "alice"}, "other", "We only serve wholesale."); err != nil {
			t.Fatal(err)
		}
		// The rejection mail is still queued: erasing wins, it is never sent.
		r, err := s.Erase(ctx, Action{Number: n, Actor: "alice"})
		if err != nil || r.Status != domain.Rejected || r.RejectReason != "other" {
			t.Fatalf("erase rejected: %+v %v", r, err)
		}
		ms, _ := s.DB().Read().Mails(ctx, store.ListMail{Ref: n})
		for _, m := range ms {
			if m.Status == store.MailQueued || m.To != "" {
				t.Errorf("mail after erase: %+v", m)
			}
		}
	})

	t.Run("a request that became a customer is refused with the reason", func(t *testing.T) {
		n, tok := signUpN(t, s, 2)
		mustActivate(t, s, tok)
		if _, err := s.Approve(ctx, Action{Number: n, Actor: "alice"}); err != nil {
			t.Fatal(err)
		}
		res, err := s.Create(ctx, CreateInput{Action: Action{Number: n, Actor: "alice"}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Erase(ctx, Action{Number: n, Actor: "alice"})
		if err == nil || !strings.Contains(err.Error(), res.Customer.Account) ||
			!strings.Contains(err.Error(), "belong to that customer account") {
			t.Fatalf("err %v", err)
		}
		d, err := s.Export(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		if d.Customer == nil || d.Contact == nil || d.UserRequest == nil {
			t.Fatalf("export of a created request lacks customer/contact/user request: %+v", d)
		}
		if d.Customer.Account != res.Customer.Account || d.Contact.Email != res.Contact.Email ||
			d.UserRequest.Number != res.UserRequest.Number {
			t.Errorf("export %+v", d)
		}
		var urAudit bool
		for _, e := range d.Audit {
			urAudit = urAudit || e.Entity == store.EntityUserRequest
		}
		if !urAudit {
			t.Error("export lacks the user request's audit trail")
		}
	})
}

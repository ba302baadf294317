package workflow

import (
	"context"
	"errors"
	"testing"
)

func TestService_SignUp_terms(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()

	// No terms asked for: nothing is recorded, whatever the form sent.
	in := f.input()
	in.TermsVersion = "whatever"
	res, err := f.svc.SignUp(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := f.db.Read().RequestByNumber(ctx, res.Number); r.TermsVersion != "" || r.TermsAcceptedAt != nil {
		t.Fatalf("terms recorded without any asked for: %q %v", r.TermsVersion, r.TermsAcceptedAt)
	}

	for _, kv := range [][2]string{{ParamTermsVersion, "2026-11"}, {ParamTermsURL, "https://www.example.com/terms"}} {
		if err := f.svc.SetParam(ctx, kv[0], kv[1], "alice"); err != nil {
			t.Fatal(err)
		}
	}
	for _, bad := range []struct{ param, value string }{
		{ParamTermsURL, "javascript:alert(1)"}, {ParamTermsURL, "/terms"}, {ParamTermsVersion, "v 3"},
		{ParamTermsVersion, "<b>"},
	} {
		if err := f.svc.SetParam(ctx, bad.param, bad.value, "alice"); err == nil {
			t.Errorf("%s=%q accepted", bad.param, bad.value)
		}
	}
	before, _ := f.db.Read().CountUnverified(ctx)
	for _, c := range []struct{ accepted, want string }{{"", MsgTermsMissing}, {"2026-10", MsgTermsChanged}} {
		in := f.input()
		in.TermsVersion = c.accepted
		_, err := f.svc.SignUp(ctx, in)
		fe, ok := errors.AsType[*FieldError](err)
		if !ok || fe.Field != "terms" || fe.Message != c.want {
			t.Errorf("accepted %q: %v", c.accepted, err)
		}
	}
	if after, _ := f.db.Read().CountUnverified(ctx); after != before {
		t.Fatal("a refused sign-up stored a request")
	}

	in = f.input()
	in.TermsVersion = "2026-11"
	res, err = f.svc.SignUp(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	r, err := f.db.Read().RequestByNumber(ctx, res.Number)
	if err != nil || r.TermsVersion != "2026-11" || r.TermsAcceptedAt == nil || !r.TermsAcceptedAt.Equal(f.clock.Now()) {
		t.Fatalf("stored terms %q at %v (%v)", r.TermsVersion, r.TermsAcceptedAt, err)
	}
	d, err := f.svc.Export(ctx, res.Number)
	if err != nil {
		t.Fatal(err)
	}
	if d.Request.TermsVersion != "2026-11" || d.Request.TermsAcceptedAt == nil {
		t.Fatalf("export lacks the terms: %+v", d.Request)
	}
}

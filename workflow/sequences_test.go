package workflow

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/regdesk/regdesk/store"
)

func TestService_Sequences(t *testing.T) {
	ctx := context.Background()
	s, _ := newOpsService(t)
	signUpN(t, s, 1)
	seqs, err := s.Sequences(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []Sequence{
		{Name: "registration", Param: ParamSeqRegistration, Format: "REG-{000000}", Next: 2, NextNumber: "REG-000002"},
		{Name: "customer", Param: ParamSeqCustomer, Format: "C{00000}", Next: 1, NextNumber: "C00001"},
		{Name: "user_request", Param: ParamSeqUserRequest, Format: "UR-{000000}", Next: 1, NextNumber: "UR-000001"},
	}
	if !reflect.DeepEqual(seqs, want) {
		t.Fatalf("sequences\n got %+v\nwant %+v", seqs, want)
	}
}

func TestService_SetSequenceNext(t *testing.T) {
	ctx := context.Background()
	s, _ := newOpsService(t)
	trail := func() []store.AuditEntry {
		t.Helper()
		a, err := s.DB().Read().AuditTrail(ctx, store.EntityParam, ParamSeqRegistration)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}

	got, err := s.SetSequenceNext(ctx, "registration", 500, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if got.Next != 500 || got.NextNumber != "REG-000500" {
		t.Fatalf("after set: %+v", got)
	}
	if number, _ := signUpN(t, s, 1); number != "REG-000500" {
		t.Fatalf("next sign-up got %s, want REG-000500", number)
	}
	a := trail()
	if len(a) != 1 || a[0].Actor != "alice" || a[0].Action != "set_next" || a[0].Detail != "next number REG-000001 → REG-000500" {
		t.Fatalf("audit %+v", a)
	}

	for _, tt := range []struct {
		name  string
		next  int64
		actor string
		want  string
	}{
		{"registration", 501, "alice", "already REG-000501 (501); a sequence only moves forward"},
		{"registration", 12, "alice", "only moves forward"},
		{"registration", -3, "alice", "only moves forward"},
		{"registration", 1_000_000, "alice", "more digits than the format REG-{000000} holds (6)"},
		{"registration", 900, "", "--as"},
		{"registration", 900, "bad\x1bname", "printable"},
		{"invoice", 900, "alice", `no sequence "invoice"`},
		{"", 900, "alice", "no sequence"},
	} {
		before, _ := s.Sequences(ctx)
		_, err := s.SetSequenceNext(ctx, tt.name, tt.next, tt.actor)
		var fe *FieldError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("set %q %d as %q: %v, want a field error saying %q", tt.name, tt.next, tt.actor, err, tt.want)
		}
		if after, _ := s.Sequences(ctx); !reflect.DeepEqual(after, before) {
			t.Errorf("set %q %d refused but changed %+v → %+v", tt.name, tt.next, before, after)
		}
	}
	if len(trail()) != 1 {
		t.Errorf("refusals were audited: %+v", trail())
	}
}

package workflow

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/regdesk/regdesk/store/storetest"
)

func TestParamDefs_DefaultsAreValid(t *testing.T) {
	seen := map[string]bool{}
	for _, d := range ParamDefs() {
		if seen[d.Key] {
			t.Errorf("%s defined twice", d.Key)
		}
		seen[d.Key] = true
		if err := d.Validate(d.Default); err != nil {
			t.Errorf("default of %s is invalid: %v", d.Key, err)
		}
		if d.Help == "" {
			t.Errorf("%s has no help", d.Key)
		}
	}
}

func TestService_SetParam(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	svc := New(Config{DB: db})
	good := map[string]string{
		ParamSeqRegistration: "R{00000000}", ParamWorkflowEnabled: "false",
		ParamActivationTTL: "72h", ParamBaseURL: "https://portal.example.com",
		ParamMailFrom: "Desk <desk@example.com>", ParamDefaultRole: "customer_admin",
		ParamDefaultTemplate: "EU", ParamRejectReasons: "spam,duplicate", ParamMaxUnverified: "5",
		ParamTmplWelcome: "Subject: Hi {{.FirstName}}\n\nWelcome {{.Username}}",
	}
	for k, v := range good {
		if err := svc.SetParam(ctx, k, v, "alice"); err != nil {
			t.Errorf("SetParam(%s, %q): %v", k, v, err)
		}
	}
	p, err := LoadParams(ctx, db.Read())
	if err != nil {
		t.Fatal(err)
	}
	if p.String(ParamSeqRegistration) != "R{00000000}" || p.Bool(ParamWorkflowEnabled) ||
		p.Int(ParamMaxUnverified) != 5 || len(p.RejectReasons()) != 2 {
		t.Errorf("values not stored: %v", p.values)
	}

	bad := []struct{ key, value, reason string }{
		{"no.such.key", "1", "unknown parameter"},
		{ParamSeqRegistration, "REG-", "placeholder"},
		{ParamWorkflowEnabled, "maybe", "true or false"},
		{ParamActivationTTL, "forever", "duration"},
		{ParamActivationTTL, "1s", "from 1m0s"},
		{ParamBaseURL, "javascript:alert(1)", "http(s) URL"},
		{ParamBaseURL, "https://user:pw@example.com", "http(s) URL"},
		{ParamMailFrom, "not an address", "address"},
		{ParamDefaultRole, "root", "customer_user"},
		{ParamDefaultTemplate, "NOPE", "no template"},
		{ParamRejectReasons, "", "at least one"},
		{ParamRejectReasons, "a,a", "twice"},
		{ParamMaxUnverified, "-1", "whole number"},
		{ParamTmplWelcome, "Hello", "Subject"},
		{ParamTmplWelcome, "Subject: x\n\n{{.Nope}}", "Nope"},
		{ParamTmplWelcome, "Subject: x\n\n{{", "body"},
	}
	for _, b := range bad {
		err := svc.SetParam(ctx, b.key, b.value, "alice")
		var pe *ParamError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), b.reason) {
			t.Errorf("SetParam(%s, %q) = %v; want a ParamError mentioning %q", b.key, b.value, err, b.reason)
		}
	}
	// Refused values changed nothing.
	p2, _ := LoadParams(ctx, db.Read())
	for k := range p.values {
		if p.values[k] != p2.values[k] {
			t.Errorf("%s changed by a refused set: %q → %q", k, p.values[k], p2.values[k])
		}
	}
}

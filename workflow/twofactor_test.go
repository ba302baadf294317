package workflow

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/regdesk/regdesk/store"
)

// twoFactorFixture is a fixture whose service holds a secrets key, with a
// provisioned customer user.
func twoFactorFixture(t *testing.T) (*fixture, store.User) {
	t.Helper()
	f := newFixture(t)
	sec, err := LoadSecrets(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f.svc = New(Config{DB: f.db, BaseURL: "https://portal.test", Secrets: sec})
	return f, f.provisioned(store.RoleCustomerAdmin)
}

// codeAt is the authenticator app's code at time at.
func codeAt(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *fixture) auditActions(ref string) []string {
	f.t.Helper()
	es, err := f.db.Read().AuditTrail(context.Background(), store.EntityUser, ref)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Actor+":"+e.Action)
	}
	return out
}

func TestService_TwoFactor_enrolAndLogin(t *testing.T) {
	f, u := twoFactorFixture(t)
	ctx := context.Background()

	en, err := f.svc.StartTwoFactor(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(en.URL, "otpauth://totp/portal.test:"+u.Username+"?") || len(en.Secret) < 32 {
		t.Fatalf("enrolment %+v", en)
	}
	// Reloading the page shows the same secret, so a scanned code keeps working.
	again, err := f.svc.StartTwoFactor(ctx, u.ID)
	if err != nil || again.Secret != en.Secret {
		t.Fatalf("second start: %v, secret changed %t", err, again.Secret != en.Secret)
	}
	// The database holds the secret sealed, never in the clear.
	row, err := f.db.Read().UserTOTP(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(row.Secret, []byte(en.Secret)) || row.Enabled() {
		t.Fatal("secret stored in the clear, or enabled before confirmation")
	}
	if st, _ := f.svc.TwoFactor(ctx, u.ID); st.Enabled {
		t.Fatal("enabled before the first code")
	}

	// A wrong first code changes nothing.
	if _, err := f.svc.ConfirmTwoFactor(ctx, u.ID, "000000"); !errors.Is(err, ErrCodeWrong) && codeAt(t, en.Secret, f.clock.Now()) != "000000" {
		t.Fatalf("wrong first code: %v", err)
	}
	for _, bad := range []string{"", "12345", "1234567", "abcdef", "12 34 5x"} {
		if _, err := f.svc.ConfirmTwoFactor(ctx, u.ID, bad); !errors.Is(err, ErrCodeFormat) {
			t.Errorf("confirm %q: %v, want ErrCodeFormat", bad, err)
		}
	}
	now := f.clock.Now()
	codes, err := f.svc.ConfirmTwoFactor(ctx, u.ID, codeAt(t, en.Secret, now))
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != RecoveryCodeCount {
		t.Fatalf("%d recovery codes", len(codes))
	}
	st, err := f.svc.TwoFactor(ctx, u.ID)
	if err != nil || !st.Enabled || st.RecoveryCodes != 10 || !st.Since.Equal(now) {
		t.Fatalf("status %+v, %v", st, err)
	}
	if _, err := f.svc.StartTwoFactor(ctx, u.ID); !errors.Is(err, ErrTwoFactorOn) {
		t.Fatalf("start while on: %v", err)
	}

	// The code that confirmed enrolment is spent; the next step's code works once.
	if _, err := f.svc.VerifyTwoFactor(ctx, u.ID, codeAt(t, en.Secret, now)); !errors.Is(err, ErrCodeUsed) {
		t.Fatalf("confirming code reused: %v", err)
	}
	f.clock.Advance(30 * time.Second)
	next := codeAt(t, en.Secret, f.clock.Now())
	if rec, err := f.svc.VerifyTwoFactor(ctx, u.ID, next[:3]+" "+next[3:]); err != nil || rec {
		t.Fatalf("login code: recovery=%t %v", rec, err)
	}
	if _, err := f.svc.VerifyTwoFactor(ctx, u.ID, next); !errors.Is(err, ErrCodeUsed) {
		t.Fatalf("reused code: %v, want ErrCodeUsed", err)
	}
	// A code from the step before is accepted (clock drift) only if newer than the last used one.
	f.clock.Advance(30 * time.Second)
	if _, err := f.svc.VerifyTwoFactor(ctx, u.ID, next); !errors.Is(err, ErrCodeUsed) {
		t.Fatalf("old step reused: %v", err)
	}
	if _, err := f.svc.VerifyTwoFactor(ctx, u.ID, codeAt(t, en.Secret, f.clock.Now().Add(-30*time.Second+time.Second))); !errors.Is(err, ErrCodeUsed) {
		t.Fatalf("previous step after a newer one: %v", err)
	}
	if _, err := f.svc.VerifyTwoFactor(ctx, u.ID, codeAt(t, en.Secret, f.clock.Now())); err != nil {
		t.Fatalf("fresh code: %v", err)
	}

	// A recovery code works once, in any case and with or without its hyphen.
	f.clock.Advance(16 * time.Minute) // clear of the failures above
	if rec, err := f.svc.VerifyTwoFactor(ctx, u.ID, strings.ToUpper(strings.ReplaceAll(codes[3], "-", ""))); err != nil || !rec {
		t.Fatalf("recovery code: recovery=%t %v", rec, err)
	}
	if _, err := f.svc.VerifyTwoFactor(ctx, u.ID, codes[3]); !errors.Is(err, ErrCodeWrong) {
		t.Fatalf("recovery code reused: %v", err)
	}
	if st, _ := f.svc.TwoFactor(ctx, u.ID); st.RecoveryCodes != 9 {
		t.Fatalf("%d recovery codes left, want 9", st.RecoveryCodes)
	}
	got := strings.Join(f.auditActions(u.Username), " ")
	if !strings.Contains(got, u.Username+":two_factor_enabled") || !strings.Contains(got, u.Username+":recovery_code_used") {
		t.Errorf("audit trail: %s", got)
	}
}

func TestService_TwoFactor_throttled(t *testing.T) {
	f, u := twoFactorFixture(t)
	ctx := context.Background()
	en, err := f.svc.StartTwoFactor(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ConfirmTwoFactor(ctx, u.ID, codeAt(t, en.Secret, f.clock.Now())); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Minute)
	wrong := func() string { // a code that is not the current, previous or next one
		for _, c := range []string{"111111", "222222", "333333", "444444"} {
			ok := true
			for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
				if codeAt(t, en.Secret, f.clock.Now().Add(d)) == c {
					ok = false
				}
			}
			if ok {
				return c
			}
		}
		t.Fatal("no wrong code found")
		return ""
	}
	for i := range TwoFactorMaxFailures {
		if _, err := f.svc.VerifyTwoFactor(ctx, u.ID, wrong()); !errors.Is(err, ErrCodeWrong) {
			t.Fatalf("wrong code %d: %v", i+1, err)
		}
	}
	// Now even the right code is not looked at until the window has passed.
	_, err = f.svc.VerifyTwoFactor(ctx, u.ID, codeAt(t, en.Secret, f.clock.Now()))
	th, ok := errors.AsType[*ThrottledError](err)
	if !ok || th.RetryAfter <= 0 || th.RetryAfter > TwoFactorWindow {
		t.Fatalf("after %d wrong codes: %v", TwoFactorMaxFailures, err)
	}
	f.clock.Advance(th.RetryAfter)
	if _, err := f.svc.VerifyTwoFactor(ctx, u.ID, codeAt(t, en.Secret, f.clock.Now())); err != nil {
		t.Fatalf("after the window: %v", err)
	}
	// Success clears the count: four wrong codes are not yet a stop.
	for range TwoFactorMaxFailures - 1 {
		_, _ = f.svc.VerifyTwoFactor(ctx, u.ID, wrong())
	}
	f.clock.Advance(30 * time.Second)
	if _, err := f.svc.VerifyTwoFactor(ctx, u.ID, codeAt(t, en.Secret, f.clock.Now())); err != nil {
		t.Fatalf("below the limit: %v", err)
	}
}

func TestService_TwoFactor_disableAndReset(t *testing.T) {
	f, u := twoFactorFixture(t)
	ctx := context.Background()
	enrol := func() string {
		en, err := f.svc.StartTwoFactor(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.ConfirmTwoFactor(ctx, u.ID, codeAt(t, en.Secret, f.clock.Now())); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(30 * time.Second)
		return en.Secret
	}
	secret := enrol()
	if err := f.svc.DisableTwoFactor(ctx, u.ID, "12345"); !errors.Is(err, ErrCodeFormat) {
		t.Fatalf("disable with a bad code: %v", err)
	}
	if st, _ := f.svc.TwoFactor(ctx, u.ID); !st.Enabled {
		t.Fatal("a refused disable turned it off")
	}
	if err := f.svc.DisableTwoFactor(ctx, u.ID, codeAt(t, secret, f.clock.Now())); err != nil {
		t.Fatal(err)
	}
	if st, _ := f.svc.TwoFactor(ctx, u.ID); st.Enabled {
		t.Fatal("still on after disable")
	}
	if n, _ := f.db.Read().RecoveryCodesLeft(ctx, u.ID); n != 0 {
		t.Fatalf("%d recovery codes kept after disable", n)
	}

	enrol()
	for _, c := range []struct{ user, actor string }{{u.Username, ""}, {"nobody", "alice"}, {u.Username, "bad\x1bname"}} {
		if _, err := f.svc.ResetTwoFactor(ctx, c.user, c.actor); !errors.Is(err, ErrInvalid) {
			t.Errorf("reset %q as %q: %v, want refused", c.user, c.actor, err)
		}
	}
	if st, _ := f.svc.TwoFactor(ctx, u.ID); !st.Enabled {
		t.Fatal("a refused reset turned it off")
	}
	if _, err := f.svc.ResetTwoFactor(ctx, strings.ToUpper(u.Username), "alice"); err != nil {
		t.Fatal(err)
	}
	if st, _ := f.svc.TwoFactor(ctx, u.ID); st.Enabled {
		t.Fatal("still on after the approver's reset")
	}
	if _, err := f.svc.ResetTwoFactor(ctx, u.Username, "alice"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("second reset: %v, want 'has no two-step login'", err)
	}
	got := strings.Join(f.auditActions(u.Username), " ")
	for _, want := range []string{u.Username + ":two_factor_disabled", "alice:two_factor_reset"} {
		if !strings.Contains(got, want) {
			t.Errorf("audit trail lacks %s: %s", want, got)
		}
	}
}

func TestService_TwoFactor_noSecrets(t *testing.T) {
	f := newFixture(t)
	u := f.provisioned(store.RoleCustomerUser)
	if _, err := f.svc.StartTwoFactor(context.Background(), u.ID); !errors.Is(err, ErrNoSecrets) {
		t.Fatalf("without a key: %v", err)
	}
}

func TestLoadSecrets(t *testing.T) {
	dir := t.TempDir()
	a, err := LoadSecrets(dir)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, SecretsKeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 || fi.Size() != 32 {
		t.Fatalf("key file %v %v", fi, err)
	}
	sealed := a.Seal([]byte("JBSWY3DPEHPK3PXP"), []byte("user:1"))
	b, err := LoadSecrets(dir) // the same key, read back
	if err != nil {
		t.Fatal(err)
	}
	if plain, err := b.Open(sealed, []byte("user:1")); err != nil || string(plain) != "JBSWY3DPEHPK3PXP" {
		t.Fatalf("open: %q %v", plain, err)
	}
	if _, err := b.Open(sealed, []byte("user:2")); err == nil {
		t.Error("a secret opened for another user")
	}
	other, _ := LoadSecrets(t.TempDir())
	if _, err := other.Open(sealed, []byte("user:1")); err == nil {
		t.Error("another key opened the secret")
	}
	if err := os.Chmod(filepath.Join(dir, SecretsKeyFile), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadSecrets(dir); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a world-readable key file: %v", err)
	}
	short := t.TempDir()
	if err := os.WriteFile(filepath.Join(short, SecretsKeyFile), []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadSecrets(short); err == nil {
		t.Error("a short key file was accepted")
	}
}

// A lost key file: app codes cannot be checked, but recovery codes, stored
// as hashes, still let the customer in.
func TestService_TwoFactor_keyReplaced(t *testing.T) {
	f, u := twoFactorFixture(t)
	ctx := context.Background()
	en, err := f.svc.StartTwoFactor(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	codes, err := f.svc.ConfirmTwoFactor(ctx, u.ID, codeAt(t, en.Secret, f.clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	other, err := LoadSecrets(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	svc := New(Config{DB: f.db, Secrets: other})
	f.clock.Advance(30 * time.Second)
	if _, err := svc.VerifyTwoFactor(ctx, u.ID, codeAt(t, en.Secret, f.clock.Now())); !errors.Is(err, ErrSecretUnreadable) {
		t.Fatalf("app code with another key: %v", err)
	}
	if rec, err := svc.VerifyTwoFactor(ctx, u.ID, codes[0]); err != nil || !rec {
		t.Fatalf("recovery code with another key: %v", err)
	}
}

package portal

import (
	"bytes"
	"context"
	"encoding/base64"
	"html"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
)

var (
	qrRE       = regexp.MustCompile(`<img class="qr" src="data:image/png;base64,([^"]+)"`)
	secretRE   = regexp.MustCompile(`<code class="secret" translate="no">([A-Z2-7 ]+)</code>`)
	recoveryRE = regexp.MustCompile(`<li><code>([a-z2-7]{5}-[a-z2-7]{5})</code></li>`)
)

// totpCode is what an authenticator app shows at t.
func totpCode(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// scanQR decodes the security page's QR code.
func scanQR(t *testing.T, body string) *otp.Key {
	t.Helper()
	m := qrRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no QR code on the page:\n%s", body)
	}
	raw, err := base64.StdEncoding.DecodeString(html.UnescapeString(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	// The page's code is drawn, not photographed: PURE_BARCODE reads its
	// modules straight from the grid. The finder-pattern search meant for
	// camera images misreads about one perfect drawing in forty.
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
	if err != nil {
		t.Fatalf("the QR code does not scan: %v", err)
	}
	key, err := otp.NewKeyFromURL(res.GetText())
	if err != nil {
		t.Fatalf("the QR code holds %q: %v", res.GetText(), err)
	}
	return key
}

// enrol turns two-step login on for the browser's user and returns the
// secret and the recovery codes.
func enrol(t *testing.T, b *browser) (string, []string) {
	t.Helper()
	page := b.get("/account/security")
	wantStatus(t, page, http.StatusOK)
	key := scanQR(t, page.Body.String())
	typed := secretRE.FindStringSubmatch(page.Body.String())
	if typed == nil || strings.ReplaceAll(typed[1], " ", "") != key.Secret() {
		t.Fatalf("the key in text %q differs from the QR code's %q", typed, key.Secret())
	}
	if key.Issuer() != "127.0.0.1" || key.Period() != 30 || key.Digits() != otp.DigitsSix {
		t.Fatalf("QR key: issuer %q period %d digits %d", key.Issuer(), key.Period(), key.Digits())
	}
	rec := b.post("/account/security/enable", url.Values{FieldCode: {totpCode(t, key.Secret(), b.tp.clock.Now())}})
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, "Save your recovery codes", "Two-step login is on.")
	if rec.Header().Get("Cache-Control") != "no-store" {
		t.Error("the recovery codes page may be cached")
	}
	var codes []string
	for _, m := range recoveryRE.FindAllStringSubmatch(rec.Body.String(), -1) {
		codes = append(codes, m[1])
	}
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes shown", len(codes))
	}
	// Shown once: the page does not show them again.
	if again := b.get("/account/security"); recoveryRE.MatchString(again.Body.String()) {
		t.Fatal("recovery codes shown a second time")
	}
	return key.Secret(), codes
}

// passwordStep posts the login form and expects the code step.
func passwordStep(t *testing.T, b *browser, user, pw string) {
	t.Helper()
	rec := b.post("/login", url.Values{FieldUsername: {user}, FieldPassword: {pw}})
	wantRedirect(t, rec, "/login/code")
	if b.session() != "" {
		t.Fatal("a session exists before the code was given")
	}
}

func TestTwoFactor_enrolAndLogin(t *testing.T) {
	tp := newTestPortal(t)
	b := tp.browser("192.0.2.20")
	b.login("bob", bobPassword)
	secret, codes := enrol(t, b)
	wantRedirect(t, b.post("/logout", url.Values{}), "/login?done=logout")

	// The password alone no longer opens the account.
	passwordStep(t, b, "bob", bobPassword)
	if b.signedIn() {
		t.Fatal("signed in with the password alone")
	}
	wantBody(t, b.get("/login/code"), "Enter your code", `autocomplete="one-time-code"`, `inputmode="numeric"`)
	if tp.sessionCount(tp.bob.ID) != 0 {
		t.Fatal("a session row exists before the code")
	}

	// A wrong code: the page says so and keeps the half-step.
	rec := b.post("/login/code", url.Values{FieldCode: {"12345"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantBody(t, rec, "Enter the 6-digit code from your authenticator app")
	tp.clock.Advance(30 * time.Second) // past the step that confirmed enrolment
	code := totpCode(t, secret, tp.clock.Now())
	wantRedirect(t, b.post("/login/code", url.Values{FieldCode: {code[:3] + " " + code[3:]}}), "/account")
	if !b.signedIn() || tp.sessionCount(tp.bob.ID) != 1 {
		t.Fatal("not signed in after the code")
	}
	if _, ok := b.cookies[ChallengeCookiePlain]; ok {
		t.Error("the half-step cookie outlived the login")
	}

	// The same code again, from another browser with the password: refused.
	other := tp.browser("192.0.2.21")
	passwordStep(t, other, "bob", bobPassword)
	rec = other.post("/login/code", url.Values{FieldCode: {code}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantBody(t, rec, "That code has been used already")
	if other.signedIn() {
		t.Fatal("a reused code logged in")
	}

	// A recovery code works once, and the page says it is used up.
	wantRedirect(t, other.post("/login/code", url.Values{FieldCode: {strings.ToUpper(codes[0])}}),
		"/account/security?done=recovery_used")
	wantBody(t, other.get("/account/security?done=recovery_used"), "recovery code, which is now used up",
		"9 recovery codes left")
	third := tp.browser("192.0.2.22")
	passwordStep(t, third, "bob", bobPassword)
	wantStatus(t, third.post("/login/code", url.Values{FieldCode: {codes[0]}}), http.StatusUnprocessableEntity)

	// German, as the page is in the reader's language.
	third.cookies[LanguageCookie] = &http.Cookie{Name: LanguageCookie, Value: "de"}
	wantBody(t, third.get("/login/code"), `<html lang="de">`, "Code eingeben")
}

func TestTwoFactor_codeStepExpiresAndIsThrottled(t *testing.T) {
	tp := newTestPortal(t)
	b := tp.browser("192.0.2.30")
	b.login("bob", bobPassword)
	secret, _ := enrol(t, b)
	b.post("/logout", url.Values{})

	// The half-step lasts minutes.
	passwordStep(t, b, "bob", bobPassword)
	tp.clock.Advance(loginChallengeTTL + time.Second)
	wantRedirect(t, b.post("/login/code", url.Values{FieldCode: {totpCode(t, secret, tp.clock.Now())}}),
		"/login?done=code_expired")
	if b.signedIn() {
		t.Fatal("an expired half-step logged in")
	}
	wantRedirect(t, b.get("/login/code"), "/login?done=code_expired")
	wantBody(t, b.get("/login?done=code_expired"), "The time for entering the code has run out")

	// No half-step at all: nothing to enter a code for.
	wantRedirect(t, tp.browser("192.0.2.31").post("/login/code", url.Values{FieldCode: {"123456"}}),
		"/login?done=code_expired")

	// Five wrong codes stop the checks; the right code then gets 429 too.
	passwordStep(t, b, "bob", bobPassword)
	for i := range workflow.TwoFactorMaxFailures {
		rec := b.post("/login/code", url.Values{FieldCode: {"000000"}})
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("wrong code %d: %d", i+1, rec.Code)
		}
	}
	rec := b.post("/login/code", url.Values{FieldCode: {totpCode(t, secret, tp.clock.Now())}})
	wantStatus(t, rec, http.StatusTooManyRequests)
	if rec.Header().Get("Retry-After") == "" || b.signedIn() {
		t.Fatal("throttled without Retry-After, or signed in")
	}
	// A new half-step does not reset the count.
	passwordStep(t, b, "bob", bobPassword)
	wantStatus(t, b.post("/login/code", url.Values{FieldCode: {totpCode(t, secret, tp.clock.Now())}}), http.StatusTooManyRequests)
	tp.clock.Advance(workflow.TwoFactorWindow)
	passwordStep(t, b, "bob", bobPassword)
	wantRedirect(t, b.post("/login/code", url.Values{FieldCode: {totpCode(t, secret, tp.clock.Now())}}), "/account")
}

func TestTwoFactor_enrolRefusesWrongCodeAndDisable(t *testing.T) {
	tp := newTestPortal(t)
	b := tp.browser("192.0.2.40")
	b.login("bob", bobPassword)
	page := b.get("/account/security")
	key := scanQR(t, page.Body.String())
	for _, bad := range []string{"", "abc", "1234567"} {
		rec := b.post("/account/security/enable", url.Values{FieldCode: {bad}})
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantBody(t, rec, "Enter the 6-digit code", `aria-invalid="true"`)
		if again := scanQR(t, rec.Body.String()); again.Secret() != key.Secret() {
			t.Fatal("a refused code changed the secret to scan")
		}
	}
	if st, _ := tp.svc.TwoFactor(context.Background(), tp.bob.ID); st.Enabled {
		t.Fatal("enabled by a refused code")
	}
	if rec := b.post("/account/security/enable", url.Values{FieldCode: {totpCode(t, key.Secret(), tp.clock.Now())}}); rec.Code != http.StatusOK {
		t.Fatalf("enable: %d", rec.Code)
	}
	tp.clock.Advance(30 * time.Second)

	// Turning off needs the password and a code; either wrong changes nothing.
	for _, c := range []struct {
		form url.Values
		want string
	}{
		{url.Values{}, "Enter your password"},
		{url.Values{FieldCurrentPassword: {"wrong password entirely"}, FieldCode: {totpCode(t, key.Secret(), tp.clock.Now())}}, "Your password is wrong"},
		{url.Values{FieldCurrentPassword: {bobPassword}, FieldCode: {"000000"}}, "That code is not right"},
	} {
		rec := b.post("/account/security/disable", c.form)
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantBody(t, rec, html.EscapeString(c.want))
		if st, _ := tp.svc.TwoFactor(context.Background(), tp.bob.ID); !st.Enabled {
			t.Fatalf("%v turned it off", c.form)
		}
	}
	wantRedirect(t, b.post("/account/security/disable", url.Values{FieldCurrentPassword: {bobPassword},
		FieldCode: {totpCode(t, key.Secret(), tp.clock.Now())}}), "/account/security?done=two_factor_off")
	if st, _ := tp.svc.TwoFactor(context.Background(), tp.bob.ID); st.Enabled {
		t.Fatal("still on")
	}
	b.post("/logout", url.Values{})
	b.login("bob", bobPassword) // the password alone again
}

func TestTwoFactor_requiredForAdministrators(t *testing.T) {
	tp := newTestPortal(t)
	ctx := context.Background()
	if err := tp.svc.SetParam(ctx, workflow.ParamAdminTwoFactor, "true", "alice"); err != nil {
		t.Fatal(err)
	}
	admin := tp.browser("192.0.2.50")
	admin.login("ada", adaPassword)
	wantRedirect(t, admin.get("/account"), "/account/security?done=required")
	wantRedirect(t, admin.get("/account/users"), "/account/security?done=required")
	wantBody(t, admin.get("/account/security?done=required"), "requires two-step login for self-service administrators")
	// A customer user is not held to it.
	user := tp.browser("192.0.2.51")
	user.login("bob", bobPassword)
	wantStatus(t, user.get("/account"), http.StatusOK)

	secret, _ := enrol(t, admin)
	wantStatus(t, admin.get("/account/users"), http.StatusOK)
	// Required, so it cannot be turned off here.
	tp.clock.Advance(30 * time.Second)
	body := admin.get("/account/security").Body.String()
	if strings.Contains(body, `action="/account/security/disable"`) {
		t.Error("the page offers to turn off a required second factor")
	}
	_ = secret
}

func TestTwoFactor_approverReset(t *testing.T) {
	tp := newTestPortal(t)
	b := tp.browser("192.0.2.60")
	b.login("bob", bobPassword)
	enrol(t, b)
	b.post("/logout", url.Values{})

	// Bob lost his phone: the approver resets his second factor.
	if _, err := tp.svc.ResetTwoFactor(context.Background(), "bob", "alice"); err != nil {
		t.Fatal(err)
	}
	b.login("bob", bobPassword)
	body := b.get("/account/security").Body.String()
	if !strings.Contains(body, `action="/account/security/enable"`) {
		t.Error("after the reset the page does not offer to enrol again")
	}
	trail, err := tp.db.Read().AuditTrail(context.Background(), store.EntityUser, "bob")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range trail {
		found = found || e.Action == "two_factor_reset" && e.Actor == "alice"
	}
	if !found {
		t.Errorf("no audited reset in %+v", trail)
	}
}

package portal

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
	"github.com/regdesk/regdesk/workflow/locale"
)

func TestCatalog_complete(t *testing.T) {
	cat, err := NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for tag, keys := range cat.Missing() {
		t.Errorf("%s lacks %d messages: %q", tag, len(keys), keys)
	}
	// A translation keeps the key's format verbs, so arguments land.
	verbs := regexp.MustCompile(`%(\[\d+\])?[sdv]`)
	for tag, m := range map[language.Tag]map[string]string{locale.German: messagesDE, locale.French: messagesFR, locale.Spanish: messagesES} {
		for k, v := range m {
			if a, b := len(verbs.FindAllString(k, -1)), len(verbs.FindAllString(v, -1)); a != b {
				t.Errorf("%s %q: %d verbs in the key, %d in the translation", tag, k, a, b)
			}
		}
	}
}

// requestIn is a GET whose browser prefers tag.
func requestIn(tag language.Tag) *http.Request {
	r := httptest.NewRequest("GET", "/somewhere?x=1", nil)
	r.Header.Set("Accept-Language", tag.String()+";q=0.9, en;q=0.1")
	return r
}

// errorSignupPage is a sign-up page whose error summary holds every
// message the form can give, field by field.
func errorSignupPage() SignupPage {
	var all FieldErrors
	bad := map[string][]string{
		FieldCompanyName: {"", strings.Repeat("x", 201), "Acme\x00", "Acme\xff"},
		FieldTaxID:       {strings.Repeat("1", 41), "DE#1", "DE\x01", "\xff"},
		FieldStreet:      {"", strings.Repeat("x", 201), "a\tb", "\xff"},
		FieldCity:        {"", strings.Repeat("x", 101), "a\tb", "\xff"},
		FieldState:       {strings.Repeat("x", 101), "a\tb", "\xff"},
		FieldPostalCode:  {"", strings.Repeat("1", 21), "10#15", "a\tb", "\xff"},
		FieldCountry:     {"", "XX", "a\tb", "\xff"},
		FieldFirstName:   {"", strings.Repeat("x", 101), "a\tb", "\xff"},
		FieldLastName:    {"", strings.Repeat("x", 101), "a\tb", "\xff"},
		FieldJobTitle:    {strings.Repeat("x", 101), "a\tb", "\xff"},
		FieldEmail: {"", "no-at", "a@b", "a@b.example, c@d.example", "Jana <j@acme.example>",
			strings.Repeat("x", 65) + "@acme.example", strings.Repeat("x", 250) + "@a.example", "a\tb", "\xff"},
		FieldPhone:    {"", "call me", "12", strings.Repeat("1", 41), "a\tb", "\xff"},
		FieldLanguage: {"!!", strings.Repeat("x", 36), "a\tb", "\xff"},
		FieldUsername: {"", "ab", strings.Repeat("a", 33), "Jana Schmidt", "_jana", "a\tb", "\xff"},
		FieldPassword: {"", "short", strings.Repeat("x", 129), "password1234567890", "jana.schmidt and more words",
			"jana.schmidt@acme.example is mine", "bad\x01password and more"},
		FieldPasswordConfirm: {"", "something else entirely"},
	}
	for field, values := range bad {
		for _, v := range values {
			form := validSignup()
			form.Set(FieldUsername, "jana.schmidt")
			form.Set(FieldEmail, "jana.schmidt@acme.example")
			form.Set(field, v)
			f := ParseSignupForm(form)
			errs := f.Validate()
			if len(errs) == 0 && utf8.ValidString(v) {
				continue
			}
			all = append(all, errs...)
		}
	}
	all = append(all, FieldError{Field: FieldUsername, Message: MsgUsernameTaken})
	return SignupPage{Form: ParseSignupForm(validSignup()), Errors: all}
}

// TestPages_everyLanguage renders every page, and every message of every
// form, in every language with missing messages failing the page.
func TestPages_everyLanguage(t *testing.T) {
	rd, err := newRenderer(true)
	if err != nil {
		t.Fatal(err)
	}
	type sample struct {
		name   string
		status int
		page   any
	}
	var all []sample
	for name, s := range samplePages() {
		all = append(all, sample{name, s.status, s.page})
	}
	all = append(all, sample{PageSignup, 422, errorSignupPage()})
	for _, status := range []int{400, 403, 405, 413, 500, 503} {
		all = append(all, sample{PageError, status, ErrorPage{Status: status, RequestID: "abc"}})
	}
	for _, problem := range []LinkProblem{LinkInvalid, LinkExpired, LinkUsed} {
		all = append(all, sample{PageResetInvalid, 410, ResetInvalidPage{Problem: problem}})
	}
	for _, problem := range []LinkProblem{LinkInvalid, LinkExpired, LinkUsed, LinkUsernameGone, LinkReplaced, LinkSignupReplaced, LinkSignupExpired} {
		all = append(all, sample{PageActivateInvalid, 410, ActivateInvalidPage{Problem: problem,
			LinkLifetime: LinkLifetime(3600e9), RequestLifetime: LinkLifetime(14 * 24 * 3600e9)}})
	}
	for key := range notices {
		all = append(all, sample{PageLogin, 200, LoginPage{Notice: noticeFor(key)}})
	}
	for _, st := range []string{"draft", "submitted", "pending_approval", "provisioned", "failed", "rejected", "canceled"} {
		all = append(all, sample{PageAccountUsers, 200, UsersPage{Company: "X", Pending: []PendingRow{{Number: "UR-1", Status: domain.UserRequestStatus(st)}}}})
	}
	nav := Nav{Username: "ada", Admin: true}
	enrol := SecurityPage{Nav: nav, Secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", QR: "data:image/png;base64,AAAA"}
	all = append(all, sample{PageAccountSecurity, 200, enrol})
	for _, e := range []error{workflow.ErrCodeFormat, workflow.ErrCodeWrong, workflow.ErrCodeUsed, workflow.ErrNotEnrolling, workflow.ErrSecretUnreadable} {
		fe := FieldErrors{{Field: FieldCode, Label: codeLabel, Message: codeMessage(e)}}
		en := enrol
		en.EnableErrors, en.Required, en.Notice = fe, true, noticeFor("required")
		all = append(all, sample{PageAccountSecurity, 422, en}, sample{PageLoginCode, 422, CodePage{Errors: fe}})
	}
	on := SecurityPage{Nav: nav, Status: workflow.TwoFactorStatus{Enabled: true, RecoveryCodes: 1},
		DisableErrors: FieldErrors{{Field: FieldCurrentPassword, Label: "Password", Message: "Your password is wrong; type it again"},
			{Field: FieldCode, Label: codeLabel, Message: codeMessage(workflow.ErrCodeUsed)}}}
	all = append(all, sample{PageAccountSecurity, 422, on})
	on.Required, on.DisableErrors = true, nil
	all = append(all, sample{PageAccountSecurity, 200, on},
		sample{PageAccountSecurity, 200, SecurityPage{Nav: nav, Status: on.Status, RecoveryCodes: []string{"abcde-fghij"}}},
		sample{PageAccountSecurity, 422, SecurityPage{Nav: nav, Status: on.Status, DisableErrors: FieldErrors{
			{Field: FieldCurrentPassword, Label: "Password", Message: "Enter your password"}}}})
	for _, v := range []url.Values{{}, {FieldUsername: {"\xff"}}} {
		lf := ParseLoginForm(v)
		all = append(all, sample{PageLogin, 422, LoginPage{Form: lf, Errors: lf.Validate()}})
		ff := ParseForgotForm(url.Values{FieldLogin: v[FieldUsername]})
		all = append(all, sample{PageForgot, 422, ForgotPage{Form: ff, Errors: ff.Validate()}})
		rf := ParseResendForm(url.Values{FieldEmail: v[FieldUsername]})
		all = append(all, sample{PageResend, 422, ResendPage{Resend: rf, Errors: rf.Validate()}})
	}
	for _, tag := range locale.Supported() {
		for _, s := range all {
			rec := httptest.NewRecorder()
			if err := rd.Render(rec, requestIn(tag), s.status, s.name, s.page); err != nil {
				t.Errorf("%s: %v", tag, err)
				continue
			}
			body := rec.Body.String()
			if !strings.Contains(body, `<html lang="`+tag.String()+`">`) {
				t.Errorf("%s %s: <html lang> is not %s", tag, s.name, tag)
			}
			if got := rec.Header().Get("Content-Language"); got != tag.String() {
				t.Errorf("%s %s: Content-Language %q", tag, s.name, got)
			}
		}
	}
}

func TestLanguageOf(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Accept-Language", "fr-CH, fr;q=0.9, en;q=0.8")
	if got := LanguageOf(r); got != locale.French {
		t.Errorf("Accept-Language fr-CH: %s", got)
	}
	r.AddCookie(&http.Cookie{Name: LanguageCookie, Value: "es"})
	if got := LanguageOf(r); got != locale.Spanish {
		t.Errorf("the switcher's cookie should win: %s", got)
	}
	r = httptest.NewRequest("GET", "/", nil)
	r.AddCookie(&http.Cookie{Name: LanguageCookie, Value: "xx"})
	if got := LanguageOf(r); got != locale.English {
		t.Errorf("an unknown cookie value should be ignored: %s", got)
	}
}

func TestRender_localised(t *testing.T) {
	rd := newTestRenderer(t)
	rec := httptest.NewRecorder()
	if err := rd.Render(rec, requestIn(locale.German), 200, PageSignup, SignupPage{}); err != nil {
		t.Fatal(err)
	}
	body := rec.Body.String()
	for _, want := range []string{`<html lang="de">`, "Registrierung als Geschäftskunde", `<option value="DE">Deutschland</option>`,
		`<option value="fr">Französisch</option>`, `aria-current="true">Deutsch</button>`, `name="next" value="/somewhere?x=1"`} {
		if !strings.Contains(body, want) {
			t.Errorf("German sign-up page lacks %q", want)
		}
	}
	// Countries are sorted the language's way: Österreich among the O's, not after Z.
	if i, j := strings.Index(body, "Österreich"), strings.Index(body, "Oman"); i < 0 || j < 0 || i < j {
		t.Error("Österreich is not sorted after Oman")
	}
	if i, j := strings.Index(body, "Österreich"), strings.Index(body, "Pakistan"); i > j {
		t.Error("Österreich is sorted after Pakistan")
	}
	rec = httptest.NewRecorder()
	if err := rd.Render(rec, requestIn(locale.Spanish), 429, PageTooMany, TooManyPage{RetryAfter: 3600e9}); err != nil {
		t.Fatal(err)
	}
	if body := rec.Body.String(); !strings.Contains(body, "Espere 1 hora e inténtelo de nuevo") {
		t.Errorf("Spanish wait is not in words: %s", body)
	}
}

func TestSetLanguage(t *testing.T) {
	tp := newTestPortal(t)
	b := tp.browser("192.0.2.10")
	w := b.post("/language", url.Values{FieldLang: {"de"}, FieldNext: {"/signup?x=1"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/signup?x=1" {
		t.Fatalf("POST /language = %d → %q", w.Code, w.Header().Get("Location"))
	}
	var c *http.Cookie
	for _, k := range w.Result().Cookies() {
		if k.Name == LanguageCookie {
			c = k
		}
	}
	if c == nil || c.Value != "de" || !c.HttpOnly || c.MaxAge < 300*24*3600 || c.SameSite != http.SameSiteLaxMode {
		t.Fatalf("language cookie = %+v", c)
	}
	r := httptest.NewRequest("GET", "/login", nil)
	r.AddCookie(c)
	r.Header.Set("Accept-Language", "fr")
	rec := httptest.NewRecorder()
	tp.h.ServeHTTP(rec, r)
	if body := rec.Body.String(); !strings.Contains(body, `<html lang="de">`) || !strings.Contains(body, "Passwort vergessen?") {
		t.Error("the chosen language does not beat Accept-Language")
	}

	for _, bad := range []url.Values{{FieldLang: {"it"}}, {FieldLang: {""}}, {}} {
		w := tp.browser("192.0.2.11").post("/language", bad)
		if w.Code != http.StatusBadRequest || len(w.Result().Cookies()) != 0 {
			t.Errorf("POST /language %v = %d with cookies %v", bad, w.Code, w.Result().Cookies())
		}
	}
	// Somewhere else is not a place to go back to.
	w = b.post("/language", url.Values{FieldLang: {"es"}, FieldNext: {"https://evil.example/"}})
	if w.Header().Get("Location") != "/" {
		t.Errorf("next off-site: Location %q", w.Header().Get("Location"))
	}
}

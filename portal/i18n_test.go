package portal

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
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
	all := pageStates()
	for _, tag := range locale.Supported() {
		for _, s := range all {
			rec := httptest.NewRecorder()
			if err := rd.Render(rec, requestIn(tag), s.status, s.name, s.page); err != nil {
				t.Errorf("%s %s: %v", tag, s.label, err)
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

// TestPages_datesAndCounts: every page that shows a date or a count says
// it the reader's way, plural forms included.
func TestPages_datesAndCounts(t *testing.T) {
	rd := newTestRenderer(t)
	day := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	nav := Nav{Username: "ada", Admin: true}
	users := pageState{label: "users", name: PageAccountUsers, status: 200, page: UsersPage{Nav: nav, Company: "X",
		Users: []UserRow{{ID: 3, Username: "menabrea", Role: store.RoleCustomerUser, InactivatedAt: &day}}}}
	security := func(codes int) pageState {
		return pageState{label: "security", name: PageAccountSecurity, status: 200, page: SecurityPage{Nav: nav,
			Status: workflow.TwoFactorStatus{Enabled: true, Since: day, RecoveryCodes: codes}}}
	}
	account := func(terms string) pageState {
		return pageState{label: "account", name: PageAccount, status: 200, page: AccountPage{Nav: nav,
			Customer: store.Customer{Account: "C1", Name: "X", Country: "DE", PaymentTerms: terms}}}
	}
	cases := []struct {
		state pageState
		want  map[language.Tag]string
	}{
		{users, map[language.Tag]string{locale.English: "since 1 March 2026", locale.German: "seit 1. März 2026",
			locale.French: "depuis le 1er mars 2026", locale.Spanish: "desde el 1 de marzo de 2026"}},
		{security(1), map[language.Tag]string{locale.English: "1 recovery code left.", locale.German: "Noch 1 Wiederherstellungscode.",
			locale.French: "1 code de secours restant.", locale.Spanish: "Queda 1 código de recuperación."}},
		{security(9), map[language.Tag]string{locale.English: "9 recovery codes left.", locale.German: "Noch 9 Wiederherstellungscodes.",
			locale.French: "9 codes de secours restants.", locale.Spanish: "Quedan 9 códigos de recuperación."}},
		{security(0), map[language.Tag]string{locale.English: "You have used all your recovery codes.",
			locale.German: "Sie haben alle Wiederherstellungscodes verbraucht.",
			locale.French: "Vous avez utilisé tous vos codes de secours.", locale.Spanish: "Ha utilizado todos sus códigos de recuperación."}},
		{security(2), map[language.Tag]string{locale.English: "Since 1 March 2026,", locale.German: "Seit dem 1. März 2026",
			locale.French: "Depuis le 1er mars 2026", locale.Spanish: "Desde el 1 de marzo de 2026"}},
		{account("Net 30"), map[language.Tag]string{locale.English: "<dd>Net 30</dd>", locale.German: "<dd>30 Tage netto</dd>",
			locale.French: "<dd>30 jours net</dd>", locale.Spanish: "<dd>30 días netos</dd>"}},
		{account("net 1"), map[language.Tag]string{locale.English: "<dd>Net 1</dd>", locale.German: "<dd>1 Tag netto</dd>",
			locale.French: "<dd>1 jour net</dd>", locale.Spanish: "<dd>1 día neto</dd>"}},
		{account("2% 10, Net 30"), map[language.Tag]string{locale.English: "<dd>2% 10, Net 30</dd>", locale.German: "<dd>2% 10, Net 30</dd>",
			locale.French: "<dd>2% 10, Net 30</dd>", locale.Spanish: "<dd>2% 10, Net 30</dd>"}},
	}
	for _, c := range cases {
		for tag, want := range c.want {
			rec := httptest.NewRecorder()
			if err := rd.Render(rec, requestIn(tag), c.state.status, c.state.name, c.state.page); err != nil {
				t.Fatal(err)
			}
			if body := rec.Body.String(); !strings.Contains(body, want) {
				i := strings.Index(body, `<main`)
				t.Errorf("%s %s lacks %q:\n%s", tag, c.state.label, want, body[i:min(len(body), i+3000)])
			}
		}
	}
}

package portal

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/regdesk/regdesk/workflow/locale"
)

func newTestRenderer(t testing.TB) *Renderer {
	t.Helper()
	rd, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	return rd
}

// render renders one page and returns the response.
func render(t testing.TB, rd *Renderer, status int, name string, page any) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	if err := rd.Render(rec, httptest.NewRequest("GET", "/", nil), status, name, page); err != nil {
		t.Fatalf("Render(%s): %v", name, err)
	}
	return rec
}

// badSignupPage is a sign-up page with errors and hostile values.
func badSignupPage() SignupPage {
	v := validSignup()
	v.Set(FieldCompanyName, `<script>alert("x")</script> & Co`)
	v.Set(FieldEmail, "not-an-email")
	v.Set(FieldCountry, "XX")
	v.Set(FieldPassword, "short")
	v.Set(FieldPasswordConfirm, "short-secret-confirm")
	f := ParseSignupForm(v)
	return SignupPage{Form: f, Errors: f.Validate()}
}

// samplePages has one example of every page, keyed by template name.
func samplePages() map[string]struct {
	status int
	page   any
} {
	type sp = struct {
		status int
		page   any
	}
	pages := map[string]sp{
		PageHome:            {200, HomePage{LinkLifetime: LinkLifetime(48 * time.Hour)}},
		PageSignup:          {200, SignupPage{}},
		PageSignupPaused:    {503, SignupPausedPage{}},
		PageSignupSent:      {200, SignupSentPage{Email: "jana.schmidt@acme.example", LinkLifetime: LinkLifetime(48 * time.Hour)}},
		PageActivate:        {200, ActivatePage{Token: "tok_abc123-XYZ"}},
		PageActivated:       {200, ActivatedPage{Number: "REG-000042"}},
		PageActivateInvalid: {410, ActivateInvalidPage{Problem: LinkExpired, LinkLifetime: LinkLifetime(48 * time.Hour)}},
		PageResend:          {200, ResendPage{}},
		PageResendSent:      {200, ResendSentPage{LinkLifetime: LinkLifetime(48 * time.Hour)}},
		PageError:           {500, ErrorPage{Status: 500, RequestID: "8f14e45fceea167a"}},
		PageNotFound:        {404, NotFoundPage{}},
		PageTooMany:         {429, TooManyPage{RetryAfter: 7 * time.Minute}},
	}
	for name, p := range accountSamplePages() {
		pages[name] = sp{p.status, p.page}
	}
	return pages
}

func TestNewRenderer_allPages(t *testing.T) {
	rd := newTestRenderer(t)
	samples := samplePages()
	got := rd.Pages()
	slices.Sort(got)
	var want []string
	for name := range samples {
		want = append(want, name)
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("pages = %v\nwant  %v", got, want)
	}
}

func TestRenderer_Render(t *testing.T) {
	rd := newTestRenderer(t)
	for name, s := range samplePages() {
		t.Run(name, func(t *testing.T) {
			rec := render(t, rd, s.status, name, s.page)
			body := rec.Body.String()
			if rec.Code != s.status {
				t.Errorf("status = %d, want %d", rec.Code, s.status)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			for _, want := range []string{
				`<html lang="en">`, `<a class="skip-link" href="#main">`, `<main id="main"`,
				`<header class="site-header">`, `<footer class="site-footer">`, `>regdesk</span>`,
				`<link rel="stylesheet" href="/static/app.css?v=`, `name="viewport"`,
			} {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			// CSP: no inline scripts, styles or event handlers.
			for _, bad := range []string{"<script", "style=", " onclick", " onload", "javascript:", "https://", "http://"} {
				if strings.Contains(body, bad) {
					t.Errorf("page contains %q, which the CSP or the no-CDN rule forbids", bad)
				}
			}
			if strings.Contains(body, "csrf") {
				t.Error("page carries a CSRF token; cross-origin protection is by Sec-Fetch-Site")
			}
			if c := strings.Count(body, "<h1"); c != 1 {
				t.Errorf("page has %d h1 elements, want 1", c)
			}
		})
	}
}

func TestRenderer_Render_unknownPage(t *testing.T) {
	rd := newTestRenderer(t)
	rec := httptest.NewRecorder()
	if err := rd.Render(rec, httptest.NewRequest("GET", "/", nil), 200, "nope", nil); err == nil {
		t.Fatal("Render(unknown) succeeded")
	}
	if rec.Body.Len() != 0 || rec.Code != 200 || rec.Header().Get("Content-Type") != "" {
		t.Error("Render wrote a response on error")
	}
	// A page with the wrong data fails before anything is written.
	rec = httptest.NewRecorder()
	if err := rd.Render(rec, httptest.NewRequest("GET", "/", nil), 200, PageSignup, HomePage{}); err == nil {
		t.Fatal("Render(signup, HomePage) succeeded")
	}
	if rec.Body.Len() != 0 {
		t.Error("Render wrote a partial page")
	}
}

var (
	reLabelFor = regexp.MustCompile(`<label class="label" for="([a-z_]+)">`)
	reInputID  = regexp.MustCompile(`<(?:input|select)[^>]* id="([a-z_]+)"`)
)

func TestSignupPage_fresh(t *testing.T) {
	rd := newTestRenderer(t)
	body := render(t, rd, 200, PageSignup, SignupPage{}).Body.String()

	labels := reLabelFor.FindAllStringSubmatch(body, -1)
	inputs := reInputID.FindAllStringSubmatch(body, -1)
	var lab, in []string
	for _, m := range labels {
		lab = append(lab, m[1])
	}
	for _, m := range inputs {
		in = append(in, m[1])
	}
	var want []string
	for _, s := range signupFields {
		want = append(want, s.name)
	}
	if !slices.Equal(lab, want) {
		t.Errorf("labels = %v\nwant     %v", lab, want)
	}
	if !slices.Equal(in, want) {
		t.Errorf("inputs = %v\nwant     %v", in, want)
	}
	for _, s := range signupFields {
		if !strings.Contains(body, `name="`+s.name+`"`) {
			t.Errorf("no input named %s", s.name)
		}
	}
	for _, want := range []string{
		`<form class="form" method="post" action="/signup" novalidate>`,
		"<legend>Company</legend>", "<legend>Address</legend>", "<legend>Contact person</legend>", "<legend>Your login</legend>",
		`autocomplete="organization"`, `autocomplete="email"`, `autocomplete="new-password"`, `autocomplete="username"`,
		`autocomplete="country"`, `autocomplete="postal-code"`, `autocomplete="tel"`,
		`id="email" name="email" type="email"`, `type="password"`,
		"at least 15 characters", "(optional)",
		`<option value="DE">Germany</option>`, `<option value="">Select a country</option>`,
		`<option value="pt-BR">Portuguese (Brazil)</option>`,
		`aria-describedby="password-hint"`,
		`id="company_name" name="company_name" type="text" value="" autocomplete="organization" required>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, bad := range []string{"There is a problem", `aria-invalid`, "Error:"} {
		if strings.Contains(body, bad) {
			t.Errorf("fresh page contains %q", bad)
		}
	}
	if n := len(regexp.MustCompile(`<(?:input|select)[^>]* required[ >]`).FindAllString(body, -1)); n != 12 {
		t.Errorf("%d required inputs, want 12", n)
	}
}

func TestSignupPage_errors(t *testing.T) {
	rd := newTestRenderer(t)
	page := badSignupPage()
	body := render(t, rd, 422, PageSignup, page).Body.String()

	if !strings.Contains(body, "<title>Error: Sign up – regdesk</title>") {
		t.Error("title lacks the Error: prefix")
	}
	summary := body[strings.Index(body, `<div class="error-summary"`):strings.Index(body, "<h1")]
	for _, want := range []string{`role="alert"`, `tabindex="-1"`, "There is a problem"} {
		if !strings.Contains(summary, want) {
			t.Errorf("error summary lacks %q", want)
		}
	}
	// Links in form order, one per invalid field.
	links := regexp.MustCompile(`<a href="#([a-z_]+)">`).FindAllStringSubmatch(summary, -1)
	var got []string
	for _, l := range links {
		got = append(got, l[1])
	}
	want := []string{FieldCountry, FieldEmail, FieldPassword, FieldPasswordConfirm}
	if !slices.Equal(got, want) {
		t.Errorf("summary links = %v, want %v", got, want)
	}
	for _, f := range want {
		if !strings.Contains(body, `id="`+f+`-error"`) {
			t.Errorf("no message element for %s", f)
		}
		re := regexp.MustCompile(`<(?:input|select)[^>]* id="` + f + `"[^>]*>`)
		tag := re.FindString(body)
		if !strings.Contains(tag, `aria-invalid="true"`) || !strings.Contains(tag, f+`-error"`) {
			t.Errorf("%s input %q lacks aria-invalid or aria-describedby", f, tag)
		}
	}
	if tag := regexp.MustCompile(`<input[^>]* id="city"[^>]*>`).FindString(body); strings.Contains(tag, "aria-invalid") {
		t.Errorf("valid field marked invalid: %s", tag)
	}

	// Values kept and escaped; passwords never echoed.
	for _, want := range []string{
		`value="&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co"`,
		`value="not-an-email"`, `value="Hauptstraße 1"`, `value="&#43;49 30 1234567"`, `value="jana.schmidt"`,
		`<option value="de" selected>German</option>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks kept value %q", want)
		}
	}
	if strings.Contains(body, "<script>") {
		t.Error("company name was not escaped")
	}
	for _, secret := range []string{"short-secret-confirm", `value="short"`} {
		if strings.Contains(body, secret) {
			t.Errorf("page echoes a password: %q", secret)
		}
	}
	if strings.Count(body, `<option value="DE" selected>`) != 0 {
		t.Error("an invalid country selected a different one")
	}
}

func TestSignupPage_countryAndLanguageKept(t *testing.T) {
	rd := newTestRenderer(t)
	v := validSignup()
	v.Set(FieldLanguage, "gsw-CH") // valid but not in the list
	v.Set(FieldPassword, "")
	f := ParseSignupForm(v)
	body := render(t, rd, 422, PageSignup, SignupPage{Form: f, Errors: f.Validate()}).Body.String()
	for _, want := range []string{`<option value="DE" selected>Germany</option>`, `<option value="gsw-CH" selected>gsw-CH</option>`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestActivatePages(t *testing.T) {
	rd := newTestRenderer(t)
	body := render(t, rd, 200, PageActivate, ActivatePage{Token: `a"b<c`}).Body.String()
	for _, want := range []string{`<form method="post" action="/activate">`, `<input type="hidden" name="token" value="a&#34;b&lt;c">`, `type="submit">Activate</button>`} {
		if !strings.Contains(body, want) {
			t.Errorf("activate page lacks %q", want)
		}
	}
	for _, p := range []LinkProblem{LinkInvalid, LinkExpired, LinkUsed} {
		r := ResendForm{Email: "bad"}
		errs := r.Validate()
		body := render(t, rd, 410, PageActivateInvalid, ActivateInvalidPage{Problem: p, Resend: r, Errors: errs}).Body.String()
		for _, want := range []string{`action="/activate/resend"`, `name="email"`, `value="bad"`, "There is a problem", `<a href="#email">`, `aria-invalid="true"`, `aria-describedby="email-hint email-error"`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: page lacks %q", p, want)
			}
		}
	}
	heads := map[LinkProblem]string{LinkInvalid: "does not work", LinkExpired: "has expired", LinkUsed: "already been used"}
	for p, h := range heads {
		body := render(t, rd, 410, PageActivateInvalid, ActivateInvalidPage{Problem: p}).Body.String()
		if !strings.Contains(body, h) {
			t.Errorf("%s page lacks %q", p, h)
		}
	}
}

func TestResendPages(t *testing.T) {
	rd := newTestRenderer(t)
	body := render(t, rd, 200, PageResend, ResendPage{}).Body.String()
	if !strings.Contains(body, `<label class="label" for="email">`) || strings.Contains(body, "There is a problem") {
		t.Error("fresh resend page wrong")
	}
	body = render(t, rd, 200, PageResendSent, ResendSentPage{}).Body.String()
	if !strings.Contains(body, "If that address is registered") {
		t.Error("resend-sent page is not neutral")
	}
}

func TestErrorPages(t *testing.T) {
	rd := newTestRenderer(t)
	for _, status := range []int{400, 403, 405, 413, 500, 503} {
		body := render(t, rd, status, PageError, ErrorPage{Status: status, RequestID: "req-123"}).Body.String()
		p := ErrorPage{Status: status}
		for _, want := range []string{"req-123", p.Heading(), "Error " + strconv.Itoa(status)} {
			if !strings.Contains(body, want) {
				t.Errorf("%d: page lacks %q", status, want)
			}
		}
	}
}

func TestTooManyPage_wait(t *testing.T) {
	rd := newTestRenderer(t)
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{30 * time.Second, "wait 1 minute and"}, {61 * time.Second, "wait 2 minutes and"},
		{59 * time.Minute, "wait 59 minutes and"}, {150 * time.Minute, "wait 3 hours and"},
	} {
		body := render(t, rd, 429, PageTooMany, TooManyPage{RetryAfter: tt.d}).Body.String()
		if !strings.Contains(body, tt.want) {
			t.Errorf("RetryAfter %v: page lacks %q", tt.d, tt.want)
		}
	}
}

func TestRenderer_StaticHandler(t *testing.T) {
	rd := newTestRenderer(t)
	h := rd.StaticHandler()
	tests := []struct {
		path, wantType, wantCache string
		wantCode                  int
	}{
		{"/static/app.css?v=x", "text/css; charset=utf-8", "public, max-age=31536000, immutable", 200},
		{"/static/app.css", "text/css; charset=utf-8", "public, max-age=300", 200},
		{"/static/favicon.svg", "image/svg+xml", "public, max-age=300", 200},
		{"/static/", "", "", 404},
		{"/static/missing.css", "", "", 404},
		{"/static/../render.go", "", "", 404},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", tt.path, nil))
		if rec.Code != tt.wantCode {
			t.Errorf("%s: status %d, want %d", tt.path, rec.Code, tt.wantCode)
		}
		if tt.wantCode == 404 && !strings.Contains(rec.Body.String(), "Page not found") {
			t.Errorf("%s: not the 404 page", tt.path)
		}
		if tt.wantCode == 200 && (rec.Header().Get("Content-Type") != tt.wantType || rec.Header().Get("Cache-Control") != tt.wantCache) {
			t.Errorf("%s: type %q cache %q", tt.path, rec.Header().Get("Content-Type"), rec.Header().Get("Cache-Control"))
		}
	}
}

// TestRenderer_preview writes every page to $PORTAL_PREVIEW (e.g.
// /tmp/portal-preview) with the static files beside them, for screenshots.
func TestRenderer_preview(t *testing.T) {
	dir := os.Getenv("PORTAL_PREVIEW")
	if dir == "" {
		t.Skip("set PORTAL_PREVIEW=dir to write preview pages")
	}
	rd := newTestRenderer(t)
	pages := samplePages()
	pages["signup_errors"] = struct {
		status int
		page   any
	}{422, badSignupPage()}
	if err := os.MkdirAll(filepath.Join(dir, "static"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tag := range locale.Supported() {
		for name, s := range pages {
			tmpl := name
			if name == "signup_errors" {
				tmpl = PageSignup
			}
			rec := httptest.NewRecorder()
			if err := rd.Render(rec, requestIn(tag), s.status, tmpl, s.page); err != nil {
				t.Fatal(err)
			}
			body := strings.ReplaceAll(rec.Body.String(), `"`+StaticPrefix, `"static/`)
			file := name + ".html"
			if tag != locale.English {
				file = name + "." + tag.String() + ".html"
			}
			if err := os.WriteFile(filepath.Join(dir, file), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, f := range []string{"app.css", "favicon.svg"} {
		b, err := assets.ReadFile("static/" + f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "static", f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSignupSentPage_lifetimeAndEmail(t *testing.T) {
	rd := newTestRenderer(t)
	body := render(t, rd, 200, PageSignupSent, SignupSentPage{}).Body.String()
	if strings.Contains(body, "works for") || !strings.Contains(body, "the email address you entered") {
		t.Error("page without email or lifetime reads wrong")
	}
	body = render(t, rd, 200, PageSignupSent, SignupSentPage{Email: "a@b.example", LinkLifetime: LinkLifetime(24 * time.Hour)}).Body.String()
	if !strings.Contains(body, "The link works for 24 hours.") || !strings.Contains(body, "a@b.example") {
		t.Error("page lacks lifetime or email")
	}
}

package portal

import (
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/regdesk/regdesk/workflow/domain"
)

// FuzzSignupForm checks that no input makes parsing, validation or
// rendering fail, and that a password never reaches the page.
func FuzzSignupForm(f *testing.F) {
	for _, seed := range [][3]string{
		{"Acme", "a@b.example", "correct horse battery staple"},
		{"<script>", "Jana <a@b.example>", "\x00\xff"},
		{"\u202e\x1b[2J", "a@[1.2.3.4]", strings.Repeat("é", 200)},
		{"", "", ""},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	rd := newTestRenderer(f)
	f.Fuzz(func(t *testing.T, company, email, password string) {
		v := validSignup()
		v.Set(FieldCompanyName, company)
		v.Set(FieldEmail, email)
		v.Set(FieldPassword, "PW:"+password)
		v.Set(FieldPasswordConfirm, "PW:"+password+"x")
		form := ParseSignupForm(v)
		errs := form.Validate()
		if !utf8.ValidString(form.CompanyName) || strings.IndexFunc(form.CompanyName, domain.IsForbiddenRune) >= 0 {
			t.Fatalf("CompanyName %q kept unreadable characters", form.CompanyName)
		}
		rec := httptest.NewRecorder()
		if err := rd.Render(rec, 422, PageSignup, SignupPage{Form: form, Errors: errs}); err != nil {
			t.Fatal(err)
		}
		if len(password) >= 4 && strings.Contains(rec.Body.String(), "PW:"+password) {
			t.Fatal("password echoed")
		}
	})
}

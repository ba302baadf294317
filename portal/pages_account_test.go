package portal

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
)

type samplePage struct {
	status int
	page   any
}

// accountSamplePages has one example of every login and self-service page.
func accountSamplePages() map[string]samplePage {
	nav := Nav{Username: "ada.lovelace", Name: "Ada Lovelace", Admin: true, Current: "account"}
	cust := store.Customer{Account: "C00042", Name: "Analytical Engines Ltd", TaxID: "GB123456789",
		Street: "12 Marylebone Road", City: "London", PostalCode: "NW1 5LR", Country: "GB",
		Currency: "GBP", PaymentTerms: "Net 30"}
	me := store.Contact{ID: 1, FirstName: "Ada", LastName: "Lovelace", JobTitle: "Head of procurement",
		Email: "ada@engines.example", Phone: "+44 20 7946 0000", Language: "en-GB"}
	contacts := []store.Contact{me, {ID: 2, FirstName: "Charles", LastName: "Babbage", JobTitle: "Engineer",
		Email: "charles@engines.example"}}
	inactive := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	badPw := PasswordForm{Password: "short", Confirm: "other"}
	addForm := ParseAddUserForm(map[string][]string{FieldFirstName: {"Charles"}, FieldEmail: {"charles@"},
		FieldUsername: {"C"}, FieldRole: {"owner"}})
	contactForm := ParseContactForm(map[string][]string{FieldFirstName: {""}, FieldLastName: {"Lovelace"},
		FieldPhone: {"call me"}})
	return map[string]samplePage{
		PageLogin:           {200, LoginPage{Notice: noticeFor("logout")}},
		PageForgot:          {200, ForgotPage{}},
		PageForgotSent:      {200, ForgotSentPage{LinkLifetime: LinkLifetime(time.Hour)}},
		PageReset:           {422, ResetPage{Token: "tok", Username: "ada.lovelace", Form: badPw, Errors: badPw.Validate("ada.lovelace", "ada@engines.example")}},
		PageResetInvalid:    {410, ResetInvalidPage{Problem: LinkExpired}},
		PageAccount:         {200, AccountPage{Nav: nav, Notice: noticeFor("contact"), User: store.User{Username: "ada.lovelace", Role: store.RoleCustomerAdmin}, Customer: cust, Contact: me, Contacts: contacts}},
		PageAccountContact:  {422, ContactPage{Nav: nav, Email: me.Email, Form: contactForm, Errors: contactForm.Validate()}},
		PageAccountPassword: {200, PasswordPage{Nav: nav}},
		PageAccountUsers: {200, UsersPage{Nav: Nav{Username: "ada.lovelace", Admin: true, Current: "users"},
			Notice: noticeFor("user_added"), Company: cust.Name, Contacts: contacts,
			Users: []UserRow{
				{ID: 1, Username: "ada.lovelace", Name: "Ada Lovelace", Email: me.Email, Role: store.RoleCustomerAdmin, Active: true, Self: true},
				{ID: 2, Username: "babbage", Name: "Charles Babbage", Email: "charles@engines.example", Role: store.RoleCustomerUser, Active: true},
				{ID: 3, Username: "menabrea", Name: "Luigi Menabrea", Email: "luigi@engines.example", Role: store.RoleCustomerUser, InactivatedAt: &inactive, InactivatedBy: "ada.lovelace"},
			},
			Pending: []PendingRow{{Number: "UR-000007", Username: "mary.s", Email: "mary@engines.example", Status: "submitted"}}}},
		PageAccountUserNew: {422, AddUserPage{Nav: Nav{Username: "ada.lovelace", Admin: true, Current: "users"}, Company: cust.Name, Form: addForm, Errors: addForm.Validate()}},
		PageForbidden:      {403, ForbiddenPage{Nav: Nav{Username: "babbage"}}},
		PageAccountSecurity: {200, SecurityPage{Nav: nav, Notice: noticeFor("two_factor_on"),
			Status: workflow.TwoFactorStatus{Enabled: true, Since: inactive, RecoveryCodes: 9}}},
		PageLoginCode: {422, CodePage{Errors: FieldErrors{{Field: FieldCode, Label: codeLabel, Message: codeMessage(workflow.ErrCodeWrong)}}}},
	}
}

func TestAccountPages_signedInNav(t *testing.T) {
	rd := newTestRenderer(t)
	for name, s := range accountSamplePages() {
		body := render(t, rd, s.status, name, s.page).Body.String()
		signedIn := strings.HasPrefix(name, "account") || name == PageForbidden
		hasLogout := strings.Contains(body, `<form class="nav-form" method="post" action="/logout">`)
		if signedIn != hasLogout {
			t.Errorf("%s: log-out button shown = %v, want %v", name, hasLogout, signedIn)
		}
	}
	body := render(t, rd, 200, PageAccount, AccountPage{Nav: Nav{Username: "u"}}).Body.String()
	if strings.Contains(body, `href="/account/users"`) {
		t.Error("a customer user sees the Users link")
	}
	body = render(t, rd, 200, PageAccount, AccountPage{Nav: Nav{Username: "u", Admin: true}}).Body.String()
	if !strings.Contains(body, `href="/account/users"`) {
		t.Error("an administrator lacks the Users link")
	}
}

func TestAccountPages_escaping(t *testing.T) {
	rd := newTestRenderer(t)
	evil := `<script>alert(1)</script>`
	body := render(t, rd, 200, PageAccount, AccountPage{Nav: Nav{Username: "u"},
		Customer: store.Customer{Name: evil}, Contacts: []store.Contact{{FirstName: evil}}}).Body.String()
	if strings.Contains(body, evil) || !strings.Contains(body, "&lt;script&gt;") {
		t.Error("company or contact name not escaped")
	}
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/account":             "/account",
		"/account/users?x=1":   "/account/users?x=1",
		"":                     "",
		"account":              "",
		"//evil.example/":      "",
		"/\\evil.example":      "",
		"https://evil.example": "",
		"/a\r\nSet-Cookie: x":  "",
	} {
		if got := LocalPath(in); got != want {
			t.Errorf("LocalPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// A table that scrolls sideways on a phone must be reachable by keyboard
// (axe: scrollable-region-focusable).
func TestAccountPages_tableScrollersFocusable(t *testing.T) {
	rd := newTestRenderer(t)
	seen := 0
	for name, s := range accountSamplePages() {
		body := render(t, rd, s.status, name, s.page).Body.String()
		all := strings.Count(body, `class="table-wrap"`)
		focusable := strings.Count(body, `class="table-wrap" tabindex="0"`)
		if all != focusable {
			t.Errorf("%s: %d of %d table scrollers lack tabindex=\"0\"", name, all-focusable, all)
		}
		seen += all
	}
	if seen == 0 {
		t.Fatal("no table scroller in the sample pages; the test checks nothing")
	}
}

// On a phone the tables stack (.table-stack) and each cell shows its
// column's name from data-label, so every cell but the actions needs one.
func TestAccountPages_stackedCellsLabelled(t *testing.T) {
	rd := newTestRenderer(t)
	cell := regexp.MustCompile(`<td[ >][^>]*`)
	seen := 0
	for name, s := range accountSamplePages() {
		body := render(t, rd, s.status, name, s.page).Body.String()
		for _, table := range strings.Split(body, `<table class="table table-stack">`)[1:] {
			table, _, _ = strings.Cut(table, "</table>")
			for _, td := range cell.FindAllString(table, -1) {
				seen++
				if !strings.Contains(td, `data-label="`) && !strings.Contains(td, "cell-action") {
					t.Errorf("%s: cell without data-label: %s", name, td)
				}
			}
		}
	}
	if seen == 0 {
		t.Fatal("no stacked table cell in the sample pages; the test checks nothing")
	}
}

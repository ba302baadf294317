package portal

import (
	"net/url"
	"strings"
	"testing"
)

// validSignup returns a complete, valid sign-up submission.
func validSignup() url.Values {
	return url.Values{
		FieldCompanyName:     {"Acme Tools GmbH"},
		FieldTaxID:           {"DE123456789"},
		FieldStreet:          {"Hauptstraße 1"},
		FieldCity:            {"Berlin"},
		FieldState:           {""},
		FieldPostalCode:      {"10115"},
		FieldCountry:         {"DE"},
		FieldFirstName:       {"Jana"},
		FieldLastName:        {"Schmidt"},
		FieldJobTitle:        {"Buyer"},
		FieldEmail:           {"jana.schmidt@Acme.EXAMPLE"},
		FieldPhone:           {"+49 30 1234567"},
		FieldLanguage:        {"de"},
		FieldUsername:        {"Jana.Schmidt"},
		FieldPassword:        {"correct horse battery staple"},
		FieldPasswordConfirm: {"correct horse battery staple"},
	}
}

func TestSignupForm_Validate_valid(t *testing.T) {
	f := ParseSignupForm(validSignup())
	if errs := f.Validate(); errs != nil {
		t.Fatalf("Validate() = %v, want no errors", errs)
	}
	if f.Email != "jana.schmidt@acme.example" {
		t.Errorf("Email = %q, want domain lower-cased", f.Email)
	}
	if f.Username != "jana.schmidt" {
		t.Errorf("Username = %q, want lower-cased", f.Username)
	}
}

func TestSignupForm_Validate(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name    string
		field   string
		value   string
		wantErr string // substring of the message on field; "" means valid
	}{
		{"company required", FieldCompanyName, "", "Enter your company’s name"},
		{"company only spaces", FieldCompanyName, "   ", "Enter your company’s name"},
		{"company 200", FieldCompanyName, long(200), ""},
		{"company 201", FieldCompanyName, long(201), "200 characters or fewer"},
		{"company counts runes", FieldCompanyName, strings.Repeat("ü", 200), ""},
		{"company script kept", FieldCompanyName, "<script>alert(1)</script>", ""},
		{"company tab", FieldCompanyName, "Acme\tTools", "control characters"},
		{"company newline", FieldCompanyName, "Acme\nTools", "control characters"},
		{"company escape", FieldCompanyName, "Acme\x1b[2J", "control characters"},
		{"company bidi override", FieldCompanyName, "Acme\u202eslooT", "control characters"},
		{"company invalid utf8", FieldCompanyName, "Acme\xff", "could not be read"},
		{"tax id optional", FieldTaxID, "", ""},
		{"tax id slashes", FieldTaxID, "12/345/67890", ""},
		{"tax id 41", FieldTaxID, long(41), "40 characters or fewer"},
		{"tax id symbols", FieldTaxID, "DE#1", "can only contain"},
		{"street required", FieldStreet, "", "Enter the street address"},
		{"street 201", FieldStreet, long(201), "200 characters or fewer"},
		{"city required", FieldCity, "", "Enter the town or city"},
		{"city 101", FieldCity, long(101), "100 characters or fewer"},
		{"state optional", FieldState, "", ""},
		{"state 101", FieldState, long(101), "100 characters or fewer"},
		{"postal required", FieldPostalCode, "", "Enter the postal code"},
		{"postal uk", FieldPostalCode, "SW1A 1AA", ""},
		{"postal 21", FieldPostalCode, "1234567890 1234567890", "20 characters or fewer"},
		{"postal symbols", FieldPostalCode, "10115!", "can only contain"},
		{"country required", FieldCountry, "", "Select the country"},
		{"country lower", FieldCountry, "de", ""},
		{"country unknown", FieldCountry, "XX", "Select a country from the list"},
		{"country alpha3", FieldCountry, "DEU", "Select a country from the list"},
		{"country name", FieldCountry, "Germany", "Select a country from the list"},
		{"first name required", FieldFirstName, "", "Enter your first name"},
		{"first name 101", FieldFirstName, long(101), "100 characters or fewer"},
		{"first name unicode", FieldFirstName, "Zoë", ""},
		{"last name required", FieldLastName, "", "Enter your last name"},
		{"last name 101", FieldLastName, long(101), "100 characters or fewer"},
		{"job title optional", FieldJobTitle, "", ""},
		{"job title 101", FieldJobTitle, long(101), "100 characters or fewer"},
		{"email required", FieldEmail, "", "Enter your email address"},
		{"email no at", FieldEmail, "jana.example.com", "correct format"},
		{"email display name", FieldEmail, "Jana <jana@example.com>", "without a name"},
		{"email angle brackets", FieldEmail, "<jana@example.com>", "without a name"},
		{"email comment", FieldEmail, "jana@example.com (Jana)", "without a name"},
		{"email two", FieldEmail, "a@example.com, b@example.com", "one email address"},
		{"email no dot", FieldEmail, "jana@localhost", "full domain name"},
		{"email ip literal", FieldEmail, "jana@[127.0.0.1]", "full domain name"},
		{"email trailing dot", FieldEmail, "jana@example.com.", "correct format"},
		{"email hyphen label", FieldEmail, "jana@-example.com", "full domain name"},
		{"email local 64", FieldEmail, long(64) + "@example.com", ""},
		{"email local 65", FieldEmail, long(65) + "@example.com", "64 characters"},
		{"email 255", FieldEmail, "a@" + strings.Repeat(strings.Repeat("b", 62)+".", 4) + "com", "254 characters"},
		{"email plus", FieldEmail, "jana+shop@example.co.uk", ""},
		{"email idn", FieldEmail, "jana@bücher.example", ""},
		{"phone required", FieldPhone, "", "Enter your phone number"},
		{"phone us", FieldPhone, "(555) 123-4567", ""},
		{"phone dots", FieldPhone, "+33 1.23.45.67.89", ""},
		{"phone letters", FieldPhone, "555-CALL-NOW", "can only contain"},
		{"phone plus inside", FieldPhone, "49+301234567", "can only contain"},
		{"phone 4 digits", FieldPhone, "1234", "5 to 20 digits"},
		{"phone 21 digits", FieldPhone, "123456789012345678901", "5 to 20 digits"},
		{"phone 41", FieldPhone, "+" + strings.Repeat("1-", 20), "40 characters or fewer"},
		{"language optional", FieldLanguage, "", ""},
		{"language region", FieldLanguage, "pt-br", ""},
		{"language invalid", FieldLanguage, "not a language", "BCP 47"},
		{"language long", FieldLanguage, "en-" + long(40), "BCP 47"},
		{"username required", FieldUsername, "", "Enter a user name"},
		{"username short", FieldUsername, "ab", "at least 3"},
		{"username 32", FieldUsername, long(32), ""},
		{"username 33", FieldUsername, long(33), "32 characters or fewer"},
		{"username upper ok", FieldUsername, "JanaS", ""},
		{"username space", FieldUsername, "jana s", "can only contain"},
		{"username at", FieldUsername, "jana@acme", "can only contain"},
		{"username unicode", FieldUsername, "jäna", "can only contain"},
		{"username leading dot", FieldUsername, ".jana", "start with a letter or a digit"},
		{"username leading digit", FieldUsername, "1jana", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := validSignup()
			v.Set(tt.field, tt.value)
			f := ParseSignupForm(v)
			errs := f.Validate()
			got := errs.Get(tt.field)
			if tt.wantErr == "" {
				if errs != nil {
					t.Fatalf("Validate() = %v, want none", errs)
				}
				return
			}
			if !strings.Contains(got, tt.wantErr) {
				t.Fatalf("message for %s = %q, want it to contain %q (all: %v)", tt.field, got, tt.wantErr, errs)
			}
			if len(errs) != 1 {
				t.Errorf("got %d errors, want 1: %v", len(errs), errs)
			}
		})
	}
}

func TestSignupForm_Validate_password(t *testing.T) {
	tests := []struct {
		name     string
		password string
		confirm  *string // nil: field not sent
		wantErr  string
		field    string
	}{
		{"required", "", nil, "Enter a password", FieldPassword},
		{"14 chars", strings.Repeat("x", 13) + "y", nil, "at least 15", FieldPassword},
		{"15 chars", "glacier-lamp-47", nil, "", ""},
		{"15 runes counted not bytes", "ääääääääääääääb", nil, "", ""},
		{"14 runes of 28 bytes", "ääääääääääääää", nil, "at least 15", FieldPassword},
		{"64 chars", strings.Repeat("ab", 32), nil, "", ""},
		{"128 chars", strings.Repeat("ab", 64), nil, "", ""},
		{"129 chars", strings.Repeat("ab", 64) + "c", nil, "128 characters or fewer", FieldPassword},
		{"spaces allowed", "  spaces around and inside  ", nil, "", ""},
		{"unicode allowed", "пароль-очень-длинный", nil, "", ""},
		{"no composition rules", "alllowercaseletters", nil, "", ""},
		{"common 15+", "qwertyuiopasdfghjkl", nil, "commonly used", FieldPassword},
		{"common any case", "QwertyuiopASDFGHJKL", nil, "commonly used", FieldPassword},
		{"contains username", "my jana.schmidt password", nil, "user name", FieldPassword},
		{"username any case", "JANA.SCHMIDT-is-my-login", nil, "user name", FieldPassword},
		{"contains email", "xx jana.schmidt@acme.example", nil, "user name", FieldPassword},
		{"control char", "a long password\x00here", nil, "control characters", FieldPassword},
		{"confirm matches", "glacier-lamp-47!", ptr("glacier-lamp-47!"), "", ""},
		{"confirm differs", "glacier-lamp-47!", ptr("glacier-lamp-48!"), "do not match", FieldPasswordConfirm},
		{"confirm empty", "glacier-lamp-47!", ptr(""), "again to confirm", FieldPasswordConfirm},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := validSignup()
			v.Set(FieldPassword, tt.password)
			v.Del(FieldPasswordConfirm)
			if tt.confirm != nil {
				v.Set(FieldPasswordConfirm, *tt.confirm)
			}
			f := ParseSignupForm(v)
			errs := f.Validate()
			if tt.wantErr == "" {
				if errs != nil {
					t.Fatalf("Validate() = %v, want none", errs)
				}
				return
			}
			if got := errs.Get(tt.field); !strings.Contains(got, tt.wantErr) {
				t.Fatalf("message for %s = %q, want %q (all: %v)", tt.field, got, tt.wantErr, errs)
			}
		})
	}
}

func TestSignupForm_Validate_emailLocalPartInPassword(t *testing.T) {
	v := validSignup()
	v.Set(FieldUsername, "jschmidt")
	v.Set(FieldPassword, "hello jana.schmidt and more")
	v.Del(FieldPasswordConfirm)
	f := ParseSignupForm(v)
	if got := f.Validate().Get(FieldPassword); !strings.Contains(got, "email address") {
		t.Fatalf("message = %q, want one about the email address", got)
	}
}

func ptr(s string) *string { return &s }

func TestSignupForm_Validate_order(t *testing.T) {
	f := ParseSignupForm(url.Values{FieldPasswordConfirm: {"x"}})
	errs := f.Validate()
	var got []string
	for _, e := range errs {
		got = append(got, e.Field)
	}
	want := []string{FieldCompanyName, FieldStreet, FieldCity, FieldPostalCode, FieldCountry,
		FieldFirstName, FieldLastName, FieldEmail, FieldPhone, FieldUsername, FieldPassword}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("fields = %v\nwant     %v", got, want)
	}
	for _, e := range errs {
		if e.Label == "" || e.Message == "" {
			t.Errorf("%s: label %q, message %q; want both", e.Field, e.Label, e.Message)
		}
	}
}

func TestParseSignupForm(t *testing.T) {
	v := validSignup()
	v.Set(FieldCompanyName, "  Cafe\u0301 Müller  ") // decomposed é
	v.Set(FieldPassword, " pass with spaces kept ")
	f := ParseSignupForm(v)
	if f.CompanyName != "Café Müller" {
		t.Errorf("CompanyName = %q, want trimmed and NFC", f.CompanyName)
	}
	if f.Password != " pass with spaces kept " {
		t.Errorf("Password = %q, want spaces kept", f.Password)
	}
	if f.Value(FieldPassword) != "" || f.Value(FieldPasswordConfirm) != "" {
		t.Error("Value() returned a password; it must never be shown again")
	}
	if f.Value(FieldCompanyName) != f.CompanyName {
		t.Error("Value(company_name) differs from CompanyName")
	}

	bad := ParseSignupForm(url.Values{FieldCity: {"Ber\x00lin\xff"}})
	if strings.ContainsAny(bad.City, "\x00") || !strings.Contains(bad.City, "\uFFFD") {
		t.Errorf("City = %q, want invalid bytes replaced", bad.City)
	}
}

func TestAddSignupError(t *testing.T) {
	f := ParseSignupForm(url.Values{FieldCompanyName: {"Acme"}})
	errs := f.Validate()
	errs = AddSignupError(errs, FieldUsername, MsgUsernameTaken)
	if got := errs.Get(FieldUsername); got != MsgUsernameTaken {
		t.Fatalf("username message = %q", got)
	}
	var order []string
	for _, e := range errs {
		order = append(order, e.Field)
	}
	i := strings.Index(strings.Join(order, ","), "phone,username,password")
	if i < 0 {
		t.Fatalf("order = %v, want username between phone and password", order)
	}
	if n := len(AddSignupError(errs, FieldUsername, "again")); n != len(errs) {
		t.Errorf("re-adding a field changed the count to %d, want %d", n, len(errs))
	}
	only := AddSignupError(nil, FieldUsername, MsgUsernameTaken)
	if len(only) != 1 || only[0].Label != "User name" {
		t.Errorf("AddSignupError(nil) = %v", only)
	}
}

func TestCommonPasswords(t *testing.T) {
	c := LoadCommonPasswords()
	if c.Len() < 100000 {
		t.Fatalf("Len() = %d, want the full list", c.Len())
	}
	for _, pw := range []string{"password", "123456", "Qwertyuiop", "qwertyuiopasdfghjkl", "1qaz2wsx3edc4rfv"} {
		if !c.Contains(pw) {
			t.Errorf("Contains(%q) = false", pw)
		}
	}
	if c.Contains("glacier lamp sofa forty-seven") {
		t.Error("a random passphrase is listed")
	}
	var nilSet *CommonPasswords
	if nilSet.Contains("password") {
		t.Error("nil set contains something")
	}
}

// A small list: every entry is found whatever its case, its neighbours in
// sort order are not, and duplicates count once.
func TestCommonPasswords_smallList(t *testing.T) {
	c := NewCommonPasswords("banana\r\nApple\n\ncherry\napple\nbanana split\n")
	if c.Len() != 4 {
		t.Fatalf("Len() = %d, want 4", c.Len())
	}
	for _, pw := range []string{"apple", "APPLE", "banana", "Banana Split", "cherry"} {
		if !c.Contains(pw) {
			t.Errorf("Contains(%q) = false", pw)
		}
	}
	for _, pw := range []string{"", "a", "appl", "apples", "banana ", "bananasplit", "cherryx", "zzz", "0"} {
		if c.Contains(pw) {
			t.Errorf("Contains(%q) = true", pw)
		}
	}
	if empty := NewCommonPasswords(""); empty.Len() != 0 || empty.Contains("") || empty.Contains("x") {
		t.Error("an empty list contains something")
	}
}

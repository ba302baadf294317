package workflow

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow/domain"
)

func TestTaxIDProblem(t *testing.T) {
	// Known-good numbers: the examples the tax authorities and the common
	// validation libraries (python-stdnum) document for each country.
	good := []struct{ id, country string }{
		{"DE136695976", "DE"}, {"DE 136 695 976", "DE"}, {"136695976", "DE"},
		{"ATU13585627", "AT"}, {"BE0403019261", "BE"}, {"DK13585628", "DK"},
		{"EE100931558", "EE"}, {"EL094259216", "GR"}, {"094259216", "GR"},
		{"ESA13585625", "ES"}, {"FI20774740", "FI"}, {"FR40303265045", "FR"},
		{"HR33392005961", "HR"}, {"HU12892312", "HU"}, {"IT00743110157", "IT"},
		{"LU15027442", "LU"}, {"MT11679112", "MT"}, {"NL004495445B01", "NL"},
		{"NL000099998B57", "NL"}, {"PL8567346215", "PL"}, {"PT501964843", "PT"},
		{"RO18547290", "RO"}, {"SE123456789701", "SE"}, {"SI50223054", "SI"},
		{"SK2022749619", "SK"}, {"GB980780684", "GB"}, {"GB 980 7806 84", "GB"},
		{"GBGD001", "GB"}, {"04-2103594", "US"}, {"042103594", "US"},
		// Countries without a rule here pass whatever they hold.
		{"123", "JP"}, {"anything", "BR"},
		// A VAT number of another EU country is checked by its own prefix.
		{"DE136695976", "FR"},
		{"", "DE"},
	}
	for _, c := range good {
		if p := TaxIDProblem(c.id, c.country); p != "" {
			t.Errorf("TaxIDProblem(%q, %s) = %q, want none", c.id, c.country, p)
		}
	}
	bad := []struct{ id, country, want string }{
		{"DE136695977", "DE", "fails the check digit of a German VAT number"},
		{"DE12345678", "DE", "does not have the form of a German VAT number (like DE123456789)"},
		{"ATU13585626", "AT", "check digit of an Austrian"},
		{"BE0403019262", "BE", "check digit of a Belgian"},
		{"DK13585627", "DK", "check digit of a Danish"},
		{"EE100931559", "EE", "check digit of an Estonian"},
		{"EL094259217", "GR", "check digit of a Greek"},
		{"ES1234", "ES", "form of a Spanish"},
		{"FI20774741", "FI", "check digit of a Finnish"},
		{"FR41303265045", "FR", "check digit of a French"},
		{"HR33392005962", "HR", "check digit of a Croatian"},
		{"HU12892313", "HU", "check digit of a Hungarian"},
		{"IT00743110158", "IT", "check digit of an Italian"},
		{"LU15027443", "LU", "check digit of a Luxembourg"},
		{"MT11679113", "MT", "check digit of a Maltese"},
		{"NL004495446B01", "NL", "check digit of a Dutch"},
		{"NL004495445", "NL", "form of a Dutch"},
		{"PL8567346216", "PL", "check digit of a Polish"},
		{"PT501964844", "PT", "check digit of a Portuguese"},
		{"RO18547291", "RO", "check digit of a Romanian"},
		{"SE123456789801", "SE", "check digit of a Swedish"},
		{"SI50223055", "SI", "check digit of a Slovenian"},
		{"SK2022749618", "SK", "check digit of a Slovak"},
		{"GB980780685", "GB", "check digit of a UK VAT number"},
		{"GB98078068", "GB", "form of a UK VAT number"},
		{"07-2103594", "US", "no IRS office issues the prefix 07"},
		{"04-210359", "US", "form of a US employer identification number"},
	}
	for _, c := range bad {
		p := TaxIDProblem(c.id, c.country)
		if !strings.Contains(p, c.want) || !strings.Contains(p, c.id) {
			t.Errorf("TaxIDProblem(%q, %s) = %q, want it to name the id and say %q", c.id, c.country, p, c.want)
		}
	}
}

func TestPhoneCountryProblem(t *testing.T) {
	good := [][2]string{
		{"+49 89 123456", "DE"}, {"0049 89 123456", "DE"}, {"+1 217 555 0100", "US"},
		{"+1 902 555 0100", "CA"}, {"+44 161 496 0000", "GB"}, {"+358 9 123 456", "FI"},
		{"+30 21 0123 4567", "GR"}, {"(089) 123456", "DE"}, // national form: says nothing
		{"+49 89 123456", "ZZ"}, // no code known for the address country
	}
	for _, c := range good {
		if p := phoneCountryProblem(c[0], c[1]); p != "" {
			t.Errorf("phoneCountryProblem(%q, %s) = %q, want none", c[0], c[1], p)
		}
	}
	bad := []struct{ phone, country, want string }{
		{"+44 161 496 0000", "DE", "Phone +44 161 496 0000 has the code +44 (GB/GG); the address is in DE (+49)"},
		{"+1 217 555 0100", "FR", "has the code +1 (US/CA); the address is in FR (+33)"},
		{"0033 1 23 45 67 89", "US", "has the code +33 (FR); the address is in US (+1)"},
		{"+358 9 123 456", "SE", "has the code +358 (FI/AX); the address is in SE (+46)"},
	}
	for _, c := range bad {
		if p := phoneCountryProblem(c.phone, c.country); !strings.Contains(p, c.want) {
			t.Errorf("phoneCountryProblem(%q, %s) = %q, want %q", c.phone, c.country, p, c.want)
		}
	}
}

func TestRiskLists_AssessFields(t *testing.T) {
	l := NewRiskLists([]string{"burner.example"})
	base := store.Request{Email: "ada@contoso.de", Country: "DE", TaxID: "DE136695976", Phone: "+49 89 123456"}
	if r := l.AssessFields(base); r.Score != 0 || len(r.Signals) != 0 {
		t.Fatalf("a clean request has signals: %+v", r)
	}
	cases := []struct {
		name   string
		change func(*store.Request)
		code   string
		reason string
	}{
		{"disposable domain from the shipped list", func(r *store.Request) { r.Email = "x@mailinator.com" },
			RiskDisposableEmail, "Email domain mailinator.com is a disposable-mail service"},
		{"subdomain of a listed domain", func(r *store.Request) { r.Email = "x@inbox.mailinator.com" },
			RiskDisposableEmail, "inbox.mailinator.com is a disposable-mail service"},
		{"domain added from the operator's file", func(r *store.Request) { r.Email = "x@Burner.Example" },
			RiskDisposableEmail, "burner.example is a disposable-mail service"},
		{"free mail for a company", func(r *store.Request) { r.Email = "ada@gmail.com" },
			RiskFreeMail, "A company sign-up from a free-mail address (gmail.com)"},
		{"bad check digit", func(r *store.Request) { r.TaxID = "DE136695977" },
			RiskTaxID, "fails the check digit of a German VAT number"},
		{"phone from elsewhere", func(r *store.Request) { r.Phone = "+44 20 7946 0000" },
			RiskPhoneCountry, "the address is in DE (+49)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := base
			c.change(&r)
			risk := l.AssessFields(r)
			if len(risk.Signals) != 1 || risk.Signals[0].Code != c.code || !strings.Contains(risk.Signals[0].Reason, c.reason) {
				t.Fatalf("signals = %+v, want one %s saying %q", risk.Signals, c.code, c.reason)
			}
			if risk.Score != riskWeights[c.code] || risk.Flags() != c.code {
				t.Fatalf("score %d flags %q", risk.Score, risk.Flags())
			}
		})
	}
	t.Run("signals add up to at most 100", func(t *testing.T) {
		r := store.Request{Email: "x@mailinator.com", Country: "DE", TaxID: "DE1", Phone: "+44 20 7946 0000"}
		risk := l.AssessFields(r)
		if risk.Score != 95 || risk.Flags() != "disposable_email,tax_id,phone_country" || RiskLevel(risk.Score) != "high" {
			t.Fatalf("risk = %+v", risk)
		}
	})
	t.Run("a purged request has no signals", func(t *testing.T) {
		now := time.Now()
		r := store.Request{Email: "", PurgedAt: &now, Country: "", TaxID: ""}
		if risk := l.AssessFields(r); risk.Score != 0 {
			t.Fatalf("risk = %+v", risk)
		}
	})
}

func TestReadDomainList(t *testing.T) {
	dir := t.TempDir()
	t.Run("missing file is an empty list", func(t *testing.T) {
		got, err := ReadDomainList(filepath.Join(dir, "none.txt"))
		if err != nil || len(got) != 0 {
			t.Fatalf("got %v, %v", got, err)
		}
	})
	t.Run("comments and blank lines", func(t *testing.T) {
		p := filepath.Join(dir, "ok.txt")
		os.WriteFile(p, []byte("# ours\nBurner.Example  # a comment\n\nthrowaway.test\n"), 0o600)
		got, err := ReadDomainList(p)
		if err != nil || strings.Join(got, " ") != "burner.example throwaway.test" {
			t.Fatalf("got %v, %v", got, err)
		}
	})
	t.Run("a line that is not a domain is refused with its line number", func(t *testing.T) {
		p := filepath.Join(dir, "bad.txt")
		os.WriteFile(p, []byte("burner.example\nuser@burner.example\n"), 0o600)
		got, err := ReadDomainList(p)
		if err == nil || !strings.Contains(err.Error(), "line 2") || got != nil {
			t.Fatalf("got %v, %v", got, err)
		}
	})
}

func TestSourceNetwork(t *testing.T) {
	for ip, want := range map[string]string{
		"192.0.2.77": "192.0.2.0/24", "::ffff:192.0.2.9": "192.0.2.0/24",
		"2001:db8:1:2::5": "2001:db8:1::/48", "": "", "not an ip": "",
	} {
		if got := SourceNetwork(ip); got != want {
			t.Errorf("SourceNetwork(%q) = %q, want %q", ip, got, want)
		}
	}
}

func TestService_RiskAtSignUp(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	signUp := func(email, ip string) store.Request {
		t.Helper()
		in := f.input()
		in.Email, in.SourceIP = email, ip
		res, err := f.svc.SignUp(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		r, err := f.db.Read().RequestByNumber(ctx, res.Number)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	t.Run("stored with the request", func(t *testing.T) {
		r := signUp("ada@yopmail.com", "198.51.100.1")
		if r.RiskScore != 50 || r.RiskFlags != RiskDisposableEmail {
			t.Fatalf("stored risk %d %q", r.RiskScore, r.RiskFlags)
		}
		page, err := f.db.Read().Requests(ctx, store.ListRequests{Risky: true})
		if err != nil || len(page) != 1 || page[0].Number != r.Number {
			t.Fatalf("risky list = %v, %v", page, err)
		}
	})
	t.Run("the fifth sign-up from one network within an hour", func(t *testing.T) {
		var last store.Request
		for i := range networkBurst {
			last = signUp(fmt.Sprintf("burst%d@fabrikam%d.test", i, i), fmt.Sprintf("203.0.113.%d", 10+i))
			if i < networkBurst-1 && last.RiskScore != 0 {
				t.Fatalf("sign-up %d already flagged: %q", i+1, last.RiskFlags)
			}
			f.clock.Advance(5 * time.Minute)
		}
		if last.RiskFlags != RiskNetworkBurst {
			t.Fatalf("fifth sign-up flags %q", last.RiskFlags)
		}
		risk, err := f.svc.Risk(ctx, f.db.Read(), last)
		if err != nil || len(risk.Signals) != 1 || risk.Signals[0].Reason != "5 sign-ups from network 203.0.113.0/24 within an hour" {
			t.Fatalf("risk = %+v, %v", risk, err)
		}
		f.clock.Advance(2 * time.Hour)
		if r := signUp("later@fabrikam9.test", "203.0.113.99"); r.RiskScore != 0 {
			t.Fatalf("a sign-up hours later is flagged: %q", r.RiskFlags)
		}
	})
	t.Run("the email domain of an existing customer", func(t *testing.T) {
		created := f.request(domain.Created)
		domain := emailDomain(created.Email)
		r := signUp("colleague@"+domain, "198.51.100.200")
		if r.RiskFlags != RiskExistingCustomer {
			t.Fatalf("flags %q", r.RiskFlags)
		}
		risk, err := f.svc.Risk(ctx, f.db.Read(), r)
		if err != nil || len(risk.Signals) != 1 || risk.Signals[0].Ref != created.CustomerAccount ||
			!strings.Contains(risk.Signals[0].Reason, "Create can join that existing account") {
			t.Fatalf("risk = %+v, %v", risk, err)
		}
		// The customer a request created is not a signal about itself.
		created, _ = f.db.Read().RequestByNumber(ctx, created.Number)
		if risk, err := f.svc.Risk(ctx, f.db.Read(), created); err != nil || len(risk.Signals) != 0 {
			t.Fatalf("own customer flagged: %+v, %v", risk, err)
		}
	})
}

// Package sample fills a database with realistic, varied customer requests
// in every status, for demos, benchmarks and load tests.
package sample

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
)

// Seed adds n requests spread over the year before end, in one bulk load;
// the same seed gives the same data.
func Seed(ctx context.Context, db *store.DB, n int, seed uint64, end time.Time) error {
	return seedRequests(ctx, db, n, seed, end)
}

type place struct{ country, city, state, postal, lang, taxPrefix, phone string }

var seedPlaces = []place{
	{"US", "Springfield", "IL", "62701", "en-US", "US", "+1 217 555 "},
	{"US", "Austin", "TX", "73301", "en-US", "US", "+1 512 555 "},
	{"DE", "München", "BY", "80331", "de-DE", "DE", "+49 89 "},
	{"DE", "Hamburg", "", "20095", "de-DE", "DE", "+49 40 "},
	{"FR", "Lyon", "", "69001", "fr-FR", "FR", "+33 4 "},
	{"GB", "Manchester", "", "M1 1AE", "en-GB", "GB", "+44 161 "},
	{"NL", "Utrecht", "", "3511 AB", "nl-NL", "NL", "+31 30 "},
	{"SE", "Göteborg", "", "411 01", "sv-SE", "SE", "+46 31 "},
	{"ES", "Valencia", "", "46001", "es-ES", "ES", "+34 96 "},
	{"IT", "Torino", "TO", "10121", "it-IT", "IT", "+39 011 "},
	{"JP", "Osaka", "", "530-0001", "ja-JP", "JP", "+81 6 "},
	{"BR", "Curitiba", "PR", "80010-000", "pt-BR", "BR", "+55 41 "},
	{"CA", "Halifax", "NS", "B3H 1A1", "en-CA", "CA", "+1 902 555 "},
	{"AU", "Perth", "WA", "6000", "en-AU", "AU", "+61 8 "},
	{"DK", "Aarhus", "", "8000", "da-DK", "DK", "+45 8 "},
}

var (
	seedFirst = []string{"Ada", "Grace", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Frances",
		"Edsger", "Radia", "Tim", "Hedy", "Alan", "Karen", "John", "Sophie", "Björn", "Amélie",
		"Hiroshi", "Lucía", "Ingrid", "Mateo", "Priya", "Chen", "Olu", "Fatima", "Jonas", "Zoë"}
	seedLast = []string{"Lovelace", "Hopper", "Torvalds", "Hamilton", "Thompson", "Liskov",
		"Ritchie", "Allen", "Dijkstra", "Perlman", "Berners-Lee", "Lamarr", "Turing",
		"Spärck Jones", "Backus", "Wilson", "Lindqvist", "Dubois", "Tanaka", "García", "Larsen",
		"Rossi", "Sharma", "Wang", "Adeyemi", "Haddad", "Becker", "Müller"}
	seedWords = []string{"Northwind", "Contoso", "Fabrikam", "Tailspin", "Litware", "Adatum",
		"Proseware", "Wingtip", "Alpine", "Blue Yonder", "Coho", "Fourth Coffee", "Lucerne",
		"Margie's", "Southridge", "Trey", "Wide World", "Woodgrove", "Humongous", "Graphic",
		"Nordlicht", "Sakura", "Aurora", "Cobalt", "Meridian", "Harbor", "Summit", "Evergreen"}
	seedKinds = []string{"Traders", "Logistics", "Foods", "Systems", "Engineering", "Supplies",
		"Wholesale", "Industries", "Bikes", "Pharma", "Textiles", "Robotics", "Media", "Tools"}
	seedForms = []string{"Ltd", "Inc.", "GmbH", "S.A.", "B.V.", "AB", "S.p.A.", "K.K.", "LLC", "ApS", "plc"}
	seedJobs  = []string{"Purchasing Manager", "Procurement Lead", "Buyer", "Office Manager",
		"Operations Director", "CFO", "Owner", ""}
	seedTLDs = map[string]string{"US": "com", "DE": "de", "FR": "fr", "GB": "co.uk", "NL": "nl",
		"SE": "se", "ES": "es", "IT": "it", "JP": "jp", "BR": "com.br", "CA": "ca", "AU": "com.au", "DK": "dk"}
	seedApprovers = []string{"alice", "bob", "chandra"}
)

// seedRequests adds n requests spread over the past year, in every status,
// in transactions of a few thousand rows.
func seedRequests(ctx context.Context, db *store.DB, n int, seed uint64, end time.Time) error {
	rng := rand.New(rand.NewPCG(seed, uint64(n)))
	const batch = 100_000
	end = end.UTC()
	span := 365 * 24 * time.Hour
	return db.BulkLoad(ctx, func(tx *store.Tx) error {
		for done := 0; done < n; done += min(batch, n-done) {
			if err := seedBatch(ctx, tx, rng, done, min(batch, n-done), n, end, span); err != nil {
				return fmt.Errorf("seed: %w", err)
			}
		}
		return nil
	})
}

// seedBatch adds k requests, the done-th to the (done+k)-th of n.
func seedBatch(ctx context.Context, tx *store.Tx, rng *rand.Rand, done, k, n int, end time.Time, span time.Duration) error {
	p, err := workflow.LoadParams(ctx, &tx.Queries)
	if err != nil {
		return err
	}
	first, err := tx.NextValues(ctx, store.SeqRegistration, int64(k))
	if err != nil {
		return err
	}
	lists := workflow.NewRiskLists(nil)
	rs := make([]store.Request, k)
	var created []int // indexes into rs that become customers
	for i := range rs {
		seq := first + int64(i)
		number, err := workflow.FormatNumber(p.String(workflow.ParamSeqRegistration), seq)
		if err != nil {
			return err
		}
		at := end.Add(-span + time.Duration(float64(span)*float64(done+i)/float64(n)))
		rs[i] = seedRequest(rng, number, seq, at, end)
		// The signals that compare requests with each other (bursts, known
		// domains) are left out: sample data has neither.
		risk := lists.AssessFields(rs[i])
		rs[i].RiskScore, rs[i].RiskFlags = risk.Score, risk.Flags()
		if rs[i].Status == domain.Created {
			created = append(created, i)
		}
	}
	if err := seedCustomers(ctx, tx, p, rs, created); err != nil {
		return err
	}
	return tx.InsertRequestsBulk(ctx, rs)
}

// domainReplacer drops what a company name has that a domain cannot.
var domainReplacer = strings.NewReplacer(" ", "", "'", "")

func pick[T any](rng *rand.Rand, s []T) T { return s[rng.IntN(len(s))] }

func seedRequest(rng *rand.Rand, number string, seq int64, at, end time.Time) store.Request {
	pl := pick(rng, seedPlaces)
	word, kind := pick(rng, seedWords), pick(rng, seedKinds)
	first, last := pick(rng, seedFirst), pick(rng, seedLast)
	mailDomain := strings.ToLower(domainReplacer.Replace(word+kind)) + "." + seedTLDs[pl.country]
	r := store.Request{
		Number: number, CompanyName: word + " " + kind + " " + pick(rng, seedForms),
		Street: fmt.Sprintf("%d %s Street", 1+rng.IntN(400), pick(rng, seedLast)),
		City:   pl.city, State: pl.state, PostalCode: pl.postal, Country: pl.country,
		FirstName: first, LastName: last, JobTitle: pick(rng, seedJobs),
		Email:    strings.ToLower(asciiOnly(first)+"."+asciiOnly(last)) + fmt.Sprintf("%d@", seq) + mailDomain,
		Phone:    pl.phone + fmt.Sprintf("%04d %03d", rng.IntN(10000), rng.IntN(1000)),
		Language: pl.lang, Username: strings.ToLower(asciiOnly(first)) + fmt.Sprintf(".%d", seq),
		CreatedAt: at, UpdatedAt: at, SourceIP: fmt.Sprintf("192.0.2.%d", rng.IntN(254)+1),
	}
	if rng.IntN(3) > 0 {
		r.TaxID = sampleTaxID(pl.country, rng.IntN(1_000_000_000), seq%41 == 0)
	}
	// A few requests carry what the risk signals look for, derived from the
	// sequence number so the random stream (and so the rest of the data) is
	// the same with or without them.
	switch {
	case seq%53 == 0:
		r.Email = strings.Split(r.Email, "@")[0] + "@" + []string{"mailinator.com", "yopmail.com", "10minutemail.com"}[seq%3]
	case seq%29 == 0:
		r.Email = strings.Split(r.Email, "@")[0] + "@gmail.com"
	}
	if seq%61 == 0 && pl.country != "GB" {
		r.Phone = "+44 20 7946 " + fmt.Sprintf("%04d", seq%10000)
	}
	// Older requests are mostly decided; recent ones are mostly waiting.
	roll := rng.IntN(100)
	age := end.Sub(at)
	switch {
	case age > 30*24*time.Hour && roll < 45:
		r.Status = domain.Created
	case age > 30*24*time.Hour && roll < 70:
		r.Status = domain.Rejected
	case age > 14*24*time.Hour && roll < 85:
		r.Status = domain.Expired
	case roll < 20:
		r.Status = domain.Requested
	case roll < 80:
		r.Status = domain.Verified
	default:
		r.Status = domain.Approved
	}
	if r.Status != domain.Requested && r.Status != domain.Expired {
		v := at.Add(time.Duration(rng.IntN(180)) * time.Minute)
		r.VerifiedAt = &v
	}
	switch r.Status {
	case domain.Approved, domain.Created, domain.Rejected:
		d := at.Add(time.Duration(1+rng.IntN(72)) * time.Hour)
		r.DecidedAt, r.DecidedBy, r.UpdatedAt = &d, pick(rng, seedApprovers), d
	}
	if r.Status == domain.Rejected {
		r.RejectReason = pick(rng, []string{"duplicate", "incomplete", "unverifiable", "not_eligible"})
	}
	return r
}

// seedCustomers makes a customer account for each created request.
func seedCustomers(ctx context.Context, tx *store.Tx, p workflow.Params, rs []store.Request, created []int) error {
	if len(created) == 0 {
		return nil
	}
	first, err := tx.NextValues(ctx, store.SeqCustomer, int64(len(created)))
	if err != nil {
		return err
	}
	cs := make([]store.Customer, len(created))
	for j, i := range created {
		r := rs[i]
		account, err := workflow.FormatNumber(p.String(workflow.ParamSeqCustomer), first+int64(j))
		if err != nil {
			return err
		}
		t := seedTemplates[0]
		for _, x := range seedTemplates {
			if strings.Contains(x.countries, r.Country) {
				t = x
			}
		}
		cs[j] = store.Customer{Account: account, Name: r.CompanyName, TaxID: r.TaxID,
			Street: r.Street, City: r.City, State: r.State, PostalCode: r.PostalCode,
			Country: r.Country, Template: t.code, CustomerGroup: t.group, Currency: t.currency,
			Language: r.Language, PaymentTerms: t.terms, CreatedAt: *r.DecidedAt, CreatedBy: r.DecidedBy}
	}
	if err := tx.InsertCustomersBulk(ctx, cs); err != nil {
		return err
	}
	for j, i := range created {
		rs[i].CustomerID = &cs[j].ID
	}
	return nil
}

// seedTemplates mirror the customer templates the schema starts with.
var seedTemplates = []struct{ code, group, currency, terms, countries string }{
	{"STANDARD", "DOM", "USD", "Net 30", "US CA GB"},
	{"EU", "EU", "EUR", "Net 30", "DE FR NL SE ES IT DK"},
	{"EXPORT", "EXP", "USD", "Prepayment", "JP BR AU"},
}

func asciiOnly(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z':
			b.WriteRune(r)
		case r == 'ä' || r == 'á' || r == 'à':
			b.WriteByte('a')
		case r == 'ö' || r == 'ó':
			b.WriteByte('o')
		case r == 'ü' || r == 'ú':
			b.WriteByte('u')
		case r == 'é' || r == 'è' || r == 'ë':
			b.WriteByte('e')
		case r == 'í':
			b.WriteByte('i')
		}
	}
	return b.String()
}

// sampleTaxID makes a tax id of the country's form from n whose check digit
// is right, or wrong when bad is set.
func sampleTaxID(country string, n int, bad bool) string {
	d := func(s string) []int {
		out := make([]int, len(s))
		for i, r := range s {
			out[i] = int(r - '0')
		}
		return out
	}
	luhn := func(s string) int { // the digit that makes s+digit pass Luhn
		sum := 0
		ds := d(s)
		for i := range ds {
			x := ds[len(ds)-1-i]
			if i%2 == 0 {
				if x *= 2; x > 9 {
					x -= 9
				}
			}
			sum += x
		}
		return (10 - sum%10) % 10
	}
	flip := func(c int) int {
		if bad {
			return (c + 1) % 10
		}
		return c
	}
	switch country {
	case "US":
		return fmt.Sprintf("%02d-%07d", 20+n%8, n%10_000_000)
	case "DE":
		body := fmt.Sprintf("%08d", n%100_000_000)
		p := 10
		for _, x := range d(body) {
			t := (x + p) % 10
			if t == 0 {
				t = 10
			}
			p = 2 * t % 11
		}
		return fmt.Sprintf("DE%s%d", body, flip((11-p)%10))
	case "FR":
		siren := n % 1_000_000_000
		key := (12 + 3*(siren%97)) % 97
		if bad {
			key = (key + 1) % 97
		}
		return fmt.Sprintf("FR%02d%09d", key, siren)
	case "GB":
		body := fmt.Sprintf("%07d", n%10_000_000)
		sum := 0
		for i, x := range d(body) {
			sum += x * (8 - i)
		}
		c := (97 - sum%97) % 97
		if bad {
			c = (c + 1) % 97
		}
		return fmt.Sprintf("GB%s%02d", body, c)
	case "NL":
		for m := n; ; m++ {
			body := fmt.Sprintf("%08d", m%100_000_000)
			sum := 0
			for i, x := range d(body) {
				sum += x * (9 - i)
			}
			if r := sum % 11; r < 10 {
				return fmt.Sprintf("NL%s%dB01", body, flip(r))
			}
		}
	case "SE":
		body := fmt.Sprintf("%09d", n%1_000_000_000)
		return fmt.Sprintf("SE%s%d01", body, flip(luhn(body)))
	case "IT":
		body := fmt.Sprintf("%010d", n)
		return fmt.Sprintf("IT%s%d", body, flip(luhn(body)))
	case "DK":
		for m := n; ; m++ {
			body := fmt.Sprintf("%07d", m%10_000_000)
			sum := 0
			for i, x := range d(body) {
				sum += x * []int{2, 7, 6, 5, 4, 3, 2}[i]
			}
			if c := (11 - sum%11) % 11; c < 10 {
				return fmt.Sprintf("DK%s%d", body, flip(c))
			}
		}
	case "ES":
		return fmt.Sprintf("ESB%08d", n%100_000_000)
	}
	return fmt.Sprintf("%s%09d", country, n)
}

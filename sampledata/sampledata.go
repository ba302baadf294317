// Package sampledata fills a database with realistic sample requests, for
// demos (regdesk seed), benchmarks and tests.
package sampledata

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
)

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

// Requests adds n requests spread over the year before end, in every status,
// in transactions of many thousand rows. The same seed gives the same data.
func Requests(ctx context.Context, db *store.DB, n int, seed uint64, end time.Time) error {
	rng := rand.New(rand.NewPCG(seed, uint64(n)))
	const batch = 50000
	end = end.UTC()
	span := 365 * 24 * time.Hour
	done := 0
	for done < n {
		k := min(batch, n-done)
		err := db.WithTx(ctx, func(tx *store.Tx) error {
			p, err := workflow.LoadParams(ctx, &tx.Queries)
			if err != nil {
				return err
			}
			first, err := tx.NextValues(ctx, store.SeqRegistration, int64(k))
			if err != nil {
				return err
			}
			rs := make([]store.Request, k)
			for i := range rs {
				seq := first + int64(i)
				number, err := workflow.FormatNumber(p.String(workflow.ParamSeqRegistration), seq)
				if err != nil {
					return err
				}
				at := end.Add(-span + time.Duration(float64(span)*float64(done+i)/float64(n)))
				rs[i] = seedRequest(rng, number, seq, at, end)
				if rs[i].Status == workflow.Created {
					c, err := seedCustomer(ctx, tx, p, rs[i])
					if err != nil {
						return err
					}
					rs[i].CustomerID = &c
				}
			}
			return tx.InsertRequestsBulk(ctx, rs)
		})
		if err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		done += k
	}
	return nil
}

func pick[T any](rng *rand.Rand, s []T) T { return s[rng.IntN(len(s))] }

func seedRequest(rng *rand.Rand, number string, seq int64, at, end time.Time) store.Request {
	pl := pick(rng, seedPlaces)
	word, kind := pick(rng, seedWords), pick(rng, seedKinds)
	first, last := pick(rng, seedFirst), pick(rng, seedLast)
	domain := strings.ToLower(strings.NewReplacer(" ", "", "'", "").Replace(word+kind)) + "." + seedTLDs[pl.country]
	r := store.Request{
		Number: number, CompanyName: word + " " + kind + " " + pick(rng, seedForms),
		Street: fmt.Sprintf("%d %s Street", 1+rng.IntN(400), pick(rng, seedLast)),
		City:   pl.city, State: pl.state, PostalCode: pl.postal, Country: pl.country,
		FirstName: first, LastName: last, JobTitle: pick(rng, seedJobs),
		Email:    strings.ToLower(asciiOnly(first)+"."+asciiOnly(last)) + fmt.Sprintf("%d@", seq) + domain,
		Phone:    pl.phone + fmt.Sprintf("%04d %03d", rng.IntN(10000), rng.IntN(1000)),
		Language: pl.lang, Username: strings.ToLower(asciiOnly(first)) + fmt.Sprintf(".%d", seq),
		CreatedAt: at, UpdatedAt: at, SourceIP: fmt.Sprintf("192.0.2.%d", rng.IntN(254)+1),
	}
	if rng.IntN(3) > 0 {
		r.TaxID = fmt.Sprintf("%s%09d", pl.taxPrefix, rng.IntN(1_000_000_000))
	}
	// Older requests are mostly decided; recent ones are mostly waiting.
	roll := rng.IntN(100)
	age := end.Sub(at)
	switch {
	case age > 30*24*time.Hour && roll < 45:
		r.Status = workflow.Created
	case age > 30*24*time.Hour && roll < 70:
		r.Status = workflow.Rejected
	case age > 14*24*time.Hour && roll < 85:
		r.Status = workflow.Expired
	case roll < 20:
		r.Status = workflow.Requested
	case roll < 80:
		r.Status = workflow.Verified
	default:
		r.Status = workflow.Approved
	}
	if r.Status != workflow.Requested && r.Status != workflow.Expired {
		v := at.Add(time.Duration(rng.IntN(180)) * time.Minute)
		r.VerifiedAt = &v
	}
	switch r.Status {
	case workflow.Approved, workflow.Created, workflow.Rejected:
		d := at.Add(time.Duration(1+rng.IntN(72)) * time.Hour)
		r.DecidedAt, r.DecidedBy, r.UpdatedAt = &d, pick(rng, seedApprovers), d
	}
	if r.Status == workflow.Rejected {
		r.RejectReason = pick(rng, []string{"duplicate", "incomplete", "unverifiable", "not_eligible"})
	}
	return r
}

func seedCustomer(ctx context.Context, tx *store.Tx, p workflow.Params, r store.Request) (int64, error) {
	v, err := tx.NextValue(ctx, store.SeqCustomer)
	if err != nil {
		return 0, err
	}
	account, err := workflow.FormatNumber(p.String(workflow.ParamSeqCustomer), v)
	if err != nil {
		return 0, err
	}
	tmpl := "STANDARD"
	switch r.Country {
	case "DE", "FR", "NL", "SE", "ES", "IT", "DK":
		tmpl = "EU"
	case "JP", "BR", "AU":
		tmpl = "EXPORT"
	}
	c := store.Customer{Account: account, Name: r.CompanyName, TaxID: r.TaxID, Street: r.Street,
		City: r.City, State: r.State, PostalCode: r.PostalCode, Country: r.Country, Template: tmpl,
		CustomerGroup: map[string]string{"STANDARD": "DOM", "EU": "EU", "EXPORT": "EXP"}[tmpl],
		Currency:      map[string]string{"STANDARD": "USD", "EU": "EUR", "EXPORT": "USD"}[tmpl],
		Language:      r.Language, PaymentTerms: "Net 30", CreatedBy: r.DecidedBy}
	if err := tx.InsertCustomer(ctx, &c); err != nil {
		return 0, err
	}
	return c.ID, nil
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

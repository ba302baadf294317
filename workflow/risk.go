package workflow

import (
	"bufio"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/regdesk/regdesk/store"
)

// Risk signal codes, stored comma-separated on the request (risk_flags).
const (
	RiskDisposableEmail  = "disposable_email"
	RiskFreeMail         = "free_mail"
	RiskTaxID            = "tax_id"
	RiskPhoneCountry     = "phone_country"
	RiskNetworkBurst     = "network_burst"
	RiskExistingCustomer = "existing_customer"
)

// riskWeights add up to a request's risk score (at most 100).
var riskWeights = map[string]int{
	RiskDisposableEmail: 50, RiskTaxID: 30, RiskNetworkBurst: 30,
	RiskPhoneCountry: 15, RiskFreeMail: 10, RiskExistingCustomer: 5,
}

// networkBurst is how many sign-ups from one network (an IPv4 /24 or an
// IPv6 /48) within networkWindow make a burst, this one included.
const (
	networkBurst  = 5
	networkWindow = time.Hour
)

// RiskSignal is one reason to look twice at a request, in words an approver
// can check against the request.
type RiskSignal struct {
	Code   string `json:"code"`
	Reason string `json:"reason"`
	// Ref is the customer account an existing_customer signal points at.
	Ref string `json:"ref,omitempty"`
}

// Risk is a request's signals and their score, 0 (none) to 100.
type Risk struct {
	Score   int          `json:"score"`
	Signals []RiskSignal `json:"signals"`
}

// Flags are the signal codes as stored on the request.
func (r Risk) Flags() string {
	codes := make([]string, len(r.Signals))
	for i, s := range r.Signals {
		codes[i] = s.Code
	}
	return strings.Join(codes, ",")
}

func (r *Risk) add(code, reason, ref string) {
	r.Signals = append(r.Signals, RiskSignal{Code: code, Reason: reason, Ref: ref})
	r.Score = min(r.Score+riskWeights[code], 100)
}

// RiskLevel names a score for the queue: "", "low", "medium" or "high".
func RiskLevel(score int) string {
	switch {
	case score >= 50:
		return "high"
	case score >= 25:
		return "medium"
	case score > 0:
		return "low"
	}
	return ""
}

//go:embed riskdata/disposable_email_blocklist.conf
var disposableList string

// freeMailDomains are mailbox providers anyone can sign up with: fine for a
// person, odd for a company, and shared by unrelated people (so a matching
// domain says nothing about a duplicate).
var freeMailDomains = map[string]bool{
	"gmail.com": true, "googlemail.com": true, "outlook.com": true, "hotmail.com": true,
	"live.com": true, "msn.com": true, "yahoo.com": true, "ymail.com": true, "icloud.com": true,
	"me.com": true, "mac.com": true, "aol.com": true, "proton.me": true, "protonmail.com": true,
	"gmx.de": true, "gmx.net": true, "gmx.com": true, "web.de": true, "t-online.de": true,
	"mail.com": true, "yandex.ru": true, "yandex.com": true, "mail.ru": true, "qq.com": true,
	"163.com": true, "126.com": true, "orange.fr": true, "free.fr": true, "laposte.net": true,
	"libero.it": true, "zoho.com": true, "hotmail.co.uk": true, "yahoo.co.uk": true,
	"btinternet.com": true, "example.com": true,
}

// RiskLists are the domain lists the signals use: the disposable-mail
// domains shipped in the binary plus any the operator adds.
type RiskLists struct {
	disposable map[string]bool
}

// NewRiskLists builds the lists from the embedded disposable-mail list and
// extra domains.
func NewRiskLists(extra []string) *RiskLists {
	l := &RiskLists{disposable: make(map[string]bool, 9000)}
	for _, d := range strings.Split(disposableList, "\n") {
		if d = strings.TrimSpace(d); d != "" {
			l.disposable[d] = true
		}
	}
	for _, d := range extra {
		l.disposable[strings.ToLower(strings.TrimSpace(d))] = true
	}
	return l
}

// ReadDomainList reads a file of domains, one a line, # starting a comment.
// A missing file is an empty list: the file is optional.
func ReadDomainList(path string) ([]string, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return []string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("domain list: %w", err)
	}
	defer f.Close()
	return parseDomainList(f, path)
}

func parseDomainList(r io.Reader, name string) ([]string, error) {
	var out []string
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		line = strings.ToLower(strings.TrimSpace(line))
		if line == "" {
			continue
		}
		if strings.ContainsAny(line, " @/") || !strings.Contains(line, ".") {
			return nil, fmt.Errorf("domain list %s line %d: %q is not a domain", name, n, line)
		}
		out = append(out, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("domain list %s: %w", name, err)
	}
	return out, nil
}

// disposableDomain reports whether domain or a parent of it is listed
// (mail.example.tk under example.tk).
func (l *RiskLists) disposableDomain(domain string) bool {
	for d := domain; d != ""; {
		if l.disposable[d] {
			return true
		}
		_, rest, ok := strings.Cut(d, ".")
		if !ok || !strings.Contains(rest, ".") {
			return false
		}
		d = rest
	}
	return false
}

func emailDomain(email string) string {
	_, domain, ok := strings.Cut(strings.TrimSpace(email), "@")
	if !ok {
		return ""
	}
	return strings.ToLower(domain)
}

// AssessFields finds the signals that need nothing but the request itself:
// the email domain, the tax id and the phone number.
func (l *RiskLists) AssessFields(r store.Request) Risk {
	var risk Risk
	if r.PurgedAt != nil {
		return risk
	}
	domain := emailDomain(r.Email)
	switch {
	case domain != "" && l.disposableDomain(domain):
		risk.add(RiskDisposableEmail, fmt.Sprintf("Email domain %s is a disposable-mail service", domain), "")
	case freeMailDomains[domain]:
		risk.add(RiskFreeMail, fmt.Sprintf("A company sign-up from a free-mail address (%s)", domain), "")
	}
	if p := TaxIDProblem(r.TaxID, r.Country); p != "" {
		risk.add(RiskTaxID, p, "")
	}
	if p := phoneCountryProblem(r.Phone, r.Country); p != "" {
		risk.add(RiskPhoneCountry, p, "")
	}
	return risk
}

// SourceNetwork is the network a sign-up came from, for counting bursts:
// the /24 of an IPv4 address, the /48 of an IPv6 one (one site's share);
// "" when ip is not an address.
func SourceNetwork(ip string) string {
	net, net48, _ := store.Networks(strings.TrimSpace(ip))
	if net48 != "" {
		return net48
	}
	return net
}

// assessRisk finds every signal for r, reading the store for the ones that
// compare it with other records.
func (s *Service) assessRisk(ctx context.Context, q *store.Queries, r store.Request) (Risk, error) {
	risk := s.risk.AssessFields(r)
	if r.PurgedAt != nil {
		return risk, nil
	}
	if net := SourceNetwork(r.SourceIP); net != "" {
		n, err := q.CountNetworkSignups(ctx, net, r.CreatedAt.Add(-networkWindow), r.ID)
		if err != nil {
			return risk, err
		}
		if n+1 >= networkBurst {
			risk.add(RiskNetworkBurst, fmt.Sprintf("%d sign-ups from network %s within an hour", n+1, net), "")
		}
	}
	if domain := emailDomain(r.Email); domain != "" && !freeMailDomains[domain] && !s.risk.disposableDomain(domain) {
		cs, err := q.CustomersByEmailDomain(ctx, domain, 1)
		if err != nil {
			return risk, err
		}
		if len(cs) > 0 && (r.CustomerID == nil || *r.CustomerID != cs[0].ID) {
			risk.add(RiskExistingCustomer, fmt.Sprintf("Email domain %s belongs to customer %s (%s): Create can join that existing account",
				domain, cs[0].Account, cs[0].Name), cs[0].Account)
		}
	}
	return risk, nil
}

// Risk recomputes a request's signals as they stand now (the stored score
// is the one from sign-up or the last edit).
func (s *Service) Risk(ctx context.Context, q *store.Queries, r store.Request) (Risk, error) {
	risk, err := s.assessRisk(ctx, q, r)
	if err != nil {
		return Risk{}, fmt.Errorf("risk of %s: %w", r.Number, err)
	}
	return risk, nil
}

// RefreshRisk recomputes and stores the risk of a request in tx; a change
// to its fields calls it so the queue's risk column stays true.
func (s *Service) RefreshRisk(ctx context.Context, tx *store.Tx, r store.Request) error {
	risk, err := s.Risk(ctx, &tx.Queries, r)
	if err != nil {
		return err
	}
	return tx.SetRequestRisk(ctx, r.ID, risk.Score, risk.Flags())
}

// HasSignal reports whether flags (as stored) name code.
func HasSignal(flags, code string) bool {
	return slices.Contains(strings.Split(flags, ","), code)
}

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/regdesk/regdesk/store"
)

// TestBadInput_signup sends thousands of malformed and hostile sign-ups to the
// real binary on loopback and checks that none gets a 5xx, nothing panics,
// and every request stored passes the portal's rules. REGDESK_BADINPUT_N sets
// the number of requests (default 1000, 300 under the race detector, where
// serve is several times slower; each pass of `make test` sends its own).
func TestBadInput_signup(t *testing.T) {
	t.Parallel()
	n := 1000
	if raceBuild {
		n = 300
	}
	if v := os.Getenv("REGDESK_BADINPUT_N"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			t.Fatalf("REGDESK_BADINPUT_N=%q: want a positive number", v)
		}
	}
	data := newData(t)
	// The limits per client address and per email address would answer
	// most of the run with 429 before validation; lift them.
	cli(t, data, "params", "set", "signup.per_ip_per_hour", "100000")
	cli(t, data, "params", "set", "signup.per_address_per_hour", "1000")
	p := startServe(t, data, nil)
	base := strings.TrimRight(p.url, "/")
	client := &http.Client{Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	if resp, err := client.Get(base + "/signup"); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /signup: %d", resp.StatusCode)
		}
	}

	cases := hostileSignups(n)
	statuses := map[int]int{}
	codes := map[string]int{} // by case name
	var mu sync.Mutex
	var failures []string
	var wg sync.WaitGroup
	work := make(chan hostileCase)
	// As many clients as serve has hashing slots (one per CPU), so a valid
	// sign-up never waits for a slot: every answer is about the request,
	// never the 503 a busy server gives when its slots stay taken.
	for range runtime.NumCPU() {
		wg.Go(func() {
			for c := range work {
				code, err := c.send(client, base)
				mu.Lock()
				switch {
				case err != nil && !c.mayDrop:
					failures = append(failures, fmt.Sprintf("%s: %v", c.name, err))
				case code >= 500:
					failures = append(failures, fmt.Sprintf("%s: status %d", c.name, code))
				}
				statuses[code]++
				codes[c.name] = code
				mu.Unlock()
			}
		})
	}
	start := time.Now()
	for _, c := range cases {
		work <- c
	}
	close(work)
	wg.Wait()
	took := time.Since(start)
	if len(failures) > 0 {
		t.Errorf("%d of %d requests failed; first ones:\n%s", len(failures), len(cases),
			strings.Join(failures[:min(20, len(failures))], "\n"))
	}
	if resp, err := client.Get(base + "/healthz"); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("serve unhealthy after the run: %v", err)
	} else {
		resp.Body.Close()
	}
	p.stop(t)
	if l := p.stderr.String(); strings.Contains(l, "panic") || strings.Contains(l, "goroutine ") {
		t.Errorf("serve logged a panic:\n%s", clipLog(l))
	}

	db, err := store.OpenExisting(context.Background(), dataDB(data), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rs, err := db.Read().Requests(context.Background(), store.ListRequests{})
	if err != nil {
		t.Fatal(err)
	}
	// Every request from an address: a later sign-up for an address nobody
	// confirmed replaces the earlier one (which stays, expired), and the
	// hostile forms reuse the valid ones' addresses.
	byEmail := map[string][]store.Request{}
	for _, r := range rs {
		if problems := invalidRequest(r); len(problems) > 0 {
			t.Errorf("stored request %s breaks the rules: %s", r.Number, strings.Join(problems, "; "))
		}
		e := strings.ToLower(r.Email)
		byEmail[e] = append(byEmail[e], r)
	}
	// A portal that refused everything would pass the checks above: the
	// valid sign-ups among the hostile ones must have been taken, with
	// their text stored as it was typed.
	for i := range validSignups {
		name, want := fmt.Sprintf("valid %d", i), validForm(i)
		if i%2 == 1 {
			want.Set("company_name", boldCompany(i))
		}
		if codes[name] != http.StatusSeeOther {
			t.Errorf("%s: status %d, want 303 to /signup/sent", name, codes[name])
		}
		stored := byEmail[strings.ToLower(want.Get("email"))]
		if len(stored) == 0 {
			t.Errorf("%s was not stored", name)
			continue
		}
		if !slices.ContainsFunc(stored, func(r store.Request) bool {
			return r.CompanyName == want.Get("company_name") && r.Username == want.Get("username")
		}) {
			t.Errorf("%s stored as %q / %q, want %q / %q", name, stored[0].CompanyName, stored[0].Username,
				want.Get("company_name"), want.Get("username"))
		}
	}
	// Refused outright, and nothing stored: another site's post, and the
	// methods other than POST.
	for name, want := range map[string]struct {
		code  int
		email string
	}{
		"cross-origin": {http.StatusForbidden, validForm(9002).Get("email")},
		"PUT":          {http.StatusMethodNotAllowed, validForm(9003).Get("email")},
	} {
		if codes[name] != want.code {
			t.Errorf("%s: status %d, want %d", name, codes[name], want.code)
		}
		if _, ok := byEmail[want.email]; ok {
			t.Errorf("%s was stored", name)
		}
	}
	t.Logf("bad-input run: %d requests in %s, statuses %v, %d requests stored, all valid; no 5xx, no panic",
		len(cases), took.Round(time.Millisecond), statuses, len(rs))
}

func clipLog(s string) string {
	if len(s) > 4000 {
		return s[:4000] + "\n…"
	}
	return s
}

// hostileCase is one request of the run.
type hostileCase struct {
	name        string
	method      string
	contentType string
	headers     map[string]string
	body        []byte
	mayDrop     bool // oversized: the server may close the connection mid-upload
}

func (c hostileCase) send(client *http.Client, base string) (int, error) {
	req, err := http.NewRequest(c.method, base+"/signup", bytes.NewReader(c.body))
	if err != nil {
		return 0, err
	}
	if c.contentType != "" {
		req.Header.Set("Content-Type", c.contentType)
	}
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, nil
}

// validSignups is how many valid sign-ups the run carries ("valid N").
const validSignups = 20

// boldCompany is a company name with markup that must be stored as text.
func boldCompany(i int) string { return fmt.Sprintf("<b>Bold</b> & \"Quoted\" %d 'Ltd'", i) }

// validForm is a sign-up the portal accepts; i makes email and user name unique.
func validForm(i int) url.Values {
	return url.Values{
		"company_name": {fmt.Sprintf("Contoso %d Ltd", i)}, "street": {"1 High Street"},
		"city": {"Manchester"}, "postal_code": {"M1 1AE"}, "country": {"GB"},
		"first_name": {"Ada"}, "last_name": {"Lovelace"}, "email": {fmt.Sprintf("ada%d@contoso.example", i)},
		"phone": {"+44 161 555 0100"}, "username": {fmt.Sprintf("ada%d", i)},
		"password":         {"correct horse battery staple " + strconv.Itoa(i)},
		"password_confirm": {"correct horse battery staple " + strconv.Itoa(i)},
	}
}

var signupFieldNames = []string{"company_name", "tax_id", "street", "city", "state", "postal_code",
	"country", "first_name", "last_name", "job_title", "email", "phone", "language", "username",
	"password", "password_confirm"}

// hostileValues are field values that must be refused or stored harmlessly.
var hostileValues = []string{
	"", " ", "\x00", "a\x00b", "\x1b[2J\x1b[H", "\x1b]0;pwned\x07", "evil\u202egnp.exe", "\u2066x\u2069",
	"line\r\nBcc: victim@example.com", "\t", "\ufeffBOM", "'; DROP TABLE customer_requests; --",
	"\" OR 1=1 --", "<script>alert(1)</script>", "{{.Link}}", "${jndi:ldap://x}", "../../etc/passwd",
	"%00", "\xff\xfe\xfd", "\xc0\xaf", "\xed\xa0\x80", strings.Repeat("A", 201), strings.Repeat("é", 300),
	strings.Repeat("💥", 50), "e\u0301\u0301\u0301\u0301", "ZZ", "de", "12", "x@y@z", "a@b", "@example.com",
	"ADMIN", "root", "ab", strings.Repeat("u", 33), "user name", "ümlaut", "-lead", "\u00a0\u2003",
	"ada0@contoso.example", "ada0", "zz-Latn-999", "en-US-u-ca-gregory-" + strings.Repeat("x", 100),
	"short", strings.Repeat("p", 129), "password123456789",
}

func hostileSignups(n int) []hostileCase {
	rng := rand.New(rand.NewPCG(7, 42))
	form := "application/x-www-form-urlencoded"
	var out []hostileCase
	add := func(c hostileCase) {
		if c.method == "" {
			c.method = http.MethodPost
		}
		out = append(out, c)
	}
	// A few valid sign-ups, some with text that must be stored as text.
	for i := range validSignups {
		v := validForm(i)
		if i%2 == 1 {
			v.Set("company_name", boldCompany(i))
		}
		add(hostileCase{name: fmt.Sprintf("valid %d", i), contentType: form, body: []byte(v.Encode())})
	}
	// Fixed malformed bodies and encodings.
	fixed := []hostileCase{
		{name: "empty body", contentType: form},
		{name: "bad percent escape", contentType: form, body: []byte("company_name=%zz&email=%")},
		{name: "only separators", contentType: form, body: []byte("&&&===&=&")},
		{name: "semicolons", contentType: form, body: []byte("company_name=a;email=b;username=c")},
		{name: "no content type", body: []byte(validForm(9000).Encode())},
		{name: "json", contentType: "application/json", body: []byte(`{"company_name":"x"}`)},
		{name: "text/plain", contentType: "text/plain", body: []byte(validForm(9001).Encode())},
		{name: "utf-16 charset", contentType: form + "; charset=utf-16", body: []byte("\xff\xfec\x00=\x00")},
		{name: "broken multipart", contentType: "multipart/form-data; boundary=xyz", body: []byte("--xyz\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\nx")},
		{name: "multipart without boundary", contentType: "multipart/form-data", body: []byte("junk")},
		{name: "bogus content type", contentType: ";;;=/", body: []byte("a=b")},
		{name: "gzip claimed", contentType: form, headers: map[string]string{"Content-Encoding": "gzip"}, body: []byte("\x1f\x8bjunk")},
		{name: "cross-origin", contentType: form, headers: map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}, body: []byte(validForm(9002).Encode())},
		{name: "PUT", method: http.MethodPut, contentType: form, body: []byte(validForm(9003).Encode())},
		{name: "DELETE", method: http.MethodDelete},
		{name: "many fields", contentType: form, body: []byte(strings.Repeat("a=1&", 200_000))},
		{name: "long field name", contentType: form, body: []byte(strings.Repeat("k", 500_000) + "=v")},
		{name: "2 MB company", contentType: form, mayDrop: true, body: []byte("company_name=" + strings.Repeat("A", 2<<20))},
		{name: "16 MB body", contentType: form, mayDrop: true, body: bytes.Repeat([]byte("x"), 16<<20)},
	}
	for _, c := range fixed {
		add(c)
	}
	for i := len(out); i < n; i++ {
		switch k := rng.IntN(10); {
		case k < 6: // a near-valid form with hostile values in a few fields
			v := validForm(10_000 + i)
			if rng.IntN(10) < 8 {
				// Most also fail the password rule, so the run is bound by
				// validation, not by argon2id hashing of accepted forms.
				v.Set("password", "short")
			}
			for range 1 + rng.IntN(3) {
				v.Set(signupFieldNames[rng.IntN(len(signupFieldNames))], hostileValues[rng.IntN(len(hostileValues))])
			}
			add(hostileCase{name: fmt.Sprintf("hostile form %d", i), contentType: form, body: []byte(v.Encode())})
		case k < 7: // duplicated fields with different values
			v := validForm(10_000 + i)
			if rng.IntN(10) < 8 {
				v.Set("password", "short")
			}
			f := signupFieldNames[rng.IntN(len(signupFieldNames))]
			v.Add(f, hostileValues[rng.IntN(len(hostileValues))])
			add(hostileCase{name: fmt.Sprintf("duplicate %s %d", f, i), contentType: form, body: []byte(v.Encode())})
		case k < 8: // raw, unescaped hostile bytes in the body
			b := []byte(validForm(10_000+i).Encode() + "&company_name=" + hostileValues[rng.IntN(len(hostileValues))])
			add(hostileCase{name: fmt.Sprintf("raw bytes %d", i), contentType: form, body: b})
		case k < 9: // random bytes
			b := make([]byte, rng.IntN(4096))
			for j := range b {
				b[j] = byte(rng.UintN(256))
			}
			add(hostileCase{name: fmt.Sprintf("random %d", i), contentType: form, body: b})
		default: // random key=value soup from the field names
			var sb strings.Builder
			for range rng.IntN(40) {
				sb.WriteString(signupFieldNames[rng.IntN(len(signupFieldNames))] + "=" +
					url.QueryEscape(hostileValues[rng.IntN(len(hostileValues))]) + "&")
			}
			add(hostileCase{name: fmt.Sprintf("soup %d", i), contentType: form, body: []byte(sb.String())})
		}
	}
	return out
}

// Field limits of the portal's sign-up form (portal/signupform.go signupFields).
var fieldLimits = map[string]int{"company_name": 200, "tax_id": 40, "street": 200, "city": 100,
	"state": 100, "postal_code": 20, "country": 2, "first_name": 100, "last_name": 100,
	"job_title": 100, "email": 254, "phone": 40, "language": 35, "username": 32}

var (
	countryRE  = regexp.MustCompile(`^[A-Z]{2}$`)
	usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,31}$`)
)

// invalidRequest re-checks a stored request against the portal's rules.
func invalidRequest(r store.Request) []string {
	if r.PurgedAt != nil {
		return nil
	}
	fields := map[string]string{"company_name": r.CompanyName, "tax_id": r.TaxID, "street": r.Street,
		"city": r.City, "state": r.State, "postal_code": r.PostalCode, "country": r.Country,
		"first_name": r.FirstName, "last_name": r.LastName, "job_title": r.JobTitle, "email": r.Email,
		"phone": r.Phone, "language": r.Language, "username": r.Username}
	required := []string{"company_name", "street", "city", "postal_code", "country", "first_name",
		"last_name", "email", "phone", "username"}
	var problems []string
	for _, f := range required {
		if strings.TrimSpace(fields[f]) == "" {
			problems = append(problems, f+" is empty")
		}
	}
	for f, v := range fields {
		switch {
		case !utf8.ValidString(v):
			problems = append(problems, f+" is not valid UTF-8")
		case utf8.RuneCountInString(v) > fieldLimits[f]:
			problems = append(problems, fmt.Sprintf("%s has %d characters (limit %d)", f, utf8.RuneCountInString(v), fieldLimits[f]))
		case strings.IndexFunc(v, func(r rune) bool {
			return unicode.IsControl(r) || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0xFEFF
		}) >= 0:
			problems = append(problems, fmt.Sprintf("%s holds control or direction characters: %q", f, v))
		case v != strings.TrimSpace(v):
			problems = append(problems, fmt.Sprintf("%s is not trimmed: %q", f, v))
		}
	}
	if !countryRE.MatchString(r.Country) {
		problems = append(problems, fmt.Sprintf("country %q", r.Country))
	}
	if !usernameRE.MatchString(r.Username) {
		problems = append(problems, fmt.Sprintf("username %q", r.Username))
	}
	if strings.Count(r.Email, "@") != 1 || strings.ContainsAny(r.Email, " \r\n<>,;") {
		problems = append(problems, fmt.Sprintf("email %q", r.Email))
	}
	if !strings.HasPrefix(r.PasswordHash, "$argon2id$") {
		problems = append(problems, "password hash is not argon2id")
	}
	return problems
}

package workflow

import (
	"context"
	"errors"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/regdesk/regdesk/store/storetest"
)

// Seed corpora live in testdata/fuzz/FuzzXxx; `go test` runs them, and
// `go test -run=^$ -fuzz=^FuzzXxx$ -fuzztime=30s ./workflow` explores.

func FuzzFormatNumber(f *testing.F) {
	f.Add("REG-{000000}", int64(42))
	f.Add("C{00000}", int64(1))
	f.Fuzz(func(t *testing.T, format string, value int64) {
		got, err := FormatNumber(format, value)
		if (err == nil) != (validFormat(format) == nil) {
			t.Fatalf("FormatNumber and validFormat disagree on %q: %v", format, err)
		}
		if err != nil {
			if got != "" {
				t.Fatalf("a refused format gave %q", got)
			}
			return
		}
		prefix, width, suffix, _ := parseFormat(format)
		if !strings.HasPrefix(got, prefix) || !strings.HasSuffix(got, suffix) {
			t.Fatalf("%q with %d gave %q: prefix or suffix lost", format, value, got)
		}
		if strings.ContainsFunc(got, func(r rune) bool { return r <= ' ' || r == 0x7f || r > 0x7e }) {
			t.Fatalf("%q with %d gave %q: not printable ASCII", format, value, got)
		}
		if value < 0 {
			return // sequences start at 1
		}
		digits := got[len(prefix) : len(got)-len(suffix)]
		if len(digits) < width {
			t.Fatalf("%q with %d gave %q: fewer than %d digits", format, value, got, width)
		}
		if n, err := strconv.ParseInt(digits, 10, 64); err != nil || n != value {
			t.Fatalf("%q with %d gave %q: reads back as %d (%v)", format, value, got, n, err)
		}
	})
}

func FuzzLookupToken(f *testing.F) {
	f.Add("")
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	clock := storetest.NewClock()
	s := New(Config{DB: storetest.NewWithClock(f, clock.Now)})
	ctx := context.Background()
	res, err := s.SignUp(ctx, SignupInput{CompanyName: "Co", Street: "s", City: "c", PostalCode: "p",
		Country: "DE", FirstName: "F", LastName: "L", Email: "f@co.example", Phone: "+49 30 1234567",
		Username: "fl1", PasswordHash: "$argon2id$x"})
	if err != nil {
		f.Fatal(err)
	}
	known := res.Token
	tokenErr := func(err error) bool {
		return errors.Is(err, ErrTokenInvalid) || errors.Is(err, ErrTokenExpired) || errors.Is(err, ErrTokenUsed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		st, err := s.CheckActivation(ctx, token)
		if err != nil {
			t.Fatalf("CheckActivation(%q) failed inside: %v", token, err)
		}
		if token == known {
			if st.Err != nil || st.Number != res.Number {
				t.Fatalf("the real token reads as %+v", st)
			}
			return
		}
		if st.Err == nil || !tokenErr(st.Err) || st.Number != "" {
			t.Fatalf("CheckActivation(%q) = %+v, want a token error", token, st)
		}
		if _, err := s.Activate(ctx, token); !tokenErr(err) {
			t.Fatalf("Activate(%q) = %v, want a token error", token, err)
		}
		if len(HashToken(token)) != 32 {
			t.Fatal("hash is not 32 bytes")
		}
	})
}

// allowedTags are the only tags textToHTML writes; anything else in the HTML
// part would have come from a template or its data unescaped.
var allowedTag = regexp.MustCompile(`^<(!DOCTYPE html|html lang="en"|head|/head|meta [^<>]*|title|/title|` +
	`body [^<>]*|/body|div [^<>]*|/div|p [^<>]*|/p|br|a href="[^"<>]*" style="[^"<>]*"|/a|/html)>`)

func FuzzRenderMail(f *testing.F) {
	f.Add(defaultActivationTemplate, "Contoso <b>Ltd</b>", "https://x.example/?a=1&b=<2>")
	f.Add(defaultDigestTemplate, "ACME\r\nBcc: victim@example.com", "")
	f.Fuzz(func(t *testing.T, src, company, comment string) {
		d := sampleMailData
		d.Company, d.Comment, d.Link = company, comment, "https://portal.example.com/a?token="+comment
		m, err := RenderMail(src, d)
		if (validTemplate(src) == nil) && err != nil && utf8.ValidString(company+comment) {
			// A valid template can still fail on other data only through size.
			if !strings.Contains(err.Error(), "longer than") {
				t.Fatalf("valid template failed on data: %v", err)
			}
		}
		if err != nil {
			return
		}
		if m.Subject == "" || strings.ContainsAny(m.Subject, "\r\n") {
			t.Fatalf("subject %q: empty or a header break", m.Subject)
		}
		if len(m.Text) > maxBody+1 {
			t.Fatalf("body of %d bytes passed the limit", len(m.Text))
		}
		h := m.HTML
		for i := strings.IndexByte(h, '<'); i >= 0; i = strings.IndexByte(h, '<') {
			h = h[i:]
			tag := allowedTag.FindString(h)
			if tag == "" {
				end := min(len(h), 40)
				t.Fatalf("unexpected markup in the HTML part: %q", h[:end])
			}
			h = h[len(tag):]
		}
	})
}

func FuzzParamValidate(f *testing.F) {
	f.Add(uint8(0), "REG-{000000}")
	f.Add(uint8(9), "48h")
	f.Fuzz(func(t *testing.T, which uint8, value string) {
		defs := ParamDefs()
		d := defs[int(which)%len(defs)]
		err := d.Validate(value)
		if again := d.Validate(value); (err == nil) != (again == nil) {
			t.Fatalf("%s: Validate(%q) is not deterministic", d.Key, value)
		}
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("%s: empty message for %q", d.Key, value)
			}
			return
		}
		// A value that passed must work where the code uses it.
		p := Params{values: map[string]string{d.Key: value}}
		switch def := d.Default; {
		case strings.HasPrefix(d.Key, "template."):
			if _, err := RenderMail(value, sampleMailData); err != nil {
				t.Fatalf("%s: accepted a template that does not render: %v", d.Key, err)
			}
		case strings.HasPrefix(d.Key, "sequence."):
			if _, err := FormatNumber(value, 1); err != nil {
				t.Fatalf("%s: accepted a format that does not format: %v", d.Key, err)
			}
		case def == "true" || def == "false":
			if _, err := strconv.ParseBool(value); err != nil {
				t.Fatalf("%s: accepted %q as a bool", d.Key, value)
			}
		case isDuration(def):
			if p.Duration(d.Key) <= 0 {
				t.Fatalf("%s: accepted %q, which reads as %s", d.Key, value, p.Duration(d.Key))
			}
		case isInt(def):
			if p.Int(d.Key) <= 0 {
				t.Fatalf("%s: accepted %q, which reads as %d", d.Key, value, p.Int(d.Key))
			}
		case d.Key == ParamMailFrom:
			if err := checkFrom(value); err != nil {
				t.Fatalf("%s: %v", d.Key, err)
			}
		}
	})
}

func isDuration(s string) bool { _, err := time.ParseDuration(s); return err == nil }
func isInt(s string) bool      { _, err := strconv.Atoi(s); return err == nil }

// messageIDRE is RFC 5322's msg-id with a dot-atom right side.
var messageIDRE = regexp.MustCompile(`^<[A-Za-z0-9_-]+@[A-Za-z0-9!#$%&'*+/=?^_{|}~.-]+>$`)

// checkFrom says what is wrong with an accepted sender for use in headers.
func checkFrom(v string) error {
	a, err := mail.ParseAddress(v)
	if err != nil {
		return err
	}
	if s := a.String(); strings.ContainsAny(s, "\r\n") {
		return errors.New("the formatted address breaks the header: " + strconv.Quote(s))
	}
	if id := newMessageID(v); !messageIDRE.MatchString(id) {
		return errors.New("bad Message-ID " + strconv.Quote(id))
	}
	return nil
}

func FuzzMailAddress(f *testing.F) {
	f.Add("regdesk <no-reply@regdesk.localhost>")
	f.Add("\"Desk\\\"\" <a@[127.0.0.1]>")
	f.Fuzz(func(t *testing.T, from string) {
		id := newMessageID(from)
		if !messageIDRE.MatchString(id) {
			t.Fatalf("newMessageID(%q) = %q, not a valid Message-ID", from, id)
		}
		if validFrom(from) != nil {
			return
		}
		if err := checkFrom(from); err != nil {
			t.Fatalf("accepted sender %q: %v", from, err)
		}
	})
}

func TestRenderMail_refusesHugeOutput(t *testing.T) {
	d := sampleMailData
	d.Lines = []string{strings.Repeat("x", 40<<10), strings.Repeat("y", 40<<10)}
	_, err := RenderMail("Subject: x\n\n{{range .Lines}}{{.}}{{end}}\n", d)
	if err == nil || !strings.Contains(err.Error(), "longer than 64 KiB") {
		t.Fatalf("err %v, want the size limit", err)
	}
}

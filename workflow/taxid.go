package workflow

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// taxIDRule is the format of one country's tax id and, where the country
// defines one, its check digit. check gets the part after the country prefix.
type taxIDRule struct {
	name    string // "German VAT number"
	format  *regexp.Regexp
	example string // what a well-formed id looks like, for the reason
	check   func(s string) bool
}

// taxIDRules are EU VAT numbers (by their VAT prefix: EL for Greece), GB
// VAT numbers and US employer identification numbers. The check digit
// algorithms are the ones each tax authority publishes (as used by the
// EU's VIES service and the common validation libraries).
var taxIDRules = map[string]taxIDRule{
	"AT": {"Austrian VAT number", regexp.MustCompile(`^U\d{8}$`), "ATU12345678", checkAT},
	"BE": {"Belgian VAT number", regexp.MustCompile(`^[01]\d{9}$`), "BE0123456789", checkBE},
	"BG": {"Bulgarian VAT number", regexp.MustCompile(`^\d{9,10}$`), "BG123456789", nil},
	"CY": {"Cypriot VAT number", regexp.MustCompile(`^\d{8}[A-Z]$`), "CY12345678X", nil},
	"CZ": {"Czech VAT number", regexp.MustCompile(`^\d{8,10}$`), "CZ12345678", nil},
	"DE": {"German VAT number", regexp.MustCompile(`^\d{9}$`), "DE123456789", checkMod1110},
	"DK": {"Danish VAT number", regexp.MustCompile(`^\d{8}$`), "DK12345678", checkDK},
	"EE": {"Estonian VAT number", regexp.MustCompile(`^10\d{7}$`), "EE101234567", checkEE},
	"EL": {"Greek VAT number", regexp.MustCompile(`^\d{9}$`), "EL123456789", checkEL},
	"ES": {"Spanish VAT number", regexp.MustCompile(`^[0-9A-Z]\d{7}[0-9A-Z]$`), "ESX1234567X", nil},
	"FI": {"Finnish VAT number", regexp.MustCompile(`^\d{8}$`), "FI12345678", checkFI},
	"FR": {"French VAT number", regexp.MustCompile(`^[0-9A-HJ-NP-Z]{2}\d{9}$`), "FR12345678901", checkFR},
	"HR": {"Croatian VAT number", regexp.MustCompile(`^\d{11}$`), "HR12345678901", checkMod1110},
	"HU": {"Hungarian VAT number", regexp.MustCompile(`^\d{8}$`), "HU12345678", checkHU},
	"IE": {"Irish VAT number", regexp.MustCompile(`^(\d{7}[A-W][A-IW]?|\d[A-Z+*]\d{5}[A-W])$`), "IE1234567X", nil},
	"IT": {"Italian VAT number", regexp.MustCompile(`^\d{11}$`), "IT12345678901", checkLuhn},
	"LT": {"Lithuanian VAT number", regexp.MustCompile(`^(\d{9}|\d{12})$`), "LT123456789", nil},
	"LU": {"Luxembourg VAT number", regexp.MustCompile(`^\d{8}$`), "LU12345678", checkLU},
	"LV": {"Latvian VAT number", regexp.MustCompile(`^\d{11}$`), "LV12345678901", nil},
	"MT": {"Maltese VAT number", regexp.MustCompile(`^[1-9]\d{7}$`), "MT12345678", checkMT},
	"NL": {"Dutch VAT number", regexp.MustCompile(`^\d{9}B\d{2}$`), "NL123456789B01", checkNL},
	"PL": {"Polish VAT number", regexp.MustCompile(`^\d{10}$`), "PL1234567890", checkPL},
	"PT": {"Portuguese VAT number", regexp.MustCompile(`^\d{9}$`), "PT123456789", checkPT},
	"RO": {"Romanian VAT number", regexp.MustCompile(`^[1-9]\d{1,9}$`), "RO1234567", checkRO},
	"SE": {"Swedish VAT number", regexp.MustCompile(`^\d{10}01$`), "SE123456789001", checkSE},
	"SI": {"Slovenian VAT number", regexp.MustCompile(`^[1-9]\d{7}$`), "SI12345678", checkSI},
	"SK": {"Slovak VAT number", regexp.MustCompile(`^[1-9]\d{9}$`), "SK1234567890", checkSK},
	"GB": {"UK VAT number", regexp.MustCompile(`^(\d{9}|\d{12}|GD[0-4]\d{2}|HA[5-9]\d{2})$`), "GB123456789", checkGB},
	"XI": {"Northern Ireland VAT number", regexp.MustCompile(`^(\d{9}|\d{12})$`), "XI123456789", checkGB},
	"US": {"US employer identification number (EIN)", regexp.MustCompile(`^\d{9}$`), "12-3456789", checkEIN},
}

// vatPrefix is the VAT prefix of an ISO country code (Greece is EL).
func vatPrefix(country string) string {
	if country == "GR" {
		return "EL"
	}
	return country
}

// TaxIDProblem says what is wrong with a tax id for a request from country,
// or "" when it is well-formed, passes its check digit, or belongs to a
// country without a rule here. The id may carry its VAT prefix (DE…) and
// spaces, dots or dashes.
func TaxIDProblem(taxID, country string) string {
	raw := strings.TrimSpace(taxID)
	if raw == "" {
		return ""
	}
	id := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '.', '-', '/':
			return -1
		}
		return r
	}, strings.ToUpper(raw))
	prefix := vatPrefix(strings.ToUpper(strings.TrimSpace(country)))
	if len(id) > 2 {
		if _, ok := taxIDRules[id[:2]]; ok && id[:2] != "US" && !strings.HasPrefix(id, "GD") && !strings.HasPrefix(id, "HA") {
			prefix, id = id[:2], id[2:]
		}
	}
	rule, ok := taxIDRules[prefix]
	if !ok {
		return ""
	}
	if !rule.format.MatchString(id) {
		return fmt.Sprintf("Tax id %s does not have the form of %s (like %s)", raw, withArticle(rule.name), rule.example)
	}
	if rule.check != nil && !rule.check(id) {
		if prefix == "US" {
			return fmt.Sprintf("Tax id %s is not a possible %s: no IRS office issues the prefix %s", raw, rule.name, id[:2])
		}
		return fmt.Sprintf("Tax id %s fails the check digit of %s", raw, withArticle(rule.name))
	}
	return ""
}

// withArticle puts "a" or "an" before a rule's name ("an Austrian …", "a UK …").
func withArticle(name string) string {
	if strings.ContainsRune("AEIO", rune(name[0])) {
		return "an " + name
	}
	return "a " + name
}

func digits(s string) []int {
	out := make([]int, 0, len(s))
	for _, r := range s {
		if r < '0' || r > '9' {
			return nil
		}
		out = append(out, int(r-'0'))
	}
	return out
}

// weighted is the sum of d[i]*w[i] over the weights.
func weighted(d []int, w ...int) int {
	sum := 0
	for i, x := range w {
		sum += d[i] * x
	}
	return sum
}

// checkMod1110 is ISO 7064 MOD 11,10 (Germany, Croatia): the last digit
// checks the others.
func checkMod1110(s string) bool {
	d := digits(s)
	p := 10
	for _, x := range d[:len(d)-1] {
		t := (x + p) % 10
		if t == 0 {
			t = 10
		}
		p = (2 * t) % 11
	}
	c := (11 - p) % 10
	return c == d[len(d)-1]
}

func checkAT(s string) bool {
	d := digits(s[1:])
	sum := 0
	for i, x := range d[:7] {
		if i%2 == 1 {
			x *= 2
			x = x/10 + x%10
		}
		sum += x
	}
	return (10-(sum+4)%10)%10 == d[7]
}

func checkBE(s string) bool {
	n, _ := strconv.Atoi(s[:8])
	c, _ := strconv.Atoi(s[8:])
	return 97-n%97 == c
}

func checkDK(s string) bool { return weighted(digits(s), 2, 7, 6, 5, 4, 3, 2, 1)%11 == 0 }

func checkEE(s string) bool {
	d := digits(s)
	return (10-weighted(d, 3, 7, 1, 3, 7, 1, 3, 7)%10)%10 == d[8]
}

func checkEL(s string) bool {
	d := digits(s)
	return weighted(d, 256, 128, 64, 32, 16, 8, 4, 2)%11%10 == d[8]
}

func checkFI(s string) bool {
	d := digits(s)
	r := weighted(d, 7, 9, 10, 5, 8, 4, 2) % 11
	if r == 1 {
		return false
	}
	return (11-r)%11 == d[7]
}

// checkFR checks the numeric key of a French VAT number against its SIREN;
// the newer alphanumeric keys have no published check.
func checkFR(s string) bool {
	key, err := strconv.Atoi(s[:2])
	if err != nil {
		return true
	}
	siren, _ := strconv.Atoi(s[2:])
	return key == (12+3*(siren%97))%97
}

func checkHU(s string) bool {
	d := digits(s)
	return (10-weighted(d, 9, 7, 3, 1, 9, 7, 3)%10)%10 == d[7]
}

// checkLuhn is the Luhn check over every digit (Italy).
func checkLuhn(s string) bool {
	d := digits(s)
	sum := 0
	for i := range d {
		x := d[len(d)-1-i]
		if i%2 == 1 {
			x *= 2
			if x > 9 {
				x -= 9
			}
		}
		sum += x
	}
	return sum%10 == 0
}

func checkLU(s string) bool {
	n, _ := strconv.Atoi(s[:6])
	c, _ := strconv.Atoi(s[6:])
	return n%89 == c
}

func checkMT(s string) bool {
	d := digits(s)
	c, _ := strconv.Atoi(s[6:])
	return (weighted(d, 3, 4, 6, 7, 8, 9)+c)%37 == 0
}

// checkNL accepts the older eleven-test numbers and the sole traders'
// numbers since 2020, which are ISO 7064 MOD 97-10 over "NL" and the number.
func checkNL(s string) bool {
	d := digits(s[:9])
	if r := weighted(d, 9, 8, 7, 6, 5, 4, 3, 2) % 11; r != 10 && r == d[8] {
		return true
	}
	m := 0
	for _, r := range "NL" + s {
		v := int(r - '0')
		if r >= 'A' && r <= 'Z' {
			v = int(r-'A') + 10
		}
		if v >= 10 {
			m = (m*100 + v) % 97
		} else {
			m = (m*10 + v) % 97
		}
	}
	return m == 1
}

func checkPL(s string) bool {
	d := digits(s)
	r := weighted(d, 6, 5, 7, 2, 3, 4, 5, 6, 7) % 11
	return r != 10 && r == d[9]
}

func checkPT(s string) bool {
	d := digits(s)
	c := 11 - weighted(d, 9, 8, 7, 6, 5, 4, 3, 2)%11
	if c >= 10 {
		c = 0
	}
	return c == d[8]
}

func checkRO(s string) bool {
	d := digits(s)
	w := []int{7, 5, 3, 2, 1, 7, 5, 3, 2}
	n := len(d) - 1
	sum := 0
	for i := range n {
		sum += d[i] * w[len(w)-n+i]
	}
	return sum*10%11%10 == d[n]
}

func checkSE(s string) bool { return checkLuhn(s[:10]) }

func checkSI(s string) bool {
	d := digits(s)
	c := 11 - weighted(d, 8, 7, 6, 5, 4, 3, 2)%11
	if c == 11 {
		return false
	}
	return c%10 == d[7]
}

func checkSK(s string) bool {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n%11 == 0
}

// checkGB is HMRC's modulus 97 check, old (−97) and new (−55) series;
// government departments (GD) and health authorities (HA) have none.
func checkGB(s string) bool {
	if strings.HasPrefix(s, "GD") || strings.HasPrefix(s, "HA") {
		return true
	}
	d := digits(s[:9])
	sum := weighted(d, 8, 7, 6, 5, 4, 3, 2) + d[7]*10 + d[8]
	return sum%97 == 0 || (sum+55)%97 == 0
}

// checkEIN accepts the two-digit prefixes the IRS assigns to its campuses.
func checkEIN(s string) bool {
	p, _ := strconv.Atoi(s[:2])
	for _, r := range [][2]int{{1, 6}, {10, 16}, {20, 27}, {30, 48}, {50, 68}, {71, 77}, {80, 88}, {90, 95}, {98, 99}} {
		if p >= r[0] && p <= r[1] {
			return true
		}
	}
	return false
}

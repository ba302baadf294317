package domain

import (
	"net/mail"
	"strings"
)

const (
	MaxEmailLen  = 254 // RFC 5321 path limit less the angle brackets
	maxLocalLen  = 64
	maxLabelLen  = 63
	msgEmailForm = "Enter an email address in the correct format, like name@example.com"
)

// CheckEmail accepts exactly one bare address (no display name, angle
// brackets or comments) and returns it with the domain lower-cased.
func CheckEmail(s string) (string, string) {
	if len(s) > MaxEmailLen {
		return "", "Email address must be 254 characters or fewer"
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		if strings.ContainsAny(s, ",;") {
			return "", "Enter one email address only"
		}
		return "", msgEmailForm
	}
	if a.Name != "" || a.Address != s {
		return "", "Enter just the email address, like name@example.com, without a name or angle brackets"
	}
	at := strings.LastIndexByte(s, '@')
	local, domain := s[:at], s[at+1:]
	if len(local) > maxLocalLen {
		return "", "The part of the email address before the @ must be 64 characters or fewer"
	}
	if msg := checkDomain(domain); msg != "" {
		return "", msg
	}
	return local + "@" + strings.ToLower(domain), ""
}

func checkDomain(d string) string {
	const msg = "Enter an email address with a full domain name after the @, like name@example.com"
	if strings.HasPrefix(d, "[") || !strings.Contains(d, ".") {
		return msg
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > maxLabelLen || label[0] == '-' || label[len(label)-1] == '-' {
			return msg
		}
		for _, r := range label {
			// Letters, digits and hyphens; other Unicode letters are
			// internationalised domain names.
			if r < 0x80 && !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return msg
			}
		}
	}
	return ""
}

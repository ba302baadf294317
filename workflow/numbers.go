package workflow

import (
	"errors"
	"fmt"
	"strings"
)

// FormatNumber renders value in a number sequence format such as
// "REG-{000000}": the braces hold one zero per digit of padding.
func FormatNumber(format string, value int64) (string, error) {
	prefix, width, suffix, err := parseFormat(format)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s%0*d%s", prefix, width, value, suffix), nil
}

func parseFormat(format string) (prefix string, width int, suffix string, err error) {
	open, close := strings.Index(format, "{"), strings.Index(format, "}")
	if open < 0 || close < open || strings.Count(format, "{") != 1 || strings.Count(format, "}") != 1 {
		return "", 0, "", errors.New(`want one {000…} placeholder, as in "REG-{000000}"`)
	}
	digits := format[open+1 : close]
	if digits == "" || strings.Trim(digits, "0") != "" || len(digits) > 12 {
		return "", 0, "", errors.New("the placeholder holds 1 to 12 zeros, one per digit")
	}
	prefix, suffix = format[:open], format[close+1:]
	if len(prefix)+len(suffix) > 16 {
		return "", 0, "", errors.New("prefix and suffix together are at most 16 characters")
	}
	for _, r := range prefix + suffix {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' ||
			strings.ContainsRune("-_./#", r)) {
			return "", 0, "", fmt.Errorf("%q is not allowed in a number; use letters, digits and - _ . / #", r)
		}
	}
	return prefix, len(digits), suffix, nil
}

func validFormat(v string) error {
	_, _, _, err := parseFormat(v)
	return err
}

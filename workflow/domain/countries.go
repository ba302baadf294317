package domain

import (
	"slices"
	"strings"
)

// Country is an ISO 3166-1 alpha-2 code with its English name.
type Country struct {
	Code string // upper case, e.g. "DE"
	Name string // e.g. "Germany"
}

// Countries returns every ISO 3166-1 country, sorted by English name.
// The slice is a copy; callers may change it.
func Countries() []Country { return slices.Clone(countryTable[:]) }

// CountryName returns the English name for an alpha-2 code (any case) and
// whether the code is an assigned ISO 3166-1 country.
func CountryName(code string) (string, bool) {
	code = strings.ToUpper(code)
	if len(code) != 2 {
		return "", false
	}
	for _, c := range countryTable {
		if c.Code == code {
			return c.Name, true
		}
	}
	return "", false
}

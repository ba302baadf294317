package domain

import "testing"

func TestCountryName(t *testing.T) {
	tests := []struct {
		code, name string
		ok         bool
	}{
		{"DE", "Germany", true}, {"de", "Germany", true}, {"GB", "United Kingdom", true},
		{"XX", "", false}, {"", "", false}, {"DEU", "", false},
	}
	for _, tt := range tests {
		name, ok := CountryName(tt.code)
		if name != tt.name || ok != tt.ok {
			t.Errorf("CountryName(%q) = %q, %v; want %q, %v", tt.code, name, ok, tt.name, tt.ok)
		}
	}
	if n := len(Countries()); n != 249 {
		t.Errorf("len(Countries()) = %d, want 249", n)
	}
}

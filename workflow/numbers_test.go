package workflow

import "testing"

func TestFormatNumber(t *testing.T) {
	tests := []struct {
		format string
		v      int64
		want   string
	}{
		{"REG-{000000}", 42, "REG-000042"},
		{"C{00000}", 7, "C00007"},
		{"{0}", 12345, "12345"},
		{"UR-{000}-X", 1234, "UR-1234-X"},
		{"A/{00}.b#", 3, "A/03.b#"},
	}
	for _, tt := range tests {
		got, err := FormatNumber(tt.format, tt.v)
		if err != nil || got != tt.want {
			t.Errorf("FormatNumber(%q, %d) = %q, %v; want %q", tt.format, tt.v, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "REG", "REG-{}", "REG-{0000", "REG-0000}", "{00}{00}",
		"REG-{00a0}", "REG {000}", "R\x1b{000}", "{0000000000000}", "ÄÖ-{000}",
		"ABCDEFGHIJKLMNOPQ{0}"} {
		if got, err := FormatNumber(bad, 1); err == nil {
			t.Errorf("FormatNumber(%q) = %q, want an error", bad, got)
		}
	}
}

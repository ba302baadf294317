package tui

import (
	"testing"
	"unicode/utf8"
)

func TestSanitize(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "Contoso Ltd", "Contoso Ltd"},
		{"unicode kept", "München GmbH — Zoë 東京", "München GmbH — Zoë 東京"},
		{"clear screen", "\x1b[2JAcme", "Acme"},
		{"csi with params", "A\x1b[38;2;255;0;0mB\x1b[0m", "AB"},
		{"osc title bel", "\x1b]0;pwned\x07Acme", "Acme"},
		{"osc hyperlink st", "\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\", "click"},
		{"dcs", "\x1bPq#0;2;0;0;0\x1b\\X", "X"},
		{"charset", "\x1b(BAcme", "Acme"},
		{"reset", "\x1bcAcme", "Acme"},
		{"8-bit csi", "A\u009b2JB", "AB"},
		{"8-bit osc", "A\u009d0;x\u009cB", "AB"},
		{"c0 and del", "A\x00\x07\x08\x7fB", "AB"},
		{"c1", "A\u0085B", "AB"},
		{"line breaks", "a\nb\r\nc\td", "a b  c d"},
		{"bidi override", "evil\u202egnp.exe", "evilgnp.exe"},
		{"isolates and zero width", "a\u2066b\u2069c\u200bd\ufeff", "abcd"},
		{"invalid utf8", "a\xffb", "a\ufffdb"},
		{"lone esc at end", "abc\x1b", "abc"},
		{"unterminated csi", "abc\x1b[12;", "abc"},
		{"unterminated osc", "abc\x1b]0;title", "abc"},
		{"nbsp", "a\u00a0b", "a b"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Sanitize(c.in); got != c.want {
				t.Errorf("Sanitize(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"Contoso", "\x1b[2J", "\x1b]0;x\x07", "\u202e", "a\xffb", "\u009b31m", "A\u0085B\u0080", "\u2066x\u2069"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := Sanitize(in)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 from %q: %q", in, out)
		}
		// The oracle is the terminal's view, not Sanitize's own predicates:
		// no byte that starts or is a C0 control (ESC among them) or DEL …
		for i := 0; i < len(out); i++ {
			if b := out[i]; b < 0x20 || b == 0x7f {
				t.Fatalf("control byte %#x left in %q (from %q)", b, out, in)
			}
		}
		// … and no C1 control (8-bit CSI, OSC, …) nor a bidi override or
		// isolate that reorders what the approver reads.
		for _, r := range out {
			if (r >= 0x80 && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
				t.Fatalf("control %U left in %q (from %q)", r, out, in)
			}
		}
		if Sanitize(out) != out {
			t.Fatalf("not idempotent: %q -> %q -> %q", in, out, Sanitize(out))
		}
	})
}

package main

import (
	"strings"

	"github.com/regdesk/regdesk/tui"
)

// safe makes database text harmless on a terminal, by the TUI's rules
// (tui.Sanitize): escape sequences and control characters go, and line
// breaks and tabs become spaces, so a field can neither drive the terminal
// nor forge a line or a column of the output. Only --json prints text as
// stored (JSON escapes it).
func safe(s string) string { return tui.Sanitize(s) }

// cell is database text made safe and clipped to n runes for a table.
func cell(s string, n int) string { return clip(safe(s), n) }

// clip shortens s to at most n runes for a table column.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func joinNonEmpty(sep string, parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, sep)
}

func joinComma(s []string) string { return strings.Join(s, ", ") }

package main

import (
	"runtime"
	"testing"

	"github.com/regdesk/regdesk/portal"
)

// serve holds its Go memory to the hashing slots (one per CPU) times the
// argon2id memory plus a fixed margin, unless the operator set GOMEMLIMIT,
// which then stands.
func TestServeMemoryLimit(t *testing.T) {
	none := func(string) string { return "" }
	limit, ours := memoryLimit(none)
	want := int64(runtime.NumCPU())*int64(portal.OWASPParams().Memory)*1024 + portal.MemoryMargin
	if !ours || limit != want {
		t.Fatalf("without GOMEMLIMIT: %d (ours %v), want %d", limit, ours, want)
	}
	set := func(k string) string {
		if k == "GOMEMLIMIT" {
			return "1GiB"
		}
		return ""
	}
	if _, ours := memoryLimit(set); ours {
		t.Fatal("GOMEMLIMIT set by the operator was overridden")
	}
}

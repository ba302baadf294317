package portal

import (
	"runtime"
	"testing"
)

// The bound on a serving process's memory follows the hashing slots and
// the argon2id memory: 2 slots of 19 MiB (OWASP) and the margin.
func TestMemoryLimit(t *testing.T) {
	if got, want := MemoryLimit(2, OWASPParams()), int64(2*19456*1024+64<<20); got != want {
		t.Errorf("2 slots, OWASP: %d, want %d", got, want)
	}
	if got, want := MemoryLimit(0, Argon2Params{}), int64(runtime.NumCPU())*19456*1024+MemoryMargin; got != want {
		t.Errorf("defaults: %d, want %d (one slot per CPU, OWASP)", got, want)
	}
	big := Argon2Params{Memory: 64 * 1024, Time: 3, Threads: 4, SaltLen: 16, KeyLen: 32}
	if got, want := MemoryLimit(4, big), int64(4*64<<20+MemoryMargin); got != want {
		t.Errorf("4 slots of 64 MiB: %d, want %d", got, want)
	}
	// The Hasher's default slots are what the default limit counts.
	if h := NewHasher(HasherConfig{}); int64(cap(h.sem))*int64(h.params.Memory)*1024+MemoryMargin != MemoryLimit(0, Argon2Params{}) {
		t.Error("the default limit counts other slots or parameters than the default Hasher")
	}
}

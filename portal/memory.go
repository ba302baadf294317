package portal

import "runtime"

// MemoryMargin is what a serving process's Go memory may hold besides the
// password hashes under way: the parsed templates, the common-password
// list, connections and their buffers, the requests waiting for a hashing
// slot, the job queue. An idle serve holds about a third of it.
const MemoryMargin = 64 << 20

// MemoryLimit is the soft limit for a serving process's Go memory (see
// runtime/debug.SetMemoryLimit): every hashing slot busy at once, each
// argon2id hash holding p.Memory KiB, plus MemoryMargin. Zero slots means
// one per CPU, as [NewHasher] takes. Without a limit the collector lets
// garbage grow to the size of the live heap, and each hash allocates its
// memory afresh, so a sign-up flood grew the process to several hashes'
// worth per slot.
func MemoryLimit(slots int, p Argon2Params) int64 {
	if slots <= 0 {
		slots = runtime.NumCPU()
	}
	if p == (Argon2Params{}) {
		p = OWASPParams()
	}
	return int64(slots)*int64(p.Memory)*1024 + MemoryMargin
}

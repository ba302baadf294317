package portal

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are argon2id cost parameters.
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen int // bytes
	KeyLen  int // bytes
}

// OWASPParams returns the OWASP Password Storage Cheat Sheet's argon2id
// parameters: 19 MiB, two passes, one thread, 16-byte salt, 32-byte key.
func OWASPParams() Argon2Params {
	return Argon2Params{Memory: 19456, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// Limits on parameters read back from a stored hash, so a tampered or
// corrupt row cannot make Verify allocate gigabytes or spin for minutes.
const (
	maxMemoryKiB  = 256 * 1024
	maxTime       = 16
	maxThreads    = 16
	minSaltLen    = 8
	maxSaltLen    = 64
	minKeyLen     = 16
	maxKeyLen     = 64
	maxPasswordSz = 4096 // bytes; the form allows 128 runes
)

// ErrInvalidHash means a stored hash is not a PHC argon2id string this
// package accepts.
var ErrInvalidHash = errors.New("invalid argon2id hash")

// HasherConfig configures a [Hasher]. The zero value is the default.
type HasherConfig struct {
	// Params for new hashes; zero means OWASPParams().
	Params Argon2Params
	// MaxConcurrent caps hashes computed at once (each takes Params.Memory);
	// others wait. Zero means runtime.NumCPU().
	MaxConcurrent int
	// MaxWait bounds the wait for a hashing slot; past it the request gets
	// ErrHasherBusy (503 with Retry-After) instead of queueing without end.
	// Zero means 5 s.
	MaxWait time.Duration
}

// ErrHasherBusy means every hashing slot stayed taken for MaxWait.
var ErrHasherBusy = errors.New("password hash: every hashing slot is busy")

// Hasher hashes and verifies passwords with argon2id. It is safe for
// concurrent use; at most MaxConcurrent hashes run at once, so a flood of
// sign-ups or logins queues, for at most MaxWait, instead of exhausting memory.
type Hasher struct {
	params  Argon2Params
	sem     chan struct{}
	maxWait time.Duration
	// dummy is a hash of a random secret with the current parameters: what
	// Verify checks a password against when there is no user, so a missing
	// account costs exactly what a real one does.
	dummy string
	// derived counts argon2id computations (tests compare work done).
	derived atomic.Int64
}

// NewHasher returns a Hasher for cfg.
func NewHasher(cfg HasherConfig) *Hasher {
	p := cfg.Params
	if p == (Argon2Params{}) {
		p = OWASPParams()
	}
	n := cfg.MaxConcurrent
	if n <= 0 {
		n = runtime.NumCPU()
	}
	wait := cfg.MaxWait
	if wait <= 0 {
		wait = 5 * time.Second
	}
	salt, key := make([]byte, p.SaltLen), make([]byte, p.KeyLen)
	_, _ = rand.Read(salt) // crypto/rand.Read never fails (Go 1.24+)
	_, _ = rand.Read(key)
	return &Hasher{params: p, sem: make(chan struct{}, n), maxWait: wait, dummy: encodePHC(p, salt, key)}
}

// Params returns the parameters used for new hashes.
func (h *Hasher) Params() Argon2Params { return h.params }

// acquire waits for a hashing slot, for at most maxWait.
func (h *Hasher) acquire(ctx context.Context) error {
	t := time.NewTimer(h.maxWait)
	defer t.Stop()
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-t.C:
		return ErrHasherBusy
	case <-ctx.Done():
		return fmt.Errorf("password hash: waiting for a slot: %w", context.Cause(ctx))
	}
}

func (h *Hasher) release() { <-h.sem }

// derive is the one place argon2id runs, in a slot.
func (h *Hasher) derive(ctx context.Context, pw string, salt []byte, p Argon2Params, keyLen int) ([]byte, error) {
	if err := h.acquire(ctx); err != nil {
		return nil, err
	}
	defer h.release()
	h.derived.Add(1)
	return argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(keyLen)), nil
}

// Hash returns a PHC string for pw:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash> (unpadded standard base64).
func (h *Hasher) Hash(ctx context.Context, pw string) (string, error) {
	if len(pw) > maxPasswordSz {
		return "", fmt.Errorf("password hash: password longer than %d bytes", maxPasswordSz)
	}
	salt := make([]byte, h.params.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password hash: salt: %w", err)
	}
	key, err := h.derive(ctx, pw, salt, h.params, h.params.KeyLen)
	if err != nil {
		return "", err
	}
	return encodePHC(h.params, salt, key), nil
}

// Verify reports whether pw matches the PHC string phc, comparing in
// constant time. Every call costs one hash, whatever the input: an empty or
// unreadable phc (no such user, no password yet, a damaged row) and an
// over-long password are checked against the dummy hash and fail, so the
// time taken says nothing about which accounts exist. An unreadable phc
// also returns ErrInvalidHash, after the hash.
func (h *Hasher) Verify(ctx context.Context, pw, phc string) (bool, error) {
	valid := true
	p, salt, want, decodeErr := decodePHC(phc)
	if decodeErr != nil {
		valid = false
		p, salt, want, _ = decodePHC(h.dummy)
	}
	if len(pw) > maxPasswordSz {
		valid = false
		pw = pw[:maxPasswordSz]
	}
	got, err := h.derive(ctx, pw, salt, p, len(want))
	if err != nil {
		return false, err
	}
	match := subtle.ConstantTimeCompare(got, want) == 1
	if decodeErr != nil && phc != "" {
		return false, decodeErr
	}
	return match && valid, nil
}

// NeedsRehash reports whether phc was made with parameters other than the
// Hasher's, so a login can store a fresh hash. An unreadable hash needs one.
func (h *Hasher) NeedsRehash(phc string) bool {
	p, salt, key, err := decodePHC(phc)
	if err != nil {
		return true
	}
	p.SaltLen, p.KeyLen = len(salt), len(key)
	return p != h.params
}

var b64 = base64.RawStdEncoding

func encodePHC(p Argon2Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

func decodePHC(s string) (Argon2Params, []byte, []byte, error) {
	var p Argon2Params
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("%w: not a $argon2id$ PHC string", ErrInvalidHash)
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version ||
		parts[2] != fmt.Sprintf("v=%d", version) {
		return p, nil, nil, fmt.Errorf("%w: unsupported version %q", ErrInvalidHash, parts[2])
	}
	var threads uint32
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &threads); err != nil ||
		parts[3] != fmt.Sprintf("m=%d,t=%d,p=%d", p.Memory, p.Time, threads) {
		return p, nil, nil, fmt.Errorf("%w: bad parameters %q", ErrInvalidHash, parts[3])
	}
	switch {
	case p.Time < 1 || p.Time > maxTime:
		return p, nil, nil, fmt.Errorf("%w: t=%d out of range", ErrInvalidHash, p.Time)
	case threads < 1 || threads > maxThreads:
		return p, nil, nil, fmt.Errorf("%w: p=%d out of range", ErrInvalidHash, threads)
	case p.Memory < 8*threads || p.Memory > maxMemoryKiB:
		return p, nil, nil, fmt.Errorf("%w: m=%d out of range", ErrInvalidHash, p.Memory)
	}
	p.Threads = uint8(threads)
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < minSaltLen || len(salt) > maxSaltLen {
		return p, nil, nil, fmt.Errorf("%w: bad salt", ErrInvalidHash)
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < minKeyLen || len(key) > maxKeyLen {
		return p, nil, nil, fmt.Errorf("%w: bad hash", ErrInvalidHash)
	}
	return p, salt, key, nil
}

package portal

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// cheapParams keep tests fast; the format and checks are the same.
var cheapParams = Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHasher_Hash(t *testing.T) {
	h := NewHasher(HasherConfig{})
	ctx := t.Context()
	phc, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !re.MatchString(phc) {
		t.Fatalf("Hash() = %q, want OWASP PHC string", phc)
	}
	again, _ := h.Hash(ctx, "correct horse battery staple")
	if again == phc {
		t.Error("two hashes of one password are equal; salt not random")
	}
	ok, err := h.Verify(ctx, "correct horse battery staple", phc)
	if err != nil || !ok {
		t.Fatalf("Verify(right) = %v, %v; want true", ok, err)
	}
	if h.NeedsRehash(phc) {
		t.Error("NeedsRehash(fresh hash) = true")
	}
	if _, err := h.Hash(ctx, strings.Repeat("x", maxPasswordSz+1)); err == nil {
		t.Error("Hash(huge) succeeded")
	}
}

func TestHasher_Verify(t *testing.T) {
	h := NewHasher(HasherConfig{Params: cheapParams})
	ctx := t.Context()
	good, err := h.Hash(ctx, "pässwörd with ünïcode")
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Split(good, "$")
	salt, key := fields[4], fields[5]
	tests := []struct {
		name    string
		pw, phc string
		want    bool
		wantErr bool
	}{
		{"match", "pässwörd with ünïcode", good, true, false},
		{"wrong", "pässwörd with ünïcodE", good, false, false},
		{"empty password", "", good, false, false},
		{"huge password", strings.Repeat("x", maxPasswordSz+1), good, false, false},
		{"no hash (no such user)", "pw", "", false, false},
		{"bcrypt", "pw", "$2a$10$abcdefghijklmnopqrstuu", false, true},
		{"argon2i", "pw", "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key, false, true},
		{"old version", "pw", "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key, false, true},
		{"missing part", "pw", "$argon2id$v=19$m=64,t=1,p=1$" + salt, false, true},
		{"huge memory", "pw", "$argon2id$v=19$m=4194304,t=1,p=1$" + salt + "$" + key, false, true},
		{"huge time", "pw", "$argon2id$v=19$m=64,t=1000,p=1$" + salt + "$" + key, false, true},
		{"zero time", "pw", "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + key, false, true},
		{"many threads", "pw", "$argon2id$v=19$m=1024,t=1,p=255$" + salt + "$" + key, false, true},
		{"negative", "pw", "$argon2id$v=19$m=-1,t=1,p=1$" + salt + "$" + key, false, true},
		{"trailing junk", "pw", "$argon2id$v=19$m=64,t=1,p=1x$" + salt + "$" + key, false, true},
		{"bad salt", "pw", "$argon2id$v=19$m=64,t=1,p=1$!!!$" + key, false, true},
		{"short salt", "pw", "$argon2id$v=19$m=64,t=1,p=1$YWJj$" + key, false, true},
		{"short key", "pw", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$YWJj", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := h.Verify(ctx, tt.pw, tt.phc)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Verify() error = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, ErrInvalidHash) {
				t.Errorf("error %v is not ErrInvalidHash", err)
			}
			if got != tt.want {
				t.Errorf("Verify() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestHasher_Verify_paramsFromHash(t *testing.T) {
	ctx := t.Context()
	old := NewHasher(HasherConfig{Params: cheapParams})
	phc, err := old.Hash(ctx, "an old but good password")
	if err != nil {
		t.Fatal(err)
	}
	cur := NewHasher(HasherConfig{})
	if ok, err := cur.Verify(ctx, "an old but good password", phc); !ok || err != nil {
		t.Fatalf("Verify(old params) = %v, %v; want true", ok, err)
	}
	if !cur.NeedsRehash(phc) {
		t.Error("NeedsRehash(old params) = false")
	}
	if !cur.NeedsRehash("garbage") {
		t.Error("NeedsRehash(garbage) = false")
	}
}

func TestHasher_concurrencyCap(t *testing.T) {
	h := NewHasher(HasherConfig{Params: Argon2Params{Memory: 4096, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, MaxConcurrent: 2})
	var running, peak atomic.Int32
	// Hold the slots from outside to observe the cap deterministically.
	ctx := t.Context()
	if err := h.acquire(ctx); err != nil {
		t.Fatal(err)
	}
	if err := h.acquire(ctx); err != nil {
		t.Fatal(err)
	}
	waitCtx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := h.Hash(waitCtx, "queued behind two"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Hash with full slots = %v, want deadline exceeded", err)
	}
	if _, err := h.Verify(waitCtx, "x", ""); err == nil {
		t.Fatal("Verify with full slots and done ctx succeeded")
	}
	h.release()
	h.release()

	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if err := h.acquire(ctx); err != nil {
				t.Error(err)
				return
			}
			n := running.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			time.Sleep(time.Millisecond) // hold the slot briefly so others overlap
			running.Add(-1)
			h.release()
		})
	}
	wg.Wait()
	if p := peak.Load(); p > 2 {
		t.Fatalf("peak concurrent hashes = %d, want <= 2", p)
	}
}

func TestHasher_VerifyWithoutHash(t *testing.T) {
	h := NewHasher(HasherConfig{Params: cheapParams})
	if ok, err := h.Verify(t.Context(), "anything", ""); ok || err != nil {
		t.Fatalf("Verify against no hash = %v, %v; want false, nil", ok, err)
	}
	if h.derived.Load() != 1 {
		t.Fatalf("%d hashes, want 1", h.derived.Load())
	}
}

func TestOWASPParams(t *testing.T) {
	p := OWASPParams()
	if p.Memory != 19456 || p.Time != 2 || p.Threads != 1 || p.SaltLen != 16 || p.KeyLen != 32 {
		t.Fatalf("OWASPParams() = %+v", p)
	}
	if NewHasher(HasherConfig{}).Params() != p {
		t.Error("default Hasher does not use OWASP parameters")
	}
}

func BenchmarkHasher_Hash(b *testing.B) {
	h := NewHasher(HasherConfig{})
	ctx := b.Context()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := h.Hash(ctx, "correct horse battery staple"); err != nil {
				b.Error(err)
			}
		}
	})
}

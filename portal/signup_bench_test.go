package portal

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/store/storetest"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/sample"
)

// BenchmarkSignup_POST reports x-ref: accepted sign-ups/s ÷ bare argon2id
// hashes/s with the same parameters (OWASP) and cap (one hash per CPU),
// measured side by side in alternating rounds (goal ≥ 0.85).
// BenchmarkArgon2id_Bare is the bare hash alone:
//
//	go test ./portal -run '^$' -bench 'Signup_POST|Argon2id_Bare' -benchtime 3s

func BenchmarkArgon2id_Bare(b *testing.B) {
	h := NewHasher(HasherConfig{})
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := h.Hash(context.Background(), "correct horse battery staple"); err != nil {
				b.Error(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "hashes/s")
}

// BenchmarkSignup_POST posts valid sign-ups through the whole handler
// (middleware, parsing, validation, rate limits, hash, one SQLite
// transaction with the request, token, audit and outbox rows). "known"
// posts an address that is registered already: the same work up to the
// hash, a lighter transaction after it.
//
// The new sign-ups run on an empty database and on copies of the cached
// sample databases of 1k and 1M requests (REGDESK_BENCH_CACHE): the
// transaction's indexes, full-text rows and counters grow with the data.
func BenchmarkSignup_POST(b *testing.B) {
	for _, c := range []struct {
		name  string
		known bool
		rows  int
	}{{"new", false, 0}, {"known", true, 0}, {"new/rows=1000", false, 1_000}, {"new/rows=1000000", false, 1_000_000}} {
		known := c.known
		b.Run(c.name, func(b *testing.B) {
			// The limiters' clock moves an hour per look, so every post is
			// allowed while the limiter code still runs.
			var ticks atomic.Int64
			base := time.Now()
			mod := func(d *Deps) {
				d.hashParams = Argon2Params{}
				d.Now = func() time.Time { return base.Add(time.Duration(ticks.Add(1)) * time.Hour) }
			}
			var e *signupEnv
			if c.rows == 0 {
				e = newSignupEnv(b, mod)
			} else {
				clock := storetest.NewClock()
				e = newSignupEnvOn(b, sampleCopy(b, c.rows, clock.Now), clock, mod)
			}
			// Limits raised: the cap on unverified requests, and the allowances
			// the workflow counts in the database: per network (the posts come
			// from a few /24s), per address ("known" posts one address) and
			// per email domain (every post is at acme.example).
			for k, v := range map[string]string{workflow.ParamMaxUnverified: "10000000",
				workflow.ParamSignupPerIP: "100000", workflow.ParamSignupPerAddress: "1000",
				workflow.ParamSignupPerDomain: "100000"} {
				if err := e.svc.SetParam(context.Background(), k, v, "bench"); err != nil {
					b.Fatal(err)
				}
			}
			if known {
				e.signedUp("known@acme.example", "known")
			}
			bare := NewHasher(HasherConfig{})
			sideBySide(b, 4, "signups/s", "hashes/s", func(i int64) error {
				v := validSignup()
				v.Set(FieldUsername, fmt.Sprintf("user%d", i))
				if known {
					v.Set(FieldEmail, "known@acme.example")
				} else {
					v.Set(FieldEmail, fmt.Sprintf("user%d@acme.example", i))
				}
				r, _ := http.NewRequest(http.MethodPost, "/signup", strings.NewReader(v.Encode()))
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				r.RemoteAddr = fmt.Sprintf("10.%d.%d.%d:1234", i>>16&255, i>>8&255, i&255)
				w := &statusRecorder{header: http.Header{}}
				e.h.ServeHTTP(w, r)
				if w.code != http.StatusSeeOther {
					return fmt.Errorf("status %d", w.code)
				}
				return nil
			}, func(int64) error {
				_, err := bare.Hash(context.Background(), "correct horse battery staple")
				return err
			})
		})
	}
}

// statusRecorder is a ResponseWriter that keeps only the status, so the
// benchmark does not measure buffering the page.
type statusRecorder struct {
	header http.Header
	code   int
}

func (s *statusRecorder) Header() http.Header { return s.header }

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.code == 0 {
		s.code = http.StatusOK
	}
	return len(b), nil
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.code == 0 {
		s.code = code
	}
}

// sampleCopy opens a copy of the cached sample database of n requests,
// for benchmarks that write: the cached file stays as it was.
func sampleCopy(b *testing.B, n int, now func() time.Time) *store.DB {
	b.Helper()
	ctx := context.Background()
	path, err := sample.CachedDB(ctx, n)
	if err != nil {
		b.Fatal(err)
	}
	dst := filepath.Join(b.TempDir(), "sample.db")
	if err := sample.CopyDB(path, dst); err != nil {
		b.Fatal(err)
	}
	db, err := store.Open(ctx, dst, store.Options{Now: now})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

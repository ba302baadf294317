package portal

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock for limiter tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)} }

func TestNewKeyedLimiter(t *testing.T) {
	for _, cfg := range []LimiterConfig{{}, {Events: 1}, {Per: time.Hour}, {Events: -1, Per: time.Hour}} {
		if _, err := NewKeyedLimiter(cfg); err == nil {
			t.Errorf("NewKeyedLimiter(%+v) succeeded", cfg)
		}
	}
}

func TestKeyedLimiter_Allow(t *testing.T) {
	clk := newClock()
	l, err := NewKeyedLimiter(LimiterConfig{Events: 5, Per: time.Hour, Burst: 3, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("attempt %d refused within burst", i+1)
		}
	}
	ok, wait := l.Allow("a")
	if ok || wait != 12*time.Minute {
		t.Fatalf("4th attempt = %v, %v; want refused, 12m", ok, wait)
	}
	if ok, _ := l.Allow("b"); !ok {
		t.Fatal("another key was refused")
	}
	// A refused attempt must not use up a token.
	clk.Add(12 * time.Minute)
	if ok, _ := l.Allow("a"); !ok {
		t.Fatal("refused after waiting Retry-After")
	}
	if ok, wait := l.Allow("a"); ok || wait != 12*time.Minute {
		t.Fatalf("next = %v, %v; want refused, 12m", ok, wait)
	}
}

func TestKeyedLimiter_evictsIdle(t *testing.T) {
	clk := newClock()
	l, _ := NewKeyedLimiter(LimiterConfig{Events: 10, Per: time.Minute, Burst: 2, Now: clk.Now})
	for i := range 100 {
		l.Allow(fmt.Sprint("k", i))
	}
	if n := l.Len(); n != 100 {
		t.Fatalf("Len() = %d, want 100", n)
	}
	clk.Add(12 * time.Second) // two tokens at one per 6s: every bucket is full again
	l.Allow("fresh")
	if n := l.Len(); n != 1 {
		t.Fatalf("Len() after idle = %d, want 1", n)
	}
}

func TestKeyedLimiter_boundedKeys(t *testing.T) {
	clk := newClock()
	l, _ := NewKeyedLimiter(LimiterConfig{Events: 1, Per: time.Hour, MaxKeys: 50, Now: clk.Now})
	for i := range 10000 {
		l.Allow(fmt.Sprint("flood", i))
		if l.Len() > 50 {
			t.Fatalf("Len() = %d after %d keys, want <= 50", l.Len(), i+1)
		}
	}
	// The most recently used keys are kept.
	if ok, _ := l.Allow("flood9999"); ok {
		t.Error("recent key forgotten")
	}
}

func TestKeyedLimiter_concurrent(t *testing.T) {
	clk := newClock()
	l, _ := NewKeyedLimiter(LimiterConfig{Events: 100, Per: time.Hour, Now: clk.Now})
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := 0
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				key := "shared"
				if i%2 == 0 {
					key = fmt.Sprint(g, "-", i)
				}
				if ok, _ := l.Allow(key); ok && key == "shared" {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if allowed != 100 {
		t.Fatalf("shared key allowed %d times, want its burst of 100", allowed)
	}
}

func TestRateLimit(t *testing.T) {
	rd := newTestRenderer(t)
	clk := newClock()
	l, _ := NewKeyedLimiter(LimiterConfig{Events: 2, Per: time.Hour, Now: clk.Now})
	ips, _ := NewClientIPResolver(nil)
	h := RateLimit(l, func(r *http.Request) string { return IPKey(ips.ClientIP(r)) }, rd)(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }))
	do := func(remote string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", "/signup", nil)
		r.RemoteAddr = remote
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec
	}
	for range 2 {
		if c := do("203.0.113.1:1").Code; c != 204 {
			t.Fatalf("status %d within limit", c)
		}
	}
	rec := do("203.0.113.1:2")
	if rec.Code != 429 || rec.Header().Get("Retry-After") != "1800" {
		t.Fatalf("over limit: status %d, Retry-After %q; want 429, 1800", rec.Code, rec.Header().Get("Retry-After"))
	}
	if body := rec.Body.String(); !containsAll(body, "Too many attempts", "30 minutes") {
		t.Error("429 page lacks its message")
	}
	if c := do("203.0.113.2:1").Code; c != 204 {
		t.Fatalf("other client got %d", c)
	}
}

func TestRenderer_TooManyRequests_retryAfter(t *testing.T) {
	rd := newTestRenderer(t)
	for d, want := range map[time.Duration]string{0: "1", 100 * time.Millisecond: "1", 1500 * time.Millisecond: "2", time.Hour: "3600"} {
		rec := httptest.NewRecorder()
		rd.TooManyRequests(rec, httptest.NewRequest("GET", "/", nil), d)
		if got := rec.Header().Get("Retry-After"); got != want || rec.Code != 429 {
			t.Errorf("TooManyRequests(%v): Retry-After %q status %d, want %q 429", d, got, rec.Code, want)
		}
	}
}

func TestKeyedLimiter_SetRate(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l, err := NewKeyedLimiter(LimiterConfig{Events: 2, Per: time.Hour, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("attempt %d refused", i+1)
		}
	}
	if ok, _ := l.Allow("a"); ok {
		t.Fatal("third attempt allowed at 2 an hour")
	}
	// Raising the allowance lets the same key go on, and new keys get it all.
	l.SetRate(5, time.Hour)
	if ok, _ := l.Allow("b"); !ok {
		t.Fatal("new key refused after raising the rate")
	}
	allowed := 0
	for range 10 {
		if ok, _ := l.Allow("c"); ok {
			allowed++
		}
	}
	if allowed != 5 {
		t.Fatalf("new key got %d attempts, want 5", allowed)
	}
	l.SetRate(0, time.Hour) // ignored
	if ok, _ := l.Allow("d"); !ok {
		t.Fatal("a zero rate was applied")
	}
}

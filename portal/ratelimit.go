package portal

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/regdesk/regdesk/store"
	"golang.org/x/time/rate"
)

// LimiterConfig configures a [KeyedLimiter]: each key may make Burst
// attempts at once and then Events per Per, e.g. 5 per hour with burst 5.
type LimiterConfig struct {
	Events int
	Per    time.Duration
	Burst  int // zero means Events
	// MaxKeys bounds memory. Keys whose bucket has refilled are forgotten
	// first; when all are busy the least recently used goes, which resets
	// its allowance (the price of a fixed memory bound). Zero means 10,000.
	MaxKeys int
	Now     func() time.Time // zero means time.Now
}

// KeyedLimiter is a token bucket per key (client IP, email address), with a
// bounded number of keys. It is safe for concurrent use.
type KeyedLimiter struct {
	limit   rate.Limit
	burst   int
	maxKeys int
	idle    time.Duration // after this long unused, a bucket is full again
	now     func() time.Time

	mu   sync.Mutex
	keys map[string]*list.Element // of *bucket
	lru  *list.List               // front: most recently used
}

type bucket struct {
	key      string
	lim      *rate.Limiter
	lastSeen time.Time
}

// NewKeyedLimiter returns a limiter for cfg.
func NewKeyedLimiter(cfg LimiterConfig) (*KeyedLimiter, error) {
	if cfg.Events <= 0 || cfg.Per <= 0 {
		return nil, errors.New("rate limit: Events and Per must be positive")
	}
	if cfg.Burst <= 0 {
		cfg.Burst = cfg.Events
	}
	if cfg.MaxKeys <= 0 {
		cfg.MaxKeys = 10000
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	every := cfg.Per / time.Duration(cfg.Events)
	return &KeyedLimiter{
		limit:   rate.Every(every),
		burst:   cfg.Burst,
		maxKeys: cfg.MaxKeys,
		idle:    every * time.Duration(cfg.Burst),
		now:     cfg.Now,
		keys:    make(map[string]*list.Element),
		lru:     list.New(),
	}, nil
}

// Allow takes one token for key. If none is left it returns false and how
// long until one is.
func (l *KeyedLimiter) Allow(key string) (bool, time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.evictIdle(now)
	b := l.get(key, now)
	res := b.lim.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return false, d
	}
	return true, 0
}

// get returns key's bucket, creating it (and making room) if needed.
func (l *KeyedLimiter) get(key string, now time.Time) *bucket {
	if e, ok := l.keys[key]; ok {
		l.lru.MoveToFront(e)
		b := e.Value.(*bucket)
		b.lastSeen = now
		return b
	}
	for l.lru.Len() >= l.maxKeys {
		l.remove(l.lru.Back())
	}
	b := &bucket{key: key, lim: rate.NewLimiter(l.limit, l.burst), lastSeen: now}
	l.keys[key] = l.lru.PushFront(b)
	return b
}

// evictIdle forgets buckets that have refilled: they behave like new ones.
func (l *KeyedLimiter) evictIdle(now time.Time) {
	for e := l.lru.Back(); e != nil; e = l.lru.Back() {
		if now.Sub(e.Value.(*bucket).lastSeen) < l.idle {
			return
		}
		l.remove(e)
	}
}

func (l *KeyedLimiter) remove(e *list.Element) {
	delete(l.keys, e.Value.(*bucket).key)
	l.lru.Remove(e)
}

// Len returns the number of keys held.
func (l *KeyedLimiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lru.Len()
}

// RateLimit refuses requests over l's limit with the 429 page and a
// Retry-After header. key picks the bucket, e.g. the client IP via
// [ClientIPResolver.ClientIP] and [IPKey]. Limits on the email address need
// the parsed form, so handlers call [KeyedLimiter.Allow] themselves.
func RateLimit(l *KeyedLimiter, key func(*http.Request) string, rd *Renderer) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if ok, wait := l.Allow(key(r)); !ok {
				rd.TooManyRequests(w, r, wait)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// SetRate changes the allowance to events per per (burst events), for limits
// that follow a parameter; existing keys keep their spent tokens.
func (l *KeyedLimiter) SetRate(events int, per time.Duration) {
	if events <= 0 || per <= 0 {
		return
	}
	every := per / time.Duration(events)
	limit := rate.Every(every)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.limit == limit && l.burst == events {
		return
	}
	now := l.now()
	l.limit, l.burst, l.idle = limit, events, every*time.Duration(events)
	for e := l.lru.Front(); e != nil; e = e.Next() {
		b := e.Value.(*bucket)
		b.lim.SetLimitAt(now, limit)
		b.lim.SetBurstAt(now, events)
	}
}

// limiter is a per-key allowance: Allow takes one attempt for key, or says
// how long until one is allowed.
type limiter interface {
	Allow(key string) (bool, time.Duration)
	SetRate(events int, per time.Duration)
}

// sharedLimiter is a token bucket per key counted in the database
// (store.DB.TakeToken): every process on the database, and a restarted
// one, draws from the same allowance. Keys are stored hashed with the
// limit's name, never as the client address or account they are.
type sharedLimiter struct {
	name string
	db   *store.DB
	now  func() time.Time
	log  *slog.Logger

	mu     sync.Mutex
	bucket store.Bucket
}

func newSharedLimiter(name string, db *store.DB, events int, per time.Duration, now func() time.Time, log *slog.Logger) *sharedLimiter {
	l := &sharedLimiter{name: name, db: db, now: now, log: log}
	l.SetRate(events, per)
	return l
}

// SetRate changes the allowance to events per per (burst events); spent
// tokens stay spent.
func (l *sharedLimiter) SetRate(events int, per time.Duration) {
	if events <= 0 || per <= 0 {
		return
	}
	l.mu.Lock()
	l.bucket = store.Bucket{Burst: events, Every: per / time.Duration(events)}
	l.mu.Unlock()
}

// Allow takes one token for key. When the database cannot answer, the
// attempt is let through (and logged): the handler behind the limit needs
// the same database and fails on its own.
func (l *sharedLimiter) Allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	b := l.bucket
	l.mu.Unlock()
	sum := sha256.Sum256([]byte(key))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ok, wait, err := l.db.TakeToken(ctx, l.name+":"+hex.EncodeToString(sum[:16]), b, l.now())
	if err != nil {
		l.log.Error("rate limit", "limit", l.name, "err", err)
		return true, 0
	}
	return ok, wait
}

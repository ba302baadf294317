package sshserver

import (
	"sync"
	"time"
)

// sshRateLimiterMax bounds the addresses remembered; full buckets are
// forgotten first, as they hold nothing a fresh bucket would not.
const sshRateLimiterMax = 4096

// sshRateLimiter is a token bucket per remote IP: burst connections at once,
// then one more every refill.
type sshRateLimiter struct {
	burst  float64
	refill time.Duration
	now    func() time.Time

	mu      sync.Mutex
	buckets map[string]*sshBucket
}

type sshBucket struct {
	tokens float64
	at     time.Time
}

func newSSHRateLimiter(burst int, refill time.Duration, now func() time.Time) *sshRateLimiter {
	return &sshRateLimiter{burst: float64(burst), refill: refill, now: now, buckets: map[string]*sshBucket{}}
}

func (l *sshRateLimiter) allow(ip string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.buckets[ip]
	if b == nil {
		if len(l.buckets) >= sshRateLimiterMax {
			l.prune(now)
		}
		b = &sshBucket{tokens: l.burst, at: now}
		l.buckets[ip] = b
	}
	b.tokens = l.level(b, now)
	b.at = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

func (l *sshRateLimiter) level(b *sshBucket, now time.Time) float64 {
	return min(l.burst, b.tokens+float64(now.Sub(b.at))/float64(l.refill))
}

func (l *sshRateLimiter) prune(now time.Time) {
	for ip, b := range l.buckets {
		if l.level(b, now) >= l.burst {
			delete(l.buckets, ip)
		}
	}
	if len(l.buckets) >= sshRateLimiterMax {
		// Under a flood from many addresses, forget them all rather than grow.
		clear(l.buckets)
	}
}

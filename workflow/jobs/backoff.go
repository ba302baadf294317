package jobs

import (
	"math/rand/v2"
	"time"

	"github.com/riverqueue/river/rivertype"
)

// Backoff is the retry policy: exponential from Base, capped at Max, with
// "equal jitter" (half the delay fixed, half random) so retries after an
// outage do not all arrive at once.
type Backoff struct {
	Base, Max time.Duration
	Now       func() time.Time
}

// DefaultBackoff waits 10 s, 20 s, 40 s … up to an hour between attempts: a
// mail survives an SMTP outage of several hours before it is marked failed.
func DefaultBackoff() Backoff {
	return Backoff{Base: 10 * time.Second, Max: time.Hour, Now: time.Now}
}

// Delay is the wait after the given failed attempt (1-based), before jitter.
func (b Backoff) Delay(attempt int) time.Duration {
	d := b.Base
	for i := 1; i < attempt && d < b.Max; i++ {
		d *= 2
	}
	return min(d, b.Max)
}

// NextRetry implements river.ClientRetryPolicy.
func (b Backoff) NextRetry(job *rivertype.JobRow) time.Time {
	d := b.Delay(max(job.Attempt, 1))
	half := d / 2
	if half > 0 {
		d = half + rand.N(half+1)
	}
	now := time.Now
	if b.Now != nil {
		now = b.Now
	}
	// River treats a time not after now as "use the default policy".
	return now().UTC().Add(max(d, time.Millisecond))
}

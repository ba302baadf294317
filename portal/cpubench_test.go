package portal

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// sideBySide runs b.N operations of op against as many of ref, in rounds
// of a few each, alternating, every round on clients goroutines per
// GOMAXPROCS (RunParallel's parallelism), as a server under a flood has
// more requests open than it has hashing slots. On a machine shared with other work the speed of the
// cores swings by the minute; rounds seconds apart see the same swings, so
// the ratio of the two rates means what it says. Only op is timed; it
// reports op's rate as unit, ref's as refUnit, and x-ref = op's rate ÷
// ref's. op and ref get the operation's number, from 1.
func sideBySide(b *testing.B, clients int, unit, refUnit string, op, ref func(i int64) error) {
	round := 4 * clients * runtime.GOMAXPROCS(0)
	var opTime, refTime time.Duration
	var n atomic.Int64
	run := func(k int, fn func(int64) error) time.Duration {
		start := time.Now()
		var left atomic.Int64
		left.Store(int64(k))
		var wg sync.WaitGroup
		for range clients * runtime.GOMAXPROCS(0) {
			wg.Go(func() {
				for left.Add(-1) >= 0 {
					if err := fn(n.Add(1)); err != nil {
						b.Error(err) // not Fatal: this is not the benchmark's goroutine
						return
					}
				}
			})
		}
		wg.Wait()
		return time.Since(start)
	}
	b.ResetTimer()
	for done := 0; done < b.N && !b.Failed(); done += round {
		k := min(round, b.N-done)
		opTime += run(k, op)
		b.StopTimer()
		refTime += run(k, ref)
		b.StartTimer()
	}
	opRate, refRate := float64(b.N)/opTime.Seconds(), float64(b.N)/refTime.Seconds()
	b.ReportMetric(opRate, unit)
	b.ReportMetric(refRate, refUnit)
	b.ReportMetric(opRate/refRate, "x-ref")
}

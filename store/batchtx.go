package store

import (
	"context"
	"fmt"
	"sync"
)

// maxBatch bounds how many callers share one transaction in WithBatchedTx.
const maxBatch = 64

// batcher groups the callers of WithBatchedTx: one of them leads, running
// a transaction for everyone waiting, and hands the lead on.
type batcher struct {
	mu      sync.Mutex
	pending []*batchItem
	leading bool
}

type batchItem struct {
	ctx      context.Context
	fn       func(tx *Tx) error
	err      error
	panicked any
	// ready hears true when this caller is to lead the next transaction,
	// false when its own result is in.
	ready chan bool
}

// WithBatchedTx runs fn as WithTx does, except that callers arriving while
// another's transaction runs share the next one (group commit): each fn runs
// in a savepoint of its own, so a failing fn rolls back only its own writes
// and only its caller sees the error; the others commit together. It
// returns nil once the shared transaction has committed with fn's writes.
// When that commit fails, every caller in the batch gets the error and
// nothing of theirs is kept.
//
// Under load this turns many small write transactions (a workflow step, a
// delivery marked sent) into a few larger ones: on SQLite the single writer
// writes each changed page once per batch rather than once per caller.
//
// The shared transaction does not end with one caller's ctx: a caller whose
// ctx is done before its turn gets ctx.Err() and runs nothing, and fn
// should run its queries with a context that is not cancelled half-way
// (an interrupted statement can roll back the whole transaction on SQLite),
// such as context.WithoutCancel(ctx). As with WithTx, fn may run more than
// once on PostgreSQL, and sees the writes of the callers before it in the
// batch.
func (db *DB) WithBatchedTx(ctx context.Context, fn func(tx *Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	it := &batchItem{ctx: ctx, fn: fn, ready: make(chan bool, 1)}
	b := &db.batch
	b.mu.Lock()
	b.pending = append(b.pending, it)
	lead := !b.leading
	b.leading = true
	b.mu.Unlock()
	if !lead {
		// Not abandoned on ctx: fn may be committing in another's batch.
		lead = <-it.ready
	}
	if lead {
		db.leadBatch()
	}
	if it.panicked != nil {
		panic(it.panicked)
	}
	return it.err
}

// leadBatch runs one transaction for the callers waiting (the leader is
// the first of them), then wakes the next caller to lead, if any.
func (db *DB) leadBatch() {
	b := &db.batch
	b.mu.Lock()
	n := min(len(b.pending), maxBatch)
	batch := append([]*batchItem(nil), b.pending[:n]...)
	b.pending = b.pending[n:]
	b.mu.Unlock()

	db.runBatch(batch)

	b.mu.Lock()
	var next *batchItem
	if len(b.pending) > 0 {
		next = b.pending[0]
	} else {
		b.leading = false
	}
	b.mu.Unlock()
	for _, it := range batch[1:] {
		it.ready <- false
	}
	if next != nil {
		next.ready <- true
	}
}

func (db *DB) runBatch(batch []*batchItem) {
	ctx := context.Background()
	if len(batch) == 1 {
		it := batch[0]
		it.err = db.WithTx(ctx, func(tx *Tx) error {
			it.err, it.panicked = nil, nil
			if err := it.ctx.Err(); err != nil {
				return err
			}
			return callItem(tx, it)
		})
		return
	}
	err := db.WithTx(ctx, func(tx *Tx) error {
		for _, it := range batch {
			it.err, it.panicked = nil, nil
			if it.err = it.ctx.Err(); it.err != nil {
				continue
			}
			if _, err := tx.tx.ExecContext(ctx, `SAVEPOINT batch_item`); err != nil {
				return mapErr(err)
			}
			if it.err = callItem(tx, it); it.err != nil {
				if db.d.postgres && retryable(it.err) {
					return it.err // WithTx runs the whole batch again
				}
				if _, err := tx.tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT batch_item`); err != nil {
					return mapErr(err)
				}
			}
			if _, err := tx.tx.ExecContext(ctx, `RELEASE SAVEPOINT batch_item`); err != nil {
				return mapErr(err)
			}
		}
		return nil
	})
	if err != nil {
		for _, it := range batch {
			if it.err == nil && it.panicked == nil {
				it.err = err
			}
		}
	}
}

// callItem runs one caller's fn; a panic is caught, so that the others'
// transaction goes on, and raised again in the caller's goroutine.
func callItem(tx *Tx, it *batchItem) (err error) {
	defer func() {
		if p := recover(); p != nil {
			it.panicked = p
			err = fmt.Errorf("store: batched transaction: panic: %v", p)
		}
	}()
	return it.fn(tx)
}

// Package storetest opens migrated databases for tests.
package storetest

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/regdesk/regdesk/store"
)

// New opens a migrated database file in t.TempDir() (a file, not :memory:,
// which would give every pooled connection its own database).
func New(t testing.TB) *store.DB {
	t.Helper()
	return NewWithClock(t, nil)
}

// NewWithClock is New with the store's clock set.
func NewWithClock(t testing.TB, now func() time.Time) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "regdesk.db"),
		store.Options{Now: now})
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Clock is a settable fake clock for tests, safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts a clock at a fixed, readable instant.
func NewClock() *Clock { return &Clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// AsSent returns mails as their recipients get them: each queued mail's
// working link in place of store.LinkMarker.
func AsSent(t testing.TB, db *store.DB, ms []store.Mail) []store.Mail {
	t.Helper()
	out := make([]store.Mail, len(ms))
	for i, m := range ms {
		link, err := db.Read().MailLink(context.Background(), m.ID)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = store.FillLink(m, link)
	}
	return out
}

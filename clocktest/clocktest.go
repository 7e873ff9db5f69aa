// Package clocktest provides a settable fake [iso20000.Clock] for tests, so
// that tests control time and never sleep.
package clocktest

import (
	"sync"
	"time"
)

// Clock is a fake clock that only moves when told to. It is safe for
// concurrent use. The zero value reads as the zero time; use [New].
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// New returns a Clock set to t (converted to UTC).
func New(t time.Time) *Clock { return &Clock{now: t.UTC()} }

// Now returns the clock's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set sets the clock to t (converted to UTC).
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t.UTC()
	c.mu.Unlock()
}

// Advance moves the clock forward by d and returns the new time.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

package iso20000

import "time"

// Clock tells the current time. Services take a Clock as an option so that
// tests control time (see package clocktest) and never sleep.
//
// Implementations must be safe for concurrent use.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
}

// ClockFunc adapts a function to a [Clock].
type ClockFunc func() time.Time

// Now calls f.
func (f ClockFunc) Now() time.Time { return f() }

// SystemClock is the [Clock] of the operating system, in UTC.
var SystemClock Clock = ClockFunc(func() time.Time { return time.Now().UTC() })

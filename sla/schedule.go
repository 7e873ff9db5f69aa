package sla

import "time"

// Schedule tells business time: the hours during which an SLA clock runs.
// *Calendar implements it; so does the round-the-clock schedule of the
// calendar constructors.
//
// Implementations must be safe for concurrent use, must not panic, and must
// be consistent with each other: for d >= 0,
// Elapsed(start, Add(start, d)) == d.
type Schedule interface {
	// Add returns the instant at which d (> 0) of business time has
	// elapsed since start.
	Add(start time.Time, d time.Duration) time.Time
	// Elapsed returns the business time between from and to; it is 0 when
	// to is not after from.
	Elapsed(from, to time.Time) time.Duration
}

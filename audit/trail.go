package audit

import (
	"context"
	"iter"
)

// Trail is an append-only, hash-chained audit trail kept by a storage backend
// (see package store and its sub-packages memory, sqlite and postgres).
//
// Appends that belong to a record change are made inside the store's unit of
// work (store.Tx.Append) so that the change and its evidence commit together;
// Trail.Append is for entries that stand alone (denied attempts, imports), each
// call being its own unit of work. Verification, export and checkpoints are
// package functions over any Trail: [Verify], [Export], [SignCheckpoint],
// [VerifyCheckpoint].
//
// Implementations must be safe for concurrent use, and appends from every
// goroutine, connection and process sharing the storage form one gap-free
// linear chain. Every implementation passes the conformance suite of package
// audit/audittest, which checks the contract written here.
type Trail interface {
	// Head returns the sequence number and hash of the last entry, or the
	// zero Head when the trail is empty.
	Head(ctx context.Context) (Head, error)

	// Entries yields the stored entries with from <= Seq <= to, in sequence
	// order, as they are stored (without checking them); to == 0 means up to
	// the head. It yields a non-nil error once and stops when reading fails or
	// ctx is done. Callers may keep the yielded entries: they are copies.
	Entries(ctx context.Context, from, to uint64) iter.Seq2[Entry, error]

	// Append seals copies of the entries (see [Seal]) after the current
	// head, in order, stores them in one unit of work and returns them
	// sealed. Either all are stored or none: an entry failing
	// [Entry.Validate] stores none and gives its error (matching
	// [ErrInvalidEntry] and iso20000.ErrValidation), and a done ctx stores
	// none and gives ctx's error. Append with no entries stores nothing and
	// returns no error. It never modifies the caller's entries, and neither
	// the caller's entries nor the returned ones share memory (Changes,
	// Data) with what is stored. Times are kept to the nanosecond, in UTC.
	Append(ctx context.Context, entries ...Entry) ([]Entry, error)
}

// Package storetest is the conformance suite that every [store.Store]
// backend runs, so that process packages behave the same on any of them.
//
// A backend's tests call [Run] once:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store {
//			st := memory.New()
//			t.Cleanup(func() { st.Close() })
//			return st
//		})
//	}
//
// The suite is a set of table-driven subtests. It asserts the portable
// errors of the root package and of package store with errors.Is and
// errors.As, never a backend's messages. Only tests import this package.
//
// What a backend must do to pass, beyond the doc comments of [store.Tx] and
// [store.Store]:
//
//   - Records: values and keys round-trip, keys in UTC to the nanosecond;
//     versions 1, 2, 3...; a duplicate insert, a stale version and a missing
//     record give *iso20000.ConflictError and *iso20000.NotFoundError; an
//     empty ID gives iso20000.ErrValidation; kinds are separate name spaces;
//     no value given or returned aliases stored state; a unit reads its own
//     writes.
//   - Lists: every filter alone and combined, both orders ascending and
//     descending with ties broken by ID; pages of at most Limit records whose
//     Next is empty on the last page (a page with a Next is full and the page
//     after it is not empty); records inserted between pages are listed once
//     if they sort after the cursor and not at all otherwise; invalid limits,
//     orders and cursors (including one made for another order) give
//     iso20000.ErrValidation; lists follow updates and deletes of keys.
//   - Units of work: an error, a panic (raised again) or a context cancelled
//     during the unit undo every insert, update, delete, audit entry and
//     number taken; View refuses writes with store.ErrReadOnly; a context
//     done before the unit starts gives its error and writes nothing.
//   - Audit: entries appended in a unit are sealed after the head and on the
//     trail after commit; an invalid entry stores no entry of its call;
//     Entries ranges (to == 0: up to the head) and copies.
//   - Numbers: gap-free, per name, unique under concurrency.
//   - Concurrency: no lost update among 100 goroutines doing versioned
//     read-modify-writes; 100 concurrent appends form one chain.
//   - Close: later calls give store.ErrClosed.
package storetest

import (
	"testing"

	"github.com/servicekit/iso20000/store"
)

// Run runs the conformance suite against the backend that newStore makes.
// newStore must return a new, empty store each time it is called and register
// its own cleanup with t (closing a store twice must be harmless). Subtests
// run one after another.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	groups := []struct {
		name  string
		tests []test
	}{
		{"Records", recordTests},
		{"List", listTests},
		{"UnitOfWork", unitTests},
		{"Audit", auditTests},
		{"NextNumber", numberTests},
		{"Concurrency", concurrencyTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) { tc.fn(t, newStore(t)) })
			}
		})
	}
}

// test is one subtest of the suite; it gets a fresh, empty store.
type test struct {
	name string
	fn   func(t *testing.T, st store.Store)
}

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

package sqlite_test

import (
	"testing"

	"github.com/servicekit/iso20000/audit/audittest"
	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/sqlite"
	"github.com/servicekit/iso20000/store/storetest"
)

// TestConformance runs the store conformance suite on a new database file
// per subtest.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		st, _ := open(t)
		return st
	})
}

// TestTrailConformance runs the audit trail conformance suite on the trail of
// a new database file per subtest; tampering rewrites the audit table.
func TestTrailConformance(t *testing.T) {
	audittest.Run(t, func(t *testing.T) audittest.Harness {
		st, _ := open(t)
		return audittest.Harness{Trail: st.Trail(), Rewrite: sqlite.Rewrite(st)}
	})
}

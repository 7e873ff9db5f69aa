package memory

import (
	"context"
	"testing"

	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/audit/audittest"
	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		st := New()
		t.Cleanup(func() { st.Close() })
		return st
	})
}

func TestConformanceSmallTrees(t *testing.T) {
	// Degree 2 makes the trees deep, so that lists cross many nodes.
	storetest.Run(t, func(t *testing.T) store.Store {
		st := New(WithBTreeDegree(2))
		t.Cleanup(func() { st.Close() })
		return st
	})
}

func TestTrailConformance(t *testing.T) {
	audittest.Run(t, func(t *testing.T) audittest.Harness {
		st := New()
		t.Cleanup(func() { st.Close() })
		return audittest.Harness{Trail: st.Trail(), Rewrite: st.rewrite}
	})
}

// rewrite replaces the stored entries with what fn returns, as a tamperer
// would: the Rewrite of audittest.Harness.
func (s *Store) rewrite(ctx context.Context, fn func([]audit.Entry) []audit.Entry) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	stored := make([]audit.Entry, s.entries.len())
	for i := range stored {
		stored[i] = s.entries.entry(i)
	}
	s.entries, s.dense = log{}, true
	for i, e := range fn(stored) {
		s.entries.append(&e)
		if e.Seq != uint64(i+1) {
			s.dense = false
		}
	}
	return nil
}

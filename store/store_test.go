package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/memory"
)

// atCommit is a Tx with the AtCommitAppender capability that records the call.
type atCommit struct {
	store.Tx
	queued []audit.Entry
}

func (a *atCommit) AppendAtCommit(_ context.Context, entries ...audit.Entry) error {
	a.queued = append(a.queued, entries...)
	return nil
}

func TestAppendAtCommit(t *testing.T) {
	ctx := context.Background()
	e := audit.Entry{Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Actor: "ann", Action: "x.y"}

	// A Tx with the capability gets the entries through it.
	a := &atCommit{}
	if err := store.AppendAtCommit(ctx, a, e); err != nil || len(a.queued) != 1 {
		t.Fatalf("capability not used: %v, %d queued", err, len(a.queued))
	}

	// Without it, the entries are appended in the unit of work.
	st := memory.New()
	err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		return store.AppendAtCommit(ctx, tx, e, e)
	})
	if err != nil {
		t.Fatal(err)
	}
	if h, _ := st.Trail().Head(ctx); h.Seq != 2 {
		t.Fatalf("head %d, want 2", h.Seq)
	}
	// An invalid entry fails the call.
	err = st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		return store.AppendAtCommit(ctx, tx, audit.Entry{})
	})
	if err == nil {
		t.Fatal("invalid entry appended")
	}
}

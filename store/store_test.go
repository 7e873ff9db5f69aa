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

// TestCollectionDefaultClone checks the copy a Collection makes without
// WithClone: a plain copy for a type of plain values (strings, times,
// arrays), which keeps even unexported fields and locations that a JSON
// round trip would drop; a deep copy (by JSON) for a type with a slice or a
// pointer, which shares nothing with the original.
func TestCollectionDefaultClone(t *testing.T) {
	type plain struct {
		ID     string
		At     time.Time
		N      [2]int
		hidden int
	}
	pc := store.NewCollection("plain", func(p *plain) (string, store.Keys) { return p.ID, store.Keys{} })
	v := plain{ID: "a", At: time.Now().In(time.FixedZone("X", 3600)), N: [2]int{1, 2}, hidden: 7}
	if got := pc.Clone(&v).(*plain); *got != v || got == &v {
		t.Errorf("plain clone %+v, want a copy of %+v", *got, v)
	}

	type deep struct {
		ID   string
		Tags []string
		P    *int
	}
	dc := store.NewCollection("deep", func(d *deep) (string, store.Keys) { return d.ID, store.Keys{} })
	n := 5
	d := deep{ID: "b", Tags: []string{"x"}, P: &n}
	got := dc.Clone(&d).(*deep)
	got.Tags[0], *got.P = "y", 6
	if d.Tags[0] != "x" || n != 5 || got.ID != "b" {
		t.Errorf("deep clone shares with the original: %+v, n = %d", d, n)
	}
}

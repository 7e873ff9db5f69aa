package audittest

import (
	"context"
	"iter"
	"slices"
	"sync"

	"github.com/servicekit/iso20000/audit"
)

// SliceTrail is the reference [audit.Trail]: a slice of entries guarded by a
// mutex. It is simple rather than fast, proves the suite of [Run], and serves
// examples and tests that need a deterministic trail. Production code uses the
// trail of a store (store/memory, store/sqlite, store/postgres).
//
// A SliceTrail is safe for concurrent use; the zero value is an empty trail.
type SliceTrail struct {
	mu      sync.Mutex
	entries []audit.Entry
}

// NewSliceTrail returns an empty SliceTrail.
func NewSliceTrail() *SliceTrail { return &SliceTrail{} }

// Head implements [audit.Trail]: the last stored entry.
func (t *SliceTrail) Head(ctx context.Context) (audit.Head, error) {
	if err := ctx.Err(); err != nil {
		return audit.Head{}, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.headLocked(), nil
}

func (t *SliceTrail) headLocked() audit.Head {
	if len(t.entries) == 0 {
		return audit.Head{}
	}
	last := t.entries[len(t.entries)-1]
	return audit.Head{Seq: last.Seq, Hash: last.Hash}
}

// Entries implements [audit.Trail]. It yields copies of the stored entries
// with from <= Seq <= to (to == 0: no upper bound), in stored order.
func (t *SliceTrail) Entries(ctx context.Context, from, to uint64) iter.Seq2[audit.Entry, error] {
	return func(yield func(audit.Entry, error) bool) {
		t.mu.Lock()
		snapshot := slices.Clone(t.entries)
		t.mu.Unlock()
		for _, e := range snapshot {
			if err := ctx.Err(); err != nil {
				yield(audit.Entry{}, err)
				return
			}
			if e.Seq < from || (to != 0 && e.Seq > to) {
				continue
			}
			if !yield(e.Clone(), nil) {
				return
			}
		}
	}
}

// Append implements [audit.Trail]: it seals copies of entries after the head
// and stores all of them, or none when one is invalid or ctx is done.
func (t *SliceTrail) Append(ctx context.Context, entries ...audit.Entry) ([]audit.Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	head := t.headLocked()
	sealed := make([]audit.Entry, len(entries))
	for i, e := range entries {
		sealed[i] = e.Clone()
		var err error
		if head, err = audit.Seal(head, &sealed[i]); err != nil {
			return nil, err
		}
	}
	for _, e := range sealed {
		t.entries = append(t.entries, e.Clone())
	}
	return sealed, nil
}

// Rewrite replaces the stored entries with what fn returns, without sealing:
// it is the tamperer of [Harness.Rewrite].
func (t *SliceTrail) Rewrite(ctx context.Context, fn func([]audit.Entry) []audit.Entry) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.entries = cloneAll(fn(cloneAll(t.entries)))
	return nil
}

// Harness returns the [Harness] of t for [Run].
func (t *SliceTrail) Harness() Harness { return Harness{Trail: t, Rewrite: t.Rewrite} }

func cloneAll(entries []audit.Entry) []audit.Entry {
	out := make([]audit.Entry, len(entries))
	for i, e := range entries {
		out[i] = e.Clone()
	}
	return out
}

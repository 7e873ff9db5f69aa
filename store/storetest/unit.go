package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/servicekit/iso20000/store"
)

var unitTests = []test{
	{"Rollback", testRollback},
	{"ViewIsReadOnly", testViewReadOnly},
	{"CancelledContext", testCancelledContext},
}

// testRollback checks that a unit of work that fails leaves nothing behind:
// no record inserted, updated or deleted, no audit entry, no number taken.
func testRollback(t *testing.T, st store.Store) {
	keep, gone := sample("keep"), sample("gone")
	insert(t, st, records, keep, gone)
	if n := nextNumber(t, st, "n"); n != 1 {
		t.Fatalf("NextNumber: %d, want 1", n)
	}
	if _, err := st.Trail().Append(context.Background(), entry("ann", "setup")); err != nil {
		t.Fatalf("Append: %v", err)
	}
	h := head(t, st)

	// work does everything a unit can do, then fails as the test says.
	work := func(fail func(ctx context.Context) error) func(ctx context.Context, tx store.Tx) error {
		return func(ctx context.Context, tx store.Tx) error {
			if _, err := records.Insert(ctx, tx, sample("new")); err != nil {
				return err
			}
			changed := keep
			changed.Status, changed.Counter = "closed", 5
			if _, err := records.Update(ctx, tx, changed, 1); err != nil {
				return err
			}
			if err := records.Delete(ctx, tx, "gone", 1); err != nil {
				return err
			}
			if _, err := tx.Append(ctx, entry("ann", "change")); err != nil {
				return err
			}
			if n, err := tx.NextNumber(ctx, "n"); err != nil || n != 2 {
				t.Errorf("NextNumber in the unit: %d, %v, want 2", n, err)
			}
			if n, err := tx.NextNumber(ctx, "fresh"); err != nil || n != 1 {
				t.Errorf("NextNumber in the unit: %d, %v, want 1", n, err)
			}
			return fail(ctx)
		}
	}
	tests := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"fn returns an error", func(t *testing.T) {
			err := st.Update(context.Background(), work(func(context.Context) error { return errBoom }))
			if !errors.Is(err, errBoom) {
				t.Fatalf("Update: %v, want errBoom", err)
			}
		}},
		{"fn panics", func(t *testing.T) {
			defer func() {
				if p := recover(); p != errBoom {
					t.Fatalf("Update: recovered %v, want the panic of fn re-raised", p)
				}
			}()
			_ = st.Update(context.Background(), work(func(context.Context) error { panic(errBoom) }))
			t.Fatal("Update returned after fn panicked")
		}},
		{"ctx cancelled during fn", func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			err := st.Update(ctx, work(func(context.Context) error { cancel(); return nil }))
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Update: %v, want context.Canceled", err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.run(t)
			wantNotFound(t, st, records, "new")
			wantRecord(t, st, records, keep, 1)
			wantRecord(t, st, records, gone, 1)
			if got := head(t, st); got != h {
				t.Errorf("trail head moved to %+v, want %+v", got, h)
			}
			if got := entries(t, st, 1, 0); len(got) != 1 {
				t.Errorf("trail has %d entries, want 1", len(got))
			}
			if got := ids(listAll(t, st, records, store.Query{Status: []string{"closed"}})); len(got) != 0 {
				t.Errorf("List closed: %v, want none", got)
			}
		})
	}
	// Numbers taken in the rolled-back units are given out again.
	if n := nextNumber(t, st, "n"); n != 2 {
		t.Errorf("NextNumber after rollbacks: %d, want 2 (no gap)", n)
	}
	if n := nextNumber(t, st, "fresh"); n != 1 {
		t.Errorf("NextNumber of a counter first used in rolled-back units: %d, want 1", n)
	}
}

func testViewReadOnly(t *testing.T, st store.Store) {
	r := sample("r1")
	insert(t, st, records, r)
	h := head(t, st)
	tests := []struct {
		name string
		fn   func(ctx context.Context, tx store.Tx) error
	}{
		{"Insert", func(ctx context.Context, tx store.Tx) error {
			_, err := records.Insert(ctx, tx, sample("r2"))
			return err
		}},
		{"Update", func(ctx context.Context, tx store.Tx) error {
			_, err := records.Update(ctx, tx, r, 1)
			return err
		}},
		{"Delete", func(ctx context.Context, tx store.Tx) error {
			return records.Delete(ctx, tx, "r1", 1)
		}},
		{"Append", func(ctx context.Context, tx store.Tx) error {
			_, err := tx.Append(ctx, entry("ann", "test"))
			return err
		}},
		{"NextNumber", func(ctx context.Context, tx store.Tx) error {
			_, err := tx.NextNumber(ctx, "n")
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := st.View(context.Background(), func(ctx context.Context, tx store.Tx) error {
				// Reads work in a View.
				if _, err := records.Get(ctx, tx, "r1"); err != nil {
					t.Errorf("Get in View: %v", err)
				}
				if _, _, err := records.List(ctx, tx, store.Query{}); err != nil {
					t.Errorf("List in View: %v", err)
				}
				return tc.fn(ctx, tx)
			})
			if !errors.Is(err, store.ErrReadOnly) {
				t.Fatalf("%s in View: got %v, want store.ErrReadOnly", tc.name, err)
			}
			wantRecord(t, st, records, r, 1)
			wantNotFound(t, st, records, "r2")
			if got := head(t, st); got != h {
				t.Errorf("trail head moved to %+v", got)
			}
		})
	}
	if n := nextNumber(t, st, "n"); n != 1 {
		t.Errorf("NextNumber after a refused one: %d, want 1", n)
	}
}

// testCancelledContext checks that a cancelled context stops a unit of work
// before it writes anything.
func testCancelledContext(t *testing.T, st store.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		fn   func() error
	}{
		{"Update", func() error {
			return st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
				if _, err := records.Insert(ctx, tx, sample("r1")); err != nil {
					return err
				}
				_, err := tx.Append(ctx, entry("ann", "test"))
				return err
			})
		}},
		{"View", func() error {
			return st.View(ctx, func(ctx context.Context, tx store.Tx) error { return nil })
		}},
		{"Trail.Append", func() error {
			_, err := st.Trail().Append(ctx, entry("ann", "test"))
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.fn(); !errors.Is(err, context.Canceled) {
				t.Fatalf("got %v, want context.Canceled", err)
			}
			wantNotFound(t, st, records, "r1")
			if h := head(t, st); h.Seq != 0 {
				t.Errorf("trail head moved to %+v", h)
			}
		})
	}
}

package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/store"
)

var auditTests = []test{
	{"AppendInUnit", testAppendInUnit},
	{"InvalidEntry", testInvalidEntry},
	{"EntriesRanges", testEntriesRanges},
	{"EntriesAreCopies", testEntriesCopies},
	{"AppendAtCommit", testAppendAtCommit},
}

// testAppendAtCommit checks store.AppendAtCommit, through the backend's
// store.AtCommitAppender when it has one: entries appended both ways in one
// unit keep their order in one valid chain; an invalid entry gives
// audit.ErrInvalidEntry and queues nothing (the unit may go on); a unit that
// fails stores none of its entries.
func testAppendAtCommit(t *testing.T, st store.Store) {
	ctx := context.Background()
	bad := entry("ann", "bad")
	bad.Time = time.Time{}
	update(t, st, func(ctx context.Context, tx store.Tx) error {
		if err := store.AppendAtCommit(ctx, tx, entry("ann", "1")); err != nil {
			return err
		}
		if _, err := tx.Append(ctx, entry("ann", "2")); err != nil {
			return err
		}
		if err := store.AppendAtCommit(ctx, tx, entry("ann", "3"), bad); !errors.Is(err, audit.ErrInvalidEntry) {
			t.Errorf("AppendAtCommit with an invalid entry: %v, want audit.ErrInvalidEntry", err)
		}
		return store.AppendAtCommit(ctx, tx, entry("ann", "4"), entry("ann", "5"))
	})
	failed := errors.New("unit fails")
	err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		if err := store.AppendAtCommit(ctx, tx, entry("ann", "rolled back")); err != nil {
			return err
		}
		return failed
	})
	if !errors.Is(err, failed) {
		t.Fatalf("failing unit: %v", err)
	}
	all := entries(t, st, 1, 0)
	checkChain(t, all)
	var got []string
	for _, e := range all {
		got = append(got, e.Action)
	}
	if fmt.Sprint(got) != "[1 2 4 5]" {
		t.Fatalf("trail actions %v, want [1 2 4 5]", got)
	}
}

// testAppendInUnit checks that entries appended in a unit of work are sealed
// after the head, returned sealed, and on the trail after commit.
func testAppendInUnit(t *testing.T, st store.Store) {
	ctx := context.Background()
	if h := head(t, st); h != (audit.Head{}) {
		t.Fatalf("Head of an empty trail: %+v", h)
	}
	first, err := st.Trail().Append(ctx, entry("ann", "first"), entry("ann", "second"))
	if err != nil {
		t.Fatalf("Trail.Append: %v", err)
	}
	checkChain(t, first)
	if h := head(t, st); h != (audit.Head{Seq: 2, Hash: first[1].Hash}) {
		t.Fatalf("Head after two appends: %+v, want 2 %s", h, first[1].Hash)
	}
	given := entry("bob", "fourth")
	given.ID = uuid.MustParse("8f7d8e2a-0d3b-4f6e-9a51-2c7a4c1f9b10")
	var sealed []audit.Entry
	update(t, st, func(ctx context.Context, tx store.Tx) error {
		if _, err := records.Insert(ctx, tx, sample("r1")); err != nil {
			return err
		}
		var err error
		sealed, err = tx.Append(ctx, entry("bob", "third"), given)
		return err
	})
	if len(sealed) != 2 {
		t.Fatalf("tx.Append returned %d entries, want 2", len(sealed))
	}
	all := entries(t, st, 1, 0)
	checkChain(t, all)
	if len(all) != 4 {
		t.Fatalf("trail has %d entries, want 4", len(all))
	}
	for i, e := range sealed {
		stored := all[2+i]
		if e.Seq != uint64(3+i) || e.Hash != stored.Hash || e.ID != stored.ID || e.Action != stored.Action {
			t.Errorf("tx.Append returned %+v, stored %+v", e, stored)
		}
		if e.ID == uuid.Nil {
			t.Errorf("entry %d has no ID", e.Seq)
		}
		if !e.Time.Equal(base) || stored.Time.Location() != time.UTC {
			t.Errorf("entry %d: time %v, want %v in UTC", e.Seq, stored.Time, base)
		}
	}
	if all[3].ID != given.ID {
		t.Errorf("entry 4: ID %s, want the given %s", all[3].ID, given.ID)
	}
	if h := head(t, st); h != (audit.Head{Seq: 4, Hash: all[3].Hash}) {
		t.Errorf("Head: %+v, want 4 %s", h, all[3].Hash)
	}
}

// testInvalidEntry checks that an entry that cannot be sealed stores no entry
// of its call, and that the unit returning the error is rolled back.
func testInvalidEntry(t *testing.T, st store.Store) {
	if _, err := st.Trail().Append(context.Background(), entry("ann", "setup")); err != nil {
		t.Fatalf("Append: %v", err)
	}
	h := head(t, st)
	bad := entry("ann", "bad")
	bad.Time = time.Time{}
	tests := []struct {
		name string
		run  func() error
	}{
		{"unit returns the error", func() error {
			return st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
				if _, err := records.Insert(ctx, tx, sample("r1")); err != nil {
					return err
				}
				_, err := tx.Append(ctx, entry("ann", "good"), bad)
				return err
			})
		}},
		{"Trail.Append", func() error {
			_, err := st.Trail().Append(context.Background(), entry("ann", "good"), bad)
			return err
		}},
		{"no actor", func() error {
			e := entry("", "x")
			_, err := st.Trail().Append(context.Background(), e)
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.run(); !errors.Is(err, audit.ErrInvalidEntry) {
				t.Fatalf("got %v, want audit.ErrInvalidEntry", err)
			}
			wantNotFound(t, st, records, "r1")
			if got := head(t, st); got != h {
				t.Fatalf("Head moved to %+v, want %+v", got, h)
			}
		})
	}
	t.Run("unit ignores the error", func(t *testing.T) {
		update(t, st, func(ctx context.Context, tx store.Tx) error {
			if _, err := tx.Append(ctx, entry("ann", "good"), bad); !errors.Is(err, audit.ErrInvalidEntry) {
				t.Errorf("tx.Append: %v, want audit.ErrInvalidEntry", err)
			}
			_, err := tx.Append(ctx, entry("ann", "after"))
			return err
		})
		all := entries(t, st, 1, 0)
		checkChain(t, all)
		if len(all) != 2 || all[1].Action != "after" {
			t.Fatalf("trail: %d entries, want setup and after: the failed call stores none", len(all))
		}
	})
}

func testEntriesRanges(t *testing.T, st store.Store) {
	ctx := context.Background()
	for _, batch := range [][]string{{"1", "2", "3"}, {"4", "5"}} {
		var es []audit.Entry
		for _, a := range batch {
			es = append(es, entry("ann", a))
		}
		if _, err := st.Trail().Append(ctx, es...); err != nil {
			t.Fatalf("Append: %v", err)
		}
	}
	checkChain(t, entries(t, st, 1, 0))
	tests := []struct {
		from, to uint64
		want     string
	}{
		{0, 0, "12345"},
		{1, 0, "12345"},
		{2, 4, "234"},
		{4, 0, "45"},
		{5, 5, "5"},
		{3, 9, "345"},
		{6, 0, ""},
		{4, 2, ""},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%d..%d", tc.from, tc.to), func(t *testing.T) {
			got := ""
			for _, e := range entries(t, st, tc.from, tc.to) {
				got += e.Action
				if e.Action != fmt.Sprint(e.Seq) {
					t.Errorf("entry %d is %q", e.Seq, e.Action)
				}
			}
			if got != tc.want {
				t.Errorf("Entries(%d, %d): %q, want %q", tc.from, tc.to, got, tc.want)
			}
		})
	}
	t.Run("stop early", func(t *testing.T) {
		for e, err := range st.Trail().Entries(ctx, 1, 0) {
			if err != nil || e.Seq != 1 {
				t.Fatalf("first entry: %+v, %v", e, err)
			}
			break
		}
		// Stopping early must release whatever the iterator held.
		if _, err := st.Trail().Append(ctx, entry("ann", "6")); err != nil {
			t.Fatalf("Append after stopping early: %v", err)
		}
	})
}

// testEntriesCopies checks that neither the entries given to Append nor those
// yielded by Entries alias the stored ones.
func testEntriesCopies(t *testing.T, st store.Store) {
	ctx := context.Background()
	in := []audit.Entry{entry("ann", "a")}
	sealed, err := st.Trail().Append(ctx, in...)
	if err != nil {
		t.Fatalf("Append: %v", err)
	}
	in[0].Data["reason"] = "mutated input"
	in[0].Changes[0].New = "mutated input"
	sealed[0].Data["reason"] = "mutated result"
	sealed[0].Changes[0].New = "mutated result"
	for e := range st.Trail().Entries(ctx, 1, 0) {
		e.Data["reason"] = "mutated yield"
		e.Changes[0].New = "mutated yield"
	}
	got := entries(t, st, 1, 0)
	checkChain(t, got)
	if got[0].Data["reason"] != "fixed" || got[0].Changes[0].New != "closed" {
		t.Fatalf("stored entry changed through a caller's copy: %+v", got[0])
	}
}

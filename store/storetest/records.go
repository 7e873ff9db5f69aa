package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/store"
)

var recordTests = []test{
	{"InsertGetRoundTrip", testInsertGet},
	{"VersionPerUpdate", testVersions},
	{"InsertDuplicate", testInsertDuplicate},
	{"InsertEmptyID", testInsertEmptyID},
	{"Missing", testMissing},
	{"StaleVersion", testStaleVersion},
	{"DeleteThenGet", testDelete},
	{"KindsIndependent", testKindsIndependent},
	{"NoAliasing", testNoAliasing},
	{"NoAliasingWhenRecycling", testNoAliasingRecycled},
	{"ReadOwnWrites", testReadOwnWrites},
	{"Peek", testPeek},
	{"Close", testClose},
}

// sample is a record with every field set, its times outside UTC.
func sample(id string) record {
	return record{
		ID:       id,
		Status:   "open",
		Owner:    "ann",
		Group:    "desk",
		Service:  "mail",
		Priority: 2,
		Created:  base.In(elsewhere),
		Due:      base.Add(90*time.Minute + 1).In(elsewhere),
		Tags:     []string{"a", "b"},
	}
}

func testInsertGet(t *testing.T, st store.Store) {
	tests := []struct {
		name string
		r    record
	}{
		{"all fields", sample("r1")},
		{"zero due and priority", record{ID: "r2", Status: "new", Created: base.Add(1)}},
		{"nil tags", record{ID: "r3", Status: "new", Created: base.Add(2), Tags: nil}},
		{"unicode id", record{ID: "Störung/é 1", Status: "new", Created: base.Add(3)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			insert(t, st, records, tc.r)
			view(t, st, func(ctx context.Context, tx store.Tx) error {
				d, err := tx.Get(ctx, records, tc.r.ID)
				if err != nil {
					return err
				}
				gotp, ok := d.Value.(*record)
				var got record
				if ok {
					got = *gotp
				}
				switch {
				case !ok:
					t.Errorf("Get: value is a %T", d.Value)
				case d.ID != tc.r.ID || d.Version != 1:
					t.Errorf("Get: ID %q version %d, want %q version 1", d.ID, d.Version, tc.r.ID)
				case !equalKeys(d.Keys, keysOf(tc.r)):
					t.Errorf("Get: keys %+v, want %+v in UTC", d.Keys, keysOf(tc.r).UTC())
				case !equalRecord(got, tc.r):
					t.Errorf("Get: value %+v, want %+v", got, tc.r)
				}
				return nil
			})
		})
	}
}

func testVersions(t *testing.T, st store.Store) {
	r := sample("r1")
	insert(t, st, records, r)
	for want := int64(2); want <= 4; want++ {
		r.Counter++
		update(t, st, func(ctx context.Context, tx store.Tx) error {
			v, err := records.Update(ctx, tx, r, want-1)
			if err == nil && v != want {
				t.Errorf("Update: version %d, want %d", v, want)
			}
			return err
		})
		wantRecord(t, st, records, r, want)
	}
}

func testInsertDuplicate(t *testing.T, st store.Store) {
	r := sample("r1")
	insert(t, st, records, r)
	dup := r
	dup.Counter = 7
	tests := []struct {
		name string
		fn   func(ctx context.Context, tx store.Tx) error
	}{
		{"in another unit", func(ctx context.Context, tx store.Tx) error {
			_, err := records.Insert(ctx, tx, dup)
			return err
		}},
		{"twice in one unit", func(ctx context.Context, tx store.Tx) error {
			n := sample("r2")
			if _, err := records.Insert(ctx, tx, n); err != nil {
				t.Fatalf("first Insert: %v", err)
			}
			_, err := records.Insert(ctx, tx, n)
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := st.Update(context.Background(), tc.fn)
			var ce *iso20000.ConflictError
			if !errors.Is(err, iso20000.ErrConflict) || !errors.As(err, &ce) {
				t.Fatalf("duplicate Insert: got %v, want a *iso20000.ConflictError", err)
			}
			if ce.Kind != records.Kind() {
				t.Errorf("ConflictError.Kind = %q, want %q", ce.Kind, records.Kind())
			}
			wantRecord(t, st, records, r, 1)
			wantNotFound(t, st, records, "r2")
		})
	}
}

func testInsertEmptyID(t *testing.T, st store.Store) {
	err := st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
		_, err := records.Insert(ctx, tx, record{Created: base})
		return err
	})
	if !errors.Is(err, iso20000.ErrValidation) {
		t.Fatalf("Insert with an empty ID: got %v, want ErrValidation", err)
	}
}

func testMissing(t *testing.T, st store.Store) {
	insert(t, st, records, sample("r1"))
	tests := []struct {
		name string
		fn   func(ctx context.Context, tx store.Tx) error
	}{
		{"Get", func(ctx context.Context, tx store.Tx) error {
			_, err := records.Get(ctx, tx, "nope")
			return err
		}},
		{"Update", func(ctx context.Context, tx store.Tx) error {
			_, err := records.Update(ctx, tx, sample("nope"), 1)
			return err
		}},
		{"Delete", func(ctx context.Context, tx store.Tx) error {
			return records.Delete(ctx, tx, "nope", 1)
		}},
		{"Get in another kind", func(ctx context.Context, tx store.Tx) error {
			_, err := others.Get(ctx, tx, "r1")
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := st.Update(context.Background(), tc.fn)
			if !errors.Is(err, iso20000.ErrNotFound) {
				t.Fatalf("got %v, want ErrNotFound", err)
			}
			wantNotFound(t, st, records, "nope")
		})
	}
}

func testStaleVersion(t *testing.T, st store.Store) {
	r := sample("r1")
	insert(t, st, records, r)
	update(t, st, func(ctx context.Context, tx store.Tx) error {
		r.Counter = 1
		_, err := records.Update(ctx, tx, r, 1)
		return err
	})
	changed := r
	changed.Status, changed.Counter, changed.Tags = "closed", 99, []string{"x"}
	tests := []struct {
		name string
		fn   func(ctx context.Context, tx store.Tx) error
	}{
		{"Update older", func(ctx context.Context, tx store.Tx) error {
			_, err := records.Update(ctx, tx, changed, 1)
			return err
		}},
		{"Update newer", func(ctx context.Context, tx store.Tx) error {
			_, err := records.Update(ctx, tx, changed, 3)
			return err
		}},
		{"Update zero", func(ctx context.Context, tx store.Tx) error {
			_, err := records.Update(ctx, tx, changed, 0)
			return err
		}},
		{"Delete older", func(ctx context.Context, tx store.Tx) error {
			return records.Delete(ctx, tx, "r1", 1)
		}},
		{"Delete newer", func(ctx context.Context, tx store.Tx) error {
			return records.Delete(ctx, tx, "r1", 3)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := st.Update(context.Background(), tc.fn)
			var ce *iso20000.ConflictError
			if !errors.Is(err, iso20000.ErrConflict) || !errors.As(err, &ce) {
				t.Fatalf("got %v, want a *iso20000.ConflictError", err)
			}
			if ce.ID != "r1" {
				t.Errorf("ConflictError.ID = %q, want r1", ce.ID)
			}
			wantRecord(t, st, records, r, 2)
		})
	}
}

func testDelete(t *testing.T, st store.Store) {
	r := sample("r1")
	insert(t, st, records, r, sample("r2"))
	update(t, st, func(ctx context.Context, tx store.Tx) error {
		return records.Delete(ctx, tx, "r1", 1)
	})
	wantNotFound(t, st, records, "r1")
	wantRecord(t, st, records, sample("r2"), 1)
	err := st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
		return records.Delete(ctx, tx, "r1", 1)
	})
	if !errors.Is(err, iso20000.ErrNotFound) {
		t.Fatalf("second Delete: got %v, want ErrNotFound", err)
	}
	// The ID is free again, and the new record starts at version 1.
	r.Counter = 5
	insert(t, st, records, r)
	wantRecord(t, st, records, r, 1)
}

func testKindsIndependent(t *testing.T, st store.Store) {
	a, b := sample("x"), sample("x")
	b.Status, b.Counter = "closed", 10
	insert(t, st, records, a)
	insert(t, st, others, b)
	update(t, st, func(ctx context.Context, tx store.Tx) error {
		a.Counter = 1
		if _, err := records.Update(ctx, tx, a, 1); err != nil {
			return err
		}
		return others.Delete(ctx, tx, "x", 1)
	})
	wantRecord(t, st, records, a, 2)
	wantNotFound(t, st, others, "x")
	insert(t, st, others, b, sample("y"))
	for _, tc := range []struct {
		c        store.Codec
		want     []string
		xCounter int
	}{{records, []string{"x"}, 1}, {others, []string{"x", "y"}, 10}} {
		got := listAll(t, st, tc.c, store.Query{})
		if !slices.Equal(ids(got), tc.want) {
			t.Errorf("List %s: %v, want %v", tc.c.Kind(), ids(got), tc.want)
		}
		for _, d := range got {
			if d.ID == "x" && d.Value.(*record).Counter != tc.xCounter {
				t.Errorf("List %s: got the other kind's x: %+v", tc.c.Kind(), d.Value)
			}
		}
	}
}

func testNoAliasing(t *testing.T, st store.Store) {
	r := sample("r1")
	want := cloneRecord(r)
	insert(t, st, records, r)
	r.Tags[0] = "mutated after Insert"

	got := mustGet(t, st, records, "r1")
	got.Value.Tags[0] = "mutated after Get"

	for _, c := range []*store.Collection[record]{records, others} {
		insert(t, st, c, sample("into"))
		var dst record
		for range 3 { // into the zero record, then into what the last GetInto filled
			view(t, st, func(ctx context.Context, tx store.Tx) error {
				v, err := c.GetInto(ctx, tx, "into", &dst)
				if err == nil && (v != 1 || !equalRecord(dst, sample("into"))) {
					t.Errorf("%s GetInto: %+v version %d, want %+v", c.Kind(), dst, v, sample("into"))
				}
				return err
			})
			dst.Tags[0] = "mutated after GetInto"
		}
		wantRecord(t, st, c, sample("into"), 1)
		view(t, st, func(ctx context.Context, tx store.Tx) error {
			if _, err := c.GetInto(ctx, tx, "missing", &dst); !errors.Is(err, iso20000.ErrNotFound) {
				t.Errorf("%s GetInto of a missing record: %v, want ErrNotFound", c.Kind(), err)
			}
			return nil
		})
	}

	byRef := sample("r2")
	update(t, st, func(ctx context.Context, tx store.Tx) error {
		_, err := records.InsertRef(ctx, tx, &byRef)
		byRef.Tags[0] = "mutated after InsertRef"
		return err
	})
	wantRecord(t, st, records, sample("r2"), 1)

	for _, d := range listAll(t, st, records, store.Query{}) {
		d.Value.(*record).Tags[0] = "mutated after List"
	}
	wantRecord(t, st, records, want, 1)

	up := cloneRecord(want)
	update(t, st, func(ctx context.Context, tx store.Tx) error {
		_, err := records.Update(ctx, tx, up, 1)
		up.Tags[1] = "mutated after Update"
		if err != nil {
			return err
		}
		in, err := records.Get(ctx, tx, "r1")
		if err != nil {
			return err
		}
		in.Value.Tags[1] = "mutated after Get in the unit"
		again, err := records.Get(ctx, tx, "r1")
		if err == nil && !equalRecord(again.Value, want) {
			t.Errorf("Get in the unit after mutating a Get: %+v, want %+v", again.Value, want)
		}
		return err
	})
	wantRecord(t, st, records, want, 2)
}

// testNoAliasingRecycled updates, deletes and rolls back records many times
// with tags of changing lengths, so that a backend recycling the copies it
// keeps (store.Recycler) reuses them in every way, and checks that no copy
// given out or taken in ever changes with a later unit of work.
func testNoAliasingRecycled(t *testing.T, st store.Store) {
	ids := []string{"a", "b", "c"}
	want := map[string]record{}
	versions := map[string]int64{}
	var given []record // copies returned by Get, with what they held then
	var held []record
	for _, id := range ids {
		r := sample(id)
		insert(t, st, records, r)
		want[id], versions[id] = cloneRecord(r), 1
	}
	errRollback := errors.New("roll back")
	for i := range 60 {
		id := ids[i%len(ids)]
		next := cloneRecord(want[id])
		next.Counter = i
		next.Tags = make([]string, i%5)
		for j := range next.Tags {
			next.Tags[j] = fmt.Sprint("t", i, "-", j)
		}
		switch i % 7 {
		case 3: // two updates of the record in one unit
			twice := cloneRecord(next)
			twice.Tags = append(twice.Tags, "second")
			update(t, st, func(ctx context.Context, tx store.Tx) error {
				v, err := records.Update(ctx, tx, next, versions[id])
				if err != nil {
					return err
				}
				versions[id], err = records.Update(ctx, tx, twice, v)
				return err
			})
			next = twice
		case 5: // an update rolled back
			err := st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
				if _, err := records.Update(ctx, tx, next, versions[id]); err != nil {
					return err
				}
				return errRollback
			})
			if !errors.Is(err, errRollback) {
				t.Fatalf("rolled back update: %v", err)
			}
			next = want[id]
		case 6: // deleted and inserted again
			update(t, st, func(ctx context.Context, tx store.Tx) error {
				return records.Delete(ctx, tx, id, versions[id])
			})
			insert(t, st, records, next)
			versions[id] = 1
		default:
			sent := cloneRecord(next)
			update(t, st, func(ctx context.Context, tx store.Tx) error {
				var err error
				versions[id], err = records.Update(ctx, tx, sent, versions[id])
				return err
			})
			if len(sent.Tags) > 0 {
				sent.Tags[0] = "mutated after Update"
			}
		}
		want[id] = cloneRecord(next)
		got := mustGet(t, st, records, id)
		given, held = append(given, got.Value), append(held, cloneRecord(got.Value))
		for _, id := range ids {
			wantRecord(t, st, records, want[id], versions[id])
		}
	}
	for i := range given {
		if !equalRecord(given[i], held[i]) {
			t.Fatalf("copy %d changed after later units of work: %+v, was %+v", i, given[i], held[i])
		}
	}
}

func testReadOwnWrites(t *testing.T, st store.Store) {
	insert(t, st, records, sample("old"))
	a := sample("a")
	update(t, st, func(ctx context.Context, tx store.Tx) error {
		if _, err := records.Insert(ctx, tx, a); err != nil {
			return err
		}
		got, err := records.Get(ctx, tx, "a")
		if err != nil || got.Version != 1 || !equalRecord(got.Value, a) {
			t.Errorf("Get after Insert in the unit: %+v, %v", got, err)
		}
		a.Status = "closed"
		if _, err := records.Update(ctx, tx, a, 1); err != nil {
			return err
		}
		if err := records.Delete(ctx, tx, "old", 1); err != nil {
			return err
		}
		list, _, err := records.List(ctx, tx, store.Query{Status: []string{"closed", "open"}})
		if err != nil {
			return err
		}
		if len(list) != 1 || list[0].Value.ID != "a" || list[0].Version != 2 || list[0].Value.Status != "closed" {
			t.Errorf("List in the unit: %+v, want a at version 2, closed", list)
		}
		_, err = records.Get(ctx, tx, "old")
		if !errors.Is(err, iso20000.ErrNotFound) {
			t.Errorf("Get after Delete in the unit: %v, want ErrNotFound", err)
		}
		if _, err := records.Update(ctx, tx, sample("old"), 1); !errors.Is(err, iso20000.ErrNotFound) {
			t.Errorf("Update after Delete in the unit: %v, want ErrNotFound", err)
		}
		// Read, delete and insert again under the same ID: the unit sees
		// the new record.
		if _, err := records.Get(ctx, tx, "a"); err != nil {
			return err
		}
		if err := records.Delete(ctx, tx, "a", 2); err != nil {
			return err
		}
		if _, err := records.Insert(ctx, tx, a); err != nil {
			return err
		}
		got, err = records.Get(ctx, tx, "a")
		if err != nil || got.Version != 1 || !equalRecord(got.Value, a) {
			t.Errorf("Get after Delete and Insert in the unit: %+v, %v; want a at version 1", got, err)
		}
		return nil
	})
	wantRecord(t, st, records, a, 1)
	wantNotFound(t, st, records, "old")
}

func testClose(t *testing.T, st store.Store) {
	insert(t, st, records, sample("r1"))
	if err := st.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	ctx := context.Background()
	tests := []struct {
		name string
		fn   func() error
	}{
		{"Update", func() error {
			return st.Update(ctx, func(ctx context.Context, tx store.Tx) error { return nil })
		}},
		{"View", func() error {
			return st.View(ctx, func(ctx context.Context, tx store.Tx) error { return nil })
		}},
		{"Trail.Append", func() error {
			_, err := st.Trail().Append(ctx, entry("ann", "test"))
			return err
		}},
		{"Trail.Head", func() error {
			_, err := st.Trail().Head(ctx)
			return err
		}},
		{"Trail.Entries", func() error {
			for _, err := range st.Trail().Entries(ctx, 1, 0) {
				if err != nil {
					return err
				}
			}
			return nil
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.fn(); !errors.Is(err, store.ErrClosed) {
				t.Fatalf("after Close: got %v, want store.ErrClosed", err)
			}
		})
	}
}

// testPeek checks Collection.Peek: the record and its version. A backend
// that lends its own copy (store.Peeker) must keep it as it was until the
// unit of work ends, through an update of the record in the same unit and
// its rollback; a copy given otherwise is the caller's own.
func testPeek(t *testing.T, st store.Store) {
	orig := sample("p")
	insert(t, st, records, orig)
	changed := cloneRecord(orig)
	changed.Counter, changed.Tags = 99, []string{"changed"}
	errUndo := errors.New("undo")
	for _, commit := range []bool{false, true} {
		err := st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
			v, version, shared, err := records.Peek(ctx, tx, "p")
			if err != nil {
				return err
			}
			if version != 1 || !equalRecord(*v, orig) {
				t.Errorf("Peek = %+v version %d, want %+v version 1", *v, version, orig)
			}
			if !shared {
				v.Tags[0] = "mutated after Peek" // the caller's own copy
			} else if again, _, _, _ := records.Peek(ctx, tx, "p"); again != v {
				t.Error("a second Peek in the unit lent another value")
			}
			if _, err := records.Update(ctx, tx, changed, 1); err != nil {
				return err
			}
			if shared && !equalRecord(*v, orig) {
				t.Errorf("the lent value changed with an update in the unit: %+v", *v)
			}
			now, version, _, err := records.Peek(ctx, tx, "p")
			if err != nil || version != 2 || !equalRecord(*now, changed) {
				t.Errorf("Peek after the update = %+v version %d (%v), want %+v version 2", now, version, err, changed)
			}
			if _, _, _, err := records.Peek(ctx, tx, "missing"); !errors.Is(err, iso20000.ErrNotFound) {
				t.Errorf("Peek of a missing record: %v, want ErrNotFound", err)
			}
			if !commit {
				return errUndo
			}
			return nil
		})
		if !commit && !errors.Is(err, errUndo) || commit && err != nil {
			t.Fatalf("unit (commit %v): %v", commit, err)
		}
		if !commit {
			wantRecord(t, st, records, orig, 1)
		}
	}
	wantRecord(t, st, records, changed, 2)
}

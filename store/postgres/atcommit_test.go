package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/audit/audittest"
	"github.com/servicekit/iso20000/internal/backendtest"
	"github.com/servicekit/iso20000/store"
)

// appendStep is one call in a unit of work: store.AppendAtCommit or, when
// not atCommit, Tx.Append, of entries.
type appendStep struct {
	atCommit bool
	entries  []audit.Entry
}

// entriesAfter returns the committed entries after seq.
func entriesAfter(t *testing.T, st store.Store, seq uint64) []audit.Entry {
	t.Helper()
	var out []audit.Entry
	for e, err := range st.Trail().Entries(context.Background(), seq+1, 0) {
		if err != nil {
			t.Fatalf("Entries: %v", err)
		}
		out = append(out, e)
	}
	return out
}

// TestAppendAtCommit runs units of work that append with AppendAtCommit
// alone and mixed with Append, on a trail that already has entries. The
// committed entries must be the calls' entries in call order, each exactly
// as audit.Seal would seal it after the one before (same hash: the server
// computes what Go computes), with the IDs given kept and the others
// assigned, and the trail must verify.
func TestAppendAtCommit(t *testing.T) {
	st := newTestStore(t)
	if _, err := st.Trail().Append(context.Background(), audittest.Entry(1), audittest.Entry(2)); err != nil {
		t.Fatal(err)
	}
	given := uuid.MustParse("6ba7b810-9dad-11d1-80b4-00c04fd430c8")
	entry := func(action string) audit.Entry {
		return audit.Entry{Time: testTime, Actor: "ann", Action: action}
	}
	full := audit.Entry{ID: given, Time: testTime.In(time.FixedZone("CEST", 2*3600)), Actor: "bö",
		Action: "ticket.resolve", Kind: "ticket", EntityID: "T-1", From: "open", To: "resolved",
		Changes: []audit.Change{{Field: "status", Old: "open", New: "resolved"}, {Field: "note", New: "ü\t\"x\""}},
		Data:    map[string]string{"z": "last", "a": "first", "m": ""}}
	tests := []struct {
		name   string
		record bool // the unit writes a record before appending
		steps  []appendStep
	}{
		{"deferred only", true, []appendStep{{true, []audit.Entry{entry("a"), full}}, {true, []audit.Entry{entry("c")}}}},
		{"deferred only, no other statement", false, []appendStep{{true, []audit.Entry{entry("a")}}}},
		{"Append, then deferred", true, []appendStep{{false, []audit.Entry{entry("a")}}, {true, []audit.Entry{entry("b"), entry("c")}}}},
		{"deferred, then Append", true, []appendStep{{true, []audit.Entry{entry("a"), entry("b")}}, {false, []audit.Entry{entry("c")}}}},
		{"interleaved", false, []appendStep{{true, []audit.Entry{entry("a")}}, {false, []audit.Entry{entry("b")}},
			{true, []audit.Entry{audittest.Entry(3)}}, {false, []audit.Entry{entry("d"), full}}, {true, []audit.Entry{entry("e")}}}},
		{"empty calls", false, []appendStep{{true, nil}, {true, []audit.Entry{entry("a")}}, {true, nil}}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			head, err := st.Trail().Head(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var (
				want     []audit.Entry
				returned = map[int]audit.Entry{} // by position: what Append returned
			)
			update(t, st, func(ctx context.Context, tx store.Tx) error {
				want, returned = nil, map[int]audit.Entry{}
				if tc.record {
					if _, err := tickets.Insert(ctx, tx, ticket{ID: fmt.Sprint("r", i), Status: "open"}); err != nil {
						return err
					}
				}
				for _, s := range tc.steps {
					if s.atCommit {
						if err := store.AppendAtCommit(ctx, tx, s.entries...); err != nil {
							return err
						}
					} else {
						sealed, err := tx.Append(ctx, s.entries...)
						if err != nil {
							return err
						}
						for j, e := range sealed {
							if e.Seq != head.Seq+uint64(len(want)+j+1) {
								t.Errorf("Append sealed %q as %d, want %d (after the entries queued before)",
									e.Action, e.Seq, head.Seq+uint64(len(want)+j+1))
							}
							returned[len(want)+j] = e
						}
					}
					want = append(want, s.entries...)
				}
				return nil
			})
			got := entriesAfter(t, st, head.Seq)
			if len(got) != len(want) {
				t.Fatalf("committed %d entries, want %d", len(got), len(want))
			}
			h := head
			for j := range want {
				w := want[j].Clone()
				w.ID = got[j].ID
				if w.ID == uuid.Nil || w.ID.Version() != 4 && w.ID != want[j].ID {
					t.Errorf("entry %d: ID %s, want %s or an assigned version 4 UUID", j, got[j].ID, want[j].ID)
				}
				if h, err = audit.Seal(h, &w); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got[j], w) {
					t.Errorf("entry %d:\n got %+v\nwant %+v (as audit.Seal seals it)", j, got[j], w)
				}
				if r, ok := returned[j]; ok && !reflect.DeepEqual(r, got[j]) {
					t.Errorf("entry %d: Append returned %+v, stored %+v", j, r, got[j])
				}
			}
			rep, err := audit.Verify(context.Background(), st.Trail())
			if err != nil || rep.Err() != nil || rep.Head != h {
				t.Errorf("Verify: head %+v, %v, %v; want head %+v", rep.Head, err, rep.Err(), h)
			}
		})
	}
}

// TestAppendAtCommitRollback checks that a unit of work that queued entries
// with AppendAtCommit and then fails or is cancelled stores none of them
// (nor its record write), leaves the head as it was, and leaves the chain
// lock free for the next unit.
func TestAppendAtCommitRollback(t *testing.T) {
	st := newTestStore(t)
	boom := errors.New("boom")
	e := audit.Entry{Time: testTime, Actor: "ann", Action: "ticket.open"}
	tests := []struct {
		name    string
		record  bool // write a record first
		sealed  bool // Append an entry first
		end     func(cancel context.CancelFunc) error
		wantErr error
	}{
		{"fn fails", true, false, func(context.CancelFunc) error { return boom }, boom},
		{"fn fails, nothing else sent", false, false, func(context.CancelFunc) error { return boom }, boom},
		{"fn fails after Append", true, true, func(context.CancelFunc) error { return boom }, boom},
		{"cancelled before commit", true, false, func(cancel context.CancelFunc) error { cancel(); return nil }, context.Canceled},
		{"cancelled, nothing else sent", false, false, func(cancel context.CancelFunc) error { cancel(); return nil }, context.Canceled},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			head, err := st.Trail().Head(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			id := fmt.Sprint("r", i)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			err = st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
				if tc.record {
					if _, err := tickets.Insert(ctx, tx, ticket{ID: id, Status: "open"}); err != nil {
						return err
					}
				}
				if tc.sealed {
					if _, err := tx.Append(ctx, e); err != nil {
						return err
					}
				}
				if err := store.AppendAtCommit(ctx, tx, e, e); err != nil {
					return err
				}
				return tc.end(cancel)
			})
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Update: %v, want %v", err, tc.wantErr)
			}
			if h, err := st.Trail().Head(context.Background()); err != nil || h != head {
				t.Errorf("Head: %+v, %v; want %+v, unchanged", h, err, head)
			}
			if got := entriesAfter(t, st, head.Seq); len(got) != 0 {
				t.Errorf("rolled back unit stored %d entries", len(got))
			}
			view(t, st, func(ctx context.Context, tx store.Tx) error {
				if _, err := tickets.Get(ctx, tx, id); !errors.Is(err, iso20000.ErrNotFound) {
					t.Errorf("Get %s: %v, want ErrNotFound", id, err)
				}
				return nil
			})
			// The chain lock is free: the next unit commits.
			update(t, st, func(ctx context.Context, tx store.Tx) error { return store.AppendAtCommit(ctx, tx, e) })
			if got := entriesAfter(t, st, head.Seq); len(got) != 1 || got[0].Seq != head.Seq+1 {
				t.Errorf("the next unit stored %+v, want one entry after the head", got)
			}
		})
	}
}

// TestAppendAtCommitInvalid checks that AppendAtCommit refuses an invalid
// entry at once, with the error of audit.Entry.Validate, and queues none of
// the call's entries (the unit of work goes on and commits without them),
// and that a View refuses it.
func TestAppendAtCommitInvalid(t *testing.T) {
	st := newTestStore(t)
	valid := audit.Entry{Time: testTime, Actor: "ann", Action: "ticket.open"}
	tests := []struct {
		name    string
		invalid audit.Entry
		field   string
	}{
		{"no time", audit.Entry{Actor: "ann", Action: "x"}, "time"},
		{"no actor", audit.Entry{Time: testTime, Action: "x"}, "actor"},
		{"no action", audit.Entry{Time: testTime, Actor: "ann"}, "action"},
		{"time out of range", audit.Entry{Time: time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC), Actor: "ann", Action: "x"}, "time"},
		{"invalid UTF-8", audit.Entry{Time: testTime, Actor: "ann", Action: "x", EntityID: "\xff"}, "entity_id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			head, err := st.Trail().Head(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			update(t, st, func(ctx context.Context, tx store.Tx) error {
				err := store.AppendAtCommit(ctx, tx, valid, tc.invalid)
				var ve *iso20000.ValidationError
				if !errors.Is(err, audit.ErrInvalidEntry) || !errors.Is(err, iso20000.ErrValidation) ||
					!errors.As(err, &ve) || ve.Field != tc.field {
					t.Errorf("AppendAtCommit: %v, want an invalid %s", err, tc.field)
				}
				return store.AppendAtCommit(ctx, tx, valid)
			})
			if got := entriesAfter(t, st, head.Seq); len(got) != 1 {
				t.Errorf("committed %d entries, want only the valid one of the next call", len(got))
			}
		})
	}
	err := st.View(context.Background(), func(ctx context.Context, tx store.Tx) error {
		return store.AppendAtCommit(ctx, tx, valid)
	})
	if !errors.Is(err, store.ErrReadOnly) {
		t.Errorf("AppendAtCommit in a View: %v, want ErrReadOnly", err)
	}
}

// TestAppendAtCommitNoHead checks that a commit with deferred entries fails,
// storing nothing, when the head row is missing (a damaged schema), rather
// than commit the unit of work without its entries.
func TestAppendAtCommitNoHead(t *testing.T) {
	dsn, schema := backendtest.Schema(t)
	st := openStore(t, dsn, schema)
	if _, err := st.Pool().Exec(context.Background(), "DELETE FROM "+pgx.Identifier{schema, "audit_head"}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	err := st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
		if _, err := tickets.Insert(ctx, tx, ticket{ID: "t1", Status: "open"}); err != nil {
			return err
		}
		return store.AppendAtCommit(ctx, tx, audit.Entry{Time: testTime, Actor: "ann", Action: "ticket.open"})
	})
	if err == nil || !strings.Contains(err.Error(), "head row is missing") {
		t.Fatalf("Update: %v, want the missing head reported", err)
	}
	view(t, st, func(ctx context.Context, tx store.Tx) error {
		if _, err := tickets.Get(ctx, tx, "t1"); !errors.Is(err, iso20000.ErrNotFound) {
			t.Errorf("Get t1: %v, want ErrNotFound (the unit of work rolled back)", err)
		}
		return nil
	})
	if got := entriesAfter(t, st, 0); len(got) != 0 {
		t.Errorf("stored %d entries", len(got))
	}
}

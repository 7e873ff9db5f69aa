// Package audittest is the conformance suite every [audit.Trail]
// implementation passes: the memory, SQLite and PostgreSQL trails of package
// store, and [SliceTrail], the reference implementation of this package.
//
// A backend runs the suite from one test:
//
//	func TestTrailConformance(t *testing.T) {
//		audittest.Run(t, func(t *testing.T) audittest.Harness {
//			st := newEmptyStore(t) // closed by t.Cleanup
//			return audittest.Harness{Trail: st.Trail(), Rewrite: rewriteRawEntries(st)}
//		})
//	}
//
// The suite checks sealing, ranges, atomic batches and concurrent appends,
// and that [audit.Verify], [audit.VerifyCheckpoint] and the JSON Lines export
// detect and name each kind of tampering a person with write access to the
// storage could commit: editing, deleting, reordering, inserting, forging,
// re-sealing and truncating entries.
package audittest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/audit"
)

// Harness is one fresh, empty trail under test and a way to tamper with it.
type Harness struct {
	// Trail is the trail under test. It must be empty.
	Trail audit.Trail
	// Rewrite replaces the backend's raw stored entries wholesale with what
	// fn returns, bypassing sealing and validation, as a tamperer with direct
	// access to the database would. fn receives the stored entries in
	// sequence order (copies it may modify) and returns the entries to store,
	// which may have gaps, renumbered or edited sequence numbers and wrong
	// hashes, but no two with the same Seq. Afterwards Head, Entries and
	// Verify see exactly the returned entries: the head is the last of them.
	Rewrite func(ctx context.Context, fn func([]audit.Entry) []audit.Entry) error
}

// Run runs the conformance suite. newHarness is called once per subtest (with
// the subtest's t) and must return a Harness with a fresh, empty trail; it
// registers its clean-up with t.Cleanup.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	s := suite{newHarness: newHarness}
	t.Run("AppendSingle", s.appendSingle)
	t.Run("AppendBatch", s.appendBatch)
	t.Run("AppendEmpty", s.appendEmpty)
	t.Run("AppendInvalid", s.appendInvalid)
	t.Run("AppendCancelled", s.appendCancelled)
	t.Run("KeepsEveryField", s.keepsEveryField)
	t.Run("LargeEntry", s.largeEntry)
	t.Run("NoAliasing", s.noAliasing)
	t.Run("Head", s.head)
	t.Run("Entries", s.entries)
	t.Run("EntriesStop", s.entriesStop)
	t.Run("ManyEntries", s.manyEntries)
	t.Run("ConcurrentAppends", s.concurrentAppends)
	t.Run("VerifyIntact", s.verifyIntact)
	t.Run("Tampering", s.tampering)
	t.Run("Truncation", s.truncation)
	t.Run("RewrittenAndResealed", s.rewritten)
	t.Run("CheckpointLater", s.checkpointLater)
	t.Run("CheckpointRejected", s.checkpointRejected)
	t.Run("ExportImport", s.exportImport)
}

type suite struct {
	newHarness func(t *testing.T) Harness
}

// base is the time of the suite's first entry; it has nanoseconds and a
// non-UTC zone to prove that both are kept (as UTC).
var base = time.Date(2026, 3, 14, 15, 9, 26, 535897932, time.FixedZone("CET", 3600))

// testKey is the suite's fixed checkpoint signing key.
var testKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))

// Entry returns the i-th entry of a typical trail, unsealed: about 300 bytes
// in its canonical encoding, with changes and data.
func Entry(i int) audit.Entry {
	n := strconv.Itoa(i)
	return audit.Entry{
		Time:     base.Add(time.Duration(i) * time.Minute),
		Actor:    "agent-" + strconv.Itoa(i%7) + "@example.com",
		Action:   "incident.update",
		Kind:     "incident",
		EntityID: "INC-" + strings.Repeat("0", 6-len(n)) + n,
		From:     "in-progress",
		To:       "pending",
		Changes: []audit.Change{
			{Field: "status", Old: "in-progress", New: "pending"},
			{Field: "assignee", Old: "agent-1@example.com", New: "agent-2@example.com"},
		},
		Data: map[string]string{"reason": "waiting for the customer", "ref": "mail-" + n, "channel": "portal"},
	}
}

func entries(from, to int) []audit.Entry {
	var out []audit.Entry
	for i := from; i <= to; i++ {
		out = append(out, Entry(i))
	}
	return out
}

// fill appends n entries one by one and returns them sealed.
func fill(t *testing.T, tr audit.Trail, n int) []audit.Entry {
	t.Helper()
	var out []audit.Entry
	for i := 1; i <= n; i++ {
		got, err := tr.Append(context.Background(), Entry(i))
		if err != nil {
			t.Fatalf("Append entry %d: %v", i, err)
		}
		out = append(out, got...)
	}
	return out
}

func readAll(t *testing.T, tr audit.Trail, from, to uint64) []audit.Entry {
	t.Helper()
	var out []audit.Entry
	for e, err := range tr.Entries(context.Background(), from, to) {
		if err != nil {
			t.Fatalf("Entries(%d, %d): %v", from, to, err)
		}
		out = append(out, e)
	}
	return out
}

func head(t *testing.T, tr audit.Trail) audit.Head {
	t.Helper()
	h, err := tr.Head(context.Background())
	if err != nil {
		t.Fatalf("Head: %v", err)
	}
	return h
}

func verify(t *testing.T, tr audit.Trail) audit.Report {
	t.Helper()
	rep, err := audit.Verify(context.Background(), tr)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return rep
}

// checkSealed asserts that got are sealed entries with sequence numbers from
// first on, each linked to the one before (after prev) and hashed correctly.
func checkSealed(t *testing.T, got []audit.Entry, first uint64, prev audit.Hash) {
	t.Helper()
	for i, e := range got {
		if want := first + uint64(i); e.Seq != want {
			t.Fatalf("entry %d: Seq = %d, want %d", i, e.Seq, want)
		}
		if e.PrevHash != prev {
			t.Fatalf("entry %d: PrevHash = %s, want the hash of the entry before, %s", e.Seq, e.PrevHash, prev)
		}
		if h := e.ComputeHash(); e.Hash != h {
			t.Fatalf("entry %d: Hash = %s, want ComputeHash() = %s", e.Seq, e.Hash, h)
		}
		if e.ID == uuid.Nil {
			t.Fatalf("entry %d: ID is not set", e.Seq)
		}
		prev = e.Hash
	}
}

// sameEntry compares entries as the canonical encoding sees them (nil and
// empty Changes or Data are equal), plus Hash.
func sameEntry(a, b audit.Entry) bool {
	return a.Hash == b.Hash && bytes.Equal(a.AppendCanonical(nil), b.AppendCanonical(nil)) &&
		a.Time.Location() == b.Time.Location()
}

func checkSame(t *testing.T, got, want []audit.Entry) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d entries, want %d", len(got), len(want))
	}
	for i := range got {
		if !sameEntry(got[i], want[i]) {
			t.Fatalf("entry %d differs:\n got  %+v\n want %+v", i+1, got[i], want[i])
		}
	}
}

func (s suite) appendSingle(t *testing.T) {
	tr := s.newHarness(t).Trail
	var sealed []audit.Entry
	for i := 1; i <= 3; i++ {
		got, err := tr.Append(context.Background(), Entry(i))
		if err != nil {
			t.Fatalf("Append: %v", err)
		}
		if len(got) != 1 {
			t.Fatalf("Append returned %d entries, want 1", len(got))
		}
		sealed = append(sealed, got...)
	}
	checkSealed(t, sealed, 1, audit.Hash{})
	checkSame(t, readAll(t, tr, 1, 0), sealed)
}

func (s suite) appendBatch(t *testing.T) {
	tr := s.newHarness(t).Trail
	first := fill(t, tr, 1)
	batch, err := tr.Append(context.Background(), entries(2, 6)...)
	if err != nil {
		t.Fatalf("Append batch: %v", err)
	}
	checkSealed(t, batch, 2, first[0].Hash)
	checkSame(t, readAll(t, tr, 1, 0), append(first, batch...))
}

func (s suite) appendEmpty(t *testing.T) {
	tr := s.newHarness(t).Trail
	fill(t, tr, 2)
	before := head(t, tr)
	got, err := tr.Append(context.Background())
	if err != nil || len(got) != 0 {
		t.Fatalf("Append() = %v, %v; want no entries and no error", got, err)
	}
	if h := head(t, tr); h != before {
		t.Fatalf("Append() moved the head from %+v to %+v", before, h)
	}
}

func (s suite) appendInvalid(t *testing.T) {
	bad := func(f func(e *audit.Entry)) audit.Entry {
		e := Entry(9)
		f(&e)
		return e
	}
	tests := []struct {
		name  string
		entry audit.Entry
		field string
	}{
		{"zero time", bad(func(e *audit.Entry) { e.Time = time.Time{} }), "time"},
		{"time beyond 2262", bad(func(e *audit.Entry) { e.Time = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC) }), "time"},
		{"no actor", bad(func(e *audit.Entry) { e.Actor = "" }), "actor"},
		{"no action", bad(func(e *audit.Entry) { e.Action = "" }), "action"},
		{"entity ID not UTF-8", bad(func(e *audit.Entry) { e.EntityID = "INC-\xff" }), "entity_id"},
		{"data not UTF-8", bad(func(e *audit.Entry) { e.Data["reason"] = "\xc3\x28" }), "data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := s.newHarness(t).Trail
			stored := fill(t, tr, 2)
			for _, batch := range [][]audit.Entry{{tt.entry}, {Entry(3), tt.entry, Entry(4)}} {
				got, err := tr.Append(context.Background(), batch...)
				if !errors.Is(err, audit.ErrInvalidEntry) || !errors.Is(err, iso20000.ErrValidation) {
					t.Fatalf("Append(%d entries) error = %v, want audit.ErrInvalidEntry and iso20000.ErrValidation", len(batch), err)
				}
				var ve *iso20000.ValidationError
				if !errors.As(err, &ve) || ve.Field != tt.field {
					t.Fatalf("Append error %v: want a *iso20000.ValidationError for field %q", err, tt.field)
				}
				if len(got) != 0 {
					t.Fatalf("Append returned %d entries with an error", len(got))
				}
				checkSame(t, readAll(t, tr, 1, 0), stored)
			}
		})
	}
}

func (s suite) appendCancelled(t *testing.T) {
	tr := s.newHarness(t).Trail
	stored := fill(t, tr, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := tr.Append(ctx, Entry(2)); !errors.Is(err, context.Canceled) {
		t.Fatalf("Append with a cancelled context: error = %v, want context.Canceled", err)
	}
	checkSame(t, readAll(t, tr, 1, 0), stored)
}

func (s suite) keepsEveryField(t *testing.T) {
	tr := s.newHarness(t).Trail
	id := uuid.MustParse("0193a5b0-7e2f-7c3d-9a4b-5c6d7e8f9a0b")
	in := audit.Entry{
		ID: id, Time: base, Actor: "Zoë <zoe@example.com>", Action: "change.approve",
		Kind: "change", EntityID: "CHG-42", From: "assessed", To: "approved",
		Changes: []audit.Change{{Field: "approver", New: "zoe"}, {Field: "note", Old: "a\nb\t\"c\"", New: ""}},
		Data:    map[string]string{"": "empty key", "ключ": "значение", "html": "<b>&amp;</b>"},
	}
	got, err := tr.Append(context.Background(), in)
	if err != nil {
		t.Fatalf("Append: %v", err)
	}
	e := got[0]
	if e.ID != id {
		t.Fatalf("ID = %s, want the given %s", e.ID, id)
	}
	if !e.Time.Equal(base) || e.Time.Location() != time.UTC {
		t.Fatalf("Time = %v, want %v in UTC with its nanoseconds", e.Time, base.UTC())
	}
	stored := readAll(t, tr, 1, 0)
	checkSame(t, stored, got)
	want := in
	want.Seq, want.Time, want.Hash = 1, base.UTC(), e.Hash
	checkSame(t, stored, []audit.Entry{want})
}

func (s suite) largeEntry(t *testing.T) {
	tr := s.newHarness(t).Trail
	e := Entry(1)
	e.Data = map[string]string{"body": strings.Repeat("0123456789abcdef", 8192)} // 128 KiB
	for i := range 200 {
		e.Data[fmt.Sprintf("key-%03d", i)] = strconv.Itoa(i)
		e.Changes = append(e.Changes, audit.Change{Field: fmt.Sprintf("f%d", i), Old: "ä", New: "€"})
	}
	got, err := tr.Append(context.Background(), e, Entry(2))
	if err != nil {
		t.Fatalf("Append: %v", err)
	}
	checkSame(t, readAll(t, tr, 1, 0), got)
	if rep := verify(t, tr); !rep.OK {
		t.Fatalf("Verify = %+v", rep)
	}
}

func (s suite) noAliasing(t *testing.T) {
	tr := s.newHarness(t).Trail
	in := []audit.Entry{Entry(1), Entry(2)}
	orig := []audit.Entry{in[0].Clone(), in[1].Clone()}
	got, err := tr.Append(context.Background(), in...)
	if err != nil {
		t.Fatalf("Append: %v", err)
	}
	if in[0].Seq != 0 || in[0].Hash != (audit.Hash{}) || in[1].ID != uuid.Nil {
		t.Fatalf("Append changed the caller's entries: %+v", in[0])
	}
	want := readAll(t, tr, 1, 0)
	// Mutate what the caller passed in, got back and read.
	in[0].Data["reason"], in[1].Changes[0].New = "changed", "changed"
	got[0].Data["reason"], got[1].Changes[0].New = "changed", "changed"
	for _, e := range readAll(t, tr, 1, 0) {
		e.Data["reason"], e.Changes[0].New = "changed", "changed"
	}
	after := readAll(t, tr, 1, 0)
	checkSame(t, after, want)
	if after[0].Data["reason"] != orig[0].Data["reason"] || after[1].Changes[0].New != orig[1].Changes[0].New {
		t.Fatal("the stored entries alias memory of the caller")
	}
}

func (s suite) head(t *testing.T) {
	tr := s.newHarness(t).Trail
	if h := head(t, tr); h != (audit.Head{}) {
		t.Fatalf("Head of an empty trail = %+v, want the zero Head", h)
	}
	stored := fill(t, tr, 3)
	if h, want := head(t, tr), (audit.Head{Seq: 3, Hash: stored[2].Hash}); h != want {
		t.Fatalf("Head = %+v, want %+v", h, want)
	}
}

func (s suite) entries(t *testing.T) {
	tr := s.newHarness(t).Trail
	stored := fill(t, tr, 6)
	tests := []struct {
		from, to  uint64
		wantFirst uint64 // 0: none
		wantLast  uint64
	}{
		{1, 0, 1, 6},
		{0, 0, 1, 6},
		{2, 4, 2, 4},
		{5, 5, 5, 5},
		{6, 0, 6, 6},
		{3, 100, 3, 6},
		{7, 0, 0, 0},
		{4, 2, 0, 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d-%d", tt.from, tt.to), func(t *testing.T) {
			var want []audit.Entry
			if tt.wantFirst != 0 {
				want = stored[tt.wantFirst-1 : tt.wantLast]
			}
			checkSame(t, readAll(t, tr, tt.from, tt.to), want)
		})
	}
}

func (s suite) entriesStop(t *testing.T) {
	tr := s.newHarness(t).Trail
	fill(t, tr, 5)
	n := 0
	for _, err := range tr.Entries(context.Background(), 1, 0) {
		if err != nil {
			t.Fatalf("Entries: %v", err)
		}
		if n++; n == 2 {
			break // the iterator must stop yielding
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var errs []error
	for _, err := range tr.Entries(ctx, 1, 0) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) != 1 || !errors.Is(errs[0], context.Canceled) {
		t.Fatalf("Entries with a cancelled context yielded errors %v, want one context.Canceled", errs)
	}
}

// manyEntries crosses the page sizes backends may read with.
func (s suite) manyEntries(t *testing.T) {
	tr := s.newHarness(t).Trail
	const n, batch = 2500, 500
	var stored []audit.Entry
	for i := 1; i <= n; i += batch {
		got, err := tr.Append(context.Background(), entries(i, i+batch-1)...)
		if err != nil {
			t.Fatalf("Append: %v", err)
		}
		stored = append(stored, got...)
	}
	checkSealed(t, stored, 1, audit.Hash{})
	checkSame(t, readAll(t, tr, 1, 0), stored)
	for _, r := range [][2]uint64{{999, 1001}, {1000, 2100}, {2400, 0}} {
		to := r[1]
		if to == 0 {
			to = n
		}
		checkSame(t, readAll(t, tr, r[0], r[1]), stored[r[0]-1:to])
	}
	if rep := verify(t, tr); !rep.OK || rep.Checked != n {
		t.Fatalf("Verify = %+v", rep)
	}
}

func (s suite) concurrentAppends(t *testing.T) {
	tr := s.newHarness(t).Trail
	const workers = 50
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i, batch := range [][]audit.Entry{entries(1, 1), entries(2, 4), entries(5, 5)} {
				for j := range batch {
					batch[j].Actor = fmt.Sprintf("worker-%d", w)
					batch[j].Data["call"] = strconv.Itoa(i)
				}
				if _, err := tr.Append(context.Background(), batch...); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent Append: %v", err)
	}
	all := readAll(t, tr, 1, 0)
	checkSealed(t, all, 1, audit.Hash{})
	if len(all) != workers*5 {
		t.Fatalf("stored %d entries, want %d", len(all), workers*5)
	}
	// Each worker's calls are in order, and each batch is contiguous.
	lastCall := map[string]int{}
	for i, e := range all {
		call, _ := strconv.Atoi(e.Data["call"])
		if call < lastCall[e.Actor] {
			t.Fatalf("entry %d: %s's call %d stored after its call %d", e.Seq, e.Actor, call, lastCall[e.Actor])
		}
		lastCall[e.Actor] = call
		if call == 1 && e.EntityID == Entry(2).EntityID {
			for k := 1; k < 3; k++ {
				if i+k >= len(all) {
					t.Fatalf("batch of %s starting at entry %d is cut short", e.Actor, e.Seq)
				}
				if n := all[i+k]; n.Actor != e.Actor || n.Data["call"] != "1" {
					t.Fatalf("batch of %s starting at entry %d interleaved with entry %d of %s", e.Actor, e.Seq, n.Seq, n.Actor)
				}
			}
		}
	}
	if rep := verify(t, tr); !rep.OK || rep.Head != head(t, tr) {
		t.Fatalf("Verify after concurrent appends = %+v", rep)
	}
}

func (s suite) verifyIntact(t *testing.T) {
	for _, n := range []int{0, 1, 10} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			tr := s.newHarness(t).Trail
			fill(t, tr, n)
			rep := verify(t, tr)
			want := audit.Report{OK: true, Checked: uint64(n), Head: head(t, tr)}
			if rep != want {
				t.Fatalf("Verify = %+v, want %+v", rep, want)
			}
			if err := rep.Err(); err != nil {
				t.Fatalf("Report.Err() = %v, want nil", err)
			}
		})
	}
}

// Tampering functions over the stored entries. k is a sequence number (1-based).

func edit(k int, f func(e *audit.Entry)) func([]audit.Entry) []audit.Entry {
	return func(es []audit.Entry) []audit.Entry { f(&es[k-1]); return es }
}

func deleteEntry(k int, renumber bool) func([]audit.Entry) []audit.Entry {
	return func(es []audit.Entry) []audit.Entry {
		es = slices.Delete(es, k-1, k)
		for i := k - 1; renumber && i < len(es); i++ {
			es[i].Seq--
		}
		return es
	}
}

func swap(k int) func([]audit.Entry) []audit.Entry {
	return func(es []audit.Entry) []audit.Entry {
		es[k-1], es[k] = es[k], es[k-1]
		es[k-1].Seq, es[k].Seq = es[k].Seq, es[k-1].Seq
		return es
	}
}

// forged returns an entry sealed as entry k of es, linked to entry k-1.
func forged(es []audit.Entry, k int) audit.Entry {
	var h audit.Head
	if k > 1 {
		h = audit.Head{Seq: es[k-2].Seq, Hash: es[k-2].Hash}
	}
	e := Entry(99)
	e.Actor = "mallory"
	if _, err := audit.Seal(h, &e); err != nil {
		panic(err)
	}
	return e
}

func insert(k int, sealed bool) func([]audit.Entry) []audit.Entry {
	return func(es []audit.Entry) []audit.Entry {
		f := forged(es, k)
		if !sealed {
			f.Hash[0] ^= 0xff
		}
		for i := k - 1; i < len(es); i++ {
			es[i].Seq++
		}
		return slices.Insert(es, k-1, f)
	}
}

func reseal(k int, f func(e *audit.Entry)) func([]audit.Entry) []audit.Entry {
	return func(es []audit.Entry) []audit.Entry {
		f(&es[k-1])
		es[k-1].Hash = es[k-1].ComputeHash()
		return es
	}
}

func (s suite) tampering(t *testing.T) {
	tests := []struct {
		name    string
		tamper  func([]audit.Entry) []audit.Entry
		seq     uint64
		problem audit.Problem
	}{
		{"edit actor keeping the hash", edit(4, func(e *audit.Entry) { e.Actor = "mallory" }), 4, audit.Edited},
		{"edit data of the first", edit(1, func(e *audit.Entry) { e.Data["reason"] = "none" }), 1, audit.Edited},
		{"add data", edit(6, func(e *audit.Entry) { e.Data["extra"] = "x" }), 6, audit.Edited},
		{"edit a change of the last", edit(10, func(e *audit.Entry) { e.Changes[1].New = "mallory" }), 10, audit.Edited},
		{"edit time by 1ns", edit(3, func(e *audit.Entry) { e.Time = e.Time.Add(time.Nanosecond) }), 3, audit.Edited},
		{"edit prev hash", edit(5, func(e *audit.Entry) { e.PrevHash[31] ^= 1 }), 5, audit.Edited},
		{"edit hash", edit(8, func(e *audit.Entry) { e.Hash[0] ^= 1 }), 8, audit.Edited},
		{"delete leaving a gap", deleteEntry(5, false), 5, audit.Missing},
		{"delete the first", deleteEntry(1, false), 1, audit.Missing},
		{"delete and renumber", deleteEntry(5, true), 5, audit.Missing},
		{"delete the first and renumber", deleteEntry(1, true), 1, audit.Missing},
		{"swap adjacent", swap(6), 6, audit.Reordered},
		{"swap the first two", swap(1), 1, audit.Reordered},
		{"swap the last two", swap(9), 9, audit.Reordered},
		{"insert a sealed forgery and renumber", insert(4, true), 4, audit.Inserted},
		{"insert a forgery with a wrong hash and renumber", insert(4, false), 4, audit.Inserted},
		{"insert first and renumber", insert(1, true), 1, audit.Inserted},
		{"forge an entry with its own valid hash", func(es []audit.Entry) []audit.Entry {
			es[4] = forged(es, 5)
			es[4].PrevHash[0] ^= 0xff
			es[4].Hash = es[4].ComputeHash()
			return es
		}, 5, audit.BrokenLink},
		{"edit and re-seal one entry", reseal(3, func(e *audit.Entry) { e.To = "closed" }), 4, audit.BrokenLink},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := s.newHarness(t)
			stored := fill(t, h.Trail, 10)
			cp := audit.SignCheckpoint(head(t, h.Trail), base, testKey)
			if err := h.Rewrite(context.Background(), tt.tamper); err != nil {
				t.Fatalf("Rewrite: %v", err)
			}
			rep := verify(t, h.Trail)
			if rep.OK || rep.FirstBad != tt.seq || rep.Problem != tt.problem {
				t.Fatalf("Verify = %+v, want first bad entry %d, %s", rep, tt.seq, tt.problem)
			}
			if rep.Detail == "" || rep.Head.Seq != tt.seq-1 {
				t.Fatalf("Verify = %+v, want a detail and the head of entry %d", rep, tt.seq-1)
			}
			if tt.seq > 1 && tt.problem != audit.BrokenLink && rep.Head.Hash != stored[tt.seq-2].Hash {
				t.Fatalf("Verify head = %+v, want entry %d as stored", rep.Head, tt.seq-1)
			}
			var ce *audit.ChainError
			if err := rep.Err(); !errors.Is(err, audit.ErrBroken) || !errors.As(err, &ce) ||
				ce.Seq != tt.seq || ce.Problem != tt.problem {
				t.Fatalf("Report.Err() = %v, want a *audit.ChainError at %d", err, tt.seq)
			}
			if rep, err := audit.VerifyCheckpoint(context.Background(), h.Trail, cp, testKey.Public().(ed25519.PublicKey)); err != nil || rep.OK {
				t.Fatalf("VerifyCheckpoint after tampering = %+v, %v; want a failed report", rep, err)
			}
			// The export of a tampered trail fails to import with the same report.
			var buf bytes.Buffer
			if err := audit.Export(context.Background(), h.Trail, &buf); err != nil {
				t.Fatalf("Export: %v", err)
			}
			if _, err := audit.Import(&buf); !errors.As(err, &ce) || ce.Seq != tt.seq || ce.Problem != tt.problem {
				t.Fatalf("Import of the tampered export: error = %v, want entry %d %s", err, tt.seq, tt.problem)
			}
		})
	}
}

func (s suite) truncation(t *testing.T) {
	h := s.newHarness(t)
	fill(t, h.Trail, 10)
	pub := testKey.Public().(ed25519.PublicKey)
	cp := audit.SignCheckpoint(head(t, h.Trail), base, testKey)
	if err := h.Rewrite(context.Background(), func(es []audit.Entry) []audit.Entry { return es[:7] }); err != nil {
		t.Fatalf("Rewrite: %v", err)
	}
	if rep := verify(t, h.Trail); !rep.OK || rep.Head.Seq != 7 {
		t.Fatalf("Verify of a truncated trail = %+v: a plain chain cannot see truncation, want OK at 7", rep)
	}
	rep, err := audit.VerifyCheckpoint(context.Background(), h.Trail, cp, pub)
	if err != nil {
		t.Fatalf("VerifyCheckpoint: %v", err)
	}
	if rep.OK || rep.FirstBad != 8 || rep.Problem != audit.Truncated || rep.Head.Seq != 7 {
		t.Fatalf("VerifyCheckpoint = %+v, want entry 8 truncated", rep)
	}
	if !errors.Is(rep.Err(), audit.ErrBroken) {
		t.Fatalf("Report.Err() = %v, want ErrBroken", rep.Err())
	}
}

func (s suite) rewritten(t *testing.T) {
	h := s.newHarness(t)
	stored := fill(t, h.Trail, 10)
	pub := testKey.Public().(ed25519.PublicKey)
	early := audit.SignCheckpoint(audit.Head{Seq: 4, Hash: stored[3].Hash}, base, testKey)
	late := audit.SignCheckpoint(head(t, h.Trail), base, testKey)
	// Edit entry 5 and re-seal it and every later entry: a consistent chain.
	err := h.Rewrite(context.Background(), func(es []audit.Entry) []audit.Entry {
		es[4].Actor = "mallory"
		hd := audit.Head{Seq: 4, Hash: es[3].Hash}
		for i := 4; i < len(es); i++ {
			var err error
			if hd, err = audit.Seal(hd, &es[i]); err != nil {
				panic(err)
			}
		}
		return es
	})
	if err != nil {
		t.Fatalf("Rewrite: %v", err)
	}
	if rep := verify(t, h.Trail); !rep.OK {
		t.Fatalf("Verify of a re-sealed trail = %+v: a plain chain cannot see it, want OK", rep)
	}
	if rep, err := audit.VerifyCheckpoint(context.Background(), h.Trail, early, pub); err != nil || !rep.OK {
		t.Fatalf("VerifyCheckpoint before the rewrite = %+v, %v; want OK", rep, err)
	}
	rep, err := audit.VerifyCheckpoint(context.Background(), h.Trail, late, pub)
	if err != nil {
		t.Fatalf("VerifyCheckpoint: %v", err)
	}
	if rep.OK || rep.FirstBad != 10 || rep.Problem != audit.Rewritten {
		t.Fatalf("VerifyCheckpoint = %+v, want entry 10 rewritten", rep)
	}
}

func (s suite) checkpointLater(t *testing.T) {
	tr := s.newHarness(t).Trail
	pub := testKey.Public().(ed25519.PublicKey)
	empty := audit.SignCheckpoint(head(t, tr), base, testKey)
	fill(t, tr, 5)
	cp := audit.SignCheckpoint(head(t, tr), base, testKey)
	if _, err := tr.Append(context.Background(), entries(6, 9)...); err != nil {
		t.Fatalf("Append: %v", err)
	}
	for _, c := range []audit.Checkpoint{empty, cp} {
		rep, err := audit.VerifyCheckpoint(context.Background(), tr, c, pub)
		if err != nil || !rep.OK || rep.Head != head(t, tr) || rep.Checked != 9 {
			t.Fatalf("VerifyCheckpoint(%d) after later appends = %+v, %v; want OK up to 9", c.Seq, rep, err)
		}
	}
}

func (s suite) checkpointRejected(t *testing.T) {
	tr := s.newHarness(t).Trail
	fill(t, tr, 3)
	pub := testKey.Public().(ed25519.PublicKey)
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{8}, ed25519.SeedSize))
	good := audit.SignCheckpoint(head(t, tr), base, testKey)
	tests := []struct {
		name string
		cp   func() audit.Checkpoint
		pub  ed25519.PublicKey
	}{
		{"bad signature", func() audit.Checkpoint {
			c := good
			c.Signature = slices.Clone(c.Signature)
			c.Signature[0] ^= 1
			return c
		}, pub},
		{"seq changed", func() audit.Checkpoint { c := good; c.Seq = 2; return c }, pub},
		{"hash changed", func() audit.Checkpoint { c := good; c.Hash[0] ^= 1; return c }, pub},
		{"time changed", func() audit.Checkpoint { c := good; c.Time = c.Time.Add(time.Second); return c }, pub},
		{"no signature", func() audit.Checkpoint { c := good; c.Signature = nil; return c }, pub},
		{"verified with another key", func() audit.Checkpoint { return good }, other.Public().(ed25519.PublicKey)},
		{"signed by another key", func() audit.Checkpoint { return audit.SignCheckpoint(head(t, tr), base, other) }, pub},
		{"signed by another key, key ID removed", func() audit.Checkpoint {
			c := audit.SignCheckpoint(head(t, tr), base, other)
			c.KeyID = ""
			return c
		}, pub},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := audit.VerifyCheckpoint(context.Background(), tr, tt.cp(), tt.pub)
			if !errors.Is(err, audit.ErrBadCheckpoint) || rep.OK {
				t.Fatalf("VerifyCheckpoint = %+v, %v; want audit.ErrBadCheckpoint", rep, err)
			}
		})
	}
}

func (s suite) exportImport(t *testing.T) {
	tr := s.newHarness(t).Trail
	stored := fill(t, tr, 4)
	odd := Entry(5)
	odd.Actor, odd.Data, odd.Changes = "Zoë \"<script>\"\n", nil, nil
	more, err := tr.Append(context.Background(), odd, Entry(6))
	if err != nil {
		t.Fatalf("Append: %v", err)
	}
	stored = append(stored, more...)

	var buf bytes.Buffer
	if err := audit.Export(context.Background(), tr, &buf); err != nil {
		t.Fatalf("Export: %v", err)
	}
	lines := bytes.SplitAfter(buf.Bytes(), []byte("\n"))
	if len(lines) != len(stored)+1 || len(lines[len(lines)-1]) != 0 {
		t.Fatalf("Export wrote %d lines, want %d each ending in a newline", len(lines)-1, len(stored))
	}
	for i, line := range lines[:len(stored)] {
		got, hash, err := RecomputeHash(line)
		if err != nil {
			t.Fatalf("line %d: third-party recomputation: %v", i+1, err)
		}
		if want := stored[i].Hash.String(); got != want || hash != want {
			t.Fatalf("line %d: third party recomputed %s (line says %s), want %s\n%s", i+1, got, hash, want, line)
		}
	}

	imported, err := audit.Import(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	checkSame(t, imported, stored)

	// Appending the import to an empty trail reproduces the chain.
	fresh := s.newHarness(t).Trail
	copied, err := fresh.Append(context.Background(), imported...)
	if err != nil {
		t.Fatalf("Append imported entries: %v", err)
	}
	checkSame(t, copied, stored)
	if h, want := head(t, fresh), head(t, tr); h != want {
		t.Fatalf("head after re-import = %+v, want %+v", h, want)
	}
}

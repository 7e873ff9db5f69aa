package memory

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/store"
)

// TestLogChunks appends and truncates across chunk boundaries.
func TestLogChunks(t *testing.T) {
	tests := []struct {
		name       string
		n, keep    int
		wantChunks int
	}{
		{"empty", 0, 0, 0},
		{"within one chunk", 10, 3, 1},
		{"exactly one chunk", logChunk, logChunk, 1},
		{"back to a chunk boundary", 2*logChunk + 5, logChunk, 1},
		{"into an earlier chunk", 3*logChunk + 1, logChunk/2 + 1, 1},
		{"to nothing", 2 * logChunk, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var l log
			for i := range tc.n {
				e := logEntry(i + 1)
				l.append(&e)
			}
			if l.len() != tc.n {
				t.Fatalf("len %d, want %d", l.len(), tc.n)
			}
			l.truncate(tc.keep)
			if l.len() != tc.keep || len(l.chunks) != tc.wantChunks {
				t.Fatalf("after truncate(%d): len %d in %d chunks, want %d chunks", tc.keep, l.len(), len(l.chunks), tc.wantChunks)
			}
			if len(l.chunks) > 0 {
				seg := l.chunks[len(l.chunks)-1]
				last := seg.slots[len(seg.slots)-1]
				if len(seg.text) != int(last.blk)+1 || len(seg.text[last.blk]) != int(last.end) {
					t.Fatalf("after truncate(%d): %d blocks, the last of %d bytes, want %d blocks, the last of the %d bytes of the entries kept",
						tc.keep, len(seg.text), len(seg.text[len(seg.text)-1]), last.blk+1, last.end)
				}
			}
			e := logEntry(tc.keep + 1)
			l.append(&e)
			for i := range l.len() {
				if got, want := l.entry(i), logEntry(i+1); !reflect.DeepEqual(got, want) {
					t.Fatalf("entry(%d) = %+v, want %+v", i, got, want)
				}
				if got := l.at(i).seq; got != uint64(i+1) {
					t.Fatalf("at(%d).Seq = %d", i, got)
				}
			}
			if l.last().seq != uint64(tc.keep+1) {
				t.Fatalf("last Seq %d, want %d", l.last().seq, tc.keep+1)
			}
		})
	}
}

// logEntry returns the i-th entry of a log test: its text grows with i, and
// it has changes and data when i%3 is 1, empty ones when 2, nil ones when 0.
func logEntry(i int) audit.Entry {
	e := audit.Entry{
		Seq:      uint64(i),
		ID:       uuid.UUID{byte(i), byte(i >> 8)},
		Time:     time.Unix(int64(i)*3600, int64(i)).UTC(),
		Actor:    strings.Repeat("a", i%300),
		Action:   "test",
		PrevHash: audit.Hash{byte(i)},
		Hash:     audit.Hash{byte(i + 1)},
	}
	switch i % 3 {
	case 1:
		e.Changes = []audit.Change{{Field: "f", Old: strings.Repeat("o", i%200), New: "n"}, {Field: "g"}}
		e.Data = map[string]string{"z": strings.Repeat("z", i%100), "k": "v", "a": ""}
	case 2:
		e.Changes, e.Data = []audit.Change{}, map[string]string{}
	}
	return e
}

// TestSegmentText appends entries of growing, constant and very different
// sizes to one segment: each reads back intact from text that never moved,
// an entry of more than a block has a block of its own size, and a block
// other than the last is left with less room than the entry that followed
// needed.
func TestSegmentText(t *testing.T) {
	tests := []struct {
		name string
		size func(i int) int
	}{
		{"equal", func(int) int { return 300 }},
		{"growing", func(i int) int { return 10 + 30*i }},
		{"large then small", func(i int) int { return map[bool]int{true: 2 << 20, false: 5}[i == 0] }},
		{"small then large", func(i int) int { return map[bool]int{true: 2 << 20, false: 5}[i == logChunk-1] }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var seg segment
			seg.slots = make([]slot, 0, logChunk)
			var want []audit.Entry
			var first []*byte // where each entry's text was first stored
			for i := range logChunk {
				e := audit.Entry{Seq: uint64(i + 1), Time: time.Unix(0, 0).UTC(), Actor: strings.Repeat("x", tc.size(i)), Action: "a"}
				seg.add(&e, e.AppendCanonical(nil))
				want = append(want, e)
				sl := seg.slots[i]
				first = append(first, &seg.text[sl.blk][sl.off])
			}
			for i, w := range want {
				sl := seg.slots[i]
				if &seg.text[sl.blk][sl.off] != first[i] {
					t.Fatalf("the text of entry %d moved", i)
				}
				if got := sl.entry(seg.text[sl.blk], w.PrevHash); !reflect.DeepEqual(got, w) {
					t.Fatalf("entry %d = %.80v, want %.80v", i, got, w)
				}
				size := int(sl.end - sl.off)
				if b := seg.text[sl.blk]; cap(b) != max(textBlock, size) {
					t.Fatalf("entry %d of %d bytes is in a block of %d", i, size, cap(b))
				}
				if i > 0 && sl.blk != seg.slots[i-1].blk {
					if b := seg.text[seg.slots[i-1].blk]; cap(b)-len(b) >= size {
						t.Fatalf("entry %d of %d bytes starts a block, but the one before has %d bytes of room", i, size, cap(b)-len(b))
					}
				}
			}
		})
	}
}

// TestRollbackAcrossChunks rolls back a unit of work whose appends filled
// more than a chunk, then reads the trail through a chunk boundary.
func TestRollbackAcrossChunks(t *testing.T) {
	ctx := context.Background()
	st := New()
	defer st.Close()
	e := audit.Entry{Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Actor: "ann", Action: "test"}
	batch := make([]audit.Entry, logChunk-10)
	for i := range batch {
		batch[i] = e
	}
	if _, err := st.Trail().Append(ctx, batch...); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		if _, err := tx.Append(ctx, batch...); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update: %v", err)
	}
	if st.entries.len() != len(batch) || len(st.entries.chunks) != 1 {
		t.Fatalf("after rollback: %d entries in %d chunks", st.entries.len(), len(st.entries.chunks))
	}
	if _, err := st.Trail().Append(ctx, batch...); err != nil {
		t.Fatal(err)
	}
	var all []audit.Entry
	for e, err := range st.Trail().Entries(ctx, 0, 0) {
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, e)
	}
	if err := audit.VerifySlice(all).Err(); err != nil || len(all) != 2*len(batch) {
		t.Fatalf("trail of %d entries: %v", len(all), err)
	}
}

// TestLogPrevHashes stores chained entries without their previous hash, and
// keeps those of the entries that do not follow on from the one before
// (rewritten trails, in tests): every entry reads back as it was appended,
// and truncating drops the exceptions of the entries it drops.
func TestLogPrevHashes(t *testing.T) {
	var l log
	var want []audit.Entry
	add := func(prev audit.Hash) {
		i := len(want) + 1
		e := audit.Entry{Seq: uint64(i), Time: time.Unix(int64(i), 0).UTC(), Action: "a", PrevHash: prev, Hash: audit.Hash{byte(i), 0xff}}
		l.append(&e)
		want = append(want, e)
	}
	chained := func() audit.Hash {
		if len(want) == 0 {
			return audit.Hash{}
		}
		return want[len(want)-1].Hash
	}
	check := func(wantOwn int) {
		t.Helper()
		for i, w := range want {
			if got := l.entry(i); !reflect.DeepEqual(got, w) {
				t.Fatalf("entry(%d) = %+v, want %+v", i, got, w)
			}
		}
		if len(l.prev) != wantOwn {
			t.Fatalf("%d previous hashes kept, want %d: %v", len(l.prev), wantOwn, l.prev)
		}
	}
	for range 5 {
		add(chained())
	}
	add(audit.Hash{0xaa}) // position 5 breaks the chain
	for range logChunk {  // into the next chunk
		add(chained())
	}
	check(1)
	l.truncate(5)
	want = want[:5]
	check(0)
	l.truncate(0)
	want = nil
	add(audit.Hash{0xbb}) // a trail that starts elsewhere than at the zero hash
	add(chained())
	check(1)
}

// FuzzLogText appends entries of any strings, changes and data (and a kind
// of up to 64 KiB) and reads them back as appended.
func FuzzLogText(f *testing.F) {
	f.Add("ann", "incident.assign", "INC-1", "state", "new", "assigned", uint8(1), uint8(1), uint16(0))
	f.Add("", "", "", "", "", "", uint8(0), uint8(0), uint16(200))
	f.Add("x", "y", "z", "k", "v", "w", uint8(3), uint8(2), uint16(20000))
	f.Fuzz(func(t *testing.T, actor, action, id, field, old, new string, changes, pairs uint8, pad uint16) {
		var l log
		var want []audit.Entry
		for i := range 3 {
			e := audit.Entry{Seq: uint64(i + 1), Time: time.Unix(int64(i), 7).UTC(), Actor: actor, Action: action,
				Kind: strings.Repeat("k", int(pad)), EntityID: id, From: old, To: new, Hash: audit.Hash{byte(i)}}
			if i > 0 {
				e.PrevHash = want[i-1].Hash
			}
			if i != 1 { // the second entry has nil changes and data
				e.Changes = []audit.Change{}
				for j := range int(changes % 8) {
					e.Changes = append(e.Changes, audit.Change{Field: field + strings.Repeat("f", j), Old: old, New: new})
				}
				e.Data = map[string]string{}
				for j := range int(pairs % 8) {
					e.Data[field+strings.Repeat("d", j)] = new + old
				}
			}
			l.append(&e)
			want = append(want, e)
		}
		for i, w := range want {
			if got := l.entry(i); !reflect.DeepEqual(got, w) {
				t.Fatalf("entry(%d) = %+v, want %+v", i, got, w)
			}
		}
	})
}

package memory

import (
	"context"
	"errors"
	"testing"
	"time"

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
				l.append(&audit.Entry{Seq: uint64(i + 1)})
			}
			if l.len() != tc.n {
				t.Fatalf("len %d, want %d", l.len(), tc.n)
			}
			l.truncate(tc.keep)
			if l.len() != tc.keep || len(l.chunks) != tc.wantChunks {
				t.Fatalf("after truncate(%d): len %d in %d chunks, want %d chunks", tc.keep, l.len(), len(l.chunks), tc.wantChunks)
			}
			l.append(&audit.Entry{Seq: uint64(tc.keep + 1)})
			for i := range l.len() {
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

package memory

import (
	"context"
	"iter"

	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/store"
)

// trail is the [audit.Trail] of a Store: its entries slice.
type trail struct{ s *Store }

// head returns the head of the trail: its last stored entry.
func (s *Store) head() audit.Head {
	last := s.entries.last()
	if last == nil {
		return audit.Head{}
	}
	return audit.Head{Seq: last.seq, Hash: last.hash}
}

// Head implements [audit.Trail].
func (t trail) Head(ctx context.Context) (audit.Head, error) {
	if err := ctx.Err(); err != nil {
		return audit.Head{}, err
	}
	t.s.mu.RLock()
	defer t.s.mu.RUnlock()
	if t.s.closed {
		return audit.Head{}, store.ErrClosed
	}
	return t.s.head(), nil
}

// Append implements [audit.Trail]: each call is its own unit of work.
func (t trail) Append(ctx context.Context, entries ...audit.Entry) ([]audit.Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	if t.s.closed {
		return nil, store.ErrClosed
	}
	return t.s.appendLocked(entries, true)
}

// chunk is how many entries Entries copies under one read lock: it never
// holds the lock while the caller's loop body runs.
const chunk = 256

// Entries implements [audit.Trail]. It reads the entries in chunks, each
// under the read lock, so a slow reader does not block appends; to == 0 means
// up to the head when the iteration starts.
func (t trail) Entries(ctx context.Context, from, to uint64) iter.Seq2[audit.Entry, error] {
	return func(yield func(audit.Entry, error) bool) {
		buf := make([]audit.Entry, 0, chunk)
		pos, end := -1, 0 // next position in s.entries; the end of the range
		for {
			if err := ctx.Err(); err != nil {
				yield(audit.Entry{}, err)
				return
			}
			buf = buf[:0]
			t.s.mu.RLock()
			if t.s.closed {
				t.s.mu.RUnlock()
				yield(audit.Entry{}, store.ErrClosed)
				return
			}
			if pos < 0 {
				pos, end = t.s.span(from, to)
			}
			end = min(end, t.s.entries.len()) // only a rewrite in tests shrinks it
			for ; pos < end && len(buf) < chunk; pos++ {
				if seq := t.s.entries.at(pos).seq; seq >= from && (to == 0 || seq <= to) {
					buf = append(buf, t.s.entries.entry(pos))
				}
			}
			t.s.mu.RUnlock()
			for _, e := range buf {
				if !yield(e, nil) {
					return
				}
			}
			if pos >= end {
				return
			}
		}
	}
}

// span returns the positions [start, end) of s.entries that may hold
// entries from..to: exactly those when the trail is dense, all otherwise.
func (s *Store) span(from, to uint64) (start, end int) {
	n := uint64(s.entries.len())
	if !s.dense {
		return 0, int(n)
	}
	if to == 0 || to > n {
		to = n
	}
	if from == 0 {
		from = 1
	}
	if from > to {
		return 0, 0
	}
	return int(from - 1), int(to)
}

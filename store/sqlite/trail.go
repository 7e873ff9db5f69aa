package sqlite

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"math"
	"sync"

	"github.com/google/uuid"

	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/internal/sqlkit"
)

// Trail is the audit trail of a [Store], kept in its audit table. It
// implements [audit.Trail]: appends from every goroutine and every process
// sharing the file form one gap-free chain, because write transactions take
// turns (BEGIN IMMEDIATE) and each seals its entries after the head as it is
// inside the transaction.
type Trail struct {
	s *Store
}

var _ audit.Trail = (*Trail)(nil)

// Head implements [audit.Trail]. It reads the committed head through a
// reader connection.
func (tr *Trail) Head(ctx context.Context) (audit.Head, error) {
	var h audit.Head
	err := tr.s.withReader(ctx, func(c *conn) error {
		var err error
		h, err = readHead(ctx, c)
		return err
	})
	return h, tr.s.fail(ctx, err)
}

// Entries implements [audit.Trail]. It streams the rows of one SELECT, which
// sees one snapshot of the trail, through a reader connection; stopping the
// iteration early releases the connection. While an iteration is open, the
// WAL cannot be checkpointed past its snapshot, so long exports should not
// pause midway for long.
func (tr *Trail) Entries(ctx context.Context, from, to uint64) iter.Seq2[audit.Entry, error] {
	return func(yield func(audit.Entry, error) bool) {
		hi := int64(math.MaxInt64)
		if to != 0 && to < math.MaxInt64 {
			hi = int64(to)
		}
		lo := int64(min(from, math.MaxInt64))
		err := tr.s.withReader(ctx, func(c *conn) error {
			st, err := c.stmt(ctx, stEntries)
			if err != nil {
				return err
			}
			rows, err := c.query(ctx, st, lo, hi)
			if err != nil {
				return err
			}
			defer rows.Close()
			var values [numAuditColumns]driver.Value
			for {
				more, err := next(rows, values[:])
				if err != nil || !more {
					return err
				}
				if err := ctx.Err(); err != nil {
					return err
				}
				e, err := decodeEntry(values[:])
				if err != nil {
					return err
				}
				if !yield(e, nil) {
					return nil
				}
			}
		})
		if err != nil {
			yield(audit.Entry{}, tr.s.fail(ctx, err))
		}
	}
}

// withReader runs fn with a connection of the reader pool.
func (s *Store) withReader(ctx context.Context, fn func(c *conn) error) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	c, err := s.reader.get(ctx)
	if err != nil {
		return err
	}
	defer s.reader.put(c)
	return fn(c)
}

// Append implements [audit.Trail]: it seals and stores the entries in one
// write transaction of their own, as [Store.Update] with [store.Tx.Append].
// Batches (up to thousands of entries) are cheap: at most one head read,
// prepared inserts of 64 entries each, one commit.
func (tr *Trail) Append(ctx context.Context, entries ...audit.Entry) ([]audit.Entry, error) {
	if err := validateEntries(entries); err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, nil
	}
	return sqlkit.AppendUnit(ctx, tr.s, entries)
}

// Append implements [store.Tx]. It seals the entries after the trail head
// and inserts them. The head is found once per transaction: it is the head
// the store's last commit left (see headCache), checked by the first insert,
// or else read from the table. Either way the transaction holds the write
// lock, so the head cannot move under it.
func (t *tx) Append(ctx context.Context, entries ...audit.Entry) ([]audit.Entry, error) {
	if err := t.writable(); err != nil {
		return nil, err
	}
	if err := validateEntries(entries); err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, nil
	}
	if t.headState == headUnknown {
		if h, ok := t.s.head.get(); ok {
			t.head, t.headState = h, headGuessed
		} else if err := t.readHead(ctx); err != nil {
			return nil, err
		}
	}
	out, err := t.appendAfterHead(ctx, entries)
	if err == errStaleHead { // another connection appended since: nothing was stored
		if err := t.readHead(ctx); err != nil {
			return nil, err
		}
		out, err = t.appendAfterHead(ctx, entries)
	}
	return out, err
}

// The states of a transaction's knowledge of the trail head.
const (
	headUnknown   = iota
	headGuessed   // t.head is the store's cached head, not yet checked
	headConfirmed // t.head is the head of the table in this transaction
)

// errStaleHead reports that the first entry sealed after a guessed head
// found its sequence number taken.
var errStaleHead = errors.New("sqlite: cached audit head is stale")

// readHead reads the trail head from the table.
func (t *tx) readHead(ctx context.Context) error {
	h, err := readHead(ctx, t.c)
	if err != nil {
		return t.s.fail(ctx, err)
	}
	t.head, t.headState = h, headConfirmed
	return nil
}

// appendAfterHead seals the entries after t.head and inserts them: after a
// guessed head the first one alone, then chunks of appendChunk entries in one
// statement each, then the rest one by one. Only the first insert after a
// guessed head can find its sequence number taken: it then returns
// errStaleHead having stored nothing.
func (t *tx) appendAfterHead(ctx context.Context, entries []audit.Entry) ([]audit.Entry, error) {
	out := make([]audit.Entry, len(entries))
	head := t.head
	for i := range entries {
		out[i] = entries[i]
		var err error
		if head, err = audit.Seal(head, &out[i]); err != nil {
			return nil, err // not reached: validated by the caller
		}
	}
	args := t.c.values[:0]
	defer func() { t.c.values = args[:0] }()
	for done := 0; done < len(out); {
		n, id := 1, stAppend
		if len(out)-done >= appendChunk && t.headState == headConfirmed {
			n, id = appendChunk, stAppendChunk
		}
		args = args[:0]
		for i := range n {
			var err error
			if args, err = appendEntryArgs(args, &out[done+i]); err != nil {
				return nil, t.appendFailed(done, err)
			}
		}
		stored, err := t.exec(ctx, id, args...)
		switch {
		case err != nil:
			return nil, t.appendFailed(done, t.s.fail(ctx, err))
		case stored == 0 && done == 0 && t.headState == headGuessed:
			return nil, errStaleHead
		case stored != int64(n):
			return nil, t.appendFailed(done, fmt.Errorf("sqlite: audit entries from %d exist already", out[done].Seq))
		}
		t.headState = headConfirmed
		done += n
	}
	t.head = head
	t.appended = true
	return out, nil
}

// appendFailed returns err, the failure of an append after done entries were
// stored: when some were, the transaction must not commit, and the error
// poisons it.
func (t *tx) appendFailed(done int, err error) error {
	if done > 0 {
		t.err = err
	}
	return err
}

// headCache is the trail head as the store's last committed append left it.
// Transactions seal their first entry after it without reading the table;
// the insert, whose sequence number is the table's primary key, finds out
// when another connection (another process) appended since, and the
// transaction then reads the head. The cache is set only after a commit and
// only moves forward. Entries are never deleted: if rows are deleted behind
// the store's back, appends go on after the cached head and [audit.Verify]
// reports the missing entries rather than a chain quietly re-sealed over
// the gap.
type headCache struct {
	mu    sync.Mutex
	head  audit.Head
	valid bool
}

func (c *headCache) get() (audit.Head, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.head, c.valid
}

// advance records h as the head after a commit, unless a later head is known.
func (c *headCache) advance(h audit.Head) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.valid || h.Seq > c.head.Seq {
		c.head, c.valid = h, true
	}
}

// reset forgets the head.
func (c *headCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.valid = false
}

// validateEntries checks every entry before any is sealed, so that an invalid
// entry stores none.
func validateEntries(entries []audit.Entry) error {
	for i := range entries {
		if err := entries[i].Validate(); err != nil {
			return fmt.Errorf("entry %d: %w", i, err)
		}
	}
	return nil
}

// readHead reads the last entry's sequence number and hash on c.
func readHead(ctx context.Context, c *conn) (audit.Head, error) {
	st, err := c.stmt(ctx, stHead)
	if err != nil {
		return audit.Head{}, err
	}
	var values [2]driver.Value
	found, err := c.queryRow(ctx, st, values[:])
	if err != nil || !found {
		return audit.Head{}, err
	}
	r := newRow(values[:])
	seq, hash := r.integer(0), r.blob(1)
	if err := r.err("audit head"); err != nil {
		return audit.Head{}, err
	}
	var h audit.Head
	if len(hash) != len(h.Hash) {
		return h, fmt.Errorf("sqlite: audit entry %d: stored hash has %d bytes", seq, len(hash))
	}
	h.Seq = uint64(seq)
	copy(h.Hash[:], hash)
	return h, nil
}

// appendEntryArgs appends the column values of a sealed entry, in
// sqlkit.AuditColumns order, to args.
func appendEntryArgs(args []any, e *audit.Entry) ([]any, error) {
	changes, err := jsonColumn(e.Changes, e.Changes == nil)
	if err != nil {
		return args, err
	}
	data, err := jsonColumn(e.Data, e.Data == nil)
	if err != nil {
		return args, err
	}
	return append(args, int64(e.Seq), e.ID.String(), e.Time.UnixNano(), e.Actor, e.Action,
		e.Kind, e.EntityID, e.From, e.To, changes, data, e.PrevHash[:], e.Hash[:]), nil
}

// jsonColumn encodes v as JSON text, or NULL when isNil, so that a nil slice
// or map reads back as nil and an empty one as empty.
func jsonColumn(v any, isNil bool) (any, error) {
	if isNil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// numAuditColumns is the number of sqlkit.AuditColumns.
const numAuditColumns = 13

// decodeEntry decodes a row of sqlkit.AuditColumns.
func decodeEntry(values []driver.Value) (audit.Entry, error) {
	r := newRow(values)
	seq := r.integer(0)
	id := r.text(1)
	e := audit.Entry{
		Seq:      uint64(seq),
		Time:     sqlkit.FromNanos(r.integer(2)),
		Actor:    r.text(3),
		Action:   r.text(4),
		Kind:     r.text(5),
		EntityID: r.text(6),
		From:     r.text(7),
		To:       r.text(8),
	}
	changes, data := r.nullText(9), r.nullText(10)
	prevHash, hash := r.blob(11), r.blob(12)
	if err := r.err(fmt.Sprintf("audit entry %d", seq)); err != nil {
		return e, err
	}
	var err error
	if e.ID, err = uuid.Parse(id); err != nil {
		return e, fmt.Errorf("sqlite: audit entry %d: id: %w", seq, err)
	}
	if len(prevHash) != len(e.PrevHash) || len(hash) != len(e.Hash) {
		return e, fmt.Errorf("sqlite: audit entry %d: stored hashes have %d and %d bytes", seq, len(prevHash), len(hash))
	}
	copy(e.PrevHash[:], prevHash)
	copy(e.Hash[:], hash)
	if changes != nil {
		if err := json.Unmarshal(changes, &e.Changes); err != nil {
			return e, fmt.Errorf("sqlite: audit entry %d: changes: %w", seq, err)
		}
	}
	if data != nil {
		if err := json.Unmarshal(data, &e.Data); err != nil {
			return e, fmt.Errorf("sqlite: audit entry %d: data: %w", seq, err)
		}
	}
	return e, nil
}

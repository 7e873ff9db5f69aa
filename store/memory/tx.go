package memory

import (
	"context"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/store"
)

// tx is the [store.Tx] of Update (write) and View. It is valid while s is
// set: the unit of work clears it when it ends.
type tx struct {
	s     *Store
	write bool

	// The kind used last, as units of work mostly use one.
	kname string
	k     *kind
	// The record looked up last and its kind, as a change reads a record
	// and then updates it: the second lookup compares the ID instead of
	// hashing it. Delete forgets it.
	rk  *kind
	rid string
	r   *rec
}

// get returns the record of k with the given ID, or nil.
func (t *tx) get(k *kind, id string) *rec {
	if t.r != nil && t.rk == k && t.rid == id {
		return t.r
	}
	r := k.get(id)
	if r != nil {
		t.rk, t.rid, t.r = k, id, r
	}
	return r
}

// kind returns the records of c's kind (see [Store.kind]).
func (t *tx) kind(c store.Codec, create bool) *kind {
	name := c.Kind()
	if t.k != nil && t.kname == name {
		return t.k
	}
	k := t.s.kind(name, create)
	if k != nil {
		t.kname, t.k = name, k
	}
	return k
}

// undo is one entry of the undo log: what to do to revert one change.
type undo struct {
	op   undoOp
	k    *kind
	r    *rec
	prev rec // opUpdate: the record before the update

	name    string // opCounter: the counter, its value before, and whether it existed
	n       int64
	existed bool
}

type undoOp uint8

const (
	opInsert undoOp = iota
	opUpdate
	opDelete
	opCounter
)

// maxSpare bounds the values a kind keeps for reuse (see [kind.cloneIn]).
const maxSpare = 64

// cloneIn returns the copy of v that the store keeps, made with
// [store.Recycler.CloneInto] in a spare value when c has it and the kind
// has one, or with Clone.
func (k *kind) cloneIn(c store.Codec, v any) any {
	if rc, ok := c.(store.Recycler); ok && len(k.spare) > 0 {
		n := len(k.spare) - 1
		spare := k.spare[n]
		k.spare[n] = nil
		k.spare = k.spare[:n]
		return rc.CloneInto(spare, v)
	}
	return c.Clone(v)
}

// recycle keeps, after a commit, the values the unit of work replaced or
// deleted: the store made them, never handed them out (it hands out
// copies), and nothing references them any more.
func (s *Store) recycle() {
	for i := range s.undo {
		u := &s.undo[i]
		var v any
		switch u.op {
		case opUpdate:
			v = u.prev.value
		case opDelete:
			v = u.r.value
		default:
			continue
		}
		if len(u.k.spare) < maxSpare {
			u.k.spare = append(u.k.spare, v)
		}
	}
}

// rollback reverts the undo log, newest first, and truncates the trail to
// mark entries.
func (s *Store) rollback(mark int, dense bool) {
	for i := len(s.undo) - 1; i >= 0; i-- {
		u := &s.undo[i]
		switch u.op {
		case opInsert:
			u.k.unindex(u.r)
			delete(u.k.docs, u.r.id)
		case opUpdate:
			u.k.rekey(u.r, u.prev.keys)
			*u.r = u.prev
		case opDelete:
			u.k.docs[u.r.id] = u.r
			u.k.index(u.r)
		case opCounter:
			if u.existed {
				s.counters[u.name] = u.n
			} else {
				delete(s.counters, u.name)
			}
		}
	}
	s.entries.truncate(mark)
	s.dense = dense
}

// check returns the store of a live tx, or the error that forbids the call.
func (t *tx) check(write bool) (*Store, error) {
	switch {
	case t.s == nil:
		return nil, errTxDone
	case write && !t.write:
		return nil, store.ErrReadOnly
	}
	return t.s, nil
}

// Get implements [store.Tx].
func (t *tx) Get(ctx context.Context, c store.Codec, id string) (store.Doc, error) {
	r, err := t.stored(c, id)
	if err != nil {
		return store.Doc{}, err
	}
	return r.doc(c), nil
}

// stored returns the stored record of c's kind with the given ID.
func (t *tx) stored(c store.Codec, id string) (*rec, error) {
	if _, err := t.check(false); err != nil {
		return nil, err
	}
	r := t.get(t.kind(c, false), id)
	if r == nil {
		return nil, &iso20000.NotFoundError{Kind: c.Kind(), ID: id}
	}
	return r, nil
}

// GetInto implements [store.IntoGetter].
func (t *tx) GetInto(ctx context.Context, c store.Codec, id string, dst any) (store.Doc, error) {
	r, err := t.stored(c, id)
	if err != nil {
		return store.Doc{}, err
	}
	rc, ok := c.(store.Recycler)
	if !ok {
		return r.doc(c), nil
	}
	return store.Doc{ID: r.id, Version: r.version, Keys: r.keys, Value: rc.CloneInto(dst, r.value)}, nil
}

// Peek implements [store.Peeker]. The stored value stays as it is until the
// unit of work ends: an update stores a new value (a spare, from values
// replaced by earlier units), and values replaced are recycled only after
// the commit.
func (t *tx) Peek(ctx context.Context, c store.Codec, id string) (store.Doc, error) {
	r, err := t.stored(c, id)
	if err != nil {
		return store.Doc{}, err
	}
	return store.Doc{ID: r.id, Version: r.version, Keys: r.keys, Value: r.value}, nil
}

// Insert implements [store.Tx].
func (t *tx) Insert(ctx context.Context, c store.Codec, d store.Doc) (int64, error) {
	s, err := t.check(true)
	if err != nil {
		return 0, err
	}
	if d.ID == "" {
		return 0, &iso20000.ValidationError{Field: "id", Reason: "must not be empty"}
	}
	k := t.kind(c, true)
	if k.docs[d.ID] != nil {
		return 0, &iso20000.ConflictError{Kind: c.Kind(), ID: d.ID}
	}
	r := &rec{id: d.ID, version: 1, keys: d.Keys.UTC(), value: k.cloneIn(c, d.Value)}
	k.docs[d.ID] = r
	k.index(r)
	s.undo = append(s.undo, undo{op: opInsert, k: k, r: r})
	return 1, nil
}

// current returns the stored record that a change of version applies to.
func (t *tx) current(c store.Codec, id string, version int64) (*kind, *rec, error) {
	k := t.kind(c, false)
	r := t.get(k, id)
	switch {
	case r == nil:
		return nil, nil, &iso20000.NotFoundError{Kind: c.Kind(), ID: id}
	case r.version != version:
		return nil, nil, &iso20000.ConflictError{Kind: c.Kind(), ID: id, Expected: version, Actual: r.version}
	}
	return k, r, nil
}

// Update implements [store.Tx]. Only the indexes whose keys changed are touched.
func (t *tx) Update(ctx context.Context, c store.Codec, d store.Doc) (int64, error) {
	s, err := t.check(true)
	if err != nil {
		return 0, err
	}
	k, r, err := t.current(c, d.ID, d.Version)
	if err != nil {
		return 0, err
	}
	value := k.cloneIn(c, d.Value) // first: it may panic
	s.undo = append(s.undo, undo{op: opUpdate, k: k, r: r, prev: *r})
	k.rekey(r, d.Keys.UTC())
	r.value = value
	r.version++
	return r.version, nil
}

// Delete implements [store.Tx].
func (t *tx) Delete(ctx context.Context, c store.Codec, id string, version int64) error {
	s, err := t.check(true)
	if err != nil {
		return err
	}
	k, r, err := t.current(c, id, version)
	if err != nil {
		return err
	}
	k.unindex(r)
	delete(k.docs, id)
	t.r = nil
	s.undo = append(s.undo, undo{op: opDelete, k: k, r: r})
	return nil
}

// List implements [store.Tx]; see [kind.list].
func (t *tx) List(ctx context.Context, c store.Codec, q store.Query) (store.Page, error) {
	if _, err := t.check(false); err != nil {
		return store.Page{}, err
	}
	q, cur, err := q.Normalize()
	if err != nil {
		return store.Page{}, err
	}
	k := t.kind(c, false)
	if k == nil {
		return store.Page{}, nil
	}
	return k.list(c, q, cur), nil
}

// Append implements [store.Tx]; see [Store.appendLocked].
func (t *tx) Append(ctx context.Context, entries ...audit.Entry) ([]audit.Entry, error) {
	s, err := t.check(true)
	if err != nil {
		return nil, err
	}
	return s.appendLocked(entries, true)
}

// AppendAtCommit implements [store.AtCommitAppender]. The memory store has
// no round trip to save: it stores the entries at once, as Append does, but
// without returning sealed copies.
func (t *tx) AppendAtCommit(ctx context.Context, entries ...audit.Entry) error {
	s, err := t.check(true)
	if err != nil {
		return err
	}
	_, err = s.appendLocked(entries, false)
	return err
}

// appendLocked seals copies of the entries after the head and stores them,
// and returns the sealed copies when sealed is true; when one is invalid it
// stores none. The caller holds the write lock.
func (s *Store) appendLocked(entries []audit.Entry, sealed bool) ([]audit.Entry, error) {
	var out []audit.Entry
	if sealed {
		out = make([]audit.Entry, len(entries))
	}
	head, mark := s.head(), s.entries.len()
	var buf [512]byte // the canonical encoding of most entries
	for i, e := range entries {
		var (
			b   []byte
			err error
		)
		if head, b, err = audit.SealAppend(buf[:0], head, &e); err != nil {
			s.entries.truncate(mark)
			return nil, err
		}
		s.entries.appendCanonical(&e, b)
		if sealed {
			out[i] = e
		}
	}
	return out, nil
}

// NextNumber implements [store.Tx].
func (t *tx) NextNumber(ctx context.Context, name string) (int64, error) {
	s, err := t.check(true)
	if err != nil {
		return 0, err
	}
	n, ok := s.counters[name]
	s.undo = append(s.undo, undo{op: opCounter, name: name, n: n, existed: ok})
	s.counters[name] = n + 1
	return n + 1, nil
}

// Package memory is the default [store.Store]: records and the audit trail
// kept in memory, with zero set-up. It is safe for concurrent use and indexed,
// so that a filtered list costs in proportion to its page, not to the number
// of records. Nothing survives the process: use store/sqlite or
// store/postgres to keep records.
//
// The store serves the evidence requirements of ISO/IEC 20000-1:2018
// (7.5.4 control of documented information; 9.2 and 10.1 through the audit
// trail) like every backend: a record change and its audit entries commit
// together in one unit of work, or not at all.
//
// # Concurrency
//
// One read-write lock guards the store. [Store.Update] holds the write lock
// while its function runs, and [Store.View] the read lock: units of work are
// serializable, so a record read in an Update cannot change before the same
// Update writes it. The function must therefore not call the Store (nor its
// Trail) itself: it would deadlock. A unit that returns an error, panics or
// whose context ends is undone from an undo log, indexes and counters
// included. A Tx must not be kept beyond its function: using it afterwards
// fails, or acts in a later unit of work.
//
// # Indexes
//
// Each kind of record has B+trees ordered by sort key and ID: one of all
// records by Keys.Created and one of the records with a Keys.Due by due time,
// and the same two per value of Status, Owner, Group, Service and Priority.
// The trees are made for the store's items and for how they change: a record
// that sorts after all others (keys are mostly creation times) is appended
// to the last leaf, and the trees of a status, which records pass through,
// keep their leaf when they empty. A list walks, from its cursor and within its time
// bounds, the smallest of the trees that can answer it (for several statuses,
// the trees of each, merged), and filters the rest of the query with
// [store.Query.Match]; it stops one record past the page. So a list costs
// in proportion to its page when the chosen tree and the time bounds are all
// its filters, and in proportion to the records it skips when other filters
// reject records of that tree. An update touches
// only the trees whose key changed: a change of status moves the record
// between the trees of two statuses, a change of no key touches none.
//
// # Copies
//
// Values are copied with [store.Codec.Clone] on the way in and on the way
// out, so callers never alias stored state that may change (a codec may
// share what never changes, such as frozen SLA timers). A codec that is also a
// [store.Recycler] makes the copy kept on the way in inside a value that an
// earlier committed update replaced, which the store never handed out, so
// that an update allocates little more than the copy its caller reads.
//
// Audit entries are copied too: each is stored with its strings, changes and
// data packed into a block of 16 KiB without pointers, shared by the entries
// that fit (an entry of more has a block of its own), and unpacked into a new
// entry when read. Stored text never moves.
package memory

import (
	"context"
	"errors"
	"sync"

	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/store"
)

// Store is the in-memory [store.Store]. Create it with [New]; it is safe for
// concurrent use.
type Store struct {
	mu       sync.RWMutex
	closed   bool
	degree   int
	kinds    map[string]*kind
	counters map[string]int64

	// entries is the audit trail, sealed entries in stored order. dense
	// reports that the entry at position i has Seq i+1 for every i, as
	// appends keep it; only tampering in tests makes it false.
	entries log
	dense   bool

	// undo is the undo log of the running Update, and wtx its Tx; both are
	// reused from one Update to the next (the write lock makes them exclusive).
	undo []undo
	wtx  tx
}

// Option configures a [Store].
type Option func(*Store)

// WithBTreeDegree sets the degree of the B+trees that index records (default
// 32): their nodes hold up to 2*degree-1 items. Larger nodes make shallower
// trees but copy more when an item goes in or out of their middle. Values
// below 2 are ignored. With the store's 16-byte index items, a node of degree
// 32 has room for 64 items (its 63 and the one it holds for a moment before
// it splits): 1 KiB, a size class of Go's allocator.
func WithBTreeDegree(degree int) Option {
	return func(s *Store) {
		if degree >= 2 {
			s.degree = degree
		}
	}
}

// New returns an empty store.
func New(opts ...Option) *Store {
	s := &Store{
		degree:   32,
		kinds:    make(map[string]*kind),
		counters: make(map[string]int64),
		dense:    true,
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

var _ store.Store = (*Store)(nil)

// errTxDone reports the use of a Tx after its unit of work ended.
var errTxDone = errors.New("store/memory: Tx used after its unit of work ended")

// Update implements [store.Store]: it runs fn under the store's write lock and
// commits when fn returns nil and ctx is not done; otherwise, and when fn
// panics, it undoes everything fn did (the panic is then raised again). fn
// must not call the Store. Errors: ctx.Err() when ctx is done (before or
// after fn), [store.ErrClosed] after Close, else fn's error.
func (s *Store) Update(ctx context.Context, fn func(ctx context.Context, tx store.Tx) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return store.ErrClosed
	}
	t := &s.wtx
	// The kind the last unit of work used stays valid (kinds are never
	// dropped while the store is open); the record it read may not. (Fields
	// are set one by one: a struct copy would cost a write barrier per
	// pointer field while the collector marks.)
	t.s, t.write, t.r = s, true, nil
	mark, dense := s.entries.len(), s.dense
	committed := false
	defer func() {
		t.s = nil
		if committed {
			s.recycle()
		} else {
			s.rollback(mark, dense)
		}
		s.undo = reuseUndo(s.undo)
	}()
	if err = fn(ctx, t); err == nil {
		err = ctx.Err()
	}
	committed = err == nil
	return err
}

// maxUndoKept bounds the undo log an Update keeps for the next one.
const maxUndoKept = 64

// reuseUndo returns the undo log u emptied for the next unit of work. A
// short log keeps its entries until they are overwritten: what they keep
// alive is a few records, which clearing would cost a write barrier per
// pointer for while the collector marks. A longer one is dropped, so that a
// large unit of work does not keep what it deleted alive.
func reuseUndo(u []undo) []undo {
	if cap(u) > maxUndoKept {
		return nil
	}
	return u[:0]
}

// View implements [store.Store]: it runs fn under the store's read lock, with
// a Tx whose writes fail with [store.ErrReadOnly]. Views run concurrently
// with each other. fn must not call the Store.
func (s *Store) View(ctx context.Context, fn func(ctx context.Context, tx store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return store.ErrClosed
	}
	t := &tx{s: s}
	defer func() { t.s = nil }()
	return fn(ctx, t)
}

// Close implements [store.Store]: it drops every record and entry. Later
// calls of the store give [store.ErrClosed]; closing again does nothing.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.kinds, s.counters, s.entries = nil, nil, log{}
	return nil
}

// Trail implements [store.Store]: the trail that [store.Tx.Append] writes to.
// It is valid until the store is closed.
func (s *Store) Trail() audit.Trail { return trail{s} }

// kind returns the records of the named kind, creating them when create is
// true (it returns nil otherwise).
func (s *Store) kind(name string, create bool) *kind {
	k := s.kinds[name]
	if k == nil && create {
		k = newKind(s.degree)
		s.kinds[name] = k
	}
	return k
}

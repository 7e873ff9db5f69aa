// Package store is the pluggable storage of the iso20000 SDK: versioned records
// of many kinds and the audit trail, written together in units of work.
//
// Backends live in sub-packages, so that importing a process package never
// compiles a database driver:
//
//   - store/memory: the default; zero set-up, safe for concurrent use, indexed.
//   - store/sqlite: an embedded, durable file (modernc.org/sqlite, no cgo).
//   - store/postgres: PostgreSQL, for many application instances sharing one database.
//
// Every backend passes one conformance suite, store/storetest.
//
// Process packages use the typed [Collection] on top of a [Store]:
//
//	incidents := store.NewCollection[Incident]("incident", func(i *Incident) (string, store.Keys) {...})
//	err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
//		v, err := incidents.Insert(ctx, tx, inc)
//		...
//		_, err = tx.Append(ctx, audit.Entry{...})
//		return err
//	})
//
// The record change and its audit entry commit together or not at all.
// This ISO/IEC 20000-1:2018 requirement (7.5.4 control of documented
// information, and the evidence clauses 9.2 and 10.1) is what units of work serve.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/servicekit/iso20000/audit"
)

// Keys are the indexed fields of a record. Every kind maps its own fields onto
// them (an incident's assignee is its Owner, its assignment group its Group, its
// next SLA deadline its Due). Lists filter and sort on Keys only; backends keep
// them as indexed columns beside the encoded record.
type Keys struct {
	// Status is the lifecycle state.
	Status string
	// Owner is the person responsible (assignee, owner).
	Owner string
	// Group is the team responsible (assignment group).
	Group string
	// Service is the service (or catalogue item, or category) the record concerns.
	Service string
	// Priority is the priority, 1 being the highest; 0 means none.
	Priority int
	// Created is when the record was created; it orders lists by default.
	Created time.Time
	// Due is the next deadline (such as an SLA breach time); zero means none.
	Due time.Time
}

// Doc is a record as a backend sees it: ID, version, indexed keys and the value.
type Doc struct {
	// ID identifies the record within its kind.
	ID string
	// Version is the optimistic-concurrency version: 1 after insert, +1 per update.
	Version int64
	// Keys are the indexed fields.
	Keys Keys
	// Value is the record itself, of the Go type the [Codec] handles.
	Value any
}

// Codec describes one kind of record to a backend: its name and how to
// encode, decode and copy its values. [Collection] implements it.
//
// Backends that keep values in memory call Clone on the way in and out, so
// that callers never alias stored state; backends that persist call Marshal
// and Unmarshal. Implementations must be safe for concurrent use.
type Codec interface {
	// Kind names the kind of record, such as "incident". Kinds are separate
	// name spaces for IDs.
	Kind() string
	// Marshal encodes a value (as JSON, which SQL backends store).
	Marshal(v any) ([]byte, error)
	// Unmarshal decodes what Marshal produced.
	Unmarshal(data []byte) (any, error)
	// Clone returns a deep copy of v.
	Clone(v any) any
}

// IntoGetter is an optional capability of a [Tx], discovered by type
// assertion (see [Collection.GetInto]). GetInto is [Tx.Get] making the copy
// of the stored value in dst, a value of c's type (a *T for a
// Collection[T]) that the caller owns and nothing else references, with
// [Recycler.CloneInto] when c has it: the returned Doc's Value is then dst.
// Without it the Value is a new copy, as Get returns. A backend that keeps
// values in memory (store/memory) has it, so that a caller reusing dst
// spares the allocation of a copy.
type IntoGetter interface {
	GetInto(ctx context.Context, c Codec, id string, dst any) (Doc, error)
}

// Peeker is an optional capability of a [Tx], discovered by type assertion
// (see [Collection.Peek]). Peek is [Tx.Get] without the copy: the Doc's
// Value is the backend's own stored value, which the caller must not change
// and may read only until the unit of work ends (an update in the same unit
// stores a new value and leaves this one as it was). A backend that keeps
// values in memory (store/memory) has it, so that a caller that reads a
// record to compare it with a changed copy (the before image of an audited
// change) spares a copy.
type Peeker interface {
	Peek(ctx context.Context, c Codec, id string) (Doc, error)
}

// Recycler is an optional capability of a [Codec], discovered by type
// assertion: CloneInto makes a deep copy of src in spare, reusing spare's
// storage (its slices' arrays, the values it points to), and returns it.
// spare is a value the Codec returned earlier (from Clone or CloneInto) that
// the caller owns and that nothing else references any more: a backend that
// keeps values in memory (store/memory) passes the value an update replaced,
// so that keeping a copy allocates little. [Collection] has it when built
// with [WithCloneInto].
type Recycler interface {
	CloneInto(spare, src any) any
}

// Order selects the sort key of a list.
type Order int

const (
	// ByCreated sorts by Keys.Created, then ID. It is the default.
	ByCreated Order = iota
	// ByDue sorts by Keys.Due, then ID; records without a due time are left out.
	ByDue
)

// Query selects and orders records of one kind. Zero fields do not filter;
// the filters that are set must all match.
type Query struct {
	// Status matches records whose status is any of these.
	Status []string
	// Owner, Group and Service match exactly.
	Owner, Group, Service string
	// Priority matches exactly when non-zero.
	Priority int
	// CreatedFrom and CreatedTo bound Keys.Created to [CreatedFrom, CreatedTo).
	CreatedFrom, CreatedTo time.Time
	// DueBefore matches records with a non-zero Due strictly before it.
	DueBefore time.Time
	// OrderBy selects the sort key; ties are broken by ID, so order is stable.
	OrderBy Order
	// Desc sorts in descending order.
	Desc bool
	// Limit is the page size: 0 means [DefaultLimit]; at most [MaxLimit].
	Limit int
	// Cursor continues a previous list: pass the Next of the page before,
	// with the same filters and order. Empty starts at the beginning.
	Cursor string
}

// Page sizes of [Query.Limit].
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// Page is one page of a list.
type Page struct {
	// Docs are the matching records, in order.
	Docs []Doc
	// Next is the cursor of the following page, or empty when this page is the last.
	Next string
}

// Tx is a unit of work. Everything done through one Tx commits together when
// the function given to [Store.Update] returns nil, and is discarded when it
// returns an error, panics, or the context is cancelled.
//
// A Tx is valid only during that function and is not safe for concurrent use.
// Errors: a missing record gives an error wrapping iso20000.ErrNotFound; a
// stale version or a duplicate ID one wrapping iso20000.ErrConflict; a write in
// a read-only Tx [ErrReadOnly]; bad arguments iso20000.ErrValidation; ctx
// errors are returned as they are.
type Tx interface {
	// Get returns the record of kind c with the given ID.
	Get(ctx context.Context, c Codec, id string) (Doc, error)
	// Insert stores a new record (d.Version is ignored) and returns its
	// version, 1. An existing ID gives ErrConflict.
	Insert(ctx context.Context, c Codec, d Doc) (int64, error)
	// Update replaces a record if its stored version equals d.Version and
	// returns the new version, d.Version+1. A stale version gives ErrConflict
	// and changes nothing; a missing record gives ErrNotFound.
	Update(ctx context.Context, c Codec, d Doc) (int64, error)
	// Delete removes a record if its stored version equals version, with the
	// same errors as Update. Only processes that allow deletion call it.
	Delete(ctx context.Context, c Codec, id string, version int64) error
	// List returns one page of the records of kind c matching q, in order.
	// Its cost is proportional to the page, not to the number of records.
	List(ctx context.Context, c Codec, q Query) (Page, error)
	// Append seals audit entries after the trail's head and stores them in
	// this unit of work; see [audit.Trail.Append].
	Append(ctx context.Context, entries ...audit.Entry) ([]audit.Entry, error)
	// NextNumber increments the counter called name and returns its new
	// value, starting at 1. Counters are gap-free: a number taken in a unit of
	// work that is rolled back is given out again. It serves human record
	// numbers such as INC-000123.
	NextNumber(ctx context.Context, name string) (int64, error)
}

// AtCommitAppender is an optional capability of a [Tx], discovered by type
// assertion (see [AppendAtCommit]): AppendAtCommit queues audit entries that
// the backend seals after the chain head and stores as the unit of work
// commits, in the commit's own round trip. It validates the entries at once
// (an invalid entry gives the error of [audit.Entry.Validate] and queues
// nothing) but returns no sealed entries, since they are sealed only at
// commit. A backend whose chain head is a shared lock (PostgreSQL) implements
// it so that the lock is held for the commit only, not across the unit of
// work; entries appended both ways in one unit keep their order.
type AtCommitAppender interface {
	AppendAtCommit(ctx context.Context, entries ...audit.Entry) error
}

// AppendAtCommit appends entries in tx's unit of work, through
// [AtCommitAppender] when tx has it and through [Tx.Append] otherwise. Use it
// when the sealed entries are not needed before the commit, as process
// packages do for the audit entry of a change.
func AppendAtCommit(ctx context.Context, tx Tx, entries ...audit.Entry) error {
	if a, ok := tx.(AtCommitAppender); ok {
		return a.AppendAtCommit(ctx, entries...)
	}
	_, err := tx.Append(ctx, entries...)
	return err
}

// Store is a storage backend. Implementations must be safe for concurrent use.
type Store interface {
	// Update runs fn in a read-write unit of work and commits it when fn
	// returns nil. fn must not call methods of the Store itself, and may be
	// run again by backends that retry serialization failures, so it should
	// have no effects outside tx.
	Update(ctx context.Context, fn func(ctx context.Context, tx Tx) error) error
	// View runs fn in a read-only unit of work with a consistent view.
	View(ctx context.Context, fn func(ctx context.Context, tx Tx) error) error
	// Trail returns the store's audit trail, the one Tx.Append writes to.
	Trail() audit.Trail
	// Close releases the store's resources. Using it afterwards gives [ErrClosed].
	Close() error
}

// Errors of stores that have no counterpart in the root package.
var (
	// ErrReadOnly reports a write through the Tx of [Store.View].
	ErrReadOnly = errors.New("store: write in a read-only unit of work")
	// ErrClosed reports use of a closed store.
	ErrClosed = errors.New("store: closed")
	// ErrSchemaTooNew reports a database whose schema was migrated by a newer
	// release of the SDK than the running code: a backend refuses to open it
	// rather than misread it. Upgrade every instance.
	ErrSchemaTooNew = errors.New("store: database schema is newer than this code")
)

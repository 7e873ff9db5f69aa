// Package workflow is the one path every process package's mutations take:
// authorise the actor, read the record, let the use case apply lifecycle
// transitions, guards and edits, save with optimistic versioning and append
// the audit entry with the changed fields, all in one unit of work; audit
// denied attempts. Process packages (incident, problem, change, ...) describe
// their record type with a [Spec] and call an [Engine]; they never import
// each other, and none of them re-implements this sequence.
package workflow

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/store"
)

// Field is one audited field of a record type, rendered as text.
type Field[T any] struct {
	Name string
	Get  func(*T) string
	// Same, when set, tells cheaply that the field did not change, so that
	// Get (which may allocate, for times and lists) runs only for changes.
	Same func(a, b *T) bool

	// at and kind, set by [StringField], [IntField], [BoolField],
	// [TimeField] and [ListField], say where the field lies in the record
	// and what it holds, so that AppendDiff compares it in place: no call
	// of Same or Get for the fields a change leaves alone, which is most of
	// them.
	at   uintptr
	kind fieldKind
}

// fieldKind is the type of a field compared in place.
type fieldKind uint8

const (
	inPlaceNone fieldKind = iota
	inPlaceString
	inPlaceInt
	inPlaceBool
	inPlaceTime
	inPlaceList // of a string type, laid out as []string
)

// StringField is an audited field of a string type. at returns the
// field's address in the record it is given; it must be a field of the
// record itself (not behind a pointer), or StringField panics.
func StringField[T any, S ~string](name string, at func(*T) *S) Field[T] {
	return Field[T]{Name: name, Get: func(r *T) string { return string(*at(r)) }, at: offset(at), kind: inPlaceString}
}

// IntField is an audited field of an int type (levels, priorities,
// counts), rendered in decimal; at is as for [StringField].
func IntField[T any, I ~int](name string, at func(*T) *I) Field[T] {
	return Field[T]{Name: name, Get: func(r *T) string { return Int(*at(r)) }, at: offset(at), kind: inPlaceInt}
}

// BoolField is an audited flag, rendered as "true" or "false"; at is as for
// [StringField].
func BoolField[T any](name string, at func(*T) *bool) Field[T] {
	return Field[T]{Name: name, Get: func(r *T) string { return Bool(*at(r)) }, at: offset(at), kind: inPlaceBool}
}

// TimeField is an audited time field, compared (in place, with
// time.Time.Equal) before it is rendered; at is as for [StringField].
func TimeField[T any](name string, at func(*T) *time.Time) Field[T] {
	return Field[T]{Name: name, Get: func(r *T) string { return Time(*at(r)) }, at: offset(at), kind: inPlaceTime}
}

// ListField is an audited list of IDs or names, compared in place before
// it is rendered; at is as for [StringField].
func ListField[T any, S ~string](name string, at func(*T) *[]S) Field[T] {
	return Field[T]{Name: name, Get: func(r *T) string { return List(*at(r)) }, at: offset(at), kind: inPlaceList}
}

// offset returns the offset in T of the field at returns the address of,
// checking that the field lies within T.
func offset[T, F any](at func(*T) *F) uintptr {
	r := new(T)
	base, f := uintptr(unsafe.Pointer(r)), uintptr(unsafe.Pointer(at(r)))
	if f < base || f-base+unsafe.Sizeof(*new(F)) > unsafe.Sizeof(*r) {
		panic(fmt.Sprintf("workflow: the field accessor of %T does not return a field of the record", r))
	}
	return f - base
}

// sameInPlace reports whether the field f, compared in place, is the same
// in a and b; ok is false for a field that is not compared in place.
func (f *Field[T]) sameInPlace(a, b *T) (same, ok bool) {
	pa, pb := unsafe.Add(unsafe.Pointer(a), f.at), unsafe.Add(unsafe.Pointer(b), f.at)
	switch f.kind {
	case inPlaceString:
		return *(*string)(pa) == *(*string)(pb), true
	case inPlaceInt:
		return *(*int)(pa) == *(*int)(pb), true
	case inPlaceBool:
		return *(*bool)(pa) == *(*bool)(pb), true
	case inPlaceTime:
		return (*time.Time)(pa).Equal(*(*time.Time)(pb)), true
	case inPlaceList:
		return slices.Equal(*(*[]string)(pa), *(*[]string)(pb)), true
	}
	return false, false
}

// Log is an append-only list of a record type, audited by what was appended.
type Log[T any] struct {
	Name string
	Len  func(*T) int
	// Text returns the text of the i-th element.
	Text func(r *T, i int) string
}

// Spec describes a record type to the [Engine].
type Spec[T any] struct {
	// Kind is the record kind ("incident"); actions are "<kind>.<verb>".
	Kind string
	// Records is the typed collection.
	Records *store.Collection[T]
	// ID returns the record's ID; State its lifecycle state.
	ID    func(*T) string
	State func(*T) string
	// Attrs appends to dst the request attributes of a record that
	// authorisation rules may use, and returns the result. The engine
	// appends to a buffer of its own, which it reuses once the authorizer
	// has returned (see [iso20000.Attrs]).
	Attrs func(dst iso20000.Attrs, r *T) iso20000.Attrs
	// Stamp records the new version and the time of a change on the record.
	Stamp func(r *T, version int64, now time.Time)
	// Fields and Logs are what the audit entry's changes are computed from.
	Fields []Field[T]
	Logs   []Log[T]
	// PlainBefore lets the working copy of a change be a plain struct copy
	// of the record read, instead of a deep copy by Records, when the
	// backend gives the engine a copy of its own (a backend that lends its
	// stored copy, store.Peeker, needs a deep copy). The record read is the
	// before image, which AppendDiff compares the changed record with. It
	// is for a record type whose use cases only replace fields and append to
	// slices (never change an element in place): the before image then stays
	// as it was read, and the deep copy is saved.
	PlainBefore bool
	// Release, when set, drops from a record the parts that a later copy
	// into it by Records (a [store.Recycler]'s CloneInto) would reuse, such
	// as its slices and SLA timers, and may leave the rest. The engine
	// returns its working copy to the caller by value, so that from then on
	// those parts are the caller's: the engine releases them before it pools
	// the working copy. Without Release it clears the whole record, which
	// costs a write barrier per pointer of the record while the collector
	// marks.
	Release func(r *T)

	// plan is the first pass of AppendDiff, made from Fields on first use:
	// Fields must not change once the spec is in use.
	planOnce sync.Once
	plan     *diffPlan
}

// Engine runs the mutations of one record type. It is safe for concurrent use.
type Engine[T any] struct {
	Spec  *Spec[T]
	Store store.Store
	Clock iso20000.Clock
	Authz iso20000.Authorizer
	// Track, when set, runs after the use case of every change, before the
	// record is saved, with the change's before image (see [Spec.PlainBefore]):
	// the bookkeeping a process keeps on every change, such as its SLA
	// clocks. Its error discards the change, as the use case's does.
	Track func(before, after *T, now time.Time, d Details) error

	calls sync.Pool // of *call[T]
	// actions are the actions built so far, one per verb: a list that is
	// replaced, never changed, so that reading it takes no lock. A process
	// has a dozen verbs; comparing them (constants, mostly the same string
	// as the one looked for) costs less than hashing one.
	actions   atomic.Pointer[[]action]
	actionsMu sync.Mutex // serialises the replacements
}

// action is a verb and its action "<kind>.<verb>".
type action struct{ verb, name string }

// maxActions bounds the actions an engine keeps: beyond, an action is
// built on every call (a process package has far fewer verbs).
const maxActions = 64

// action returns the action "<kind>.<verb>", built once per verb.
func (e *Engine[T]) action(verb string) string {
	if name, ok := findAction(e.actions.Load(), verb); ok {
		return name
	}
	e.actionsMu.Lock()
	defer e.actionsMu.Unlock()
	known := e.actions.Load()
	if name, ok := findAction(known, verb); ok {
		return name
	}
	name := e.Spec.Kind + "." + verb
	var list []action
	if known != nil {
		list = *known
	}
	if len(list) < maxActions {
		list = append(slices.Clip(list), action{verb: verb, name: name})
		e.actions.Store(&list)
	}
	return name
}

// findAction returns the name of verb's action in list, which may be nil.
func findAction(list *[]action, verb string) (string, bool) {
	if list != nil {
		for _, a := range *list {
			if a.verb == verb {
				return a.name, true
			}
		}
	}
	return "", false
}

// Details are the audit entry's free data beside the field changes. The
// engine hands every use case an empty, non-nil Details that it owns and
// reuses: the entry's Data when the use case adds anything, nil otherwise.
type Details map[string]string

// Add records value under key, appended after a comma when the key holds a
// value already (two timer events of one change, say). d must not be nil.
func (d Details) Add(key, value string) {
	if old, ok := d[key]; ok {
		value = old + "," + value
	}
	d[key] = value
}

// data returns d as an entry's Data: nil when empty, as an entry without
// details has no Data.
func (d Details) data() map[string]string {
	if len(d) == 0 {
		return nil
	}
	return d
}

// Apply changes a copy of the stored record at time now, adding to d the
// audit details, or returns an error that discards the whole change. It
// must not change the record's ID: the record is saved under the ID it was
// read by.
type Apply[T any] func(r *T, now time.Time, d Details) error

// maxAttempts bounds automatic retries of a change that was not pinned to a
// version and met a concurrent update (possible on PostgreSQL).
const maxAttempts = 3

// Now returns the engine clock's time in UTC.
func (e *Engine[T]) Now() time.Time { return e.Clock.Now().UTC() }

// Change applies a use case to the record with the given ID: read it, check
// version (0 means the latest, retried a few times on a concurrent update),
// authorise "<kind>.<verb>" with the record's attributes, apply, save and
// append the audit entry, in one unit of work. A denied attempt is audited in
// a unit of work of its own and returned.
func (e *Engine[T]) Change(ctx context.Context, actor iso20000.Actor, id string, version int64, verb string, apply Apply[T]) (T, error) {
	var zero T
	if err := actor.Validate(); err != nil {
		return zero, err
	}
	c := e.newCall()
	defer e.freeCall(c)
	c.actor, c.id, c.version, c.action, c.apply = actor, id, version, e.action(verb), apply
	var err error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		c.denied = nil
		err = e.Store.Update(ctx, c.unit)
		if version != 0 || !errors.Is(err, iso20000.ErrConflict) {
			break
		}
	}
	if c.denied != nil {
		return zero, e.Denied(ctx, actor, c.action, id, c.denied)
	}
	if err != nil {
		return zero, err
	}
	return *c.out, nil
}

// call is the state of one [Engine.Change] or [Engine.Create]. Calls are
// pooled, so that the records they hold (large structs), the audit entry and
// its changes are not allocated for every change. The record returned to the
// caller is copied out of the call before it goes back to the pool.
//
// A pooled call is not cleared: it keeps the strings of its last use (the
// record's, the entry's, the actor's) until its next use overwrites them, or
// the pool drops it at a later collection. Clearing them would cost a write
// barrier per pointer while the collector marks, for every change, and what
// they keep alive is one change's worth per pooled call. What the caller's
// record shares with the working copy is released, as it must be (see
// [Spec.Release]).
type call[T any] struct {
	e       *Engine[T]
	actor   iso20000.Actor
	id      string
	version int64
	action  string
	apply   Apply[T] // a change's use case
	build   Build[T] // a creation's
	// unit and createUnit are the method values c.run and c.runCreate,
	// bound once.
	unit, createUnit func(ctx context.Context, tx store.Tx) error

	out    *T
	denied error
	// details is the call's own map, emptied for every attempt. The entry
	// that holds it lives only until the unit of work ends: backends copy
	// what they store.
	details Details
	// attrs is the room for the attributes of the call's authorisation
	// request: process packages set up to four.
	attrs [4]iso20000.Attr
	// work is the record a change reads and changes, or the one a creation
	// builds. zero is never written: the before image of a creation.
	work  T
	zero  T
	entry [1]audit.Entry
	// changes holds the entry's changes: most changes have fewer.
	changes [24]audit.Change
}

func (e *Engine[T]) newCall() *call[T] {
	if c, ok := e.calls.Get().(*call[T]); ok {
		return c
	}
	c := &call[T]{e: e, details: make(Details, 2)}
	c.unit, c.createUnit = c.run, c.runCreate
	return c
}

// freeCall releases what the caller's record shares with the working copy
// and pools c (see [call]).
func (e *Engine[T]) freeCall(c *call[T]) {
	if e.Spec.Release != nil {
		e.Spec.Release(&c.work)
	} else {
		clear(unsafe.Slice(&c.work, 1)) // in place: no zero record copied in
	}
	c.out, c.denied = nil, nil
	e.calls.Put(c)
}

// run is the unit of work of a change.
func (c *call[T]) run(ctx context.Context, tx store.Tx) error {
	e := c.e
	// before is the stored record, read only: the backend's own copy when
	// it lends it (store.Peeker), else a copy of the call's own. r is the
	// call's working copy: changed in place, saved by pointer.
	before, stored, shared, err := e.Spec.Records.Peek(ctx, tx, c.id)
	if err != nil {
		return err
	}
	if c.version != 0 && stored != c.version {
		return &iso20000.ConflictError{Kind: e.Spec.Kind, ID: c.id, Expected: c.version, Actual: stored}
	}
	req := iso20000.Request{Actor: c.actor, Action: c.action, ID: c.id, Attrs: e.Spec.Attrs(c.attrs[:0], before)}
	if err := e.Authz.Authorize(ctx, req); err != nil {
		c.denied = err
		return err
	}
	r := &c.work
	if e.Spec.PlainBefore && !shared {
		*r = *before
	} else { // the before image must stay as it is: a deep copy
		e.Spec.Records.CopyInto(r, before)
	}
	now := e.Now()
	clear(c.details)
	if err := c.apply(r, now, c.details); err != nil {
		return err
	}
	if e.Track != nil {
		if err := e.Track(before, r, now, c.details); err != nil {
			return err
		}
	}
	e.Spec.Stamp(r, stored+1, now)
	if _, err := e.Spec.Records.UpdateRefID(ctx, tx, c.id, r, stored); err != nil {
		return err
	}
	c.entry[0] = e.entry(c.actor, c.action, c.id, now, before, r, c.details, c.changes[:0])
	c.out = r
	return store.AppendAtCommit(ctx, tx, c.entry[:]...)
}

// Authorize checks an action that has no stored record yet (creating one),
// auditing a denial.
func (e *Engine[T]) Authorize(ctx context.Context, actor iso20000.Actor, verb string, attrs iso20000.Attrs) error {
	if err := actor.Validate(); err != nil {
		return err
	}
	action := e.action(verb)
	if err := e.Authz.Authorize(ctx, iso20000.Request{Actor: actor, Action: action, Attrs: attrs}); err != nil {
		return e.Denied(ctx, actor, action, "", err)
	}
	return nil
}

// Build builds a new record at time now inside the unit of work of
// [Engine.Create] (it may take a number with tx.NextNumber), adding to d the
// audit details.
type Build[T any] func(ctx context.Context, tx store.Tx, now time.Time, d Details) (T, error)

// Create stores a new record made by build and appends its audit entry, in
// one unit of work. The caller authorises first with [Engine.Authorize].
func (e *Engine[T]) Create(ctx context.Context, actor iso20000.Actor, verb string, build Build[T]) (T, error) {
	c := e.newCall()
	defer e.freeCall(c)
	c.actor, c.action, c.build = actor, e.action(verb), build
	if err := e.Store.Update(ctx, c.createUnit); err != nil {
		var zero T
		return zero, err
	}
	return c.work, nil
}

// runCreate is the unit of work of a creation.
func (c *call[T]) runCreate(ctx context.Context, tx store.Tx) error {
	e := c.e
	now := e.Now()
	clear(c.details)
	var err error
	if c.work, err = c.build(ctx, tx, now, c.details); err != nil {
		return err
	}
	r := &c.work
	e.Spec.Stamp(r, 1, now)
	id := e.Spec.ID(r)
	if _, err := e.Spec.Records.InsertRefID(ctx, tx, id, r); err != nil {
		return err
	}
	// c.zero is the before image: nothing was there before.
	c.entry[0] = e.entry(c.actor, c.action, id, now, &c.zero, r, c.details, c.changes[:0])
	return store.AppendAtCommit(ctx, tx, c.entry[:]...)
}

// Get reads one record in a read-only unit of work.
func (e *Engine[T]) Get(ctx context.Context, id string) (T, error) {
	var out T
	err := e.Store.View(ctx, func(ctx context.Context, tx store.Tx) error {
		v, err := e.Spec.Records.Get(ctx, tx, id)
		out = v.Value
		return err
	})
	return out, err
}

// List reads one page of records matching q in a read-only unit of work.
func (e *Engine[T]) List(ctx context.Context, q store.Query) ([]T, string, error) {
	var out []T
	var next string
	err := e.Store.View(ctx, func(ctx context.Context, tx store.Tx) error {
		vs, n, err := e.Spec.Records.List(ctx, tx, q)
		out = make([]T, len(vs))
		for i, v := range vs {
			out[i] = v.Value
		}
		next = n
		return err
	})
	return out, next, err
}

// entry returns the audit entry of a change from before to after. Its
// Changes are appended to changes, whose array the caller owns (the entry
// lives only until the unit of work ends: backends copy what they store).
func (e *Engine[T]) entry(actor iso20000.Actor, action, id string, now time.Time, before, after *T, d Details, changes []audit.Change) audit.Entry {
	if changes = e.Spec.AppendDiff(changes, before, after); len(changes) == 0 {
		changes = nil
	}
	return audit.Entry{
		Time:     now,
		Actor:    actor.ID,
		Action:   action,
		Kind:     e.Spec.Kind,
		EntityID: id,
		From:     e.Spec.State(before),
		To:       e.Spec.State(after),
		Changes:  changes,
		Data:     d.data(),
	}
}

// AppendDiff appends to dst the audited changes from before to after: each
// changed field with its old and new value, then every element appended to
// the logs.
func (s *Spec[T]) AppendDiff(dst []audit.Change, before, after *T) []audit.Change {
	s.planOnce.Do(func() { s.plan = newDiffPlan(s.Fields) })
	if p := s.plan; p != nil {
		for maybe := p.suspects(unsafe.Pointer(before), unsafe.Pointer(after)); maybe != 0; maybe &= maybe - 1 {
			dst = s.Fields[bits.TrailingZeros64(maybe)].appendChange(dst, before, after)
		}
	} else {
		for i := range s.Fields {
			dst = s.Fields[i].appendChange(dst, before, after)
		}
	}
	for _, l := range s.Logs {
		for i := l.Len(before); i < l.Len(after); i++ {
			dst = append(dst, audit.Change{Field: l.Name, New: l.Text(after, i)})
		}
	}
	return dst
}

// appendChange appends to dst the change of field f from before to after,
// if it changed.
func (f *Field[T]) appendChange(dst []audit.Change, before, after *T) []audit.Change {
	if same, ok := f.sameInPlace(before, after); ok {
		if same {
			return dst
		}
	} else if f.Same != nil && f.Same(before, after) {
		return dst
	}
	if o, n := f.Get(before), f.Get(after); o != n {
		dst = append(dst, audit.Change{Field: f.Name, Old: o, New: n})
	}
	return dst
}

// diffPlan is the first pass of [Spec.AppendDiff] over a spec's fields: the
// fields compared in place, grouped by kind, and the others. A field whose
// bits are the same in both images (a string with the same bytes at the
// same address, as in a plain copy of the record) did not change; the first
// pass finds, with a few instructions a field, the fields that may have, and
// only those are compared field by field, in their order.
type diffPlan struct {
	strings, ints, bools, times, lists []probe
	// others are the fields not compared in place (one bit each): they are
	// always compared by Same or Get.
	others uint64
}

// probe is a field in a [diffPlan]: its offset and its bit.
type probe struct {
	at  uintptr
	bit uint64
}

// newDiffPlan returns the plan of fields, or nil when they are more than a
// plan has bits for.
func newDiffPlan[T any](fields []Field[T]) *diffPlan {
	if len(fields) > 64 {
		return nil
	}
	p := new(diffPlan)
	for i, f := range fields {
		pr := probe{at: f.at, bit: 1 << i}
		switch f.kind {
		case inPlaceString:
			p.strings = append(p.strings, pr)
		case inPlaceInt:
			p.ints = append(p.ints, pr)
		case inPlaceBool:
			p.bools = append(p.bools, pr)
		case inPlaceTime:
			p.times = append(p.times, pr)
		case inPlaceList:
			p.lists = append(p.lists, pr)
		default:
			p.others |= pr.bit
		}
	}
	return p
}

// suspects returns the bits of the fields that may differ between the
// records at a and b: those whose bits differ, and the fields not compared
// in place.
func (p *diffPlan) suspects(a, b unsafe.Pointer) uint64 {
	maybe := p.others
	for _, f := range p.strings {
		x, y := *(*string)(unsafe.Add(a, f.at)), *(*string)(unsafe.Add(b, f.at))
		if len(x) != len(y) || unsafe.StringData(x) != unsafe.StringData(y) {
			maybe |= f.bit
		}
	}
	for _, f := range p.ints {
		if *(*int)(unsafe.Add(a, f.at)) != *(*int)(unsafe.Add(b, f.at)) {
			maybe |= f.bit
		}
	}
	for _, f := range p.bools {
		if *(*bool)(unsafe.Add(a, f.at)) != *(*bool)(unsafe.Add(b, f.at)) {
			maybe |= f.bit
		}
	}
	for _, f := range p.times {
		// == on time.Time compares its fields: the same bits (the same
		// instant in the same location); Equal decides the rest.
		if *(*time.Time)(unsafe.Add(a, f.at)) != *(*time.Time)(unsafe.Add(b, f.at)) {
			maybe |= f.bit
		}
	}
	for _, f := range p.lists {
		x, y := *(*[]string)(unsafe.Add(a, f.at)), *(*[]string)(unsafe.Add(b, f.at))
		if len(x) != len(y) || unsafe.SliceData(x) != unsafe.SliceData(y) {
			maybe |= f.bit
		}
	}
	return maybe
}

// Denied records a denied attempt in its own unit of work and returns the
// denial (joined with the auditing error if that failed).
func (e *Engine[T]) Denied(ctx context.Context, actor iso20000.Actor, action, id string, denied error) error {
	_, err := e.Store.Trail().Append(ctx, audit.Entry{
		Time:     e.Now(),
		Actor:    actor.ID,
		Action:   "denied:" + action,
		Kind:     e.Spec.Kind,
		EntityID: id,
		Data:     map[string]string{"reason": denied.Error()},
	})
	if err != nil {
		return errors.Join(denied, fmt.Errorf("%s: auditing the denied attempt: %w", e.Spec.Kind, err))
	}
	return denied
}

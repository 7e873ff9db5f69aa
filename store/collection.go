package store

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"time"
)

// Versioned is a record with its stored version.
type Versioned[T any] struct {
	Value   T
	Version int64
}

// Collection is the typed access to records of one kind, for process packages.
// It implements [Codec] for backends, with *T values: records are encoded as JSON with
// encoding/json, and copied with the clone function given by [WithClone].
// Without one, a record type that holds no pointers, slices, maps,
// channels, functions or interfaces (strings and times are fine: they are
// immutable) is copied as a plain value, and any other by a JSON round trip,
// which is correct but slow: records with slices or maps should supply one. With [WithCloneInto] it is also a
// [Recycler], so that store/memory reuses the copies it keeps, and
// [Collection.GetInto] reads into the caller's own value.
//
// A Collection is immutable and safe for concurrent use.
type Collection[T any] struct {
	kind      string
	index     func(*T) (string, Keys)
	keys      func(*T) Keys
	clone     func(T) T
	cloneInto func(dst, src *T)
	decoded   func(*T)
}

// CollectionOption configures a [Collection].
type CollectionOption[T any] func(*Collection[T])

// WithClone sets the function that deep-copies a record.
func WithClone[T any](clone func(T) T) CollectionOption[T] {
	return func(c *Collection[T]) { c.clone = clone }
}

// WithCloneInto sets the function that makes *dst a deep copy of *src,
// reusing dst's storage: *dst is a copy made earlier by the collection that
// nothing else references (see [Recycler]), but for what never changes
// (strings, frozen timers), which copies may share. It must leave nothing
// that may change shared between *dst and *src.
func WithCloneInto[T any](cloneInto func(dst, src *T)) CollectionOption[T] {
	return func(c *Collection[T]) { c.cloneInto = cloneInto }
}

// WithDecoded sets a function that [Collection.Unmarshal] applies to every
// record it decodes before handing it out: to give a decoded record the form
// the process package saves its records in (its timers frozen, say), so that
// records read from any backend are alike.
func WithDecoded[T any](decoded func(*T)) CollectionOption[T] {
	return func(c *Collection[T]) { c.decoded = decoded }
}

// WithKeys sets the function that returns a record's indexed [Keys] alone.
// It must agree with the index function given to [NewCollection]. The
// methods that are given the record's ID ([Collection.InsertRefID],
// [Collection.UpdateRefID]) use it, so that an ID that takes work to render
// (a UUID's text, say) is not rendered again.
func WithKeys[T any](keys func(*T) Keys) CollectionOption[T] {
	return func(c *Collection[T]) { c.keys = keys }
}

// NewCollection returns a Collection of the named kind. index returns a
// record's ID and its indexed [Keys].
func NewCollection[T any](kind string, index func(*T) (id string, k Keys), opts ...CollectionOption[T]) *Collection[T] {
	c := &Collection[T]{kind: kind, index: index}
	for _, o := range opts {
		o(c)
	}
	if c.clone == nil {
		if plainCopy(reflect.TypeFor[T]()) {
			c.clone = func(v T) T { return v }
		} else {
			c.clone = jsonClone[T]
		}
	}
	return c
}

// plainCopy reports whether a plain copy of a value of type t is a deep
// copy: t holds nothing that a copy would share but strings (immutable) and
// the location of a time.Time (never changed once made).
func plainCopy(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128, reflect.String:
		return true
	case reflect.Array:
		return plainCopy(t.Elem())
	case reflect.Struct:
		if t == reflect.TypeFor[time.Time]() {
			return true
		}
		for i := range t.NumField() {
			if !plainCopy(t.Field(i).Type) {
				return false
			}
		}
		return true
	}
	return false
}

func jsonClone[T any](v T) T {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("store: cannot clone %T: %v", v, err))
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		panic(fmt.Sprintf("store: cannot clone %T: %v", v, err))
	}
	return out
}

// Kind implements [Codec].
func (c *Collection[T]) Kind() string { return c.kind }

// A Collection's Doc values are of type *T: boxing a pointer into Doc.Value
// costs no allocation, where boxing a record struct would copy it to the heap.

// Marshal implements [Codec].
func (c *Collection[T]) Marshal(v any) ([]byte, error) {
	t, ok := v.(*T)
	if !ok {
		return nil, fmt.Errorf("store: %s collection cannot marshal %T", c.kind, v)
	}
	return json.Marshal(t)
}

// Unmarshal implements [Codec].
func (c *Collection[T]) Unmarshal(data []byte) (any, error) {
	t := new(T)
	if err := json.Unmarshal(data, t); err != nil {
		return nil, fmt.Errorf("store: decoding %s: %w", c.kind, err)
	}
	if c.decoded != nil {
		c.decoded(t)
	}
	return t, nil
}

// Clone implements [Codec].
func (c *Collection[T]) Clone(v any) any {
	t := c.clone(*v.(*T))
	return &t
}

// CloneInto implements [Recycler]: it makes the copy in spare, as
// [Collection.CopyInto] does, or, when spare is not a *T, as Clone.
func (c *Collection[T]) CloneInto(spare, src any) any {
	t, ok := spare.(*T)
	if !ok {
		return c.Clone(src)
	}
	c.CopyInto(t, src.(*T))
	return t
}

// Doc returns the backend view of v with the given version. Its Value is a
// *T pointing to v's copy.
func (c *Collection[T]) Doc(v T, version int64) Doc {
	p := &v
	id, keys := c.index(p)
	return Doc{ID: id, Version: version, Keys: keys.UTC(), Value: p}
}

func (c *Collection[T]) value(d Doc) (Versioned[T], error) {
	t, ok := d.Value.(*T)
	if !ok {
		return Versioned[T]{}, fmt.Errorf("store: %s collection got a %T", c.kind, d.Value)
	}
	return Versioned[T]{Value: *t, Version: d.Version}, nil
}

// Get returns the record with the given ID.
func (c *Collection[T]) Get(ctx context.Context, tx Tx, id string) (Versioned[T], error) {
	d, err := tx.Get(ctx, c, id)
	if err != nil {
		return Versioned[T]{}, err
	}
	return c.value(d)
}

// GetRef is Get without copying the record out of the backend's private copy:
// it returns a pointer the caller owns and may change, for example to pass it
// to [Collection.UpdateRef].
func (c *Collection[T]) GetRef(ctx context.Context, tx Tx, id string) (*T, int64, error) {
	d, err := tx.Get(ctx, c, id)
	if err != nil {
		return nil, 0, err
	}
	t, ok := d.Value.(*T)
	if !ok {
		return nil, 0, fmt.Errorf("store: %s collection got a %T", c.kind, d.Value)
	}
	return t, d.Version, nil
}

// GetInto is GetRef copying the record into *dst, which the caller owns:
// the zero T, or a record an earlier GetInto filled whose slices and
// pointers nothing else references any more (they are reused, see
// [WithCloneInto]). A backend with [IntoGetter] copies the stored record
// straight into *dst; with another, *dst is overwritten with a new copy.
func (c *Collection[T]) GetInto(ctx context.Context, tx Tx, id string, dst *T) (int64, error) {
	if g, ok := tx.(IntoGetter); ok {
		d, err := g.GetInto(ctx, c, id, dst)
		if err != nil {
			return 0, err
		}
		t, ok := d.Value.(*T)
		if !ok {
			return 0, fmt.Errorf("store: %s collection got a %T", c.kind, d.Value)
		}
		if t != dst {
			*dst = *t
		}
		return d.Version, nil
	}
	t, version, err := c.GetRef(ctx, tx, id)
	if err != nil {
		return 0, err
	}
	*dst = *t
	return version, nil
}

// Peek returns the record with the given ID, and its version, for reading
// only: with a backend that is a [Peeker], the backend's own copy, which
// the caller must not change and may read only until the unit of work ends
// (shared is then true); with another, a copy of the caller's own, as
// [Collection.GetRef] returns.
func (c *Collection[T]) Peek(ctx context.Context, tx Tx, id string) (v *T, version int64, shared bool, err error) {
	p, ok := tx.(Peeker)
	if !ok {
		v, version, err = c.GetRef(ctx, tx, id)
		return v, version, false, err
	}
	d, err := p.Peek(ctx, c, id)
	if err != nil {
		return nil, 0, false, err
	}
	t, ok := d.Value.(*T)
	if !ok {
		return nil, 0, false, fmt.Errorf("store: %s collection got a %T", c.kind, d.Value)
	}
	return t, d.Version, true, nil
}

// CopyInto makes *dst a deep copy of *src, reusing dst's storage when the
// collection has [WithCloneInto]: *dst must then be the zero T, or a copy
// the collection made whose slices and pointers nothing else references.
func (c *Collection[T]) CopyInto(dst, src *T) {
	if c.cloneInto != nil {
		c.cloneInto(dst, src)
		return
	}
	*dst = c.clone(*src)
}

// UpdateRef is Update taking the record by pointer, without copying it. The
// backend copies or encodes it, so the caller keeps ownership of v.
func (c *Collection[T]) UpdateRef(ctx context.Context, tx Tx, v *T, version int64) (int64, error) {
	id, keys := c.index(v)
	return tx.Update(ctx, c, Doc{ID: id, Version: version, Keys: keys.UTC(), Value: v})
}

// InsertRef is Insert taking the record by pointer, without copying it. The
// backend copies or encodes it, so the caller keeps ownership of v.
func (c *Collection[T]) InsertRef(ctx context.Context, tx Tx, v *T) (int64, error) {
	id, keys := c.index(v)
	return tx.Insert(ctx, c, Doc{ID: id, Keys: keys.UTC(), Value: v})
}

// InsertRefID is [Collection.InsertRef] for a caller that has the record's
// ID already, as the index function would render it.
func (c *Collection[T]) InsertRefID(ctx context.Context, tx Tx, id string, v *T) (int64, error) {
	keys, err := c.keysOf(id, v)
	if err != nil {
		return 0, err
	}
	return tx.Insert(ctx, c, Doc{ID: id, Keys: keys, Value: v})
}

// UpdateRefID is [Collection.UpdateRef] for a caller that has the record's
// ID already, as the index function would render it.
func (c *Collection[T]) UpdateRefID(ctx context.Context, tx Tx, id string, v *T, version int64) (int64, error) {
	keys, err := c.keysOf(id, v)
	if err != nil {
		return 0, err
	}
	return tx.Update(ctx, c, Doc{ID: id, Version: version, Keys: keys, Value: v})
}

// keysOf returns the keys of v, whose ID the caller gave as id, in UTC: by
// the keys function of [WithKeys], or else by the index function, whose ID
// must then be id.
func (c *Collection[T]) keysOf(id string, v *T) (Keys, error) {
	if c.keys != nil {
		return c.keys(v).UTC(), nil
	}
	got, keys := c.index(v)
	if got != id {
		return Keys{}, fmt.Errorf("store: %s record %q given as %q", c.kind, got, id)
	}
	return keys.UTC(), nil
}

// Insert stores a new record and returns its version (1).
func (c *Collection[T]) Insert(ctx context.Context, tx Tx, v T) (int64, error) {
	return tx.Insert(ctx, c, c.Doc(v, 0))
}

// Update stores v over the record with the same ID if the stored version is
// version, and returns the new version.
func (c *Collection[T]) Update(ctx context.Context, tx Tx, v T, version int64) (int64, error) {
	return tx.Update(ctx, c, c.Doc(v, version))
}

// Delete removes the record with the given ID if its stored version is version.
func (c *Collection[T]) Delete(ctx context.Context, tx Tx, id string, version int64) error {
	return tx.Delete(ctx, c, id, version)
}

// List returns one page of records matching q and the cursor of the next page.
func (c *Collection[T]) List(ctx context.Context, tx Tx, q Query) ([]Versioned[T], string, error) {
	p, err := tx.List(ctx, c, q)
	if err != nil {
		return nil, "", err
	}
	out := make([]Versioned[T], 0, len(p.Docs))
	for _, d := range p.Docs {
		v, err := c.value(d)
		if err != nil {
			return nil, "", err
		}
		out = append(out, v)
	}
	return out, p.Next, nil
}

// UTC returns k with its times converted to UTC.
func (k Keys) UTC() Keys {
	k.Created = k.Created.UTC()
	if !k.Due.IsZero() {
		k.Due = k.Due.UTC()
	}
	return k
}

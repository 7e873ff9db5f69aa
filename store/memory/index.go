package memory

import (
	"math"
	"slices"
	"strconv"

	"github.com/servicekit/iso20000/store"
)

// rec is one stored record. Index items point to it; an update changes it in
// place, so the indexes whose keys did not change need no work.
type rec struct {
	id      string
	version int64
	keys    store.Keys
	value   any
	// in holds, per field, the trees of the record's value of that field
	// (nil when the field is unset): the trees the record is in, but for
	// the ByDue one when it has no due time. They let an update or a
	// delete leave a tree without looking it up by value again.
	in [numFields]*byOrder
}

// doc returns the record as a Doc holding a copy of its value.
func (r *rec) doc(c store.Codec) store.Doc {
	return store.Doc{ID: r.id, Version: r.version, Keys: r.keys, Value: c.Clone(r.value)}
}

// item is an index entry: the sort key (Unix nanoseconds of Created or Due)
// and the record, whose ID orders items of equal keys. It holds no string of
// its own: items are half the size, and the garbage collector follows one
// pointer per item, not two.
type item struct {
	key int64
	r   *rec
}

// id returns the ID of the item's record; a pivot item without a record
// has the empty ID, which sorts before every record's.
func (it item) id() string {
	if it.r == nil {
		return ""
	}
	return it.r.id
}

// cursorItem returns an item that sorts where a record with the given key and ID
// would.
func cursorItem(key int64, id string) item { return item{key: key, r: &rec{id: id}} }

func less(a, b item) bool { return a.key < b.key || (a.key == b.key && a.id() < b.id()) }

// field names an indexed key: every record is in the fAll trees, and in the
// trees of its status, owner, group, service and priority when set.
type field uint8

const (
	fAll field = iota
	fStatus
	fOwner
	fGroup
	fService
	fPriority
	numFields
)

// valueOf returns the value of f in k (of fPriority in decimal, empty for
// fAll), and false when k is in no tree of f (the field is unset).
func valueOf(k *store.Keys, f field) (string, bool) {
	switch f {
	case fStatus:
		return k.Status, k.Status != ""
	case fOwner:
		return k.Owner, k.Owner != ""
	case fGroup:
		return k.Group, k.Group != ""
	case fService:
		return k.Service, k.Service != ""
	case fPriority:
		if k.Priority == 0 {
			return "", false
		}
		return strconv.Itoa(k.Priority), true // no allocation below 100
	}
	return "", true
}

var orders = [...]store.Order{store.ByCreated, store.ByDue}

// byOrder holds the trees of one value of a field, or of all records, one
// per order: the records by created time and, of those with a due time, by
// due time.
type byOrder [len(orders)]tree

// inOrder reports whether a record of keys k belongs in the tree of order o
// of the trees of its values: all do by created time, those with a due time
// by due time.
func inOrder(k *store.Keys, o store.Order) bool { return o == store.ByCreated || !k.Due.IsZero() }

// kind holds the records of one kind and their indexes.
type kind struct {
	degree int
	docs   map[string]*rec
	// all holds the trees of all records; values the trees of each value
	// of the other fields, by value: maps keyed by a plain string, which
	// hash faster than a struct key would. A value's trees, once made, stay
	// (empty when no record has the value any more), so that the trees a
	// record caches in [rec.in] are always those the maps hold.
	all    byOrder
	values [numFields]map[string]*byOrder
	// spare holds values that committed updates replaced, for reuse by
	// [kind.cloneIn].
	spare []any
}

func newKind(degree int) *kind {
	k := &kind{degree: degree, docs: make(map[string]*rec)}
	k.all = k.newTrees()
	return k
}

// newTrees returns empty trees of every order.
func (k *kind) newTrees() byOrder {
	var ts byOrder
	for o := range ts {
		ts[o] = newTree(k.degree)
	}
	return ts
}

// trees returns the trees of value s of f, made when create is true; nil
// when they were never made.
func (k *kind) trees(f field, s string, create bool) *byOrder {
	if f == fAll {
		return &k.all
	}
	ts := k.values[f][s]
	if ts == nil && create {
		if k.values[f] == nil {
			k.values[f] = make(map[string]*byOrder)
		}
		ts = new(byOrder)
		*ts = k.newTrees()
		k.values[f][s] = ts
	}
	return ts
}

// tree returns the tree of value s of f in order o, or nil when it was
// never made.
func (k *kind) tree(f field, o store.Order, s string) *tree {
	if ts := k.trees(f, s, false); ts != nil {
		return &ts[o]
	}
	return nil
}

// get returns the record with the given ID, or nil; k may be nil.
func (k *kind) get(id string) *rec {
	if k == nil {
		return nil
	}
	return k.docs[id]
}

// index adds r to every tree its keys belong to, and caches them in r.in.
func (k *kind) index(r *rec) {
	for f := range numFields {
		s, ok := valueOf(&r.keys, f)
		if !ok {
			continue
		}
		ts := k.trees(f, s, true)
		r.in[f] = ts
		for _, o := range orders {
			if inOrder(&r.keys, o) {
				ts[o].ReplaceOrInsert(item{key: o.SortKey(r.keys), r: r})
			}
		}
	}
}

// unindex removes r from every tree it is in.
func (k *kind) unindex(r *rec) {
	for f, ts := range r.in {
		if ts == nil {
			continue
		}
		for _, o := range orders {
			if inOrder(&r.keys, o) {
				ts[o].Delete(item{key: o.SortKey(r.keys), r: r})
			}
		}
		r.in[f] = nil
	}
}

// rekey sets the keys of r to new and moves it from the trees of its old
// keys to those of new, touching only the trees whose membership or sort
// key changes.
func (k *kind) rekey(r *rec, new store.Keys) {
	old := r.keys
	r.keys = new
	if old == new { // the common case: a change that moves no key
		return
	}
	var oldKey, newKey [len(orders)]int64
	var wasIn, isIn [len(orders)]bool
	moved := false // a sort key or a membership by order changed
	for _, o := range orders {
		oldKey[o], newKey[o] = o.SortKey(old), o.SortKey(new)
		wasIn[o], isIn[o] = inOrder(&old, o), inOrder(&new, o)
		moved = moved || oldKey[o] != newKey[o] || wasIn[o] != isIn[o]
	}
	for f := range numFields {
		from, to := r.in[f], r.in[f]
		if !sameValue(&old, &new, f) {
			to = nil
			if s, ok := valueOf(&new, f); ok {
				to = k.trees(f, s, true)
			}
		} else if !moved {
			continue // the same trees, the same places in them
		}
		for _, o := range orders {
			was, is := from != nil && wasIn[o], to != nil && isIn[o]
			if was && is && from == to && oldKey[o] == newKey[o] {
				continue
			}
			if was {
				from[o].Delete(item{key: oldKey[o], r: r})
			}
			if is {
				to[o].ReplaceOrInsert(item{key: newKey[o], r: r})
			}
		}
		r.in[f] = to
	}
}

// sameValue reports whether f has the same value in a and b, so that a
// record with keys a is in the same trees of f as one with keys b.
func sameValue(a, b *store.Keys, f field) bool {
	switch f {
	case fStatus:
		return a.Status == b.Status
	case fOwner:
		return a.Owner == b.Owner
	case fGroup:
		return a.Group == b.Group
	case fService:
		return a.Service == b.Service
	case fPriority:
		return a.Priority == b.Priority
	}
	return true // fAll: every record
}

// plan returns the trees to walk for q: of the indexes that can answer q
// (all records, or those of each status, owner, group, service or
// priority that q asks for), the one with the fewest records. Several trees
// (one per status asked for) are walked and merged. A nil result means no
// record can match.
func (k *kind) plan(q *store.Query) []*tree {
	best := []*tree{&k.all[q.OrderBy]}
	size := treeLen(best[0])
	consider := func(trees []*tree) {
		n := 0
		for _, t := range trees {
			n += treeLen(t)
		}
		if n < size {
			best, size = trees, n
		}
	}
	if len(q.Status) > 0 {
		var trees []*tree
		for i, s := range q.Status {
			if slices.Contains(q.Status[:i], s) {
				continue // asked for twice
			}
			if t := k.tree(fStatus, q.OrderBy, s); t != nil {
				trees = append(trees, t)
			}
		}
		consider(trees)
	}
	for _, c := range [...]struct {
		f field
		s string
	}{{fOwner, q.Owner}, {fGroup, q.Group}, {fService, q.Service}} {
		if c.s != "" {
			consider([]*tree{k.tree(c.f, q.OrderBy, c.s)})
		}
	}
	if q.Priority != 0 {
		consider([]*tree{k.tree(fPriority, q.OrderBy, strconv.Itoa(q.Priority))})
	}
	if size == 0 {
		return nil
	}
	return best
}

// treeLen returns the number of items of t, 0 when t is nil.
func treeLen(t *tree) int {
	if t == nil {
		return 0
	}
	return t.Len()
}

// list returns the page of q (normalized, with its decoded cursor): it walks
// the trees of [kind.plan] from the cursor, within the time bounds of q,
// keeping the records that [store.Query.Match] accepts, and stops one record
// past the page to know whether another follows. Several trees are merged.
func (k *kind) list(c store.Codec, q store.Query, cur *store.Cursor) store.Page {
	need := q.Limit + 1
	var items []item
	switch trees := k.plan(&q); len(trees) {
	case 0:
	case 1:
		items = walk(trees[0], &q, cur, need, nil)
	default:
		items = merge(trees, &q, cur, need, max(16, need/len(trees)+1))
	}
	var p store.Page
	if len(items) == 0 {
		return p
	}
	n := min(len(items), q.Limit)
	p.Docs = make([]store.Doc, n)
	for i, it := range items[:n] {
		p.Docs[i] = it.r.doc(c)
	}
	if len(items) > q.Limit {
		last := items[n-1]
		p.Next = q.NextCursor(last.r.keys, last.r.id)
	}
	return p
}

// source is one tree of a merge: matching items read ahead in batches.
type source struct {
	t    *tree
	cur  *store.Cursor // where the next batch starts (after it)
	buf  []item        // the batch; buf[head:] are not merged yet
	head int
	done bool // no more batches
}

// merge returns up to need items matching q after cur from the trees, in
// q's order: a k-way merge that reads each tree in batches of batch
// matching items, so that it reads about as many records as the page needs,
// not that many from every tree.
func merge(trees []*tree, q *store.Query, cur *store.Cursor, need, batch int) []item {
	srcs := make([]source, len(trees))
	for i, t := range trees {
		srcs[i] = source{t: t, cur: cur}
	}
	// first reports whether a comes before b in q's order.
	first := func(a, b item) bool { return less(a, b) != q.Desc }
	out := make([]item, 0, need)
	for len(out) < need {
		best := -1
		for i := range srcs {
			s := &srcs[i]
			if s.head == len(s.buf) && !s.done {
				s.buf, s.head = walk(s.t, q, s.cur, batch, s.buf[:0]), 0
				s.done = len(s.buf) < batch
				if len(s.buf) > 0 {
					last := s.buf[len(s.buf)-1]
					s.cur = &store.Cursor{Key: last.key, ID: last.r.id}
				}
			}
			if s.head < len(s.buf) && (best < 0 || first(s.buf[s.head], srcs[best].buf[srcs[best].head])) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		out = append(out, srcs[best].buf[srcs[best].head])
		srcs[best].head++
	}
	return out
}

// walk appends to out up to need items of t that come after the cursor and
// match q, in q's order, and returns out.
func walk(t *tree, q *store.Query, cur *store.Cursor, need int, out []item) []item {
	// Bounds of the sort key: [lo, hi), MaxInt64 meaning none. Match checks
	// them too; here they only say where to start and when to stop.
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	switch {
	case q.OrderBy == store.ByCreated:
		if !q.CreatedFrom.IsZero() {
			lo = q.CreatedFrom.UnixNano()
		}
		if !q.CreatedTo.IsZero() {
			hi = q.CreatedTo.UnixNano()
		}
	case !q.DueBefore.IsZero():
		hi = q.DueBefore.UnixNano()
	}
	found := 0
	visit := func(it item) bool {
		if (!q.Desc && it.key >= hi && hi != math.MaxInt64) || (q.Desc && it.key < lo) {
			return false
		}
		if q.After(cur, it.key, it.r.id) && q.Match(it.r.keys) {
			out = append(out, it)
			found++
		}
		return found < need
	}
	// IDs are never empty, so item{key: x} sorts before every item of key x.
	var at item // the cursor's position
	if cur != nil {
		at = cursorItem(cur.Key, cur.ID)
	}
	if !q.Desc {
		pivot := item{key: lo}
		if cur != nil && less(pivot, at) {
			pivot = at
		}
		t.AscendGreaterOrEqual(pivot, visit)
		return out
	}
	pivot, bounded := item{key: hi}, hi != math.MaxInt64
	if cur != nil && (!bounded || less(at, pivot)) {
		pivot, bounded = at, true
	}
	if !bounded {
		t.Descend(visit)
		return out
	}
	t.DescendLessOrEqual(pivot, visit)
	return out
}

package memory

// tree is an ordered set of index items: a B+tree specialised for item.
//
// It replaces a generic B-tree (github.com/google/btree) because of how the
// store uses its trees: most operations touch trees of zero to a few items
// (a record passes through the trees of each status it takes, and through
// the due-time trees while it has a due time), and the big trees (all
// records, per owner, per service...) grow at their right edge, since their
// keys are creation times. So:
//   - items are compared inline, key first and the ID only on equal keys,
//     not through a function value;
//   - an item that sorts after every item of the tree is appended to the
//     rightmost leaf without a descent, while that leaf has room;
//   - a full node on the right edge that receives an item at its end
//     splits off a new node holding just that item instead of splitting in
//     half, so that trees filled in order have full nodes (half the nodes,
//     and no copying of half a node at every split);
//   - an emptied tree keeps its root leaf, so that a tree that empties and
//     fills again (a status tree as records pass through) allocates nothing.
//
// Items live in the leaves. An inner node has len(items) separators and one
// more kid: kids[i+1] holds the items from items[i] (which is exactly its
// smallest item, so that the tree holds no record it no longer indexes)
// up to, not including, items[i+1]. Nodes hold at most max items; a node
// off the right edge holds at least min items (but the root), a node on it
// at least one, as it may have been split off with one item.
type tree struct {
	root *tnode
	// tail is the rightmost leaf: where items larger than all others go.
	tail *tnode
	n    int
	max  int // most items of a node: 2*degree-1
}

// tnode is a node of a tree: a leaf when kids is nil.
type tnode struct {
	items []item
	kids  []*tnode
}

// before reports whether a sorts before b: by key, then by the ID of the
// record (an item without a record has the empty ID, which sorts first).
// It is the inlined form of less, but that items of the same record are
// equal without comparing IDs: a delete finds its item by the record's own
// pointer, so it compares no string there.
func (a item) before(b item) bool {
	if a.key != b.key {
		return a.key < b.key
	}
	if a.r == b.r {
		return false
	}
	return a.id() < b.id()
}

// newTree returns an empty tree whose nodes hold up to 2*degree-1 items.
func newTree(degree int) tree { return tree{max: 2*degree - 1} }

// min is the fewest items of a node off the right edge, but the root.
func (t *tree) min() int { return (t.max - 1) / 2 }

// Len returns the number of items of t.
func (t *tree) Len() int { return t.n }

// lowerBound returns the index of the first of items not before it.
func lowerBound(items []item, it item) int {
	lo, hi := 0, len(items)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if items[m].before(it) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// upperBound returns the index of the first of items after it: in an inner
// node, the index of the kid whose items it falls among.
func upperBound(items []item, it item) int {
	lo, hi := 0, len(items)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if it.before(items[m]) {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// ReplaceOrInsert adds it to t, or replaces the item equal to it (same key
// and ID).
func (t *tree) ReplaceOrInsert(it item) {
	// The fast path: an item after all others, room in the last leaf. An
	// empty leaf can only be the root (then also the tail).
	if l := t.tail; l != nil {
		if n := len(l.items); n < t.max && (n == 0 || l.items[n-1].before(it)) {
			l.items = append(l.items, it)
			t.n++
			return
		}
	}
	if t.root == nil {
		t.root = &tnode{}
		t.tail = t.root
	}
	split, sep, added := t.insert(t.root, it, true)
	if added {
		t.n++
	}
	if split != nil {
		root := &tnode{items: t.newItems(), kids: t.newKids()}
		root.items = append(root.items, sep)
		root.kids = append(root.kids, t.root, split)
		t.root = root
		t.tail = t.rightmost()
	}
}

// insert adds it to the subtree of n, which is on the right edge of the tree
// when edge is true. When n splits, it returns the new node that follows it
// and the new node's smallest item; added is false when it replaced an item.
func (t *tree) insert(n *tnode, it item, edge bool) (split *tnode, sep item, added bool) {
	if n.kids == nil {
		i := lowerBound(n.items, it)
		if i < len(n.items) && !it.before(n.items[i]) {
			n.items[i] = it
			return nil, item{}, false
		}
		n.items = insertAt(n.items, i, it)
		if len(n.items) <= t.max {
			return nil, item{}, true
		}
		split = t.splitLeaf(n, edge && i == len(n.items)-1)
		if edge { // n was the tail
			t.tail = split
		}
		return split, split.items[0], true
	}
	j := upperBound(n.items, it)
	last := j == len(n.kids)-1
	kid, ksep, added := t.insert(n.kids[j], it, edge && last)
	if !added && j > 0 && !n.items[j-1].before(it) {
		n.items[j-1] = it // the separator is the replaced item: keep the new record
	}
	if kid == nil {
		return nil, item{}, added
	}
	n.items = insertAt(n.items, j, ksep)
	n.kids = insertAt(n.kids, j+1, kid)
	if len(n.items) <= t.max {
		return nil, item{}, added
	}
	split, sep = t.splitInner(n, edge && last)
	return split, sep, added
}

// splitLeaf splits leaf n, which holds max+1 items, and returns the new leaf
// that follows it. At the end of the right edge (the item just added is the
// last), the new leaf takes only that item: in-order inserts then leave
// full leaves behind.
func (t *tree) splitLeaf(n *tnode, atEnd bool) *tnode {
	m := (len(n.items) + 1) / 2
	if atEnd {
		m = len(n.items) - 1
	}
	split := &tnode{items: t.newItems()}
	split.items = append(split.items, n.items[m:]...)
	clear(n.items[m:])
	n.items = n.items[:m]
	return split
}

// splitInner splits inner node n, which holds max+1 separators, and returns
// the new node that follows it and the separator that goes up between them.
// At the end of the right edge (the kid just added is the last), the new
// node takes only the last two kids.
func (t *tree) splitInner(n *tnode, atEnd bool) (*tnode, item) {
	m := len(n.items) / 2
	if atEnd {
		m = len(n.items) - 2
	}
	sep := n.items[m]
	split := &tnode{items: t.newItems(), kids: t.newKids()}
	split.items = append(split.items, n.items[m+1:]...)
	split.kids = append(split.kids, n.kids[m+1:]...)
	clear(n.items[m:])
	clear(n.kids[m+1:])
	n.items, n.kids = n.items[:m], n.kids[:m+1]
	return split, sep
}

// newItems returns the item slice of a new node: room for max items and
// the one more it holds for a moment before it splits.
func (t *tree) newItems() []item { return make([]item, 0, t.max+1) }

// newKids returns the kid slice of a new inner node.
func (t *tree) newKids() []*tnode { return make([]*tnode, 0, t.max+2) }

// insertAt inserts v at index i of s.
func insertAt[T any](s []T, i int, v T) []T {
	var zero T
	s = append(s, zero)
	copy(s[i+1:], s[i:])
	s[i] = v
	return s
}

// removeAt removes the element at index i of s, clearing the slot it frees
// so that the backing array keeps no pointer to it.
func removeAt[T any](s []T, i int) []T {
	if i < len(s)-1 { // not the last: a call to copy pointers
		copy(s[i:], s[i+1:])
	}
	var zero T
	s[len(s)-1] = zero
	return s[:len(s)-1]
}

// rightmost returns the last leaf of t.
func (t *tree) rightmost() *tnode {
	n := t.root
	for n.kids != nil {
		n = n.kids[len(n.kids)-1]
	}
	return n
}

// Delete removes the item equal to it (same key and ID) from t, if any.
func (t *tree) Delete(it item) {
	r := t.root
	if r == nil {
		return
	}
	if r.kids == nil {
		// Most deletes are from trees of one leaf (a record leaving the
		// tree of its status or its due time), and of its last item, often
		// the only one: nothing to rebalance, and often nothing to search.
		if n := len(r.items); n > 0 && r.items[n-1] == it {
			r.items[n-1] = item{}
			r.items = r.items[:n-1]
			t.n--
			return
		}
		if i := lowerBound(r.items, it); i < len(r.items) && !it.before(r.items[i]) {
			r.items = removeAt(r.items, i)
			t.n--
		}
		return
	}
	if !t.delete(r, it) {
		return
	}
	t.n--
	if r := t.root; r.kids != nil && len(r.items) == 0 {
		t.root = r.kids[0]
		r.kids[0] = nil
	}
	// Merges may have removed the tail; finding it again is cheap, and
	// deletes are not the operation that must be fast at the right edge.
	t.tail = t.rightmost()
}

// delete removes the item equal to it from the subtree of n and reports
// whether it was there. A kid of n left with too few items takes one of a
// sibling's or merges with it, so that only n itself may be left short.
func (t *tree) delete(n *tnode, it item) bool {
	if n.kids == nil {
		i := lowerBound(n.items, it)
		if i == len(n.items) || it.before(n.items[i]) {
			return false
		}
		n.items = removeAt(n.items, i)
		return true
	}
	j := upperBound(n.items, it)
	kid := n.kids[j]
	if !t.delete(kid, it) {
		return false
	}
	// The separator before kid is its smallest item: if that was it, the
	// separator takes the new smallest (an emptied leaf merges below, which
	// drops or replaces the separator).
	if j > 0 && !n.items[j-1].before(it) && (kid.kids != nil || len(kid.items) > 0) {
		n.items[j-1] = first(kid)
	}
	if len(kid.items) < t.min() || (kid.kids == nil && len(kid.items) == 0) {
		t.rebalance(n, j)
	}
	return true
}

// first returns the smallest item of the non-empty subtree of n.
func first(n *tnode) item {
	for n.kids != nil {
		n = n.kids[0]
	}
	return n.items[0]
}

// rebalance gives kid j of n, which holds too few items, one of its left
// sibling's (or of its right one's when it is the first kid), or merges it
// with that sibling when the sibling has none to spare.
func (t *tree) rebalance(n *tnode, j int) {
	kid := n.kids[j]
	switch {
	case j > 0:
		left := n.kids[j-1]
		if len(left.items) <= t.min() {
			t.merge(n, j-1)
			return
		}
		last := len(left.items) - 1
		if kid.kids == nil {
			kid.items = insertAt(kid.items, 0, left.items[last])
			n.items[j-1] = kid.items[0]
		} else {
			kid.items = insertAt(kid.items, 0, n.items[j-1])
			kid.kids = insertAt(kid.kids, 0, left.kids[last+1])
			n.items[j-1] = left.items[last]
			left.kids[last+1] = nil
			left.kids = left.kids[:last+1]
		}
		left.items[last] = item{}
		left.items = left.items[:last]
	case len(n.kids) > 1:
		right := n.kids[1]
		if len(right.items) <= t.min() {
			t.merge(n, 0)
			return
		}
		if kid.kids == nil {
			kid.items = append(kid.items, right.items[0])
			right.items = removeAt(right.items, 0)
			n.items[0] = right.items[0]
		} else {
			kid.items = append(kid.items, n.items[0])
			kid.kids = append(kid.kids, right.kids[0])
			n.items[0] = right.items[0]
			right.items = removeAt(right.items, 0)
			right.kids = removeAt(right.kids, 0)
		}
	}
}

// merge moves kid i+1 of n into kid i, with the separator between them
// when they are inner nodes, and drops it from n.
func (t *tree) merge(n *tnode, i int) {
	left, right := n.kids[i], n.kids[i+1]
	if left.kids != nil {
		left.items = append(left.items, n.items[i])
		left.kids = append(left.kids, right.kids...)
	}
	left.items = append(left.items, right.items...)
	n.items = removeAt(n.items, i)
	n.kids = removeAt(n.kids, i+1)
}

// Ascend calls fn for every item of t in order until fn returns false.
func (t *tree) Ascend(fn func(item) bool) {
	if t.root != nil {
		ascend(t.root, item{}, false, fn)
	}
}

// AscendGreaterOrEqual calls fn for every item of t from pivot on, in
// order, until fn returns false.
func (t *tree) AscendGreaterOrEqual(pivot item, fn func(item) bool) {
	if t.root != nil {
		ascend(t.root, pivot, true, fn)
	}
}

// Descend calls fn for every item of t in reverse order until fn returns
// false.
func (t *tree) Descend(fn func(item) bool) {
	if t.root != nil {
		descend(t.root, item{}, false, fn)
	}
}

// DescendLessOrEqual calls fn for every item of t up to pivot, in reverse
// order, until fn returns false.
func (t *tree) DescendLessOrEqual(pivot item, fn func(item) bool) {
	if t.root != nil {
		descend(t.root, pivot, true, fn)
	}
}

// ascend calls fn for the items of the subtree of n from pivot on (all
// unless from) and reports whether fn asked for more.
func ascend(n *tnode, pivot item, from bool, fn func(item) bool) bool {
	if n.kids == nil {
		i := 0
		if from {
			i = lowerBound(n.items, pivot)
		}
		for _, it := range n.items[i:] {
			if !fn(it) {
				return false
			}
		}
		return true
	}
	j := 0
	if from {
		j = upperBound(n.items, pivot)
	}
	if !ascend(n.kids[j], pivot, from, fn) {
		return false
	}
	for _, kid := range n.kids[j+1:] {
		if !ascend(kid, item{}, false, fn) {
			return false
		}
	}
	return true
}

// descend calls fn for the items of the subtree of n up to pivot (all
// unless from), in reverse order, and reports whether fn asked for more.
func descend(n *tnode, pivot item, from bool, fn func(item) bool) bool {
	if n.kids == nil {
		i := len(n.items)
		if from {
			i = upperBound(n.items, pivot)
		}
		for k := i - 1; k >= 0; k-- {
			if !fn(n.items[k]) {
				return false
			}
		}
		return true
	}
	j := len(n.kids) - 1
	if from {
		j = upperBound(n.items, pivot)
	}
	if !descend(n.kids[j], pivot, from, fn) {
		return false
	}
	for k := j - 1; k >= 0; k-- {
		if !descend(n.kids[k], item{}, false, fn) {
			return false
		}
	}
	return true
}

package memory

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/btree"
)

// checkTree verifies the invariants of t: items in strictly increasing
// order, every leaf at the same depth, each separator exactly the smallest
// item of the kid after it (the same record, so that no deleted record is
// kept), node sizes within bounds (off the right edge at least min items
// but for the root, on it at least one), the count, and the tail.
func checkTree(tb testing.TB, t *tree) {
	tb.Helper()
	if t.root == nil {
		if t.n != 0 || t.tail != nil {
			tb.Fatalf("no root, but %d items, tail %p", t.n, t.tail)
		}
		return
	}
	count, depth := 0, -1
	var prev *item
	var walk func(n *tnode, d int, edge bool, lo, hi *item)
	walk = func(n *tnode, d int, edge bool, lo, hi *item) {
		if len(n.items) > t.max {
			tb.Fatalf("node of %d items, max %d", len(n.items), t.max)
		}
		if n != t.root {
			if len(n.items) == 0 {
				tb.Fatalf("empty node at depth %d", d)
			}
			if !edge && len(n.items) < t.min() {
				tb.Fatalf("node of %d items off the right edge, min %d", len(n.items), t.min())
			}
		}
		for i, it := range n.items {
			if lo != nil && it.before(*lo) || hi != nil && !it.before(*hi) {
				tb.Fatalf("item %v at depth %d outside [%v, %v)", it, d, lo, hi)
			}
			if i > 0 && !n.items[i-1].before(it) {
				tb.Fatalf("items %v, %v out of order at depth %d", n.items[i-1], it, d)
			}
		}
		if n.kids == nil {
			if depth >= 0 && d != depth {
				tb.Fatalf("leaves at depths %d and %d", depth, d)
			}
			depth = d
			for i := range n.items {
				if prev != nil && !prev.before(n.items[i]) {
					tb.Fatalf("leaf items %v, %v out of order", *prev, n.items[i])
				}
				prev = &n.items[i]
			}
			count += len(n.items)
			if edge && t.tail != n {
				tb.Fatalf("tail %p, rightmost leaf %p", t.tail, n)
			}
			return
		}
		if len(n.kids) != len(n.items)+1 {
			tb.Fatalf("inner node of %d separators and %d kids", len(n.items), len(n.kids))
		}
		if n == t.root && len(n.items) == 0 {
			tb.Fatal("inner root without separators")
		}
		for i, kid := range n.kids {
			klo, khi := lo, hi
			if i > 0 {
				klo = &n.items[i-1]
				if f := first(kid); f != n.items[i-1] {
					tb.Fatalf("separator %v, smallest item of its kid %v", n.items[i-1], f)
				}
			}
			if i < len(n.items) {
				khi = &n.items[i]
			}
			walk(kid, d+1, edge && i == len(n.kids)-1, klo, khi)
		}
	}
	walk(t.root, 0, true, nil, nil)
	if count != t.n || t.Len() != count {
		tb.Fatalf("%d items, Len %d", count, t.Len())
	}
}

// differential applies the same operations to a tree and to a google/btree
// of the same items, the oracle, and compares them after each.
type differential struct {
	tb     testing.TB
	t      tree
	oracle *btree.BTreeG[item]
	recs   []*rec // records to draw items from; several share an ID
	// walkEvery, when above 1, compares the walks after every walkEvery-th
	// operation only (the invariants and the length after each): for long
	// runs of operations, whose walks would cost O(n) each.
	walkEvery, ops int
}

func newDifferential(tb testing.TB, degree int) *differential {
	d := &differential{tb: tb, t: newTree(degree), oracle: btree.NewG(2, less)}
	// IDs of different lengths and shared prefixes, each on two records,
	// so that a replace changes the record of an item.
	for i := range 24 {
		id := fmt.Sprintf("%c%s", 'a'+i%6, "xyz"[:i%4])
		d.recs = append(d.recs, &rec{id: id}, &rec{id: id})
	}
	return d
}

func (d *differential) insert(it item) {
	d.tb.Helper()
	d.t.ReplaceOrInsert(it)
	d.oracle.ReplaceOrInsert(it)
	d.check()
}

func (d *differential) delete(it item) {
	d.tb.Helper()
	d.t.Delete(it)
	d.oracle.Delete(it)
	d.check()
}

// last returns the largest item, or the zero item when there is none.
func (d *differential) last() item {
	it, _ := d.oracle.Max()
	return it
}

// check compares the tree with the oracle: the invariants, the length,
// both full walks, and walks with an early stop from a pivot in each
// direction, pivots between items, on items, and beyond both ends.
func (d *differential) check() {
	d.tb.Helper()
	checkTree(d.tb, &d.t)
	if d.t.Len() != d.oracle.Len() {
		d.tb.Fatalf("Len %d, oracle %d", d.t.Len(), d.oracle.Len())
	}
	if d.ops++; d.walkEvery > 1 && d.ops%d.walkEvery != 0 && d.t.Len() > 0 {
		return
	}
	collect := func(walk func(func(item) bool), stop int) []item {
		var out []item
		walk(func(it item) bool {
			out = append(out, it)
			return len(out) != stop
		})
		return out
	}
	compare := func(what string, got, want []item) {
		d.tb.Helper()
		if !slices.Equal(got, want) {
			d.tb.Fatalf("%s:\n got %v\nwant %v", what, got, want)
		}
	}
	compare("Ascend", collect(d.t.Ascend, -1), collect(func(fn func(item) bool) { d.oracle.Ascend(fn) }, -1))
	compare("Descend", collect(d.t.Descend, -1), collect(func(fn func(item) bool) { d.oracle.Descend(fn) }, -1))
	var pivots []item
	d.oracle.Ascend(func(it item) bool {
		if len(pivots) < 6 || it.key%3 == 0 {
			pivots = append(pivots, it, item{key: it.key}, cursorItem(it.key, it.r.id), item{key: it.key + 1})
		}
		return len(pivots) < 40
	})
	pivots = append(pivots, item{key: -1 << 62}, item{key: 1 << 62}, cursorItem(d.last().key, "zzz"))
	for i, p := range pivots {
		for _, stop := range []int{-1, 1, 2, 1 + i%7} {
			compare(fmt.Sprintf("AscendGreaterOrEqual(%v) stop %d", p, stop),
				collect(func(fn func(item) bool) { d.t.AscendGreaterOrEqual(p, fn) }, stop),
				collect(func(fn func(item) bool) { d.oracle.AscendGreaterOrEqual(p, fn) }, stop))
			compare(fmt.Sprintf("DescendLessOrEqual(%v) stop %d", p, stop),
				collect(func(fn func(item) bool) { d.t.DescendLessOrEqual(p, fn) }, stop),
				collect(func(fn func(item) bool) { d.oracle.DescendLessOrEqual(p, fn) }, stop))
		}
	}
}

// op applies one operation chosen by code, with key and r as material:
// inserts anywhere, at and after the right edge (the store's common case),
// replaces of an item by another record of the same ID, and deletes of
// items present (by another record of the same ID too), absent, at the
// right edge, and runs of deletes that empty whole nodes.
func (d *differential) op(code uint8, key int64, r int) {
	d.tb.Helper()
	pick := func() (item, bool) {
		n := d.oracle.Len()
		if n == 0 {
			return item{}, false
		}
		var got item
		i := r % n
		d.oracle.Ascend(func(it item) bool { got = it; i--; return i >= 0 })
		return got, true
	}
	switch code % 10 {
	case 0, 1: // anywhere, many equal keys
		d.insert(item{key: key, r: d.recs[r%len(d.recs)]})
	case 2, 3: // at the right edge: after the last item, or on its key
		last := d.last()
		d.insert(item{key: last.key + key%2, r: d.recs[r%len(d.recs)]})
	case 4: // replace: the same key and ID, the other record
		if it, ok := pick(); ok {
			for _, o := range d.recs {
				if o.id == it.r.id && o != it.r {
					d.insert(item{key: it.key, r: o})
					break
				}
			}
		}
	case 5, 6: // delete an item present
		if it, ok := pick(); ok {
			d.delete(it)
		}
	case 7: // delete by an equal item of another record, or an absent one
		if it, ok := pick(); ok {
			d.delete(cursorItem(it.key, it.r.id))
		}
		d.delete(item{key: key, r: d.recs[r%len(d.recs)]})
	case 8: // delete at the right edge
		if d.oracle.Len() > 0 {
			d.delete(d.last())
		}
	case 9: // a run of deletes from the left
		for range r % 40 {
			it, ok := d.oracle.Min()
			if !ok {
				break
			}
			d.delete(it)
		}
	}
}

// TestTreeDifferential applies random operations to trees of several
// degrees and compares them with google/btree after each.
func TestTreeDifferential(t *testing.T) {
	for _, degree := range []int{2, 3, 4, 32} {
		t.Run(fmt.Sprint(degree), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(degree), 7))
			d := newDifferential(t, degree)
			for range 4000 {
				// Few distinct keys, so that IDs order most items; grow
				// past a few levels before deletes catch up.
				code := uint8(rng.IntN(10))
				if d.oracle.Len() > 400 && code%10 < 4 {
					code = 5
				}
				d.op(code, int64(rng.IntN(50)), rng.IntN(1000))
			}
		})
	}
}

// TestTreeInOrder fills trees in order, as the store's trees of creation
// times fill, empties them from either end and fills them again, and
// checks that in-order fills leave full nodes.
func TestTreeInOrder(t *testing.T) {
	for _, degree := range []int{2, 3, 32} {
		d := newDifferential(t, degree)
		d.walkEvery = 20
		for round := range 2 {
			for i := range 300 {
				d.insert(item{key: int64(i), r: d.recs[i%len(d.recs)]})
			}
			leaves := 0
			var count func(n *tnode)
			count = func(n *tnode) {
				if n.kids == nil {
					leaves++
				}
				for _, k := range n.kids {
					count(k)
				}
			}
			count(d.t.root)
			if want := (300 + d.t.max - 1) / d.t.max; leaves != want {
				t.Errorf("degree %d round %d: %d leaves for 300 items in order, want %d", degree, round, leaves, want)
			}
			for d.oracle.Len() > 0 {
				if round == 0 {
					d.delete(d.last())
				} else {
					it, _ := d.oracle.Min()
					d.delete(it)
				}
			}
		}
	}
}

// FuzzTree drives the differential check from the fuzzer's bytes: the
// first picks the degree, then each three bytes one operation (its code,
// key and record).
func FuzzTree(f *testing.F) {
	f.Add([]byte{0, 0, 1, 2, 2, 0, 3, 5, 9, 4, 8, 0, 1})
	f.Add([]byte{1, 2, 0, 0, 2, 1, 1, 2, 0, 2, 2, 1, 3, 8, 0, 0, 9, 0, 30})
	seed := []byte{2}
	for i := range 200 {
		seed = append(seed, byte(i%4), byte(i%7), byte(i))
	}
	f.Add(seed)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		d := newDifferential(t, []int{2, 3, 4, 32}[data[0]%4])
		for ops := data[1:]; len(ops) >= 3; ops = ops[3:] {
			d.op(ops[0], int64(ops[1]%16), int(ops[2]))
		}
	})
}

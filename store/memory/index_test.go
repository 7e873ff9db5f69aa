package memory

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/servicekit/iso20000/store"
)

// item type for the index tests: the Keys themselves, with an ID.
type keyed struct {
	ID   string
	Keys store.Keys
}

var keyedColl = store.NewCollection("keyed", func(k *keyed) (string, store.Keys) { return k.ID, k.Keys })

// start is the time the index tests' records start at.
var start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// insertKeyed inserts n records made by gen, in one unit of work, into a new
// store of the given B-tree degree, and returns the store and the records.
func insertKeyed(t *testing.T, degree, n int, gen func(i int) keyed) (*Store, []keyed) {
	t.Helper()
	st := New(WithBTreeDegree(degree))
	t.Cleanup(func() { st.Close() })
	all := make([]keyed, n)
	err := st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
		for i := range n {
			all[i] = gen(i)
			if _, err := keyedColl.Insert(ctx, tx, all[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return st, all
}

// treeID identifies one tree of a kind: of the value s of field f, in order.
type treeID struct {
	f     field
	order store.Order
	s     string
}

// checkIndexes verifies that the trees of k hold exactly the items that the
// stored records' keys call for, pointing at those records, that the trees
// of values no record has are empty, and that each record caches the trees
// of its values (see rec.in).
func checkIndexes(t *testing.T, k *kind) {
	t.Helper()
	want := map[treeID][]item{}
	for _, r := range k.docs {
		for f := range numFields {
			s, ok := valueOf(&r.keys, f)
			if !ok {
				if r.in[f] != nil {
					t.Fatalf("record %s caches trees of unset field %d", r.id, f)
				}
				continue
			}
			if ts := k.trees(f, s, false); ts == nil || r.in[f] != ts {
				t.Fatalf("record %s caches trees %p of field %d, want %p (value %q)", r.id, r.in[f], f, ts, s)
			}
			for _, o := range orders {
				if inOrder(&r.keys, o) {
					id := treeID{f: f, order: o, s: s}
					want[id] = append(want[id], item{key: o.SortKey(r.keys), r: r})
				}
			}
		}
	}
	// Trees of values no record has any more stay, empty, for reuse.
	all := map[treeID]*tree{}
	for _, o := range orders {
		all[treeID{f: fAll, order: o}] = &k.all[o]
		for f := range k.values {
			for s, ts := range k.values[f] {
				all[treeID{f: field(f), order: o, s: s}] = &ts[o]
			}
		}
	}
	for id, bt := range all {
		checkTree(t, bt)
		if _, ok := want[id]; !ok && bt.Len() != 0 {
			t.Fatalf("tree %+v holds %d items, want none", id, bt.Len())
		}
	}
	for id, items := range want {
		if k.tree(id.f, id.order, id.s) == nil {
			t.Fatalf("tree %+v is missing", id)
		}
		slices.SortFunc(items, func(a, b item) int {
			if less(a, b) {
				return -1
			}
			return 1
		})
		var got []item
		k.tree(id.f, id.order, id.s).Ascend(func(it item) bool { got = append(got, it); return true })
		if !slices.Equal(got, items) {
			t.Fatalf("tree %+v holds %v, want %v", id, got, items)
		}
	}
}

// TestIndexesRandomOps applies random inserts, updates (changing a random
// subset of keys), deletes and rolled-back units, and checks the indexes
// after each unit.
func TestIndexesRandomOps(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	st := New(WithBTreeDegree(2))
	defer st.Close()
	randKeys := func() store.Keys {
		k := store.Keys{
			Status:   []string{"", "open", "closed"}[rng.IntN(3)],
			Owner:    []string{"", "ann", "bob"}[rng.IntN(3)],
			Group:    []string{"", "desk"}[rng.IntN(2)],
			Service:  []string{"", "mail", "web"}[rng.IntN(3)],
			Priority: rng.IntN(3),
			Created:  start.Add(time.Duration(rng.IntN(5)) * time.Minute),
		}
		if rng.IntN(3) > 0 {
			k.Due = start.Add(time.Duration(rng.IntN(5)) * time.Hour)
		}
		return k
	}
	versions := map[string]int64{}
	boom := errors.New("boom")
	for unit := range 400 {
		rollback := rng.IntN(4) == 0
		next := maps.Clone(versions)
		err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
			for range 1 + rng.IntN(4) {
				id := fmt.Sprintf("k%d", rng.IntN(30))
				v, exists := next[id]
				switch {
				case !exists:
					if _, err := keyedColl.Insert(ctx, tx, keyed{ID: id, Keys: randKeys()}); err != nil {
						return err
					}
					next[id] = 1
				case rng.IntN(4) == 0:
					if err := keyedColl.Delete(ctx, tx, id, v); err != nil {
						return err
					}
					delete(next, id)
				default:
					got, err := keyedColl.Get(ctx, tx, id)
					if err != nil {
						return err
					}
					k := got.Value.Keys
					n := randKeys()
					// Change only some keys, as real updates do.
					switch rng.IntN(4) {
					case 0:
						k.Status = n.Status
					case 1:
						k.Owner, k.Priority = n.Owner, n.Priority
					case 2:
						k.Due = n.Due
					case 3:
						k = n
					}
					if next[id], err = keyedColl.Update(ctx, tx, keyed{ID: id, Keys: k}, v); err != nil {
						return err
					}
				}
			}
			if rollback {
				return boom
			}
			return nil
		})
		if rollback != errors.Is(err, boom) || (!rollback && err != nil) {
			t.Fatalf("unit %d: %v", unit, err)
		}
		if !rollback {
			versions = next
		}
		k := st.kinds["keyed"]
		checkIndexes(t, k)
		if len(k.docs) != len(versions) {
			t.Fatalf("unit %d: %d records, want %d", unit, len(k.docs), len(versions))
		}
		for id, v := range versions {
			if k.docs[id] == nil || k.docs[id].version != v {
				t.Fatalf("unit %d: record %s not at version %d", unit, id, v)
			}
		}
	}
}

// TestPlanPicksSmallestIndex checks that a list walks the smallest index
// that answers it.
func TestPlanPicksSmallestIndex(t *testing.T) {
	st, _ := insertKeyed(t, 16, 100, func(i int) keyed {
		k := store.Keys{Status: "open", Owner: "many", Priority: 1 + i%2, Created: start.Add(time.Duration(i))}
		if i < 3 {
			k.Owner = "few"
		}
		if i%10 == 0 {
			k.Status = "closed"
		}
		return keyed{ID: fmt.Sprint(i), Keys: k}
	})
	k := st.kinds["keyed"]
	tests := []struct {
		name string
		q    store.Query
		want int // total records of the chosen trees
	}{
		{"no filter: all", store.Query{}, 100},
		{"owner few", store.Query{Owner: "few", Status: []string{"open"}}, 3},
		{"status closed", store.Query{Status: []string{"closed"}, Priority: 1}, 10},
		{"statuses merged", store.Query{Status: []string{"closed", "open", "closed"}}, 100},
		{"priority", store.Query{Priority: 2, Owner: "many"}, 50},
		{"unknown value: nothing to walk", store.Query{Owner: "nobody"}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			trees := k.plan(&tc.q)
			n := 0
			for _, tr := range trees {
				n += treeLen(tr)
			}
			if n != tc.want {
				t.Fatalf("plan walks %d records in %d trees, want %d", n, len(trees), tc.want)
			}
		})
	}
}

// TestListRandomQueries pages through random queries over random records and
// compares each full result with a naive filter (Query.Match) and sort.
func TestListRandomQueries(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(3, 4))
	at := func(n int) time.Time { return start.Add(time.Duration(n) * time.Minute) }
	pick := func(vals ...string) string { return vals[rng.IntN(len(vals))] }
	st, all := insertKeyed(t, 3, 300, func(i int) keyed {
		k := keyed{ID: fmt.Sprintf("%03d", rng.IntN(1000)*1000+i), Keys: store.Keys{
			Status:   pick("new", "open", "closed", ""),
			Owner:    pick("ann", "bob", ""),
			Group:    pick("desk", "net"),
			Service:  pick("mail", "web", "db"),
			Priority: rng.IntN(4),
			Created:  at(rng.IntN(40)), // many ties
		}}
		if rng.IntN(3) > 0 {
			k.Keys.Due = at(rng.IntN(40))
		}
		return k
	})
	for n := range 400 {
		q := store.Query{OrderBy: store.Order(rng.IntN(2)), Desc: rng.IntN(2) == 0, Limit: []int{1, 2, 5, 12, 40, 100}[rng.IntN(6)]}
		for range rng.IntN(4) {
			switch rng.IntN(8) {
			case 0:
				q.Status = append(q.Status, pick("new", "open", "closed", "gone"))
			case 1:
				q.Owner = pick("ann", "bob", "nobody")
			case 2:
				q.Group = pick("desk", "net")
			case 3:
				q.Service = pick("mail", "web", "db")
			case 4:
				q.Priority = 1 + rng.IntN(3)
			case 5:
				q.CreatedFrom = at(rng.IntN(42))
			case 6:
				q.CreatedTo = at(rng.IntN(42))
			case 7:
				q.DueBefore = at(rng.IntN(42))
			}
		}
		var want []string
		var sel []keyed
		for _, k := range all {
			if q.Match(k.Keys) {
				sel = append(sel, k)
			}
		}
		slices.SortFunc(sel, func(a, b keyed) int {
			c := cmp.Or(cmp.Compare(q.OrderBy.SortKey(a.Keys), q.OrderBy.SortKey(b.Keys)), strings.Compare(a.ID, b.ID))
			if q.Desc {
				return -c
			}
			return c
		})
		for _, k := range sel {
			want = append(want, k.ID)
		}
		var got []string
		for page := q; ; {
			var p store.Page
			err := st.View(ctx, func(ctx context.Context, tx store.Tx) error {
				var err error
				p, err = tx.List(ctx, keyedColl, page)
				return err
			})
			if err != nil {
				t.Fatalf("query %d %+v: %v", n, q, err)
			}
			for _, d := range p.Docs {
				got = append(got, d.ID)
			}
			if p.Next == "" {
				break
			}
			page.Cursor = p.Next
		}
		if !slices.Equal(got, want) {
			t.Fatalf("query %d %+v:\n got %v\nwant %v", n, q, got, want)
		}
	}
}

// TestPanicInCloneLeavesIndexes checks that a Codec whose Clone panics (here
// on a value of the wrong type) leaves the record and its indexes as they
// were.
func TestPanicInCloneLeavesIndexes(t *testing.T) {
	ctx := context.Background()
	st := New()
	defer st.Close()
	k := keyed{ID: "a", Keys: store.Keys{Status: "open", Created: start}}
	if err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		_, err := keyedColl.Insert(ctx, tx, k)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		fn   func(ctx context.Context, tx store.Tx) error
	}{
		{"Update", func(ctx context.Context, tx store.Tx) error {
			_, err := tx.Update(ctx, keyedColl, store.Doc{ID: "a", Version: 1, Keys: store.Keys{Status: "closed", Created: start}, Value: "not a keyed"})
			return err
		}},
		{"Insert", func(ctx context.Context, tx store.Tx) error {
			_, err := tx.Insert(ctx, keyedColl, store.Doc{ID: "b", Keys: store.Keys{Status: "closed", Created: start}, Value: 42})
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			func() {
				defer func() {
					if recover() == nil {
						t.Fatal("Clone of a wrong type did not panic")
					}
				}()
				_ = st.Update(ctx, tc.fn)
			}()
			kd := st.kinds["keyed"]
			checkIndexes(t, kd)
			if r := kd.docs["a"]; r == nil || r.version != 1 || r.keys.Status != "open" || len(kd.docs) != 1 {
				t.Fatalf("records after the panic: %v", kd.docs)
			}
		})
	}
}

// TestMergeBatches merges the trees of three statuses with batches of every
// size, so that sources run dry and refill at every point of a page.
func TestMergeBatches(t *testing.T) {
	statuses := []string{"a", "b", "c"}
	st, all := insertKeyed(t, 2, 60, func(i int) keyed {
		// Runs of one status, then interleaved ones, with ties on time.
		s := statuses[(i/7)%3]
		if i >= 30 {
			s = statuses[i%3]
		}
		return keyed{ID: fmt.Sprintf("%02d", (i*37)%60), Keys: store.Keys{Status: s, Priority: 1 + i%2, Created: start.Add(time.Duration(i/2) * time.Minute)}}
	})
	kd := st.kinds["keyed"]
	for _, desc := range []bool{false, true} {
		for _, priority := range []int{0, 2} {
			q := store.Query{Status: statuses, Priority: priority, Desc: desc}
			var want []item
			for _, k := range all {
				if q.Match(k.Keys) {
					want = append(want, item{key: k.Keys.Created.UnixNano(), r: kd.docs[k.ID]})
				}
			}
			slices.SortFunc(want, func(a, b item) int {
				if less(a, b) != desc {
					return -1
				}
				return 1
			})
			var trees []*tree
			for _, s := range statuses {
				trees = append(trees, kd.tree(fStatus, store.ByCreated, s))
			}
			for batch := 1; batch <= 25; batch++ {
				for _, need := range []int{1, 7, 30, 61} {
					got := merge(trees, &q, nil, need, batch)
					if w := want[:min(need, len(want))]; !slices.Equal(got, w) {
						t.Fatalf("desc %v priority %d batch %d need %d:\n got %v\nwant %v", desc, priority, batch, need, got, w)
					}
				}
			}
		}
	}
}

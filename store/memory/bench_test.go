package memory_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/audit/audittest"
	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/memory"
)

// Each benchmark runs the store beside its baseline. The plain sub-benchmarks
// report allocations; the Interleaved ones run contender and baseline in
// alternation within every iteration, so that both see the same load of a
// shared machine, and report each one's cost per operation and the ratio:
// they are the figures to compare.

// benchRecord is a typical small record: a few keys and a slice.
type benchRecord struct {
	ID       string
	Status   string
	Owner    string
	Priority int
	Created  time.Time
	Counter  int
	Tags     []string
}

func cloneBench(r benchRecord) benchRecord { r.Tags = slices.Clone(r.Tags); return r }

var benchRecords = store.NewCollection("bench",
	func(r *benchRecord) (string, store.Keys) {
		return r.ID, store.Keys{Status: r.Status, Owner: r.Owner, Priority: r.Priority, Created: r.Created}
	},
	store.WithClone(cloneBench))

var benchStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// rmwBench is a versioned read-modify-write of one record: through the store
// (one Update unit of work, Get and Update through the Collection, with the
// clones in and out), and on a bare map under a sync.RWMutex with the same
// version check and copies.
type rmwBench struct {
	st  *memory.Store
	rmw func(ctx context.Context, tx store.Tx) error
	mu  sync.RWMutex
	m   map[string]*rmwVersioned
}

type rmwVersioned struct {
	v       benchRecord
	version int64
}

func newRMWBench(b *testing.B) *rmwBench {
	r := benchRecord{ID: "r1", Status: "open", Owner: "ann", Priority: 2, Created: benchStart, Tags: []string{"a", "b"}}
	rb := &rmwBench{st: memory.New(), m: map[string]*rmwVersioned{"r1": {v: r, version: 1}}}
	b.Cleanup(func() { rb.st.Close() })
	if err := rb.st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
		_, err := benchRecords.Insert(ctx, tx, r)
		return err
	}); err != nil {
		b.Fatal(err)
	}
	rb.rmw = func(ctx context.Context, tx store.Tx) error {
		v, err := benchRecords.Get(ctx, tx, "r1")
		if err != nil {
			return err
		}
		v.Value.Counter++
		_, err = benchRecords.Update(ctx, tx, v.Value, v.Version)
		return err
	}
	return rb
}

// store does the read-modify-write through the store.
func (rb *rmwBench) store(b *testing.B) {
	if err := rb.st.Update(context.Background(), rb.rmw); err != nil {
		b.Fatal(err)
	}
}

// baseline does it on the map: read a copy under the read lock, write a copy
// back under the write lock if the version is unchanged.
func (rb *rmwBench) baseline(b *testing.B) {
	rb.mu.RLock()
	got := rb.m["r1"]
	v, version := cloneBench(got.v), got.version
	rb.mu.RUnlock()
	v.Counter++
	rb.mu.Lock()
	defer rb.mu.Unlock()
	if rb.m["r1"].version != version {
		b.Fatal("conflict")
	}
	rb.m["r1"] = &rmwVersioned{v: cloneBench(v), version: version + 1}
}

func BenchmarkVersionedUpdate(b *testing.B) {
	for _, c := range []struct {
		name string
		op   func(*rmwBench, *testing.B)
	}{{"store", (*rmwBench).store}, {"baseline map+RWMutex", (*rmwBench).baseline}} {
		b.Run(c.name, func(b *testing.B) {
			rb := newRMWBench(b)
			b.ReportAllocs()
			for b.Loop() {
				c.op(rb, b)
			}
		})
	}
}

// recycledRecords is benchRecords with store.WithCloneInto: the store keeps
// its copies in values that earlier updates replaced.
var recycledRecords = store.NewCollection("bench",
	func(r *benchRecord) (string, store.Keys) {
		return r.ID, store.Keys{Status: r.Status, Owner: r.Owner, Priority: r.Priority, Created: r.Created}
	},
	store.WithClone(cloneBench),
	store.WithCloneInto(func(dst, src *benchRecord) {
		tags := dst.Tags
		*dst = *src
		dst.Tags = append(tags[:0], src.Tags...)
	}))

// BenchmarkVersionedUpdateRecycled measures the read-modify-write of
// BenchmarkVersionedUpdate as the workflow engine does it: the record read
// into the caller's own value (Collection.GetInto) and saved by pointer
// (UpdateRef) into a recycled copy, beside the same unit with a new copy
// each way (Get and Update without store.Recycler).
func BenchmarkVersionedUpdateRecycled(b *testing.B) {
	b.Run("recycled", func(b *testing.B) {
		rb := newRMWBench(b)
		var dst benchRecord
		rmw := func(ctx context.Context, tx store.Tx) error {
			v, err := recycledRecords.GetInto(ctx, tx, "r1", &dst)
			if err != nil {
				return err
			}
			dst.Counter++
			_, err = recycledRecords.UpdateRef(ctx, tx, &dst, v)
			return err
		}
		b.ReportAllocs()
		for b.Loop() {
			if err := rb.st.Update(context.Background(), rmw); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("baseline new copies", func(b *testing.B) {
		rb := newRMWBench(b)
		b.ReportAllocs()
		for b.Loop() {
			rb.store(b)
		}
	})
}

func BenchmarkVersionedUpdateInterleaved(b *testing.B) {
	const chunk = 1000
	rb := newRMWBench(b)
	var st, base time.Duration
	for b.Loop() {
		t0 := time.Now()
		for range chunk {
			rb.store(b)
		}
		t1 := time.Now()
		for range chunk {
			rb.baseline(b)
		}
		t2 := time.Now()
		st, base = st+t1.Sub(t0), base+t2.Sub(t1)
	}
	ops := float64(b.N * chunk)
	b.ReportMetric(float64(st.Nanoseconds())/ops, "ns/store")
	b.ReportMetric(float64(base.Nanoseconds())/ops, "ns/map-baseline")
	b.ReportMetric(st.Seconds()/base.Seconds(), "x-baseline")
	b.ReportMetric(0, "ns/op")
}

// appendBench appends one entry of about 300 bytes (the entry of the audit
// package's benchmarks): tx.Append in units of work of appendUnit appends,
// and Trail.Append, each its own unit; beside audit.Seal of the entry and the
// raw SHA-256 of its canonical bytes (the floor of any sealing).
type appendBench struct {
	e         audit.Entry
	canonical []byte
	st        *memory.Store
	units     int
	head      audit.Head
}

const appendUnit = 1000

func newAppendBench() *appendBench {
	e := audittest.Entry(1)
	return &appendBench{e: e, canonical: e.AppendCanonical(nil)}
}

// store returns the store to append to: a fresh one now and then, as the
// trail would otherwise grow without bound over a long benchmark.
func (ab *appendBench) store() *memory.Store {
	if ab.units%64 == 0 {
		if ab.st != nil {
			ab.st.Close()
		}
		ab.st = memory.New()
	}
	ab.units++
	return ab.st
}

// txAppend makes appendUnit appends in one unit of work.
func (ab *appendBench) txAppend(b *testing.B) {
	err := ab.store().Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
		for range appendUnit {
			if _, err := tx.Append(ctx, ab.e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// trailAppend makes appendUnit appends, each its own unit of work.
func (ab *appendBench) trailAppend(b *testing.B) {
	tr := ab.store().Trail()
	for range appendUnit {
		if _, err := tr.Append(context.Background(), ab.e); err != nil {
			b.Fatal(err)
		}
	}
}

// seal seals appendUnit copies of the entry.
func (ab *appendBench) seal(b *testing.B) {
	for range appendUnit {
		x := ab.e // a new entry each time, as the store seals a copy
		var err error
		if ab.head, err = audit.Seal(ab.head, &x); err != nil {
			b.Fatal(err)
		}
	}
}

// sha256 hashes the canonical bytes appendUnit times.
func (ab *appendBench) sha256(*testing.B) {
	for range appendUnit {
		sum := sha256.Sum256(ab.canonical)
		ab.canonical[len(ab.canonical)-1] ^= sum[0] // keep the hash live
	}
}

var appendOps = []struct {
	name, metric string
	op           func(*appendBench, *testing.B)
}{
	{"tx.Append", "ns/tx.Append", (*appendBench).txAppend},
	{"Trail.Append", "ns/Trail.Append", (*appendBench).trailAppend},
	{"audit.Seal", "ns/audit.Seal", (*appendBench).seal},
	{"baseline sha256 of canonical bytes", "ns/raw-sha256", (*appendBench).sha256},
}

func BenchmarkAuditAppend(b *testing.B) {
	for _, c := range appendOps {
		b.Run(c.name, func(b *testing.B) {
			ab := newAppendBench()
			b.ReportAllocs()
			for b.Loop() {
				c.op(ab, b)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*appendUnit), "ns/append")
			b.ReportMetric(0, "ns/op")
		})
	}
}

func BenchmarkAuditAppendInterleaved(b *testing.B) {
	ab := newAppendBench()
	took := make([]time.Duration, len(appendOps))
	for b.Loop() {
		for i, c := range appendOps {
			t0 := time.Now()
			c.op(ab, b)
			took[i] += time.Since(t0)
		}
	}
	ops := float64(b.N * appendUnit)
	for i, c := range appendOps {
		b.ReportMetric(float64(took[i].Nanoseconds())/ops, c.metric)
	}
	b.ReportMetric(took[0].Seconds()/took[len(took)-1].Seconds(), "tx.Append-x-sha256")
	b.ReportMetric(0, "ns/op")
}

// listBench lists the 20 first open or pending records of one owner out of
// 100k records (1000 owners, three statuses): through the store's indexes,
// and by a full scan that filters with Query.Match, sorts and copies the page.
type listBench struct {
	st  *memory.Store
	all []store.Doc
	q   store.Query
}

func newListBench(b *testing.B) *listBench {
	const n = 100_000
	lb := &listBench{st: memory.New(), q: store.Query{Owner: "owner042", Status: []string{"open", "pending"}, Limit: 20}}
	b.Cleanup(func() { lb.st.Close() })
	statuses := []string{"open", "pending", "closed"}
	err := lb.st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
		for i := range n {
			r := benchRecord{
				ID:       fmt.Sprintf("r%06d", i),
				Status:   statuses[i%3],
				Owner:    fmt.Sprintf("owner%03d", i%1000),
				Priority: 1 + i%4,
				Created:  benchStart.Add(time.Duration(i) * time.Second),
				Tags:     []string{"t"},
			}
			if _, err := benchRecords.Insert(ctx, tx, r); err != nil {
				return err
			}
			lb.all = append(lb.all, benchRecords.Doc(r, 1))
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return lb
}

func (lb *listBench) store(b *testing.B) {
	err := lb.st.View(context.Background(), func(ctx context.Context, tx store.Tx) error {
		p, err := tx.List(ctx, benchRecords, lb.q)
		if err == nil && len(p.Docs) != 20 {
			err = fmt.Errorf("%d docs", len(p.Docs))
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
}

func (lb *listBench) scan(*testing.B) {
	var page []store.Doc
	for _, d := range lb.all {
		if lb.q.Match(d.Keys) {
			page = append(page, d)
		}
	}
	slices.SortFunc(page, func(a, b store.Doc) int { return a.Keys.Created.Compare(b.Keys.Created) })
	page = page[:20]
	for i := range page {
		page[i].Value = benchRecords.Clone(page[i].Value)
	}
}

func BenchmarkList(b *testing.B) {
	lb := newListBench(b)
	for _, c := range []struct {
		name string
		op   func(*listBench, *testing.B)
	}{{"store", (*listBench).store}, {"baseline full scan with Query.Match", (*listBench).scan}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.op(lb, b)
			}
		})
	}
}

func BenchmarkListInterleaved(b *testing.B) {
	const lists = 100 // store lists per full scan: a scan is that much slower
	lb := newListBench(b)
	var st, scan time.Duration
	for b.Loop() {
		t0 := time.Now()
		for range lists {
			lb.store(b)
		}
		t1 := time.Now()
		lb.scan(b)
		t2 := time.Now()
		st, scan = st+t1.Sub(t0), scan+t2.Sub(t1)
	}
	b.ReportMetric(float64(st.Nanoseconds())/float64(b.N*lists), "ns/store")
	b.ReportMetric(float64(scan.Nanoseconds())/float64(b.N), "ns/full-scan")
	b.ReportMetric(scan.Seconds()/(st.Seconds()/lists), "x-faster")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkInsert measures the cost of the indexes on insert: every record
// enters the trees of its status, owner and priority, by created time.
// BenchmarkInsert inserts new records through the store (one unit of work
// each, indexing the record in every tree its keys belong to), beside the
// baseline of inserting a copy into a map under a sync.RWMutex.
func BenchmarkInsert(b *testing.B) {
	ctx := context.Background()
	record := func(i int) benchRecord {
		return benchRecord{ID: fmt.Sprintf("r%09d", i), Status: "open", Owner: "ann", Priority: 2,
			Created: benchStart.Add(time.Duration(i)), Tags: []string{"a"}}
	}
	b.Run("store", func(b *testing.B) {
		st := memory.New()
		defer st.Close()
		i := 0
		ins := func(ctx context.Context, tx store.Tx) error {
			i++
			_, err := benchRecords.Insert(ctx, tx, record(i))
			return err
		}
		b.ReportAllocs()
		for b.Loop() {
			if err := st.Update(ctx, ins); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("baseline_map+RWMutex", func(b *testing.B) {
		var mu sync.RWMutex
		m := map[string]*rmwVersioned{}
		i := 0
		b.ReportAllocs()
		for b.Loop() {
			i++
			r := record(i)
			mu.Lock()
			if _, ok := m[r.ID]; ok {
				b.Fatal("duplicate")
			}
			m[r.ID] = &rmwVersioned{v: cloneBench(r), version: 1}
			mu.Unlock()
		}
	})
}

// sinkEntry keeps benchmark results alive, as a caller would.
var sinkEntry audit.Entry

// BenchmarkEntries reads a trail of 10k entries through Trail.Entries (copies
// made under the read lock, in chunks), beside the baseline of copying the
// same entries out of a slice with audit.Entry.Clone.
func BenchmarkEntries(b *testing.B) {
	const n = 10_000
	ctx := context.Background()
	st := memory.New()
	defer st.Close()
	es := make([]audit.Entry, n)
	for i := range es {
		es[i] = audittest.Entry(i + 1)
	}
	sealed, err := st.Trail().Append(ctx, es...)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Trail.Entries", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			got := 0
			for _, err := range st.Trail().Entries(ctx, 1, 0) {
				if err != nil {
					b.Fatal(err)
				}
				got++
			}
			if got != n {
				b.Fatalf("%d entries", got)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/entry")
	})
	b.Run("baseline Clone from a slice", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, e := range sealed {
				sinkEntry = e.Clone()
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/entry")
	})
}

// lifecycleRecords indexes every key of store.Keys, as the incident records
// do, and recycles the store's copies as they do.
var lifecycleRecords = store.NewCollection("lifecycle",
	func(r *lifecycleRecord) (string, store.Keys) { return r.ID, r.Keys },
	store.WithClone(func(r lifecycleRecord) lifecycleRecord { return r }),
	store.WithCloneInto(func(dst, src *lifecycleRecord) { *dst = *src }))

type lifecycleRecord struct {
	ID   string
	Keys store.Keys
}

// lifecycleKeys are the keys of an incident's five versions (open, assign,
// start, resolve, close) opened at created: the status changes every time,
// the owner and group are set on assign, and the due time moves on assign
// and is cleared on resolve.
func lifecycleKeys(created time.Time) [5]store.Keys {
	k := store.Keys{Status: "new", Service: "vpn", Priority: 2, Created: created, Due: created.Add(30 * time.Minute)}
	var v [5]store.Keys
	v[0] = k
	k.Status, k.Owner, k.Group, k.Due = "assigned", "alice", "network", created.Add(4*time.Hour)
	v[1] = k
	k.Status = "in_progress"
	v[2] = k
	k.Status, k.Due = "resolved", time.Time{}
	v[3] = k
	k.Status = "closed"
	v[4] = k
	return v
}

// BenchmarkLifecycleKeys measures the store's share of an incident
// lifecycle without the audit trail: five units of work (an insert, then
// four versioned updates by pointer) whose keys change as an incident's do
// (see lifecycleKeys), one lifecycle opened every two minutes, so that
// records pile up in the trees of all records, of the final status, and of
// the owner, group, service and priority. It reports the cost per
// lifecycle, beside the baseline of the same five versioned writes into a
// map under a sync.RWMutex.
func BenchmarkLifecycleKeys(b *testing.B) {
	ctx := context.Background()
	b.Run("store", func(b *testing.B) {
		st := memory.New()
		defer st.Close()
		var r lifecycleRecord
		b.ReportAllocs()
		for n := 0; b.Loop(); n++ {
			r.ID = fmt.Sprintf("i%09d", n)
			var version int64
			for i, k := range lifecycleKeys(benchStart.Add(time.Duration(n) * 2 * time.Minute)) {
				r.Keys = k
				err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
					var err error
					if i == 0 {
						version, err = lifecycleRecords.InsertRef(ctx, tx, &r)
					} else {
						version, err = lifecycleRecords.UpdateRef(ctx, tx, &r, version)
					}
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("baseline_map+RWMutex", func(b *testing.B) {
		var mu sync.RWMutex
		m := map[string]*struct {
			v       lifecycleRecord
			version int64
		}{}
		var r lifecycleRecord
		b.ReportAllocs()
		for n := 0; b.Loop(); n++ {
			r.ID = fmt.Sprintf("i%09d", n)
			for i, k := range lifecycleKeys(benchStart.Add(time.Duration(n) * 2 * time.Minute)) {
				r.Keys = k
				mu.Lock()
				if i == 0 {
					m[r.ID] = &struct {
						v       lifecycleRecord
						version int64
					}{r, 1}
				} else {
					got := m[r.ID]
					if got.version != int64(i) {
						b.Fatal("conflict")
					}
					got.v, got.version = r, got.version+1
				}
				mu.Unlock()
			}
		}
	})
}

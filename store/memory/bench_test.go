package memory_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/memory"
)

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

var benchRecords = store.NewCollection("bench",
	func(r *benchRecord) (string, store.Keys) {
		return r.ID, store.Keys{Status: r.Status, Owner: r.Owner, Priority: r.Priority, Created: r.Created}
	},
	store.WithClone(func(r benchRecord) benchRecord { r.Tags = slices.Clone(r.Tags); return r }))

var benchStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// BenchmarkVersionedUpdate reads a record and writes it back with its version
// checked: through the store (one Update unit of work, Get and Update through
// the Collection, with the clones in and out), and with a bare map under a
// sync.RWMutex doing the same version check and copies.
func BenchmarkVersionedUpdate(b *testing.B) {
	ctx := context.Background()
	r := benchRecord{ID: "r1", Status: "open", Owner: "ann", Priority: 2, Created: benchStart, Tags: []string{"a", "b"}}
	b.Run("store", func(b *testing.B) {
		st := memory.New()
		defer st.Close()
		if err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
			_, err := benchRecords.Insert(ctx, tx, r)
			return err
		}); err != nil {
			b.Fatal(err)
		}
		rmw := func(ctx context.Context, tx store.Tx) error {
			v, err := benchRecords.Get(ctx, tx, "r1")
			if err != nil {
				return err
			}
			v.Value.Counter++
			_, err = benchRecords.Update(ctx, tx, v.Value, v.Version)
			return err
		}
		b.ReportAllocs()
		for b.Loop() {
			if err := st.Update(ctx, rmw); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("baseline map+RWMutex", func(b *testing.B) {
		type versioned struct {
			v       benchRecord
			version int64
		}
		var mu sync.RWMutex
		m := map[string]*versioned{"r1": {v: r, version: 1}}
		clone := func(r benchRecord) benchRecord { r.Tags = slices.Clone(r.Tags); return r }
		b.ReportAllocs()
		for b.Loop() {
			mu.RLock()
			got := m["r1"]
			v, version := clone(got.v), got.version
			mu.RUnlock()
			v.Counter++
			mu.Lock()
			if cur := m["r1"]; cur.version != version {
				b.Fatal("conflict")
			}
			m["r1"] = &versioned{v: clone(v), version: version + 1}
			mu.Unlock()
		}
	})
}

// benchEntry is an audit entry of about 300 bytes in canonical encoding.
func benchEntry() audit.Entry {
	return audit.Entry{
		Time:     benchStart,
		Actor:    "ann.example@example.com",
		Action:   "incident.resolve",
		Kind:     "incident",
		EntityID: "INC-000123",
		From:     "in_progress",
		To:       "resolved",
		Changes: []audit.Change{
			{Field: "status", Old: "in_progress", New: "resolved"},
			{Field: "resolution", New: "Restarted the mail relay; queue drained."},
		},
		Data: map[string]string{"reason": "fixed", "ticket": "EXT-42"},
	}
}

// BenchmarkAuditAppend seals and stores one entry: tx.Append within a unit
// of work, Trail.Append as its own unit of work, and the baseline of hashing
// the same canonical bytes with SHA-256 (the floor of any sealing).
func BenchmarkAuditAppend(b *testing.B) {
	ctx := context.Background()
	e := benchEntry()
	b.Run("tx.Append", func(b *testing.B) {
		// Units of work of 1000 appends; a new store every 64 units, so
		// that the garbage collector's work on an ever longer trail does
		// not dominate the measure.
		var st *memory.Store
		units := 0
		b.ReportAllocs()
		for b.Loop() {
			if units%64 == 0 {
				b.StopTimer()
				if st != nil {
					st.Close()
				}
				st = memory.New()
				b.StartTimer()
			}
			units++
			err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
				for range 1000 {
					if _, err := tx.Append(ctx, e); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "ns/append")
	})
	b.Run("Trail.Append", func(b *testing.B) {
		st := memory.New()
		defer st.Close()
		tr := st.Trail()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := tr.Append(ctx, e); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("baseline sha256 of canonical bytes", func(b *testing.B) {
		canonical := e.AppendCanonical(nil)
		b.SetBytes(int64(len(canonical)))
		b.ReportAllocs()
		for b.Loop() {
			sum := sha256.Sum256(canonical)
			canonical[len(canonical)-1] = sum[0] // keep the hash live
		}
	})
}

// BenchmarkList lists the 20 open records of one owner out of 100k records
// (1000 owners, three statuses): through the store's indexes, and by a full
// scan that filters with Query.Match, sorts and copies the page.
func BenchmarkList(b *testing.B) {
	const n = 100_000
	ctx := context.Background()
	st := memory.New()
	defer st.Close()
	all := make([]store.Doc, 0, n)
	statuses := []string{"open", "pending", "closed"}
	err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
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
			all = append(all, benchRecords.Doc(r, 1))
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	// 100 records per owner, a third of them open: about 33; ask for 20.
	q := store.Query{Owner: "owner042", Status: []string{"open", "pending"}, Limit: 20}
	b.Run("store", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			err := st.View(ctx, func(ctx context.Context, tx store.Tx) error {
				p, err := tx.List(ctx, benchRecords, q)
				if err == nil && len(p.Docs) != 20 {
					err = fmt.Errorf("%d docs", len(p.Docs))
				}
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("baseline full scan with Query.Match", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var page []store.Doc
			for _, d := range all {
				if q.Match(d.Keys) {
					page = append(page, d)
				}
			}
			slices.SortFunc(page, func(a, b store.Doc) int { return a.Keys.Created.Compare(b.Keys.Created) })
			page = page[:20]
			for i := range page {
				page[i].Value = benchRecords.Clone(page[i].Value)
			}
		}
	})
}

// BenchmarkInsert measures the cost of the indexes on insert: every record
// enters the trees of its status, owner and priority, by created time.
func BenchmarkInsert(b *testing.B) {
	ctx := context.Background()
	st := memory.New()
	defer st.Close()
	i := 0
	ins := func(ctx context.Context, tx store.Tx) error {
		i++
		_, err := benchRecords.Insert(ctx, tx, benchRecord{
			ID: fmt.Sprintf("r%09d", i), Status: "open", Owner: "ann", Priority: 2,
			Created: benchStart.Add(time.Duration(i)), Tags: []string{"a"},
		})
		return err
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := st.Update(ctx, ins); err != nil {
			b.Fatal(err)
		}
	}
}

var _ = iso20000.ErrConflict

package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/internal/backendtest"
	"github.com/servicekit/iso20000/store"
)

// ticket is the record type of this package's own tests.
type ticket struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Counter int    `json:"counter"`
}

var tickets = store.NewCollection("ticket", func(t *ticket) (string, store.Keys) {
	return t.ID, store.Keys{Status: t.Status, Created: testTime}
})

// incrementAudited reads ticket id, increments its counter and appends an
// audit entry naming the new value, in one unit of work, with Tx.Append or,
// when atCommit is set, with store.AppendAtCommit; it retries on conflict
// until it succeeds and returns the value it wrote.
func incrementAudited(ctx context.Context, st store.Store, id, actor string, atCommit bool) (int, error) {
	for {
		var n int
		err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
			got, err := tickets.Get(ctx, tx, id)
			if err != nil {
				return err
			}
			got.Value.Counter++
			n = got.Value.Counter
			if _, err := tickets.Update(ctx, tx, got.Value, got.Version); err != nil {
				return err
			}
			e := audit.Entry{Time: testTime, Actor: actor, Action: "ticket.increment",
				Kind: "ticket", EntityID: id, Data: map[string]string{"counter": strconv.Itoa(n)}}
			if atCommit {
				return store.AppendAtCommit(ctx, tx, e)
			}
			_, err = tx.Append(ctx, e)
			return err
		})
		if !errors.Is(err, iso20000.ErrConflict) {
			return n, err
		}
	}
}

// TestMultiInstance runs two stores on independent pools over one schema,
// as two application instances would, updating the same records and
// appending to the trail at once, with Tx.Append, with AppendAtCommit (the
// chain lock taken at commit, the hashes computed by the server) or each
// instance one way. No update may be lost, and the trail must be one chain:
// sequence numbers 1..n without gap or duplicate, Verify clean.
func TestMultiInstance(t *testing.T) {
	requireServer(t)
	for _, tc := range []struct {
		name     string
		atCommit [2]bool // per instance
	}{
		{"Append", [2]bool{false, false}},
		{"AppendAtCommit", [2]bool{true, true}},
		{"mixed", [2]bool{false, true}},
	} {
		t.Run(tc.name, func(t *testing.T) { testMultiInstance(t, tc.atCommit) })
	}
}

func testMultiInstance(t *testing.T, atCommit [2]bool) {
	dsn, schema := backendtest.Schema(t)
	instances := []store.Store{
		openStore(t, dsn+"&pool_max_conns=4", schema),
		openStore(t, dsn+"&pool_max_conns=4", schema),
	}
	const (
		records    = 3
		goroutines = 4 // per instance
		rounds     = 15
	)
	ctx := context.Background()
	for r := range records {
		update(t, instances[0], func(ctx context.Context, tx store.Tx) error {
			_, err := tickets.Insert(ctx, tx, ticket{ID: fmt.Sprint("t", r), Status: "open"})
			return err
		})
	}
	var (
		wg         sync.WaitGroup
		standalone int
		mu         sync.Mutex
	)
	for i, st := range instances {
		for g := range goroutines {
			wg.Go(func() {
				actor := fmt.Sprintf("instance%d-g%d", i, g)
				for n := range rounds {
					id := fmt.Sprint("t", (g+n)%records)
					if _, err := incrementAudited(ctx, st, id, actor, atCommit[i]); err != nil {
						t.Errorf("%s: increment %s: %v", actor, id, err)
						return
					}
					if n%5 == 0 {
						if _, err := st.Trail().Append(ctx, audit.Entry{Time: testTime, Actor: actor, Action: "ping"}); err != nil {
							t.Errorf("%s: Trail.Append: %v", actor, err)
							return
						}
						mu.Lock()
						standalone++
						mu.Unlock()
					}
				}
			})
		}
	}
	wg.Wait()
	if t.Failed() {
		return
	}

	// Every increment counts: each record's counter and version.
	perRecord := map[string]int{}
	for range instances {
		for g := range goroutines {
			for n := range rounds {
				perRecord[fmt.Sprint("t", (g+n)%records)]++
			}
		}
	}
	for id, want := range perRecord {
		var got store.Versioned[ticket]
		view(t, instances[1], func(ctx context.Context, tx store.Tx) error {
			var err error
			got, err = tickets.Get(ctx, tx, id)
			return err
		})
		if got.Value.Counter != want || got.Version != int64(1+want) {
			t.Errorf("%s: counter %d version %d, want counter %d version %d (lost updates)",
				id, got.Value.Counter, got.Version, want, 1+want)
		}
	}

	// One chain: 1..n in order, each increment's entry once.
	var all []audit.Entry
	for e, err := range instances[0].Trail().Entries(ctx, 1, 0) {
		if err != nil {
			t.Fatalf("Entries: %v", err)
		}
		all = append(all, e)
	}
	increments := len(instances) * goroutines * rounds
	if len(all) != increments+standalone {
		t.Fatalf("trail has %d entries, want %d increments and %d standalone", len(all), increments, standalone)
	}
	seen := map[string]bool{}
	for i, e := range all {
		if e.Seq != uint64(i+1) {
			t.Fatalf("entry %d has Seq %d: a gap or a duplicate", i+1, e.Seq)
		}
		if e.Action == "ticket.increment" {
			key := e.EntityID + "=" + e.Data["counter"]
			if seen[key] {
				t.Fatalf("two entries record %s", key)
			}
			seen[key] = true
		}
	}
	for id, n := range perRecord {
		for c := 1; c <= n; c++ {
			if !seen[fmt.Sprintf("%s=%d", id, c)] {
				t.Errorf("no entry records %s=%d", id, c)
			}
		}
	}
	for i, st := range instances {
		rep, err := audit.Verify(ctx, st.Trail())
		if err != nil || rep.Err() != nil {
			t.Errorf("Verify through instance %d: %v, %v", i, err, rep.Err())
		}
		if h, err := st.Trail().Head(ctx); err != nil || h != (audit.Head{Seq: all[len(all)-1].Seq, Hash: all[len(all)-1].Hash}) {
			t.Errorf("Head through instance %d: %+v, %v; want the last entry", i, h, err)
		}
	}
}

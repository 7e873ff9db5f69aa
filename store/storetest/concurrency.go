package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/store"
)

var concurrencyTests = []test{
	{"NoLostUpdate", testNoLostUpdate},
	{"AppendsFormOneChain", testConcurrentAppends},
	{"UniqueNumbers", testConcurrentNumbers},
}

// goroutines is how many goroutines the concurrency tests start.
const goroutines = 100

// testNoLostUpdate runs read-modify-write cycles of one record from many
// goroutines, retrying conflicts a bounded number of times. Every successful
// update must count: the final version is 1 plus the successes, and the
// counter equals them.
func testNoLostUpdate(t *testing.T, st store.Store) {
	const attempts = 5
	tests := []struct {
		name string
		// rmw reads the record and writes it back with Counter+1.
		rmw func(ctx context.Context, id string) error
	}{
		{"read in View, write in Update", func(ctx context.Context, id string) error {
			var got store.Versioned[record]
			err := st.View(ctx, func(ctx context.Context, tx store.Tx) error {
				var err error
				got, err = records.Get(ctx, tx, id)
				return err
			})
			if err != nil {
				return err
			}
			got.Value.Counter++
			return st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
				_, err := records.Update(ctx, tx, got.Value, got.Version)
				return err
			})
		}},
		{"read and write in one Update", func(ctx context.Context, id string) error {
			return st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
				got, err := records.Get(ctx, tx, id)
				if err != nil {
					return err
				}
				got.Value.Counter++
				_, err = records.Update(ctx, tx, got.Value, got.Version)
				return err
			})
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id := tc.name
			insert(t, st, records, record{ID: id, Status: "open", Created: base})
			var (
				wg        sync.WaitGroup
				mu        sync.Mutex
				successes int
			)
			for range goroutines {
				wg.Go(func() {
					for range attempts {
						err := tc.rmw(context.Background(), id)
						if errors.Is(err, iso20000.ErrConflict) {
							continue
						}
						if err != nil {
							t.Errorf("read-modify-write: %v", err)
							return
						}
						mu.Lock()
						successes++
						mu.Unlock()
						return
					}
				})
			}
			wg.Wait()
			got := mustGet(t, st, records, id)
			if successes == 0 || got.Version != int64(1+successes) || got.Value.Counter != successes {
				t.Fatalf("%d successful updates: version %d (want %d), counter %d (want %d)",
					successes, got.Version, 1+successes, got.Value.Counter, successes)
			}
		})
	}
}

// testConcurrentAppends appends from many goroutines, half standalone and
// half in units of work: the trail must be one gap-free chain holding each
// entry once.
func testConcurrentAppends(t *testing.T, st store.Store) {
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			e := entry(fmt.Sprintf("g%03d", g), "append")
			var err error
			if g%2 == 0 {
				_, err = st.Trail().Append(context.Background(), e)
			} else {
				err = st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
					_, err := tx.Append(ctx, e)
					return err
				})
			}
			if err != nil {
				t.Errorf("append %d: %v", g, err)
			}
		})
	}
	wg.Wait()
	all := entries(t, st, 1, 0)
	checkChain(t, all)
	actors := make([]string, 0, len(all))
	for _, e := range all {
		actors = append(actors, e.Actor)
	}
	slices.Sort(actors)
	for g := range goroutines {
		if g >= len(actors) || actors[g] != fmt.Sprintf("g%03d", g) {
			t.Fatalf("trail of %d entries does not hold each goroutine's entry once: %v", len(all), actors)
		}
	}
	if len(all) != goroutines {
		t.Fatalf("trail has %d entries, want %d", len(all), goroutines)
	}
}

// testConcurrentNumbers takes numbers from many goroutines: they must be
// exactly 1..n.
func testConcurrentNumbers(t *testing.T, st store.Store) {
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		got []int64
	)
	for range goroutines {
		wg.Go(func() {
			var n int64 // set by the last run of fn: a backend may retry it
			err := st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
				var err error
				n, err = tx.NextNumber(ctx, "concurrent")
				return err
			})
			if err != nil {
				t.Errorf("NextNumber: %v", err)
				return
			}
			mu.Lock()
			got = append(got, n)
			mu.Unlock()
		})
	}
	wg.Wait()
	slices.Sort(got)
	for i, n := range got {
		if n != int64(i+1) {
			t.Fatalf("numbers taken concurrently: %v, want 1..%d", got, goroutines)
		}
	}
	if len(got) != goroutines {
		t.Fatalf("%d numbers taken, want %d", len(got), goroutines)
	}
}

package workflow

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/memory"
)

// doc is the record type of the engine tests.
type doc struct {
	ID    string
	State string
	Text  string
	Ver   int64
}

var docs = store.NewCollection("doc", func(d *doc) (string, store.Keys) {
	return d.ID, store.Keys{Status: d.State}
})

func newDocEngine(t *testing.T) (*Engine[doc], *memory.Store) {
	t.Helper()
	st := memory.New()
	t.Cleanup(func() { st.Close() })
	e := &Engine[doc]{
		Spec: &Spec[doc]{
			Kind: "doc", Records: docs,
			ID:    func(d *doc) string { return d.ID },
			State: func(d *doc) string { return d.State },
			Attrs: func(dst iso20000.Attrs, d *doc) iso20000.Attrs {
				return append(dst, iso20000.Attr{Name: "text", Value: d.Text})
			},
			Stamp:  func(d *doc, v int64, _ time.Time) { d.Ver = v },
			Fields: []Field[doc]{{Name: "text", Get: func(d *doc) string { return d.Text }}},
		},
		Store: st, Clock: iso20000.SystemClock, Authz: iso20000.AllowAll,
	}
	return e, st
}

// TestDetailsPerChange checks that the details map the engine lends to each
// use case carries only that change's details into its audit entry: a
// change without details after one with them has no Data, a failed change
// leaves nothing behind, and concurrent changes never see each other's.
func TestDetailsPerChange(t *testing.T) {
	ctx := context.Background()
	e, st := newDocEngine(t)
	actor := iso20000.Actor{ID: "ann"}
	if _, err := e.Create(ctx, actor, "create", func(_ context.Context, _ store.Tx, _ time.Time, d Details) (doc, error) {
		d.Add("origin", "test")
		return doc{ID: "a", State: "open"}, nil
	}); err != nil {
		t.Fatal(err)
	}
	edit := func(text string, details map[string]string, fail error) error {
		_, err := e.Change(ctx, actor, "a", 0, "edit", func(r *doc, _ time.Time, d Details) error {
			for k, v := range details {
				d.Add(k, v)
			}
			r.Text = text
			return fail
		})
		return err
	}
	if err := edit("one", map[string]string{"reason": "x"}, nil); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	if err := edit("never", map[string]string{"reason": "failed"}, boom); !errors.Is(err, boom) {
		t.Fatalf("failing change: %v", err)
	}
	if err := edit("two", nil, nil); err != nil {
		t.Fatal(err)
	}
	var got []map[string]string
	for en, err := range st.Trail().Entries(ctx, 1, 0) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, en.Data)
	}
	want := []map[string]string{{"origin": "test"}, {"reason": "x"}, nil}
	if len(got) != len(want) {
		t.Fatalf("entries' data %v, want %v", got, want)
	}
	for i := range want {
		if !maps.Equal(got[i], want[i]) || (got[i] == nil) != (want[i] == nil) {
			t.Errorf("entry %d data %v, want %v", i+1, got[i], want[i])
		}
	}

	// Concurrent changes, each with details of its own.
	const workers, each = 4, 25
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				v := fmt.Sprintf("w%d-%d", w, i)
				if err := edit(v, map[string]string{"who": v}, nil); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	n := 0
	for en, err := range st.Trail().Entries(ctx, uint64(len(want))+1, 0) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if len(en.Data) != 1 || len(en.Changes) != 1 || en.Data["who"] != en.Changes[0].New {
			t.Errorf("entry %d: data %v with changes %v", en.Seq, en.Data, en.Changes)
		}
	}
	if n != workers*each {
		t.Errorf("%d concurrent entries, want %d", n, workers*each)
	}
}

// TestTrack checks the engine's Track hook: it runs after the use case with
// the before image, its details join the entry's, and its error discards the
// whole change.
func TestTrack(t *testing.T) {
	ctx := context.Background()
	e, st := newDocEngine(t)
	actor := iso20000.Actor{ID: "ann"}
	boom := errors.New("boom")
	e.Track = func(before, after *doc, _ time.Time, d Details) error {
		if after.Text == "refuse" {
			return boom
		}
		d.Add("tracked", before.Text+"->"+after.Text)
		return nil
	}
	if _, err := e.Create(ctx, actor, "create", func(context.Context, store.Tx, time.Time, Details) (doc, error) {
		return doc{ID: "a", State: "open", Text: "zero"}, nil
	}); err != nil {
		t.Fatal(err)
	}
	set := func(text string) (doc, error) {
		return e.Change(ctx, actor, "a", 0, "edit", func(r *doc, _ time.Time, d Details) error {
			r.Text = text
			return nil
		})
	}
	if got, err := set("one"); err != nil || got.Text != "one" || got.Ver != 2 {
		t.Fatalf("change: %+v, %v", got, err)
	}
	head, err := st.Trail().Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := set("refuse"); !errors.Is(err, boom) {
		t.Fatalf("a change Track refuses: %v", err)
	}
	if got, err := e.Get(ctx, "a"); err != nil || got.Text != "one" || got.Ver != 2 {
		t.Errorf("after a refused change the record is %+v, %v", got, err)
	}
	if h, _ := st.Trail().Head(ctx); h != head {
		t.Errorf("a refused change moved the trail from %+v to %+v", head, h)
	}
	var data []map[string]string
	for en, err := range st.Trail().Entries(ctx, 1, 0) {
		if err != nil {
			t.Fatal(err)
		}
		data = append(data, en.Data)
	}
	if len(data) != 2 || data[0] != nil || data[1]["tracked"] != "zero->one" {
		t.Errorf("entries' data %v: creation untracked, then zero->one", data)
	}
}

// TestAttrsPerChange checks that every authorisation request carries the
// attributes of its own record's before image, and only those, although the
// engine lends them from a buffer it reuses from call to call.
func TestAttrsPerChange(t *testing.T) {
	ctx := context.Background()
	e, _ := newDocEngine(t)
	var seen []iso20000.Attrs
	e.Authz = iso20000.AuthorizerFunc(func(_ context.Context, req iso20000.Request) error {
		seen = append(seen, slices.Clone(req.Attrs)) // the slice is the engine's: keep a copy
		return nil
	})
	actor := iso20000.Actor{ID: "ann"}
	for _, id := range []string{"a", "b"} {
		if _, err := e.Create(ctx, actor, "create", func(context.Context, store.Tx, time.Time, Details) (doc, error) {
			return doc{ID: id, State: "open", Text: id + "0"}, nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	edits := []struct{ id, text string }{{"a", "a1"}, {"b", "b1"}, {"a", "a2"}, {"b", "b2"}}
	for _, ed := range edits {
		if _, err := e.Change(ctx, actor, ed.id, 0, "edit", func(r *doc, _ time.Time, _ Details) error {
			r.Text = ed.text
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"a0", "b0", "a1", "b1"} // each change's before image
	if len(seen) != len(want) {
		t.Fatalf("%d requests, want %d", len(seen), len(want))
	}
	for i, w := range want {
		if want := (iso20000.Attrs{{Name: "text", Value: w}}); !slices.Equal(seen[i], want) {
			t.Errorf("request %d: attributes %v, want %v", i+1, seen[i], want)
		}
	}
}

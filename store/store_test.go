package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/memory"
)

// atCommit is a Tx with the AtCommitAppender capability that records the call.
type atCommit struct {
	store.Tx
	queued []audit.Entry
}

func (a *atCommit) AppendAtCommit(_ context.Context, entries ...audit.Entry) error {
	a.queued = append(a.queued, entries...)
	return nil
}

func TestAppendAtCommit(t *testing.T) {
	ctx := context.Background()
	e := audit.Entry{Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Actor: "ann", Action: "x.y"}

	// A Tx with the capability gets the entries through it.
	a := &atCommit{}
	if err := store.AppendAtCommit(ctx, a, e); err != nil || len(a.queued) != 1 {
		t.Fatalf("capability not used: %v, %d queued", err, len(a.queued))
	}

	// Without it, the entries are appended in the unit of work.
	st := memory.New()
	err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		return store.AppendAtCommit(ctx, tx, e, e)
	})
	if err != nil {
		t.Fatal(err)
	}
	if h, _ := st.Trail().Head(ctx); h.Seq != 2 {
		t.Fatalf("head %d, want 2", h.Seq)
	}
	// An invalid entry fails the call.
	err = st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		return store.AppendAtCommit(ctx, tx, audit.Entry{})
	})
	if err == nil {
		t.Fatal("invalid entry appended")
	}
}

// TestCollectionDefaultClone checks the copy a Collection makes without
// WithClone: a plain copy for a type of plain values (strings, times,
// arrays), which keeps even unexported fields and locations that a JSON
// round trip would drop; a deep copy (by JSON) for a type with a slice or a
// pointer, which shares nothing with the original.
func TestCollectionDefaultClone(t *testing.T) {
	type plain struct {
		ID     string
		At     time.Time
		N      [2]int
		hidden int
	}
	pc := store.NewCollection("plain", func(p *plain) (string, store.Keys) { return p.ID, store.Keys{} })
	v := plain{ID: "a", At: time.Now().In(time.FixedZone("X", 3600)), N: [2]int{1, 2}, hidden: 7}
	if got := pc.Clone(&v).(*plain); *got != v || got == &v {
		t.Errorf("plain clone %+v, want a copy of %+v", *got, v)
	}

	type deep struct {
		ID   string
		Tags []string
		P    *int
	}
	dc := store.NewCollection("deep", func(d *deep) (string, store.Keys) { return d.ID, store.Keys{} })
	n := 5
	d := deep{ID: "b", Tags: []string{"x"}, P: &n}
	got := dc.Clone(&d).(*deep)
	got.Tags[0], *got.P = "y", 6
	if d.Tags[0] != "x" || n != 5 || got.ID != "b" {
		t.Errorf("deep clone shares with the original: %+v, n = %d", d, n)
	}
}

// docTx is a Tx that records the documents inserted and updated.
type docTx struct {
	store.Tx
	docs []store.Doc
}

func (d *docTx) Insert(_ context.Context, _ store.Codec, doc store.Doc) (int64, error) {
	d.docs = append(d.docs, doc)
	return 1, nil
}

func (d *docTx) Update(_ context.Context, _ store.Codec, doc store.Doc) (int64, error) {
	d.docs = append(d.docs, doc)
	return doc.Version + 1, nil
}

// TestCollectionRefID checks InsertRefID and UpdateRefID: with WithKeys they
// take the caller's ID and the keys alone (the index function, which renders
// the ID, is not called); without, they check the caller's ID against the
// index function's and refuse a record given under another ID.
func TestCollectionRefID(t *testing.T) {
	ctx := context.Background()
	type rec struct {
		ID    string
		Owner string
		At    time.Time
	}
	var indexed, keyed int
	keys := func(r *rec) store.Keys { keyed++; return store.Keys{Owner: r.Owner, Created: r.At} }
	index := func(r *rec) (string, store.Keys) { indexed++; return r.ID, keys(r) }
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.FixedZone("CET", 3600))
	r := rec{ID: "r1", Owner: "ann", At: at}
	want := store.Keys{Owner: "ann", Created: at.UTC()}

	withKeys := store.NewCollection("rec", index, store.WithKeys(keys))
	tx := &docTx{}
	if _, err := withKeys.InsertRefID(ctx, tx, "r1", &r); err != nil {
		t.Fatal(err)
	}
	if v, err := withKeys.UpdateRefID(ctx, tx, "r1", &r, 1); err != nil || v != 2 {
		t.Fatalf("UpdateRefID = %d, %v", v, err)
	}
	if indexed != 0 || keyed != 2 {
		t.Errorf("with WithKeys: index called %d times, keys %d; want 0 and 2", indexed, keyed)
	}
	for i, d := range tx.docs {
		if d.ID != "r1" || d.Keys != want || d.Value.(*rec) != &r || d.Version != int64(i) {
			t.Errorf("doc %d = %+v, want ID r1, keys %+v (UTC), version %d, the caller's record", i, d, want, i)
		}
	}

	indexed = 0
	plain := store.NewCollection("rec", index)
	tx = &docTx{}
	if _, err := plain.UpdateRefID(ctx, tx, "r1", &r, 3); err != nil || indexed != 1 || len(tx.docs) != 1 || tx.docs[0].Keys != want {
		t.Fatalf("without WithKeys: %v, index called %d times, docs %+v", err, indexed, tx.docs)
	}
	if _, err := plain.InsertRefID(ctx, tx, "r2", &r); err == nil {
		t.Error("InsertRefID under another ID succeeded")
	}
	if _, err := plain.UpdateRefID(ctx, tx, "r2", &r, 3); err == nil {
		t.Error("UpdateRefID under another ID succeeded")
	}
	if len(tx.docs) != 1 {
		t.Errorf("a refused record reached the Tx: %+v", tx.docs)
	}
}

// TestCollectionWithDecoded checks that Unmarshal gives every record it
// decodes to the WithDecoded function before handing it out, and that a
// collection without one decodes the record as encoded.
func TestCollectionWithDecoded(t *testing.T) {
	type rec struct {
		ID     string
		Sealed bool `json:"-"`
	}
	index := func(r *rec) (string, store.Keys) { return r.ID, store.Keys{} }
	with := store.NewCollection("rec", index, store.WithDecoded(func(r *rec) { r.Sealed = true }))
	without := store.NewCollection("rec", index)
	data, err := with.Marshal(&rec{ID: "a"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		c    *store.Collection[rec]
		want rec
	}{{"with", with, rec{ID: "a", Sealed: true}}, {"without", without, rec{ID: "a"}}} {
		v, err := tt.c.Unmarshal(data)
		if err != nil {
			t.Fatal(err)
		}
		if got := *v.(*rec); got != tt.want {
			t.Errorf("%s WithDecoded: decoded %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/internal/testutil"
)

// errBoom is the error the suite's units of work fail with.
var errBoom = errors.New("storetest: boom")

// update and view run a unit of work that must commit, or succeed.
var update, view = testutil.Update, testutil.View

// insert stores the records of collection c, each in its own unit of work.
func insert(t testing.TB, st store.Store, c *store.Collection[record], rs ...record) {
	t.Helper()
	for _, r := range rs {
		update(t, st, func(ctx context.Context, tx store.Tx) error {
			v, err := c.Insert(ctx, tx, r)
			if err == nil && v != 1 {
				return fmt.Errorf("insert %s: version %d, want 1", r.ID, v)
			}
			return err
		})
	}
}

// get reads one record in a View; the error is the backend's.
func get(t testing.TB, st store.Store, c *store.Collection[record], id string) (store.Versioned[record], error) {
	t.Helper()
	var got store.Versioned[record]
	err := st.View(context.Background(), func(ctx context.Context, tx store.Tx) error {
		var err error
		got, err = c.Get(ctx, tx, id)
		return err
	})
	return got, err
}

// mustGet reads one record that must exist.
func mustGet(t testing.TB, st store.Store, c *store.Collection[record], id string) store.Versioned[record] {
	t.Helper()
	got, err := get(t, st, c, id)
	if err != nil {
		t.Fatalf("Get %s: %v", id, err)
	}
	return got
}

// wantNotFound checks that a record does not exist.
func wantNotFound(t testing.TB, st store.Store, c *store.Collection[record], id string) {
	t.Helper()
	if _, err := get(t, st, c, id); !errors.Is(err, iso20000.ErrNotFound) {
		t.Fatalf("Get %s: got %v, want ErrNotFound", id, err)
	}
}

// wantRecord checks a stored record's value and version.
func wantRecord(t testing.TB, st store.Store, c *store.Collection[record], want record, version int64) {
	t.Helper()
	got := mustGet(t, st, c, want.ID)
	if got.Version != version || !equalRecord(got.Value, want) {
		t.Fatalf("Get %s: got %+v version %d, want %+v version %d", want.ID, got.Value, got.Version, want, version)
	}
}

// listAll lists every page of q (q.Limit is the page size) and returns the
// docs in order. It checks the page contract: no page is longer than the
// limit, a page with a Next is full, and the page after it is not empty.
func listAll(t testing.TB, st store.Store, c store.Codec, q store.Query) []store.Doc {
	t.Helper()
	limit := q.Limit
	if limit == 0 {
		limit = store.DefaultLimit
	}
	var all []store.Doc
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatalf("List %+v: more than 1000 pages", q)
		}
		var p store.Page
		view(t, st, func(ctx context.Context, tx store.Tx) error {
			var err error
			p, err = tx.List(ctx, c, q)
			return err
		})
		if len(p.Docs) > limit {
			t.Fatalf("List %+v: %d docs, limit %d", q, len(p.Docs), limit)
		}
		if pages > 0 && len(p.Docs) == 0 {
			t.Fatalf("List %+v: the cursor of the page before led to an empty page", q)
		}
		all = append(all, p.Docs...)
		if p.Next == "" {
			return all
		}
		if len(p.Docs) != limit {
			t.Fatalf("List %+v: a page of %d docs (limit %d) has a Next cursor", q, len(p.Docs), limit)
		}
		q.Cursor = p.Next
	}
}

// ids returns the IDs of docs.
func ids(docs []store.Doc) []string {
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = d.ID
	}
	return out
}

// expected filters rs with keep and sorts them as order (and desc) sort:
// by sort key, then ID. ByDue leaves out records without a due time.
func expected(rs []record, keep func(record) bool, order store.Order, desc bool) []string {
	var sel []record
	for _, r := range rs {
		if keep(r) && (order != store.ByDue || !r.Due.IsZero()) {
			sel = append(sel, r)
		}
	}
	key := func(r record) time.Time {
		if order == store.ByDue {
			return r.Due
		}
		return r.Created
	}
	slices.SortFunc(sel, func(a, b record) int {
		c := key(a).Compare(key(b))
		if c == 0 {
			c = strings.Compare(a.ID, b.ID)
		}
		if desc {
			c = -c
		}
		return c
	})
	out := make([]string, len(sel))
	for i, r := range sel {
		out[i] = r.ID
	}
	return out
}

// entry returns a valid audit entry (about 300 bytes once encoded).
func entry(actor, action string) audit.Entry {
	return audit.Entry{
		Time:     base.In(elsewhere),
		Actor:    actor,
		Action:   action,
		Kind:     records.Kind(),
		EntityID: "r1",
		From:     "open",
		To:       "closed",
		Changes:  []audit.Change{{Field: "status", Old: "open", New: "closed"}},
		Data:     map[string]string{"reason": "fixed"},
	}
}

// head returns the trail's head.
func head(t testing.TB, st store.Store) audit.Head {
	t.Helper()
	h, err := st.Trail().Head(context.Background())
	if err != nil {
		t.Fatalf("Head: %v", err)
	}
	return h
}

// entries reads the trail's entries from..to.
func entries(t testing.TB, st store.Store, from, to uint64) []audit.Entry {
	t.Helper()
	var out []audit.Entry
	for e, err := range st.Trail().Entries(context.Background(), from, to) {
		if err != nil {
			t.Fatalf("Entries(%d, %d): %v", from, to, err)
		}
		out = append(out, e)
	}
	return out
}

// checkChain checks that es is the gap-free, correctly sealed chain
// 1..len(es) (with audit.VerifySlice), its times in UTC.
func checkChain(t testing.TB, es []audit.Entry) {
	t.Helper()
	if err := audit.VerifySlice(es).Err(); err != nil {
		t.Fatalf("trail of %d entries: %v", len(es), err)
	}
	for _, e := range es {
		if e.Time.Location() != time.UTC {
			t.Fatalf("entry %d: time %v not in UTC", e.Seq, e.Time)
		}
	}
}

// nextNumber takes the next number of counter name in its own unit of work.
func nextNumber(t testing.TB, st store.Store, name string) int64 {
	t.Helper()
	var n int64
	update(t, st, func(ctx context.Context, tx store.Tx) error {
		var err error
		n, err = tx.NextNumber(ctx, name)
		return err
	})
	return n
}

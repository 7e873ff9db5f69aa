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
	"github.com/servicekit/iso20000/store"
)

var listTests = []test{
	{"Filters", testListFilters},
	{"PagesWithInserts", testListPagesWithInserts},
	{"Invalid", testListInvalid},
	{"AfterChanges", testListAfterChanges},
	{"EmptyKind", testListEmptyKind},
}

// fixture returns 40 records with every key varied: statuses, owners and so
// on cycle, three records share each created time and several share a due
// time (so that ties are broken by ID), and every fifth has no due time.
// They are inserted in an order unrelated to their IDs and times.
func fixture() []record {
	statuses := []string{"open", "pending", "closed"}
	owners := []string{"ann", "bob", "cyd", ""}
	groups := []string{"desk", "net"}
	services := []string{"s0", "s1", "s2", "s3", "s4"}
	rs := make([]record, 40)
	for n := range rs {
		i := n * 7 % 40 // insertion order differs from time and ID order
		r := record{
			ID:       fmt.Sprintf("r%02d", 39-i),
			Status:   statuses[i%3],
			Owner:    owners[i%4],
			Group:    groups[i%2],
			Service:  services[i%5],
			Priority: i % 4,
			Created:  base.Add(time.Duration(i/3) * time.Minute),
			Tags:     []string{fmt.Sprint(i)},
		}
		if i%5 != 0 {
			r.Due = base.Add(time.Hour - time.Duration(i%7)*time.Minute)
		}
		rs[n] = r
	}
	return rs
}

func testListFilters(t *testing.T, st store.Store) {
	rs := fixture()
	insert(t, st, records, rs...)
	insert(t, st, others, record{ID: "other", Status: "open", Owner: "ann", Group: "desk", Service: "s1", Priority: 1, Created: base, Due: base})
	byID := map[string]record{}
	for _, r := range rs {
		byID[r.ID] = r
	}
	from := base.Add(2 * time.Minute) // the created time of three records
	to := base.Add(7 * time.Minute)   // likewise: excluded
	dueBefore := base.Add(time.Hour - 3*time.Minute)
	all := func(record) bool { return true }
	tests := []struct {
		name string
		q    store.Query
		keep func(record) bool
	}{
		{"all", store.Query{}, all},
		{"status", store.Query{Status: []string{"open"}}, func(r record) bool { return r.Status == "open" }},
		{"status any of", store.Query{Status: []string{"open", "closed"}}, func(r record) bool { return r.Status != "pending" }},
		{"status repeated", store.Query{Status: []string{"pending", "pending"}}, func(r record) bool { return r.Status == "pending" }},
		{"status unknown", store.Query{Status: []string{"nope"}}, func(record) bool { return false }},
		{"owner", store.Query{Owner: "ann"}, func(r record) bool { return r.Owner == "ann" }},
		{"group", store.Query{Group: "net"}, func(r record) bool { return r.Group == "net" }},
		{"service", store.Query{Service: "s1"}, func(r record) bool { return r.Service == "s1" }},
		{"priority", store.Query{Priority: 1}, func(r record) bool { return r.Priority == 1 }},
		{"created from to, half open", store.Query{CreatedFrom: from.In(elsewhere), CreatedTo: to},
			func(r record) bool { return !r.Created.Before(from) && r.Created.Before(to) }},
		{"created from", store.Query{CreatedFrom: from}, func(r record) bool { return !r.Created.Before(from) }},
		{"created to", store.Query{CreatedTo: to}, func(r record) bool { return r.Created.Before(to) }},
		{"due before", store.Query{DueBefore: dueBefore.In(elsewhere)},
			func(r record) bool { return !r.Due.IsZero() && r.Due.Before(dueBefore) }},
		{"combined", store.Query{Status: []string{"open", "pending"}, Group: "desk", CreatedFrom: from},
			func(r record) bool { return r.Status != "closed" && r.Group == "desk" && !r.Created.Before(from) }},
		{"combined owner priority", store.Query{Owner: "bob", Priority: 1, Service: "s1"},
			func(r record) bool { return r.Owner == "bob" && r.Priority == 1 && r.Service == "s1" }},
		{"combined due", store.Query{Status: []string{"open"}, DueBefore: dueBefore, CreatedTo: to},
			func(r record) bool {
				return r.Status == "open" && !r.Due.IsZero() && r.Due.Before(dueBefore) && r.Created.Before(to)
			}},
	}
	orders := []struct {
		name  string
		order store.Order
		desc  bool
	}{
		{"by created", store.ByCreated, false},
		{"by created desc", store.ByCreated, true},
		{"by due", store.ByDue, false},
		{"by due desc", store.ByDue, true},
	}
	for _, tc := range tests {
		for _, o := range orders {
			for _, limit := range []int{0, 3, 7} {
				t.Run(fmt.Sprintf("%s/%s/limit %d", tc.name, o.name, limit), func(t *testing.T) {
					q := tc.q
					q.OrderBy, q.Desc, q.Limit = o.order, o.desc, limit
					got := listAll(t, st, records, q)
					want := expected(rs, tc.keep, o.order, o.desc)
					if !slices.Equal(ids(got), want) {
						t.Fatalf("List %+v:\n got %v\nwant %v", q, ids(got), want)
					}
					for _, d := range got {
						r := byID[d.ID]
						if d.Version != 1 || !equalKeys(d.Keys, keysOf(r)) || !equalRecord(*d.Value.(*record), r) {
							t.Fatalf("List: doc %+v, want %+v at version 1", d, r)
						}
					}
				})
			}
		}
	}
}

// testListPagesWithInserts checks that records inserted between pages do not
// make a list repeat or skip records: one sorting after the last record
// listed is listed later, one sorting before it is not (ties on time are
// broken by ID).
func testListPagesWithInserts(t *testing.T, st store.Store) {
	var rs []record
	for i := range 20 {
		at := base.Add(time.Duration(i/2) * time.Second)
		rs = append(rs, record{ID: fmt.Sprintf("p%02d", i), Status: "open", Created: at})
	}
	for _, desc := range []bool{false, true} {
		t.Run(fmt.Sprintf("desc %v", desc), func(t *testing.T) {
			model := slices.Clone(rs)
			listed := map[string]bool{}
			for _, r := range rs {
				listed[r.ID] = true
			}
			// Remove what the other order's round inserted.
			for _, d := range listAll(t, st, records, store.Query{}) {
				update(t, st, func(ctx context.Context, tx store.Tx) error {
					return tx.Delete(ctx, records, d.ID, d.Version)
				})
			}
			insert(t, st, records, rs...)
			q := store.Query{Status: []string{"open"}, Limit: 6, Desc: desc}
			var got []string
			for round := 0; ; round++ {
				var p store.Page
				view(t, st, func(ctx context.Context, tx store.Tx) error {
					var err error
					p, err = tx.List(ctx, records, q)
					return err
				})
				got = append(got, ids(p.Docs)...)
				if p.Next == "" {
					break
				}
				last := p.Docs[len(p.Docs)-1]
				tag := fmt.Sprint(round)
				added := []record{
					{ID: "e" + tag, Status: "open", Created: base.Add(-time.Hour)},
					{ID: "l" + tag, Status: "open", Created: base.Add(time.Hour)},
					{ID: "0" + tag, Status: "open", Created: last.Keys.Created},
					{ID: last.ID + "+" + tag, Status: "open", Created: last.Keys.Created},
				}
				insert(t, st, records, added...)
				for _, r := range added {
					model = append(model, r)
					c := r.Created.Compare(last.Keys.Created)
					if c == 0 {
						c = strings.Compare(r.ID, last.ID)
					}
					listed[r.ID] = (c > 0) != desc
				}
				q.Cursor = p.Next
			}
			want := expected(model, func(r record) bool { return listed[r.ID] }, store.ByCreated, desc)
			if !slices.Equal(got, want) {
				t.Fatalf("List with inserts between pages:\n got %v\nwant %v", got, want)
			}
		})
	}
}

func testListInvalid(t *testing.T, st store.Store) {
	insert(t, st, records, sample("r1"), sample("r2"))
	cursor := func(q store.Query) string {
		q.Limit = 1
		var p store.Page
		view(t, st, func(ctx context.Context, tx store.Tx) error {
			var err error
			p, err = tx.List(ctx, records, q)
			return err
		})
		if p.Next == "" {
			t.Fatalf("List %+v: no Next over two records", q)
		}
		return p.Next
	}
	asc := cursor(store.Query{})
	tests := []struct {
		name string
		q    store.Query
	}{
		{"negative limit", store.Query{Limit: -1}},
		{"limit above MaxLimit", store.Query{Limit: store.MaxLimit + 1}},
		{"unknown order", store.Query{OrderBy: store.Order(42)}},
		{"negative priority", store.Query{Priority: -1}},
		{"malformed cursor", store.Query{Cursor: "not a cursor!"}},
		{"truncated cursor", store.Query{Cursor: asc[:4]}},
		{"cursor of ascending used descending", store.Query{Cursor: asc, Desc: true}},
		{"cursor of ByCreated used ByDue", store.Query{Cursor: asc, OrderBy: store.ByDue}},
		{"cursor of ByDue used ByCreated", store.Query{Cursor: cursor(store.Query{OrderBy: store.ByDue})}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := st.View(context.Background(), func(ctx context.Context, tx store.Tx) error {
				_, err := tx.List(ctx, records, tc.q)
				return err
			})
			if !errors.Is(err, iso20000.ErrValidation) {
				t.Fatalf("List %+v: got %v, want ErrValidation", tc.q, err)
			}
		})
	}
}

// testListAfterChanges checks that lists follow updates and deletes of the
// keys they filter and sort on, and that a rolled-back change leaves them as
// they were.
func testListAfterChanges(t *testing.T, st store.Store) {
	a := record{ID: "a", Status: "open", Owner: "ann", Group: "desk", Service: "s1", Priority: 1, Created: base, Due: base.Add(time.Hour)}
	b := record{ID: "b", Status: "open", Owner: "bob", Group: "desk", Service: "s1", Priority: 1, Created: base.Add(time.Minute), Due: base.Add(2 * time.Hour)}
	insert(t, st, records, a, b)
	type check struct {
		q    store.Query
		want []string
	}
	lists := func(t *testing.T, checks []check) {
		t.Helper()
		for _, c := range checks {
			if got := ids(listAll(t, st, records, c.q)); !slices.Equal(got, c.want) {
				t.Errorf("List %+v: %v, want %v", c.q, got, c.want)
			}
		}
	}
	open := store.Query{Status: []string{"open"}}
	closed := store.Query{Status: []string{"closed"}}
	bob := store.Query{Owner: "bob"}
	byDue := store.Query{OrderBy: store.ByDue}
	net := store.Query{Group: "net"}
	p3 := store.Query{Priority: 3, Service: "s2"}
	lists(t, []check{{open, []string{"a", "b"}}, {closed, nil}, {bob, []string{"b"}}, {byDue, []string{"a", "b"}}})

	changed := a
	changed.Status, changed.Owner, changed.Group, changed.Service, changed.Priority = "closed", "bob", "net", "s2", 3
	changed.Due = time.Time{}
	changed.Created = base.Add(time.Hour) // now after b
	after := []check{
		{open, []string{"b"}}, {closed, []string{"a"}}, {bob, []string{"b", "a"}},
		{byDue, []string{"b"}}, {net, []string{"a"}}, {p3, []string{"a"}},
		{store.Query{}, []string{"b", "a"}},
	}
	t.Run("rolled back", func(t *testing.T) {
		err := st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
			if _, err := records.Update(ctx, tx, changed, 1); err != nil {
				return err
			}
			if err := records.Delete(ctx, tx, "b", 1); err != nil {
				return err
			}
			return errBoom
		})
		if !errors.Is(err, errBoom) {
			t.Fatalf("Update: %v, want errBoom", err)
		}
		lists(t, []check{{open, []string{"a", "b"}}, {closed, nil}, {bob, []string{"b"}}, {byDue, []string{"a", "b"}}, {net, nil}})
	})
	t.Run("updated", func(t *testing.T) {
		update(t, st, func(ctx context.Context, tx store.Tx) error {
			_, err := records.Update(ctx, tx, changed, 1)
			return err
		})
		lists(t, after)
	})
	t.Run("deleted", func(t *testing.T) {
		update(t, st, func(ctx context.Context, tx store.Tx) error {
			return records.Delete(ctx, tx, "b", 1)
		})
		lists(t, []check{{open, nil}, {closed, []string{"a"}}, {bob, []string{"a"}}, {byDue, nil}, {store.Query{}, []string{"a"}}})
	})
}

// testListEmptyKind lists a kind that has no records, and one whose records
// were all deleted: an empty page without a cursor.
func testListEmptyKind(t *testing.T, st store.Store) {
	insert(t, st, others, sample("gone"))
	update(t, st, func(ctx context.Context, tx store.Tx) error {
		return others.Delete(ctx, tx, "gone", 1)
	})
	for _, c := range []store.Codec{records, others} {
		for _, q := range []store.Query{{}, {Status: []string{"open"}, OrderBy: store.ByDue, Desc: true}, {Limit: store.MaxLimit}} {
			view(t, st, func(ctx context.Context, tx store.Tx) error {
				p, err := tx.List(ctx, c, q)
				if err == nil && (len(p.Docs) != 0 || p.Next != "") {
					t.Errorf("List %s %+v: %d docs, next %q; want an empty last page", c.Kind(), q, len(p.Docs), p.Next)
				}
				return err
			})
		}
	}
}

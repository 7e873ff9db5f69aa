// Package testutil holds the test helpers that the store's test suites and
// the tests of its backends share. Only tests import it.
package testutil

import (
	"context"
	"testing"
	"time"

	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/store"
)

// Update runs fn in a unit of work of st that must commit; t fails at once
// otherwise.
func Update(t testing.TB, st store.Store, fn func(ctx context.Context, tx store.Tx) error) {
	t.Helper()
	if err := st.Update(context.Background(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

// View runs fn in a read-only unit of work of st that must succeed; t fails
// at once otherwise.
func View(t testing.TB, st store.Store, fn func(ctx context.Context, tx store.Tx) error) {
	t.Helper()
	if err := st.View(context.Background(), fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// Tampered reads every entry of tr and returns what fn makes of them: the
// rows that a backend's audittest.Harness Rewrite then stores in place of
// the trail's, unsealed and unchecked.
func Tampered(ctx context.Context, tr audit.Trail, fn func([]audit.Entry) []audit.Entry) ([]audit.Entry, error) {
	var stored []audit.Entry
	for e, err := range tr.Entries(ctx, 0, 0) {
		if err != nil {
			return nil, err
		}
		stored = append(stored, e)
	}
	return fn(stored), nil
}

// IndexedQuery is a query of [store.Tx.List] and the index of the SQL
// schemas (0001_init.sql of each backend) that must serve it in sort order.
type IndexedQuery struct {
	Name  string
	Query store.Query
	Index string
}

// IndexedQueries returns the queries that both SQL backends serve with an
// index, for each filter and order, with cursors on records created and due
// at t0 (the backends' tests add their own).
func IndexedQueries(t0 time.Time) []IndexedQuery {
	cursor := func(q store.Query) string { return q.NextCursor(store.Keys{Created: t0, Due: t0}, "T-1") }
	return []IndexedQuery{
		{"all", store.Query{}, "records_by_created"},
		{"all desc with cursor", store.Query{Desc: true, Cursor: cursor(store.Query{Desc: true})}, "records_by_created"},
		{"status", store.Query{Status: []string{"open"}}, "records_by_status"},
		{"owner", store.Query{Owner: "alice"}, "records_by_owner"},
		{"group", store.Query{Group: "desk"}, "records_by_grp"},
		{"service", store.Query{Service: "mail"}, "records_by_service"},
		{"priority", store.Query{Priority: 1}, "records_by_priority"},
		{"created range", store.Query{CreatedFrom: t0, CreatedTo: t0.Add(time.Hour)}, "records_by_created"},
		{"by due", store.Query{OrderBy: store.ByDue}, "records_by_due"},
	}
}

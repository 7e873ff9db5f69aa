package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/postgres"
)

// TestListUsesIndexes checks that every filter and order of store.Query is
// served by an index in sort order, so that a page costs the same however
// many records there are: with sequential scans and sorts disabled (the
// planner then avoids them whenever an index allows), no plan may scan the
// table or sort.
func TestListUsesIndexes(t *testing.T) {
	st := newTestStore(t)
	t0 := testTime
	cursor := func(q store.Query) string { return q.NextCursor(store.Keys{Created: t0, Due: t0}, "T-1") }
	queries := []struct {
		name  string
		q     store.Query
		index string
	}{
		{"all", store.Query{}, "records_by_created"},
		{"all desc with cursor", store.Query{Desc: true, Cursor: cursor(store.Query{Desc: true})}, "records_by_created"},
		{"status", store.Query{Status: []string{"open"}}, "records_by_status"},
		{"statuses", store.Query{Status: []string{"open", "pending"}}, "records_by_created"},
		{"owner", store.Query{Owner: "alice"}, "records_by_owner"},
		{"group", store.Query{Group: "desk"}, "records_by_grp"},
		{"service", store.Query{Service: "mail"}, "records_by_service"},
		{"priority", store.Query{Priority: 1}, "records_by_priority"},
		{"created range", store.Query{CreatedFrom: t0, CreatedTo: t0.Add(time.Hour)}, "records_by_created"},
		{"by due", store.Query{OrderBy: store.ByDue}, "records_by_due"},
		{"due before desc with cursor", store.Query{OrderBy: store.ByDue, DueBefore: t0, Desc: true,
			Cursor: cursor(store.Query{OrderBy: store.ByDue, Desc: true})}, "records_by_due"},
	}
	for _, tc := range queries {
		t.Run(tc.name, func(t *testing.T) {
			query, args, err := postgres.ListSQL(st, "ticket", tc.q)
			if err != nil {
				t.Fatal(err)
			}
			var plan []string
			err = pgx.BeginFunc(context.Background(), st.Pool(), func(tx pgx.Tx) error {
				if _, err := tx.Exec(context.Background(), "SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off"); err != nil {
					return err
				}
				rows, err := tx.Query(context.Background(), "EXPLAIN "+query, args...)
				if err != nil {
					return err
				}
				plan, err = pgx.CollectRows(rows, pgx.RowTo[string])
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			text := strings.Join(plan, "\n")
			if !strings.Contains(text, tc.index) || strings.Contains(text, "Sort") || strings.Contains(text, "Seq Scan") {
				t.Fatalf("plan of %s:\n%s\nwant index %s and no sort or sequential scan", query, text, tc.index)
			}
		})
	}
}

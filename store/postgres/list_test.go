package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/internal/testutil"
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
	queries := append(testutil.IndexedQueries(t0),
		testutil.IndexedQuery{Name: "statuses", Query: store.Query{Status: []string{"open", "pending"}}, Index: "records_by_created"},
		testutil.IndexedQuery{Name: "due before desc with cursor", Query: store.Query{OrderBy: store.ByDue, DueBefore: t0, Desc: true,
			Cursor: cursor(store.Query{OrderBy: store.ByDue, Desc: true})}, Index: "records_by_due"},
	)
	for _, tc := range queries {
		t.Run(tc.Name, func(t *testing.T) {
			query, args, err := postgres.ListSQL(st, "ticket", tc.Query)
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
			if !strings.Contains(text, tc.Index) || strings.Contains(text, "Sort") || strings.Contains(text, "Seq Scan") {
				t.Fatalf("plan of %s:\n%s\nwant index %s and no sort or sequential scan", query, text, tc.Index)
			}
		})
	}
}

package sqlkit_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/internal/sqlkit"
)

// TestListSQL checks the SELECT and arguments of every filter, order and
// cursor in both dialects.
func TestListSQL(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	n0, n1 := t0.UnixNano(), t0.Add(time.Hour).UnixNano()
	cursor := func(q store.Query) string { return q.NextCursor(store.Keys{Created: t0, Due: t0}, "T-1") }
	const sel = "SELECT id, version, status, owner, grp, service, priority, created, due, data FROM "
	tests := []struct {
		name     string
		q        store.Query
		sqlite   string
		postgres string
		args     []any // the same in both dialects unless pgArgs is set
		pgArgs   []any
	}{
		{
			name:     "all",
			sqlite:   sel + "records WHERE kind = ? ORDER BY created ASC, id ASC LIMIT ?",
			postgres: sel + `"s"."records" WHERE kind = $1 ORDER BY created ASC, id ASC LIMIT $2`,
			args:     []any{"ticket", int64(store.DefaultLimit + 1)},
		},
		{
			name:     "desc with cursor",
			q:        store.Query{Desc: true, Cursor: cursor(store.Query{Desc: true})},
			sqlite:   sel + "records WHERE kind = ? AND (created, id) < (?, ?) ORDER BY created DESC, id DESC LIMIT ?",
			postgres: sel + `"s"."records" WHERE kind = $1 AND (created, id) < ($2, $3) ORDER BY created DESC, id DESC LIMIT $4`,
			args:     []any{"ticket", n0, "T-1", int64(store.DefaultLimit + 1)},
		},
		{
			name:     "one status is an equality",
			q:        store.Query{Status: []string{"open"}},
			sqlite:   sel + "records WHERE kind = ? AND status = ? ORDER BY created ASC, id ASC LIMIT ?",
			postgres: sel + `"s"."records" WHERE kind = $1 AND status = $2 ORDER BY created ASC, id ASC LIMIT $3`,
			args:     []any{"ticket", "open", int64(store.DefaultLimit + 1)},
		},
		{
			name:     "statuses",
			q:        store.Query{Status: []string{"open", "pending", "closed"}},
			sqlite:   sel + "records WHERE kind = ? AND status IN (?, ?, ?) ORDER BY created ASC, id ASC LIMIT ?",
			postgres: sel + `"s"."records" WHERE kind = $1 AND status = ANY($2) ORDER BY created ASC, id ASC LIMIT $3`,
			args:     []any{"ticket", "open", "pending", "closed", int64(store.DefaultLimit + 1)},
			pgArgs:   []any{"ticket", []string{"open", "pending", "closed"}, int64(store.DefaultLimit + 1)},
		},
		{
			name: "every filter, by due, after a cursor",
			q: store.Query{Owner: "o", Group: "g", Service: "s", Priority: 2, CreatedFrom: t0,
				CreatedTo: t0.Add(time.Hour), DueBefore: t0, OrderBy: store.ByDue, Limit: 7,
				Cursor: cursor(store.Query{OrderBy: store.ByDue})},
			sqlite: sel + "records WHERE kind = ? AND owner = ? AND grp = ? AND service = ? AND priority = ?" +
				" AND created >= ? AND created < ? AND due < ? AND due IS NOT NULL AND (due, id) > (?, ?)" +
				" ORDER BY due ASC, id ASC LIMIT ?",
			postgres: sel + `"s"."records" WHERE kind = $1 AND owner = $2 AND grp = $3 AND service = $4 AND priority = $5` +
				" AND created >= $6 AND created < $7 AND due < $8 AND due IS NOT NULL AND (due, id) > ($9, $10)" +
				" ORDER BY due ASC, id ASC LIMIT $11",
			args: []any{"ticket", "o", "g", "s", int64(2), n0, n1, n0, n0, "T-1", int64(8)},
		},
	}
	for _, tc := range tests {
		q, cur, err := tc.q.Normalize()
		if err != nil {
			t.Fatalf("%s: Normalize: %v", tc.name, err)
		}
		pgArgs := tc.pgArgs
		if pgArgs == nil {
			pgArgs = tc.args
		}
		for _, d := range []struct {
			name    string
			dialect sqlkit.Dialect
			table   string
			sql     string
			args    []any
		}{
			{"sqlite", sqlkit.SQLite, "records", tc.sqlite, tc.args},
			{"postgres", sqlkit.Postgres, `"s"."records"`, tc.postgres, pgArgs},
		} {
			t.Run(tc.name+"/"+d.name, func(t *testing.T) {
				sql, args := d.dialect.ListSQL(d.table, "ticket", q, cur)
				if sql != d.sql {
					t.Errorf("SQL:\n got %s\nwant %s", sql, d.sql)
				}
				if !reflect.DeepEqual(args, d.args) {
					t.Errorf("args: got %#v, want %#v", args, d.args)
				}
			})
		}
	}
}

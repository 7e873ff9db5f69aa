package sqlite

import (
	"context"
	"database/sql/driver"

	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/internal/sqlkit"
)

// List implements [store.Tx]: one SELECT over the index of the query's
// filter, continuing after the cursor on (sort key, id) and reading one row
// more than the page to learn whether another page follows.
func (t *tx) List(ctx context.Context, c store.Codec, q store.Query) (store.Page, error) {
	q, cur, err := q.Normalize()
	if err != nil {
		return store.Page{}, err
	}
	query, args := listSQL(c.Kind(), q, cur)
	st, err := t.c.stmtSQL(ctx, query)
	if err != nil {
		return store.Page{}, t.s.fail(ctx, err)
	}
	rows, err := t.c.query(ctx, st, args...)
	if err != nil {
		return store.Page{}, t.s.fail(ctx, err)
	}
	defer rows.Close()
	var p store.Page
	var values [numRecordColumns]driver.Value
	for {
		more, err := next(rows, values[:])
		if err != nil {
			return store.Page{}, t.s.fail(ctx, err)
		}
		if !more {
			return p, nil
		}
		if len(p.Docs) == q.Limit {
			last := p.Docs[len(p.Docs)-1]
			p.Next = q.NextCursor(last.Keys, last.ID)
			return p, nil
		}
		d, err := decodeDoc(values[:], c)
		if err != nil {
			return store.Page{}, err
		}
		p.Docs = append(p.Docs, d)
	}
}

// listSQL returns the SELECT of a normalized query and its arguments: see
// sqlkit.Dialect.ListSQL. Each filter is served by an index of
// 0001_init.sql in sort order.
func listSQL(kind string, q store.Query, cur *store.Cursor) (string, []any) {
	return sqlkit.SQLite.ListSQL("records", kind, q, cur)
}

package sqlite

import (
	"context"
	"database/sql/driver"
	"strings"

	"github.com/servicekit/iso20000/store"
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

// listSQL returns the SELECT of a normalized query and its arguments. Each
// filter becomes a condition that an index of 0001_init.sql serves in sort
// order; the cursor becomes a row-value comparison on (sort key, id).
func listSQL(kind string, q store.Query, cur *store.Cursor) (string, []any) {
	var b strings.Builder
	args := make([]any, 0, 12)
	b.WriteString("SELECT " + recordColumns + " FROM records WHERE kind = ?")
	args = append(args, kind)
	cond := func(sql string, arg any) {
		b.WriteString(" AND " + sql)
		args = append(args, arg)
	}
	switch len(q.Status) {
	case 0:
	case 1:
		cond("status = ?", q.Status[0])
	default:
		b.WriteString(" AND status IN (?" + strings.Repeat(", ?", len(q.Status)-1) + ")")
		for _, s := range q.Status {
			args = append(args, s)
		}
	}
	if q.Owner != "" {
		cond("owner = ?", q.Owner)
	}
	if q.Group != "" {
		cond("grp = ?", q.Group)
	}
	if q.Service != "" {
		cond("service = ?", q.Service)
	}
	if q.Priority != 0 {
		cond("priority = ?", int64(q.Priority))
	}
	if !q.CreatedFrom.IsZero() {
		cond("created >= ?", q.CreatedFrom.UnixNano())
	}
	if !q.CreatedTo.IsZero() {
		cond("created < ?", q.CreatedTo.UnixNano())
	}
	if !q.DueBefore.IsZero() {
		cond("due < ?", q.DueBefore.UnixNano())
	}
	key := "created"
	if q.OrderBy == store.ByDue {
		key = "due"
		b.WriteString(" AND due IS NOT NULL")
	}
	dir, cmp := " ASC", " > "
	if q.Desc {
		dir, cmp = " DESC", " < "
	}
	if cur != nil {
		b.WriteString(" AND (" + key + ", id)" + cmp + "(?, ?)")
		args = append(args, cur.Key, cur.ID)
	}
	b.WriteString(" ORDER BY " + key + dir + ", id" + dir + " LIMIT ?")
	args = append(args, int64(q.Limit+1))
	return b.String(), args
}

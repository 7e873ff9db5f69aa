package postgres

import (
	"context"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/servicekit/iso20000/store"
)

// List implements [store.Tx]: one SELECT that an index of 0001_init.sql
// serves in sort order, continuing after the cursor with a row comparison on
// (sort key, id), reading one row more than the page to learn whether another
// page follows.
func (t *tx) List(ctx context.Context, c store.Codec, q store.Query) (store.Page, error) {
	q, cur, err := q.Normalize()
	if err != nil {
		return store.Page{}, err
	}
	sql, args := t.s.listQuery(c.Kind(), q, cur)
	var p store.Page
	err = t.send(ctx, func(b *pgx.Batch) { b.Queue(sql, args...) }, func(br pgx.BatchResults) error {
		rows, err := br.Query()
		if err != nil {
			return err
		}
		defer rows.Close()
		var row docRow
		for rows.Next() {
			if len(p.Docs) == q.Limit {
				last := p.Docs[len(p.Docs)-1]
				p.Next = q.NextCursor(last.Keys, last.ID)
				break
			}
			if err := rows.Scan(row.dest()...); err != nil {
				return err
			}
			d, err := row.doc(c)
			if err != nil {
				return err
			}
			p.Docs = append(p.Docs, d)
		}
		return rows.Err()
	})
	if err != nil {
		return store.Page{}, err
	}
	return p, nil
}

// listQuery returns the SELECT of a normalized query and its arguments.
func (s *Store) listQuery(kind string, q store.Query, cur *store.Cursor) (string, []any) {
	var w where
	w.sql.WriteString(s.sql.list) // ends in "WHERE kind = $1"
	w.args = append(w.args, kind)
	switch len(q.Status) {
	case 0:
	case 1: // an equality, so that records_by_status serves the order
		w.and("status = ", q.Status[0], "")
	default:
		w.and("status = ANY(", q.Status, ")")
	}
	for _, f := range [...]struct {
		col string
		val string
	}{{"owner", q.Owner}, {"grp", q.Group}, {"service", q.Service}} {
		if f.val != "" {
			w.and(f.col+" = ", f.val, "")
		}
	}
	if q.Priority != 0 {
		w.and("priority = ", q.Priority, "")
	}
	if !q.CreatedFrom.IsZero() {
		w.and("created >= ", q.CreatedFrom.UnixNano(), "")
	}
	if !q.CreatedTo.IsZero() {
		w.and("created < ", q.CreatedTo.UnixNano(), "")
	}
	if !q.DueBefore.IsZero() {
		w.and("due < ", q.DueBefore.UnixNano(), "")
	}
	sortKey := "created"
	if q.OrderBy == store.ByDue {
		sortKey = "due"
		w.sql.WriteString(" AND due IS NOT NULL")
	}
	dir, after := "ASC", ">"
	if q.Desc {
		dir, after = "DESC", "<"
	}
	if cur != nil {
		key, id := w.next(cur.Key), w.next(cur.ID)
		w.sql.WriteString(" AND (" + sortKey + ", id) " + after + " (" + key + ", " + id + ")")
	}
	w.sql.WriteString(" ORDER BY " + sortKey + " " + dir + ", id " + dir + " LIMIT " + w.next(q.Limit+1))
	return w.sql.String(), w.args
}

// where builds the conditions of a SELECT with numbered parameters.
type where struct {
	sql  strings.Builder
	args []any
}

// next adds an argument and returns its placeholder.
func (w *where) next(v any) string {
	w.args = append(w.args, v)
	return "$" + strconv.Itoa(len(w.args))
}

// and adds the condition before + placeholder of v + after.
func (w *where) and(before string, v any, after string) {
	w.sql.WriteString(" AND " + before + w.next(v) + after)
}

package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/internal/sqlkit"
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

// listQuery returns the SELECT of a normalized query and its arguments: see
// sqlkit.Dialect.ListSQL. Each filter is served by an index of
// 0001_init.sql in sort order.
func (s *Store) listQuery(kind string, q store.Query, cur *store.Cursor) (string, []any) {
	return sqlkit.Postgres.ListSQL(s.sql.records, kind, q, cur)
}

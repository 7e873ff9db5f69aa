package sqlkit

import (
	"strconv"
	"strings"

	"github.com/servicekit/iso20000/store"
)

// Dialect is how a database takes the parameters of a statement.
type Dialect struct {
	// Numbered makes placeholders $1, $2, ... (PostgreSQL); otherwise
	// they are ? (SQLite).
	Numbered bool
	// Arrays makes a set of values one array parameter, compared with
	// = ANY($n); otherwise each value is a parameter of IN (?, ?, ...).
	Arrays bool
}

// The dialects of the backends.
var (
	SQLite   = Dialect{}
	Postgres = Dialect{Numbered: true, Arrays: true}
)

// ListSQL returns the SELECT of [store.Tx.List] for a normalized query q and
// its cursor cur (nil on the first page) over the records of kind in table
// (a name as the SQL must spell it), with its arguments in order. Each
// filter becomes a condition that an index of the schema serves in sort
// order (one status is an equality for that reason); the cursor becomes a
// row-value comparison on (sort key, id); the SELECT reads one row more than
// the page, to learn whether another page follows. Integers and times are
// passed as int64 (times in Unix nanoseconds).
func (d Dialect) ListSQL(table, kind string, q store.Query, cur *store.Cursor) (string, []any) {
	w := where{d: d, args: make([]any, 0, 12)}
	w.sql.WriteString("SELECT " + RecordColumns + " FROM " + table + " WHERE kind = " + w.next(kind))
	switch len(q.Status) {
	case 0:
	case 1:
		w.and("status = ", q.Status[0], "")
	default:
		if d.Arrays {
			w.and("status = ANY(", q.Status, ")")
			break
		}
		w.sql.WriteString(" AND status IN (")
		for i, s := range q.Status {
			if i > 0 {
				w.sql.WriteString(", ")
			}
			w.sql.WriteString(w.next(s))
		}
		w.sql.WriteString(")")
	}
	if q.Owner != "" {
		w.and("owner = ", q.Owner, "")
	}
	if q.Group != "" {
		w.and("grp = ", q.Group, "")
	}
	if q.Service != "" {
		w.and("service = ", q.Service, "")
	}
	if q.Priority != 0 {
		w.and("priority = ", int64(q.Priority), "")
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
	key := "created"
	if q.OrderBy == store.ByDue {
		key = "due"
		w.sql.WriteString(" AND due IS NOT NULL")
	}
	dir, after := "ASC", ">"
	if q.Desc {
		dir, after = "DESC", "<"
	}
	if cur != nil {
		k, id := w.next(cur.Key), w.next(cur.ID)
		w.sql.WriteString(" AND (" + key + ", id) " + after + " (" + k + ", " + id + ")")
	}
	w.sql.WriteString(" ORDER BY " + key + " " + dir + ", id " + dir + " LIMIT " + w.next(int64(q.Limit+1)))
	return w.sql.String(), w.args
}

// where builds the conditions of a SELECT.
type where struct {
	d    Dialect
	sql  strings.Builder
	args []any
}

// next adds an argument and returns its placeholder.
func (w *where) next(v any) string {
	w.args = append(w.args, v)
	if !w.d.Numbered {
		return "?"
	}
	return "$" + strconv.Itoa(len(w.args))
}

// and adds the condition before + placeholder of v + after.
func (w *where) and(before string, v any, after string) {
	w.sql.WriteString(" AND " + before + w.next(v) + after)
}

package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/store"
)

// tx is the store.Tx of one database transaction.
type tx struct {
	s        *Store
	tx       *sql.Tx
	src      *stmts              // the pool's prepared statements
	bound    [numStmts]*sql.Stmt // src bound to tx, made on first use
	readOnly bool
	// unprepared are the UPDATE masks used without a prepared statement.
	unprepared []keyMask
	// known are the stored versions and keys of the records this write
	// transaction has read or written: it holds the write lock, so they
	// stay true, and Update needs not read them again.
	known map[recordRef]storedKeys

	head      audit.Head // the trail head after this transaction's appends
	headState int        // headUnknown, headGuessed or headConfirmed
	appended  bool       // whether the transaction appended to the trail
	// err poisons the transaction: a write failed part way (an Append of
	// several entries), so committing would store half of it.
	err error
}

var _ store.Tx = (*tx)(nil)

// stmt returns prepared statement id bound to the transaction.
func (t *tx) stmt(ctx context.Context, id stmtID) *sql.Stmt {
	if t.bound[id] == nil {
		t.bound[id] = t.tx.StmtContext(ctx, t.src[id])
	}
	return t.bound[id]
}

// recordRef identifies a record.
type recordRef struct{ kind, id string }

// storedKeys are a record's stored version and key column values.
type storedKeys struct {
	version int64
	keys    [len(keyColumns)]any
}

// remember notes a record's stored version and keys in a write transaction.
func (t *tx) remember(kind, id string, version int64, keys [len(keyColumns)]any) {
	if t.readOnly {
		return
	}
	if t.known == nil {
		t.known = make(map[recordRef]storedKeys)
	}
	t.known[recordRef{kind, id}] = storedKeys{version, keys}
}

// writable returns ErrReadOnly in a View.
func (t *tx) writable() error {
	if t.readOnly {
		return store.ErrReadOnly
	}
	return nil
}

// Get implements [store.Tx].
func (t *tx) Get(ctx context.Context, c store.Codec, id string) (store.Doc, error) {
	rows, err := t.stmt(ctx, stGet).QueryContext(ctx, c.Kind(), id)
	if err != nil {
		return store.Doc{}, t.s.fail(ctx, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return store.Doc{}, t.s.fail(ctx, err)
		}
		return store.Doc{}, &iso20000.NotFoundError{Kind: c.Kind(), ID: id}
	}
	d, err := scanDoc(rows, c)
	if err != nil {
		return store.Doc{}, t.s.fail(ctx, err)
	}
	t.remember(c.Kind(), id, d.Version, keyValues(d.Keys))
	return d, nil
}

// Insert implements [store.Tx].
func (t *tx) Insert(ctx context.Context, c store.Codec, d store.Doc) (int64, error) {
	if err := t.writable(); err != nil {
		return 0, err
	}
	if d.ID == "" {
		return 0, &iso20000.ValidationError{Field: "id", Reason: "must not be empty"}
	}
	data, err := c.Marshal(d.Value)
	if err != nil {
		return 0, err
	}
	k := keyValues(d.Keys)
	res, err := t.stmt(ctx, stInsert).ExecContext(ctx, c.Kind(), d.ID, k[0], k[1], k[2], k[3], k[4], k[5], k[6], string(data))
	if err != nil {
		return 0, t.s.fail(ctx, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return 0, t.s.fail(ctx, err)
	} else if n == 0 {
		return 0, &iso20000.ConflictError{Kind: c.Kind(), ID: d.ID}
	}
	t.remember(c.Kind(), d.ID, 1, k)
	return 1, nil
}

// Delete implements [store.Tx].
func (t *tx) Delete(ctx context.Context, c store.Codec, id string, version int64) error {
	if err := t.writable(); err != nil {
		return err
	}
	res, err := t.stmt(ctx, stDelete).ExecContext(ctx, c.Kind(), id, version)
	if err := t.checkVersioned(ctx, c, id, version, res, err); err != nil {
		return err
	}
	delete(t.known, recordRef{c.Kind(), id})
	return nil
}

// checkVersioned checks the result of a write guarded by version: when it
// changed no row, the record is missing (ErrNotFound) or has another version
// (ErrConflict).
func (t *tx) checkVersioned(ctx context.Context, c store.Codec, id string, version int64, res sql.Result, err error) error {
	if err != nil {
		return t.s.fail(ctx, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return t.s.fail(ctx, err)
	}
	if n == 1 {
		return nil
	}
	var actual int64
	switch err := t.stmt(ctx, stVersion).QueryRowContext(ctx, c.Kind(), id).Scan(&actual); err {
	case nil:
		return &iso20000.ConflictError{Kind: c.Kind(), ID: id, Expected: version, Actual: actual}
	case sql.ErrNoRows:
		return &iso20000.NotFoundError{Kind: c.Kind(), ID: id}
	default:
		return t.s.fail(ctx, err)
	}
}

// NextNumber implements [store.Tx]. The counter row is written in the
// transaction, so a rollback gives the number out again.
func (t *tx) NextNumber(ctx context.Context, name string) (int64, error) {
	if err := t.writable(); err != nil {
		return 0, err
	}
	if name == "" {
		return 0, &iso20000.ValidationError{Field: "name", Reason: "must not be empty"}
	}
	var n int64
	if err := t.stmt(ctx, stNextNumber).QueryRowContext(ctx, name).Scan(&n); err != nil {
		return 0, t.s.fail(ctx, err)
	}
	return n, nil
}

// scanner is *sql.Rows or *sql.Row.
type scanner interface{ Scan(dest ...any) error }

// scanDoc decodes a row of recordColumns.
func scanDoc(r scanner, c store.Codec) (store.Doc, error) {
	var (
		d       store.Doc
		created int64
		due     sql.NullInt64
		data    sql.RawBytes
		k       = &d.Keys
	)
	if err := r.Scan(&d.ID, &d.Version, &k.Status, &k.Owner, &k.Group, &k.Service, &k.Priority,
		&created, &due, &data); err != nil {
		return d, err
	}
	k.Created = fromNanos(created)
	if due.Valid {
		k.Due = fromNanos(due.Int64)
	}
	v, err := c.Unmarshal(data)
	if err != nil {
		return d, err
	}
	d.Value = v
	return d, nil
}

// zeroNanos is what time.Time{}.UnixNano returns. The zero time is outside
// the range of Unix nanoseconds, so the value stands for it unambiguously.
var zeroNanos = time.Time{}.UnixNano()

// fromNanos is the inverse of time.Time.UnixNano for UTC times, zero included.
func fromNanos(n int64) time.Time {
	if n == zeroNanos {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// dueColumn is the value of the due column: NULL when there is no deadline.
func dueColumn(due time.Time) any {
	if due.IsZero() {
		return nil
	}
	return due.UnixNano()
}

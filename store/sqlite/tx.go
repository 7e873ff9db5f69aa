package sqlite

import (
	"context"
	"database/sql/driver"
	"fmt"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/internal/sqlkit"
)

// tx is the store.Tx of one database transaction, on the connection c.
type tx struct {
	s        *Store
	c        *conn
	readOnly bool
	// known are the stored versions and keys of the records this write
	// transaction has read or written: it holds the write lock, so they
	// stay true, and Update needs not read them again.
	known map[recordRef]storedKeys
	// deleted are the records this transaction deleted, for the keyCache.
	deleted []recordRef

	head      audit.Head // the trail head after this transaction's appends
	headState int        // headUnknown, headGuessed or headConfirmed
	appended  bool       // whether the transaction appended to the trail
	// err poisons the transaction: a write failed part way (an Append of
	// several entries), so committing would store half of it.
	err error
}

var _ store.Tx = (*tx)(nil)

// exec runs the fixed statement id and returns the number of rows it changed.
func (t *tx) exec(ctx context.Context, id stmtID, args ...any) (int64, error) {
	st, err := t.c.stmt(ctx, id)
	if err != nil {
		return 0, err
	}
	return t.c.exec(ctx, st, args...)
}

// queryRow runs the fixed statement id and reads its first row into dest;
// it reports false when there is none.
func (t *tx) queryRow(ctx context.Context, id stmtID, dest []driver.Value, args ...any) (bool, error) {
	st, err := t.c.stmt(ctx, id)
	if err != nil {
		return false, err
	}
	return t.c.queryRow(ctx, st, dest, args...)
}

// recordRef identifies a record.
type recordRef struct{ kind, id string }

// storedKeys are a record's stored version and key column values.
type storedKeys struct {
	version int64
	keys    [len(sqlkit.KeyColumns)]any
}

// remember notes a record's stored version and keys in a write transaction.
func (t *tx) remember(kind, id string, version int64, keys [len(sqlkit.KeyColumns)]any) {
	if t.readOnly {
		return
	}
	if t.known == nil {
		if t.c.known == nil {
			t.c.known = make(map[recordRef]storedKeys)
		}
		t.known = t.c.known // emptied when the transaction ends
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
	var row [numRecordColumns]driver.Value
	found, err := t.queryRow(ctx, stGet, row[:], c.Kind(), id)
	if err != nil {
		return store.Doc{}, t.s.fail(ctx, err)
	}
	if !found {
		return store.Doc{}, &iso20000.NotFoundError{Kind: c.Kind(), ID: id}
	}
	d, err := decodeDoc(row[:], c)
	if err != nil {
		return store.Doc{}, err
	}
	t.remember(c.Kind(), id, d.Version, sqlkit.KeyArgs(d.Keys))
	return d, nil
}

// Insert implements [store.Tx].
func (t *tx) Insert(ctx context.Context, c store.Codec, d store.Doc) (int64, error) {
	data, err := sqlkit.InsertData(t.writable(), c, d)
	if err != nil {
		return 0, err
	}
	k := sqlkit.KeyArgs(d.Keys)
	n, err := t.exec(ctx, stInsert, c.Kind(), d.ID, k[0], k[1], k[2], k[3], k[4], k[5], k[6], data)
	switch {
	case err != nil:
		return 0, t.s.fail(ctx, err)
	case n == 0:
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
	n, err := t.exec(ctx, stDelete, c.Kind(), id, version)
	if err := t.checkVersioned(ctx, c, id, version, n, err); err != nil {
		return err
	}
	ref := recordRef{c.Kind(), id}
	delete(t.known, ref)
	t.deleted = append(t.deleted, ref)
	return nil
}

// checkVersioned checks the outcome of a write guarded by version, which
// changed n rows: when none, the record is missing (ErrNotFound) or has
// another version (ErrConflict).
func (t *tx) checkVersioned(ctx context.Context, c store.Codec, id string, version, n int64, err error) error {
	if err != nil {
		return t.s.fail(ctx, err)
	}
	if n == 1 {
		return nil
	}
	var row [1]driver.Value
	found, err := t.queryRow(ctx, stVersion, row[:], c.Kind(), id)
	switch {
	case err != nil:
		return t.s.fail(ctx, err)
	case !found:
		return &iso20000.NotFoundError{Kind: c.Kind(), ID: id}
	}
	actual, _ := row[0].(int64)
	return &iso20000.ConflictError{Kind: c.Kind(), ID: id, Expected: version, Actual: actual}
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
	var row [1]driver.Value
	if _, err := t.queryRow(ctx, stNextNumber, row[:], name); err != nil {
		return 0, t.s.fail(ctx, err)
	}
	n, ok := row[0].(int64)
	if !ok {
		return 0, fmt.Errorf("sqlite: counter %q: got %T", name, row[0])
	}
	return n, nil
}

// numRecordColumns is the number of sqlkit.RecordColumns.
const numRecordColumns = 10

// decodeDoc decodes a row of sqlkit.RecordColumns.
func decodeDoc(values []driver.Value, c store.Codec) (store.Doc, error) {
	r := newRow(values)
	d := store.Doc{ID: r.text(0), Version: r.integer(1)}
	k := &d.Keys
	k.Status, k.Owner, k.Group, k.Service = r.text(2), r.text(3), r.text(4), r.text(5)
	k.Priority = int(r.integer(6))
	k.Created = sqlkit.FromNanos(r.integer(7))
	if due, ok := r.nullInteger(8); ok {
		k.Due = sqlkit.FromNanos(due)
	}
	data := r.text(9)
	if err := r.err(fmt.Sprintf("%s record %q", c.Kind(), d.ID)); err != nil {
		return d, err
	}
	v, err := c.Unmarshal([]byte(data))
	if err != nil {
		return d, err
	}
	d.Value = v
	return d, nil
}

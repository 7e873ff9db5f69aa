package sqlite

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strings"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/internal/sqlkit"
)

// keyMask has bit i set when sqlkit.KeyColumns[i] changes.
type keyMask uint8

// updateSQL returns the UPDATE that sets the version, the data and the key
// columns in m, guarded by the version. Its arguments are the data, the new
// values of the columns in m, then kind, id and the expected version.
//
// Setting only the key columns that change matters: SQLite rewrites an
// index entry, and so writes its page to the WAL at commit, for every index
// on a column named in SET, changed or not.
func updateSQL(m keyMask) string {
	var b strings.Builder
	b.WriteString("UPDATE records SET version = version + 1, data = ?")
	for i, col := range sqlkit.KeyColumns {
		if m&(1<<i) != 0 {
			b.WriteString(", " + col + " = ?")
		}
	}
	b.WriteString(" WHERE kind = ? AND id = ? AND version = ?")
	return b.String()
}

// Update implements [store.Tx]. It reads the stored version and keys (unless
// the transaction read or wrote the record before), refuses a missing record
// or a stale version, and updates the data and the key columns that change,
// with the statement for those columns (prepared once per connection).
func (t *tx) Update(ctx context.Context, c store.Codec, d store.Doc) (int64, error) {
	if err := t.writable(); err != nil {
		return 0, err
	}
	kind := c.Kind()
	cur, err := t.storedKeys(ctx, kind, d.ID)
	switch {
	case err != nil:
		return 0, err
	case cur.version != d.Version:
		return 0, &iso20000.ConflictError{Kind: kind, ID: d.ID, Expected: d.Version, Actual: cur.version}
	}
	data, err := c.Marshal(d.Value)
	if err != nil {
		return 0, err
	}
	args := make([]any, 0, 4+len(sqlkit.KeyColumns))
	args = append(args, string(data))
	var m keyMask
	keys := sqlkit.KeyArgs(d.Keys)
	for i, v := range keys {
		if v != cur.keys[i] {
			m |= 1 << i
			args = append(args, v)
		}
	}
	args = append(args, kind, d.ID, d.Version)
	st, err := t.c.stmtSQL(ctx, updateSQL(m))
	if err != nil {
		return 0, t.s.fail(ctx, err)
	}
	n, err := t.c.exec(ctx, st, args...)
	if err := t.checkVersioned(ctx, c, d.ID, d.Version, n, err); err != nil {
		return 0, err
	}
	t.remember(kind, d.ID, d.Version+1, keys)
	return d.Version + 1, nil
}

// storedKeys returns the stored version and keys of a record, from what the
// transaction knows or else from the database; a missing record gives an
// iso20000.NotFoundError.
func (t *tx) storedKeys(ctx context.Context, kind, id string) (storedKeys, error) {
	if k, ok := t.known[recordRef{kind, id}]; ok {
		return k, nil
	}
	var values [1 + len(sqlkit.KeyColumns)]driver.Value
	found, err := t.queryRow(ctx, stKeys, values[:], kind, id)
	switch {
	case err != nil:
		return storedKeys{}, t.s.fail(ctx, err)
	case !found:
		return storedKeys{}, &iso20000.NotFoundError{Kind: kind, ID: id}
	}
	r := newRow(values[:])
	k := storedKeys{version: r.integer(0)}
	for i, v := range values[1:] {
		k.keys[i] = v // the driver's types, as sqlkit.KeyArgs makes them
	}
	if err := r.err(fmt.Sprintf("%s record %q", kind, id)); err != nil {
		return k, err
	}
	t.remember(kind, id, k.version, k.keys)
	return k, nil
}

package sqlite

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strings"
	"sync"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/internal/sqlkit"
)

// keyMask has bit i set when sqlkit.KeyColumns[i] changes.
type keyMask uint8

// numKeyMasks is the number of combinations of changed key columns.
const numKeyMasks = 1 << len(sqlkit.KeyColumns)

// updateSQL is the UPDATE of each keyMask m: it sets the version, the data
// and the key columns in m, guarded by the version and by the stored values
// of the other key columns. Its arguments are the data, the new values of the
// columns in m, kind, id and the expected version, then the values of the
// other key columns (unchanged, so new and stored alike).
//
// Setting only the key columns that change matters: SQLite rewrites an
// index entry, and so writes its page to the WAL at commit, for every index
// on a column named in SET, changed or not. The guard on the other columns
// makes the UPDATE correct whatever the store believed their stored values
// to be: when they differ, it changes no row (see [tx.Update]).
var updateSQL = func() (q [numKeyMasks]string) {
	for m := range q {
		var set, where strings.Builder
		set.WriteString("UPDATE records SET version = version + 1, data = ?")
		for i, col := range sqlkit.KeyColumns {
			if m&(1<<i) != 0 {
				set.WriteString(", " + col + " = ?")
			} else {
				where.WriteString(" AND " + col + " IS ?")
			}
		}
		q[m] = set.String() + " WHERE kind = ? AND id = ? AND version = ?" + where.String()
	}
	return q
}()

// Update implements [store.Tx]. It needs the stored version and keys of the
// record, to refuse a stale version and to set only the key columns that
// change: the transaction knows them when it read or wrote the record
// before; otherwise it takes them from the store's keyCache, as a guess that
// the UPDATE's guard checks, and else reads them.
func (t *tx) Update(ctx context.Context, c store.Codec, d store.Doc) (int64, error) {
	if err := t.writable(); err != nil {
		return 0, err
	}
	kind := c.Kind()
	ref := recordRef{kind, d.ID}
	cur, sure := t.known[ref]
	if !sure {
		var guessed bool
		if cur, guessed = t.s.keys.get(ref); !guessed || cur.version != d.Version {
			k, err := t.readKeys(ctx, kind, d.ID)
			if err != nil {
				return 0, err
			}
			cur, sure = k, true
		}
	}
	if sure && cur.version != d.Version {
		return 0, &iso20000.ConflictError{Kind: kind, ID: d.ID, Expected: d.Version, Actual: cur.version}
	}
	data, err := c.Marshal(d.Value)
	if err != nil {
		return 0, err
	}
	keys := sqlkit.KeyArgs(d.Keys)
	n, err := t.updateRow(ctx, ref, d.Version, string(data), cur.keys, keys)
	if err == nil && n == 0 && !sure { // the guess was wrong: read, and try again
		if cur, err = t.readKeys(ctx, kind, d.ID); err != nil {
			return 0, err
		}
		if cur.version != d.Version {
			return 0, &iso20000.ConflictError{Kind: kind, ID: d.ID, Expected: d.Version, Actual: cur.version}
		}
		n, err = t.updateRow(ctx, ref, d.Version, string(data), cur.keys, keys)
	}
	if err := t.checkVersioned(ctx, c, d.ID, d.Version, n, err); err != nil {
		return 0, err
	}
	t.remember(kind, d.ID, d.Version+1, keys)
	return d.Version + 1, nil
}

// updateRow runs the UPDATE of a record whose key columns hold stored and
// become keys, and returns the number of rows it changed.
func (t *tx) updateRow(ctx context.Context, ref recordRef, version int64, data string, stored, keys [len(sqlkit.KeyColumns)]any) (int64, error) {
	args := append(t.c.values[:0], data)
	var m keyMask
	for i, v := range keys {
		if v != stored[i] {
			m |= 1 << i
			args = append(args, v)
		}
	}
	args = append(args, ref.kind, ref.id, version)
	for i, v := range keys {
		if m&(1<<i) == 0 {
			args = append(args, v)
		}
	}
	t.c.values = args
	st, err := t.c.updateStmt(ctx, m)
	if err != nil {
		return 0, err
	}
	return t.c.exec(ctx, st, args...)
}

// readKeys reads the stored version and keys of a record from the database;
// a missing record gives an iso20000.NotFoundError.
func (t *tx) readKeys(ctx context.Context, kind, id string) (storedKeys, error) {
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

// maxCachedKeys bounds the records whose keys a keyCache holds.
const maxCachedKeys = 4096

// keyCache holds the stored version and keys of the records that committed
// write transactions read or wrote, so that an Update of a record the
// transaction has not read needs no SELECT before its UPDATE: the keys are
// a guess, which the UPDATE checks (see updateSQL), so a stale entry (the
// record changed by another process, or deleted) costs a read and a second
// UPDATE, never a wrong row. The cache is set only after a commit.
type keyCache struct {
	mu   sync.Mutex
	keys map[recordRef]storedKeys
}

func (c *keyCache) get(ref recordRef) (storedKeys, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k, ok := c.keys[ref]
	return k, ok
}

// commit records what a committed transaction knew and forgets the records
// it deleted. When the cache is full, new records replace arbitrary ones.
func (c *keyCache) commit(known map[recordRef]storedKeys, deleted []recordRef) {
	if len(known) == 0 && len(deleted) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ref := range deleted {
		delete(c.keys, ref)
	}
	if c.keys == nil {
		c.keys = make(map[recordRef]storedKeys)
	}
	for ref, k := range known {
		if _, ok := c.keys[ref]; !ok && len(c.keys) >= maxCachedKeys {
			for old := range c.keys {
				delete(c.keys, old)
				break
			}
		}
		c.keys[ref] = k
	}
}

package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/internal/sqlkit"
)

// tx is the store.Tx of one PostgreSQL transaction on one pooled connection.
// The transaction begins with the first statement (BEGIN is pipelined with
// it) and ends in commit or rollback.
type tx struct {
	s        *Store
	conn     *pgxpool.Conn
	readOnly bool
	begun    bool // BEGIN was sent
	wrote    bool // a write was sent: the commit must be made durable

	// The audit chain: locked is set once the chain lock is taken and the
	// head read by this transaction; head is the head after this
	// transaction's appends, and pending the sealed entries it inserts when
	// it commits. deferred are the entries AppendAtCommit queued while the
	// lock was not taken: the commit seals and inserts them after pending.
	locked   bool
	head     audit.Head
	pending  []auditRow
	deferred []auditRow
}

var (
	_ store.Tx               = (*tx)(nil)
	_ store.AtCommitAppender = (*tx)(nil)
)

// send runs the statements that queue adds to a batch, in one round trip,
// preceded by BEGIN (and, in a read-write unit, the asynchronous commit
// setting) when the transaction has not begun, and hands the results to read,
// which reads those of queue's statements in order. Database errors are
// mapped with Store.fail; pgx.ErrNoRows is returned as it is.
func (t *tx) send(ctx context.Context, queue func(b *pgx.Batch), read func(br pgx.BatchResults) error) error {
	b := &pgx.Batch{}
	first := !t.begun
	begins := 0
	if first {
		b.Queue(beginSQL(t.readOnly))
		if !t.readOnly && !t.s.syncCommit {
			// Set here rather than with COMMIT, to keep the commit
			// pipeline (run while holding the chain head) short.
			b.Queue(asyncCommit)
		}
		begins = b.Len()
		t.begun = true
	}
	queue(b)
	br := t.conn.SendBatch(ctx, b)
	var err error
	for range begins {
		if err == nil {
			_, err = br.Exec()
		}
	}
	if err == nil {
		err = read(br)
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return t.s.fail(ctx, err)
	}
	return err
}

func beginSQL(readOnly bool) string {
	if readOnly {
		return beginRead
	}
	return beginWrite
}

// queryRow runs one statement and scans its single row into dest; no row
// gives pgx.ErrNoRows.
func (t *tx) queryRow(ctx context.Context, sql string, args []any, dest ...any) error {
	return t.send(ctx, func(b *pgx.Batch) { b.Queue(sql, args...) },
		func(br pgx.BatchResults) error { return br.QueryRow().Scan(dest...) })
}

// exec runs one statement and returns its command tag.
func (t *tx) exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	var tag pgconn.CommandTag
	err := t.send(ctx, func(b *pgx.Batch) { b.Queue(sql, args...) },
		func(br pgx.BatchResults) (err error) { tag, err = br.Exec(); return err })
	return tag, err
}

// writable returns ErrReadOnly in a View and marks the transaction as one
// that writes.
func (t *tx) writable() error {
	if t.readOnly {
		return store.ErrReadOnly
	}
	t.wrote = true
	return nil
}

// Get implements [store.Tx].
func (t *tx) Get(ctx context.Context, c store.Codec, id string) (store.Doc, error) {
	var row docRow
	err := t.queryRow(ctx, t.s.sql.get, []any{c.Kind(), id}, row.dest()...)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Doc{}, &iso20000.NotFoundError{Kind: c.Kind(), ID: id}
	}
	if err != nil {
		return store.Doc{}, err
	}
	return row.doc(c)
}

// Insert implements [store.Tx]. A duplicate ID is detected by ON CONFLICT DO
// NOTHING, so it does not abort the transaction.
func (t *tx) Insert(ctx context.Context, c store.Codec, d store.Doc) (int64, error) {
	data, err := sqlkit.InsertData(t.writable(), c, d)
	if err != nil {
		return 0, err
	}
	k := sqlkit.KeyArgs(d.Keys)
	tag, err := t.exec(ctx, t.s.sql.insert, c.Kind(), d.ID, k[0], k[1], k[2], k[3], k[4], k[5], k[6], data)
	if err != nil {
		return 0, err
	}
	if tag.RowsAffected() == 0 {
		return 0, &iso20000.ConflictError{Kind: c.Kind(), ID: d.ID}
	}
	return 1, nil
}

// Update implements [store.Tx]. The UPDATE is guarded by the version: at
// READ COMMITTED, a concurrent writer's row lock makes it wait and then
// re-check the guard against the committed row, so one of two writers of the
// same version wins and the other gets ErrConflict.
func (t *tx) Update(ctx context.Context, c store.Codec, d store.Doc) (int64, error) {
	if err := t.writable(); err != nil {
		return 0, err
	}
	data, err := c.Marshal(d.Value)
	if err != nil {
		return 0, err
	}
	k := sqlkit.KeyArgs(d.Keys)
	tag, err := t.exec(ctx, t.s.sql.update, c.Kind(), d.ID, k[0], k[1], k[2], k[3], k[4], k[5], k[6],
		string(data), d.Version)
	if err := t.checkVersioned(ctx, c, d.ID, d.Version, tag, err); err != nil {
		return 0, err
	}
	return d.Version + 1, nil
}

// Delete implements [store.Tx].
func (t *tx) Delete(ctx context.Context, c store.Codec, id string, version int64) error {
	if err := t.writable(); err != nil {
		return err
	}
	tag, err := t.exec(ctx, t.s.sql.delete, c.Kind(), id, version)
	return t.checkVersioned(ctx, c, id, version, tag, err)
}

// checkVersioned checks the result of a write guarded by version: when it
// changed no row, the record is missing (ErrNotFound) or has another version
// (ErrConflict).
func (t *tx) checkVersioned(ctx context.Context, c store.Codec, id string, version int64, tag pgconn.CommandTag, err error) error {
	if err != nil || tag.RowsAffected() == 1 {
		return err
	}
	var actual int64
	switch err := t.queryRow(ctx, t.s.sql.version, []any{c.Kind(), id}, &actual); {
	case err == nil:
		return &iso20000.ConflictError{Kind: c.Kind(), ID: id, Expected: version, Actual: actual}
	case errors.Is(err, pgx.ErrNoRows):
		return &iso20000.NotFoundError{Kind: c.Kind(), ID: id}
	default:
		return err
	}
}

// NextNumber implements [store.Tx]. The counter row stays locked until the
// transaction ends, so numbers are handed out in commit order, and a
// rollback gives the number out again.
func (t *tx) NextNumber(ctx context.Context, name string) (int64, error) {
	if err := t.writable(); err != nil {
		return 0, err
	}
	if name == "" {
		return 0, &iso20000.ValidationError{Field: "name", Reason: "must not be empty"}
	}
	var n int64
	err := t.queryRow(ctx, t.s.sql.nextNumber, []any{name}, &n)
	return n, err
}

// commit commits the transaction in one round trip: it inserts the sealed
// audit entries (large batches by COPY, in a round trip before) and moves the
// chain head, or takes the chain lock and seals and inserts the deferred
// entries with one statement each, then commits asynchronously (the locks are
// released at once) and waits for the WAL flush in a second, tiny
// transaction in the same pipeline. See the package doc.
func (t *tx) commit(ctx context.Context) error {
	if !t.begun && len(t.deferred) == 0 {
		return nil
	}
	copied := len(t.pending) >= copyThreshold
	if copied {
		if _, err := t.conn.CopyFrom(ctx, t.s.auditTable, sqlkit.AuditColumnList, auditRows(t.pending)); err != nil {
			return t.s.fail(ctx, err)
		}
	}
	waits := t.wrote && !t.s.syncCommit // the durable transaction follows COMMIT
	n := 0                              // statements queued below, COMMIT included
	return t.send(ctx, func(b *pgx.Batch) {
		start := b.Len()
		if len(t.pending) > 0 {
			if !copied {
				if len(t.pending) == 1 {
					b.Queue(t.s.sql.insertEntry, entryArgs(&t.pending[0])...)
				} else {
					b.Queue(t.s.sql.insertAudit, auditArgs(t.pending)...)
				}
			}
			b.Queue(t.s.sql.setHead, int64(t.head.Seq), t.head.Hash[:])
		}
		if len(t.deferred) > 0 {
			if !t.locked {
				b.Queue(t.s.sql.chainLock, t.s.chainKey)
			}
			for i := range t.deferred {
				b.Queue(t.s.sql.appendEntry, deferredArgs(&t.deferred[i])...)
			}
		}
		b.Queue(commit)
		n = b.Len() - start
		if waits {
			b.Queue(durable)
		}
	}, func(br pgx.BatchResults) error {
		for range n {
			if _, err := br.Exec(); err != nil {
				return headMissing(err)
			}
		}
		t.begun = false
		if waits {
			var lsn int64
			if err := br.QueryRow().Scan(&lsn); err != nil {
				return fmt.Errorf("committed, but the wait for durability failed: %w", err)
			}
			if t.s.onDurable != nil {
				t.s.onDurable(lsn)
			}
		}
		return nil
	})
}

// headMissing returns errNoHead for the error of appendEntry when the head
// row is missing (the statement then inserts a NULL sequence number, which
// aborts the transaction), and err otherwise.
func headMissing(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23502" && pe.TableName == "audit" && pe.ColumnName == "seq" {
		return errNoHead
	}
	return err
}

// rollback ends a transaction that did not commit. It does not use the
// caller's context, which may be what ended the unit of work. A connection
// that cannot roll back is closed (and the pool drops it), which ends the
// transaction on the server as well.
func (t *tx) rollback() {
	c := t.conn.Conn()
	if !t.begun || c.IsClosed() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), rollbackTimeout)
	defer cancel()
	if _, err := c.Exec(ctx, "ROLLBACK"); err != nil {
		_ = c.Close(ctx)
	}
}

// docRow is a row of sqlkit.RecordColumns.
type docRow struct {
	id       string
	version  int64
	k        store.Keys
	created  int64
	due      *int64
	data     []byte
	priority int32
}

func (r *docRow) dest() []any {
	return []any{&r.id, &r.version, &r.k.Status, &r.k.Owner, &r.k.Group, &r.k.Service, &r.priority,
		&r.created, &r.due, &r.data}
}

// doc decodes the row into a Doc of codec c.
func (r *docRow) doc(c store.Codec) (store.Doc, error) {
	v, err := c.Unmarshal(r.data)
	if err != nil {
		return store.Doc{}, err
	}
	k := r.k
	k.Priority = int(r.priority)
	k.Created = sqlkit.FromNanos(r.created)
	if r.due != nil {
		k.Due = sqlkit.FromNanos(*r.due)
	}
	return store.Doc{ID: r.id, Version: r.version, Keys: k, Value: v}, nil
}

package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"math"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/internal/sqlkit"
)

// Trail is the [audit.Trail] of a [Store]: the audit table of its schema,
// chained through the audit_head row. It is safe for concurrent use, and the
// appends of every Trail and Tx on the same schema, in any process, form one
// gap-free chain.
type Trail struct {
	s *Store
}

var _ audit.Trail = (*Trail)(nil)

// errNoHead reports that the audit_head row, which the schema creates and
// nothing deletes, is missing: someone damaged the schema.
var errNoHead = errors.New("postgres: the audit chain head row is missing")

// entriesPage is how many entries [Trail.Entries] reads per query. The
// iterator holds no connection while it yields.
const entriesPage = 1000

// Head implements [audit.Trail]. It reads the committed head row without
// waiting for appends in progress.
func (tr *Trail) Head(ctx context.Context) (audit.Head, error) {
	s := tr.s
	if s.closed.Load() {
		return audit.Head{}, store.ErrClosed
	}
	var (
		seq  int64
		hash []byte
	)
	switch err := s.pool.QueryRow(ctx, s.sql.readHead).Scan(&seq, &hash); {
	case errors.Is(err, pgx.ErrNoRows):
		return audit.Head{}, errNoHead
	case err != nil:
		return audit.Head{}, s.fail(ctx, err)
	}
	h := audit.Head{Seq: uint64(seq)}
	copy(h.Hash[:], hash)
	return h, nil
}

// Entries implements [audit.Trail]. It reads the committed entries a page at
// a time, in sequence order.
func (tr *Trail) Entries(ctx context.Context, from, to uint64) iter.Seq2[audit.Entry, error] {
	s := tr.s
	return func(yield func(audit.Entry, error) bool) {
		if s.closed.Load() {
			yield(audit.Entry{}, store.ErrClosed)
			return
		}
		if from > math.MaxInt64 {
			return
		}
		next, last := int64(max(from, 1)), int64(math.MaxInt64)
		if to != 0 && to < math.MaxInt64 {
			last = int64(to)
		}
		for next <= last {
			page, err := tr.page(ctx, next, last)
			if err != nil {
				yield(audit.Entry{}, s.fail(ctx, err))
				return
			}
			for _, e := range page {
				if !yield(e, nil) {
					return
				}
			}
			if len(page) < entriesPage {
				return
			}
			next = int64(page[len(page)-1].Seq) + 1
		}
	}
}

// page reads up to entriesPage entries with from <= Seq <= to.
func (tr *Trail) page(ctx context.Context, from, to int64) ([]audit.Entry, error) {
	rows, err := tr.s.pool.Query(ctx, tr.s.sql.entries, from, to, entriesPage)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []audit.Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Append implements [audit.Trail]: it runs [store.Tx.Append] in a unit of
// work of its own, so a batch is stored in one transaction, all or nothing.
// Bulk imports should append in batches (of about a thousand entries): the
// chain head is locked once per batch and the entries are inserted with one
// statement.
func (tr *Trail) Append(ctx context.Context, entries ...audit.Entry) ([]audit.Entry, error) {
	if len(entries) == 0 {
		if tr.s.closed.Load() {
			return nil, store.ErrClosed
		}
		return nil, ctx.Err()
	}
	return sqlkit.AppendUnit(ctx, tr.s, entries)
}

// Append implements [store.Tx]. The first Append of a transaction takes the
// chain lock (a transaction-level advisory lock), which it keeps until the
// transaction ends, and reads the head; every Append seals its entries in Go
// after the head, and the transaction inserts them when it commits. Entries
// queued before by AppendAtCommit are sealed first, so that the chain
// keeps the order of the calls. Invalid entries store none of the call's.
func (t *tx) Append(ctx context.Context, entries ...audit.Entry) ([]audit.Entry, error) {
	if t.readOnly {
		return nil, store.ErrReadOnly
	}
	if len(entries) == 0 {
		return nil, nil
	}
	// Validate and encode before taking the lock, to keep the time it is
	// held short.
	rows, err := newAuditRows(entries)
	if err != nil {
		return nil, err
	}
	t.wrote = true
	if err := t.lockHead(ctx); err != nil {
		return nil, err
	}
	return t.seal(rows, true)
}

// AppendAtCommit implements [store.AtCommitAppender]. It validates and
// encodes the entries at once (an invalid entry queues none of the call's),
// assigns the IDs that are zero and queues the entries; the commit seals and
// inserts them in its own round trip, with the hashes computed by the server
// (see the package doc), so that the chain lock is held for the commit's
// execution only. When the transaction already holds the chain lock (an
// Append came before), it seals them in Go at once, as Append does: either
// way the chain keeps the order of the calls.
func (t *tx) AppendAtCommit(ctx context.Context, entries ...audit.Entry) error {
	if t.readOnly {
		return store.ErrReadOnly
	}
	if len(entries) == 0 {
		return nil
	}
	rows, err := newAuditRows(entries)
	if err != nil {
		return err
	}
	t.wrote = true
	if t.locked {
		_, err := t.seal(rows, false)
		return err
	}
	for i := range rows {
		e := &rows[i].e
		if e.ID == uuid.Nil {
			e.ID = uuid.New() // a version 4 UUID, as audit.Seal assigns
		}
		e.Time = e.Time.UTC()
		rows[i].body = e.AppendBody(nil)
	}
	t.deferred = append(t.deferred, rows...)
	return nil
}

// lockHead takes the chain lock and reads the head, unless the transaction
// holds them already, and then seals the entries that AppendAtCommit queued
// before.
func (t *tx) lockHead(ctx context.Context) error {
	if t.locked {
		return nil
	}
	var (
		seq  int64
		hash []byte
	)
	// The advisory lock first, then the head row read with a snapshot taken
	// after the lock was granted (a statement of its own at READ
	// COMMITTED): it shows the head the previous holder committed.
	err := t.send(ctx, func(b *pgx.Batch) {
		b.Queue(t.s.sql.chainLock, t.s.chainKey)
		b.Queue(t.s.sql.readHead)
	}, func(br pgx.BatchResults) error {
		if _, err := br.Exec(); err != nil {
			return err
		}
		return br.QueryRow().Scan(&seq, &hash)
	})
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return errNoHead
	case err != nil:
		return err
	}
	t.head = audit.Head{Seq: uint64(seq)}
	copy(t.head.Hash[:], hash)
	t.locked = true
	deferred := t.deferred
	t.deferred = nil
	_, err = t.seal(deferred, false)
	return err
}

// seal seals rows in Go after the head, which the transaction holds, and
// queues them for the commit; it returns copies of the sealed entries when
// out is set.
func (t *tx) seal(rows []auditRow, out bool) ([]audit.Entry, error) {
	h := t.head
	var sealed []audit.Entry
	if out {
		sealed = make([]audit.Entry, len(rows))
	}
	for i := range rows {
		var err error
		if h, err = audit.Seal(h, &rows[i].e); err != nil {
			return nil, err
		}
		rows[i].body = nil
		if out {
			sealed[i] = rows[i].e.Clone()
		}
	}
	t.head = h
	t.pending = append(t.pending, rows...)
	return sealed, nil
}

// auditRow is an entry with its JSON columns encoded.
type auditRow struct {
	e             audit.Entry
	changes, data []byte // nil when the entry has none
	// body is the entry's audit.Entry.AppendBody, set while it waits, not
	// sealed, for the commit (see tx.AppendAtCommit).
	body []byte
}

// newAuditRows validates entries and returns copies of them with their JSON
// columns encoded.
func newAuditRows(entries []audit.Entry) ([]auditRow, error) {
	rows := make([]auditRow, len(entries))
	for i := range entries {
		if err := entries[i].Validate(); err != nil {
			return nil, err
		}
		r, err := newAuditRow(entries[i].Clone())
		if err != nil {
			return nil, err
		}
		rows[i] = r
	}
	return rows, nil
}

func newAuditRow(e audit.Entry) (auditRow, error) {
	r := auditRow{e: e}
	var err error
	if len(e.Changes) > 0 {
		if r.changes, err = json.Marshal(e.Changes); err != nil {
			return r, err
		}
	}
	if len(e.Data) > 0 {
		if r.data, err = json.Marshal(e.Data); err != nil {
			return r, err
		}
	}
	return r, nil
}

// auditArgs returns the column arrays of insertAudit. UUIDs and JSON go as
// text, which every query execution mode of pgx can send.
func auditArgs(rows []auditRow) []any {
	n := len(rows)
	var (
		seq, tm                               = make([]int64, n), make([]int64, n)
		actor, action, kind, entity, from, to = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		ids                                   = make([]string, n)
		changes, data                         = make([]*string, n), make([]*string, n)
		prev, hash                            = make([][]byte, n), make([][]byte, n)
	)
	for i := range rows {
		e := &rows[i].e
		seq[i], ids[i], tm[i] = int64(e.Seq), e.ID.String(), e.Time.UnixNano()
		actor[i], action[i], kind[i], entity[i], from[i], to[i] = e.Actor, e.Action, e.Kind, e.EntityID, e.From, e.To
		changes[i], data[i] = jsonText(rows[i].changes), jsonText(rows[i].data)
		prev[i], hash[i] = e.PrevHash[:], e.Hash[:]
	}
	return []any{seq, ids, tm, actor, action, kind, entity, from, to, changes, data, prev, hash}
}

// entryArgs returns the arguments of insertEntry.
func entryArgs(r *auditRow) []any {
	e := &r.e
	return []any{int64(e.Seq), e.ID.String(), e.Time.UnixNano(), e.Actor, e.Action, e.Kind, e.EntityID,
		e.From, e.To, jsonText(r.changes), jsonText(r.data), e.PrevHash[:], e.Hash[:]}
}

// deferredArgs returns the arguments of appendEntry for a row that
// AppendAtCommit queued: the body the server hashes, then the columns that
// do not depend on the head.
func deferredArgs(r *auditRow) []any {
	e := &r.e
	return []any{r.body, e.ID.String(), e.Time.UnixNano(), e.Actor, e.Action, e.Kind, e.EntityID,
		e.From, e.To, jsonText(r.changes), jsonText(r.data)}
}

// jsonText returns JSON as text, nil (SQL NULL) for none.
func jsonText(b []byte) *string {
	if b == nil {
		return nil
	}
	s := string(b)
	return &s
}

// copyThreshold is the number of entries from which a transaction inserts
// its entries with COPY rather than with one INSERT of arrays: COPY costs a
// round trip of its own but encodes and loads large batches faster.
var copyThreshold = 100

// auditRows returns rows as a CopyFromSource of sqlkit.AuditColumnList.
func auditRows(rows []auditRow) pgx.CopyFromSource {
	return pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
		r := &rows[i]
		e := &r.e
		return []any{int64(e.Seq), [16]byte(e.ID), e.Time.UnixNano(), e.Actor, e.Action, e.Kind, e.EntityID,
			e.From, e.To, r.changes, r.data, e.PrevHash[:], e.Hash[:]}, nil
	})
}

// scanEntry decodes a row of sqlkit.AuditColumns.
func scanEntry(row pgx.Row) (audit.Entry, error) {
	var (
		e              audit.Entry
		seq, nanos     int64
		changes, data  []byte
		prevHash, hash []byte
		id             [16]byte
	)
	if err := row.Scan(&seq, &id, &nanos, &e.Actor, &e.Action, &e.Kind, &e.EntityID, &e.From, &e.To,
		&changes, &data, &prevHash, &hash); err != nil {
		return e, err
	}
	e.Seq, e.ID, e.Time = uint64(seq), uuid.UUID(id), sqlkit.FromNanos(nanos)
	copy(e.PrevHash[:], prevHash)
	copy(e.Hash[:], hash)
	if changes != nil {
		if err := json.Unmarshal(changes, &e.Changes); err != nil {
			return e, fmt.Errorf("audit entry %d: changes: %w", seq, err)
		}
	}
	if data != nil {
		if err := json.Unmarshal(data, &e.Data); err != nil {
			return e, fmt.Errorf("audit entry %d: data: %w", seq, err)
		}
	}
	return e, nil
}

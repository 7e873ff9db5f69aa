package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/internal/testutil"
)

// BackendPID returns the process ID of the PostgreSQL backend that runs the
// unit of work of t, so that a test can terminate it.
func BackendPID(t store.Tx) uint32 { return t.(*tx).conn.Conn().PgConn().PID() }

// Rewrite returns the audittest.Harness tampering function of s: it replaces
// the rows of the audit table and the head row with what fn returns,
// unsealed and unchecked, as someone with write access to the database could.
func Rewrite(s *Store) func(ctx context.Context, fn func([]audit.Entry) []audit.Entry) error {
	return func(ctx context.Context, fn func([]audit.Entry) []audit.Entry) error {
		tampered, err := testutil.Tampered(ctx, s.Trail(), fn)
		if err != nil {
			return err
		}
		rows := make([]auditRow, len(tampered))
		for i, e := range tampered {
			r, err := newAuditRow(e)
			if err != nil {
				return err
			}
			rows[i] = r
		}
		var h audit.Head
		if n := len(tampered); n > 0 {
			h = audit.Head{Seq: tampered[n-1].Seq, Hash: tampered[n-1].Hash}
		}
		return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, s.sql.deleteAudit); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, s.sql.insertAudit, auditArgs(rows)...); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, s.sql.setHead, int64(h.Seq), h.Hash[:])
			return err
		})
	}
}

// DefaultCopyThreshold is the batch size from which commits use COPY.
var DefaultCopyThreshold = copyThreshold

// SetCopyThreshold sets the batch size from which commits use COPY, and
// returns a function that restores it.
func SetCopyThreshold(n int) (restore func()) {
	old := copyThreshold
	copyThreshold = n
	return func() { copyThreshold = old }
}

// SetSyncCommit makes the units of work of s commit synchronously, holding
// the chain head through the WAL flush (the naive way), or not.
func SetSyncCommit(s *Store, on bool) { s.syncCommit = on }

// OnDurable sets a function that each commit of s calls with the WAL
// position (an LSN as a number) it waited to be flushed.
func OnDurable(s *Store, fn func(lsn int64)) { s.onDurable = fn }

// ListSQL returns the SELECT and arguments that Tx.List runs for q.
func ListSQL(s *Store, kind string, q store.Query) (string, []any, error) {
	q, cur, err := q.Normalize()
	if err != nil {
		return "", nil, err
	}
	sql, args := s.listQuery(kind, q, cur)
	return sql, args, nil
}

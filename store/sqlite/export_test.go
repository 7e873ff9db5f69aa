package sqlite

import (
	"context"

	"github.com/servicekit/iso20000/audit"
)

// ListSQL exposes listSQL to the tests of package sqlite_test.
var ListSQL = listSQL

// Rewrite returns the audittest.Harness tampering function of s: it replaces
// the rows of the audit table with what fn returns, unsealed and unchecked,
// as someone with write access to the file could.
func Rewrite(s *Store) func(ctx context.Context, fn func([]audit.Entry) []audit.Entry) error {
	return func(ctx context.Context, fn func([]audit.Entry) []audit.Entry) error {
		var stored []audit.Entry
		for e, err := range s.Trail().Entries(ctx, 0, 0) {
			if err != nil {
				return err
			}
			stored = append(stored, e)
		}
		tampered := fn(stored)
		tx, err := s.writer.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if _, err := tx.ExecContext(ctx, "DELETE FROM audit"); err != nil {
			return err
		}
		ins := tx.StmtContext(ctx, s.ws[stAppend])
		for i := range tampered {
			args, err := appendEntryArgs(nil, &tampered[i])
			if err == nil {
				_, err = ins.ExecContext(ctx, args...)
			}
			if err != nil {
				return err
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		s.head.reset() // the tamperer's rows are the head now
		return nil
	}
}

// WriterDSN is the data source name of the store's writer connection to the
// file at path with the default options, for baselines in benchmarks.
func WriterDSN(path string) string {
	return dsn(path, config{busyTimeout: DefaultBusyTimeout}, false)
}

package sqlite

import (
	"context"

	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/internal/testutil"
)

// ListSQL exposes listSQL to the tests of package sqlite_test.
var ListSQL = listSQL

// Rewrite returns the audittest.Harness tampering function of s: it replaces
// the rows of the audit table with what fn returns, unsealed and unchecked,
// as someone with write access to the file could.
func Rewrite(s *Store) func(ctx context.Context, fn func([]audit.Entry) []audit.Entry) error {
	return func(ctx context.Context, fn func([]audit.Entry) []audit.Entry) error {
		tampered, err := testutil.Tampered(ctx, s.Trail(), fn)
		if err != nil {
			return err
		}
		err = s.Update(ctx, func(ctx context.Context, stx store.Tx) error {
			t := stx.(*tx)
			del, err := t.c.stmtSQL(ctx, "DELETE FROM audit")
			if err != nil {
				return err
			}
			if _, err := t.c.exec(ctx, del); err != nil {
				return err
			}
			for i := range tampered {
				args, err := appendEntryArgs(nil, &tampered[i])
				if err == nil {
					_, err = t.exec(ctx, stAppend, args...)
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
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

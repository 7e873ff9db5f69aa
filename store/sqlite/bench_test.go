package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/sqlite"
)

// openRaw opens the baseline: plain database/sql on the same driver, file
// system and pragmas as the store's writer, with a table of similar rows.
func openRaw(b *testing.B) *sql.DB {
	b.Helper()
	db, err := sql.Open(sqlite.DriverName, sqlite.WriterDSN(filepath.Join(b.TempDir(), "raw.db")))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	if _, err := db.Exec("CREATE TABLE rows (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, data TEXT NOT NULL)"); err != nil {
		b.Fatal(err)
	}
	return db
}

// payload is about the size of a small record's JSON.
var payload = `{"id":"T-1","status":"open","owner":"alice","priority":2,"note":"` + strings.Repeat("x", 120) + `"}`

func perSecond(b *testing.B, n int, unit string) {
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), unit)
}

// BenchmarkUnitOfWork compares one write transaction per operation: a raw
// single-row insert, and a store Update that changes a record's status
// (versioned, so one index changes) and appends its audit entry.
func BenchmarkUnitOfWork(b *testing.B) {
	ctx := context.Background()
	b.Run("raw-insert-tx", func(b *testing.B) {
		db := openRaw(b)
		for b.Loop() {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO rows (kind, data) VALUES (?, ?)", "ticket", payload); err != nil {
				b.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
		}
		perSecond(b, b.N, "tx/s")
	})
	b.Run("store-update+audit", func(b *testing.B) {
		st, _ := open(b)
		tk := ticket{ID: "T-1", Status: "open", Owner: "alice", Priority: 2, Created: t0}
		update(b, st, func(ctx context.Context, tx store.Tx) error {
			_, err := tickets.Insert(ctx, tx, tk)
			return err
		})
		version := int64(1)
		e := entry("ticket.update")
		e.Changes = []audit.Change{{Field: "status", Old: "open", New: "in-progress"}}
		statuses := [2]string{"in-progress", "open"}
		for b.Loop() {
			tk.Status = statuses[version%2]
			err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
				v, err := tickets.Update(ctx, tx, tk, version)
				if err != nil {
					return err
				}
				version = v
				_, err = tx.Append(ctx, e)
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		perSecond(b, b.N, "tx/s")
	})
}

// BenchmarkBatch compares batches of 1,000 rows in one transaction: raw
// inserts with a prepared statement, and one Trail.Append of 1,000 entries
// (sealed, hashed and inserted).
func BenchmarkBatch(b *testing.B) {
	const batch = 1000
	ctx := context.Background()
	b.Run("raw-insert-1000", func(b *testing.B) {
		db := openRaw(b)
		for b.Loop() {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				b.Fatal(err)
			}
			ins, err := tx.PrepareContext(ctx, "INSERT INTO rows (kind, data) VALUES (?, ?)")
			if err != nil {
				b.Fatal(err)
			}
			for range batch {
				if _, err := ins.ExecContext(ctx, "ticket", payload); err != nil {
					b.Fatal(err)
				}
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
		}
		perSecond(b, b.N*batch, "rows/s")
	})
	b.Run("trail-append-1000", func(b *testing.B) {
		st, _ := open(b)
		entries := make([]audit.Entry, batch)
		for i := range entries {
			entries[i] = entry("ticket.update")
			entries[i].Changes = []audit.Change{{Field: "status", Old: "open", New: "in-progress"}}
		}
		for b.Loop() {
			if _, err := st.Trail().Append(ctx, entries...); err != nil {
				b.Fatal(err)
			}
		}
		perSecond(b, b.N*batch, "entries/s")
	})
}

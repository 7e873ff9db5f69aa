package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/sqlite"
)

// The benchmarks compare the store with a baseline of plain database/sql on
// the same driver, file system and pragmas (the store's writer DSN), in the
// same run. Each pair runs twice: as sub-benchmarks one after the other, and
// interleaved (one operation of each in turn, timed apart), which keeps the
// ratio honest on a machine whose load changes during the run.

// batch is the number of rows or entries per transaction of the batch benchmarks.
const batch = 1000

// payload is about the size of a small record's JSON.
var payload = `{"id":"T-1","status":"open","owner":"alice","priority":2,"note":"` + strings.Repeat("x", 120) + `"}`

// step is one timed operation of a benchmark.
type step func(b *testing.B)

// rawDB opens the baseline database with a table of plain rows.
func rawDB(b *testing.B) *sql.DB {
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

// rawTx runs fn in one transaction of db and commits it.
func rawTx(b *testing.B, db *sql.DB, fn func(ctx context.Context, tx *sql.Tx) error) {
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	if err := fn(ctx, tx); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

// rawInsertTx is the baseline unit of work: one transaction inserting one row.
func rawInsertTx(b *testing.B) step {
	db := rawDB(b)
	return func(b *testing.B) {
		rawTx(b, db, func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO rows (kind, data) VALUES (?, ?)", "ticket", payload)
			return err
		})
	}
}

// storeUpdateAudit is the store's unit of work: one Update that changes a
// record's status (versioned, so one index changes) and appends its audit entry.
func storeUpdateAudit(b *testing.B) step {
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
	return func(b *testing.B) {
		tk.Status = statuses[version%2]
		err := st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
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
}

// rawSameSQLTx is the baseline of the store's own work written by hand: in
// a database of the store's schema, one transaction that updates a record's
// status, data and version (guarded by the version) and inserts an audit row
// with a fixed hash, with prepared statements and without encoding, hashing
// or checking anything.
func rawSameSQLTx(b *testing.B) step {
	st, path := open(b)
	st.Close()
	db, err := sql.Open(sqlite.DriverName, sqlite.WriterDSN(path))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	if _, err := db.Exec("INSERT INTO records VALUES ('ticket', 'T-1', 1, 'open', 'alice', '', '', 2, 0, NULL, ?)", payload); err != nil {
		b.Fatal(err)
	}
	upd, err := db.Prepare("UPDATE records SET version = version + 1, status = ?, data = ? WHERE kind = ? AND id = ? AND version = ?")
	if err != nil {
		b.Fatal(err)
	}
	ins, err := db.Prepare("INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
	if err != nil {
		b.Fatal(err)
	}
	var hash [32]byte
	version := int64(1)
	statuses := [2]string{"in-progress", "open"}
	return func(b *testing.B) {
		rawTx(b, db, func(ctx context.Context, tx *sql.Tx) error {
			if _, err := tx.StmtContext(ctx, upd).ExecContext(ctx, statuses[version%2], payload, "ticket", "T-1", version); err != nil {
				return err
			}
			_, err := tx.StmtContext(ctx, ins).ExecContext(ctx, version, "5f0c6a8e-8a4b-4a57-9d3c-2f1f4c1f9e01", t0.UnixNano(),
				"alice", "ticket.update", "ticket", "T-1", "", "", `[{"field":"status"}]`, nil, hash[:], hash[:])
			version++
			return err
		})
	}
}

// rawInsertBatch is the baseline batch: one transaction inserting 1,000 rows
// with a prepared statement.
func rawInsertBatch(b *testing.B) step {
	db := rawDB(b)
	return func(b *testing.B) {
		rawTx(b, db, func(ctx context.Context, tx *sql.Tx) error {
			ins, err := tx.PrepareContext(ctx, "INSERT INTO rows (kind, data) VALUES (?, ?)")
			if err != nil {
				return err
			}
			for range batch {
				if _, err := ins.ExecContext(ctx, "ticket", payload); err != nil {
					return err
				}
			}
			return nil
		})
	}
}

// trailAppendBatch is the store's batch: one Trail.Append of 1,000 entries,
// each sealed (hashed) and inserted.
func trailAppendBatch(b *testing.B) step {
	st, _ := open(b)
	entries := make([]audit.Entry, batch)
	for i := range entries {
		entries[i] = entry("ticket.update")
		entries[i].Changes = []audit.Change{{Field: "status", Old: "open", New: "in-progress"}}
	}
	return func(b *testing.B) {
		if _, err := st.Trail().Append(context.Background(), entries...); err != nil {
			b.Fatal(err)
		}
	}
}

// bench is a named operation of a comparison.
type bench struct {
	name string
	make func(*testing.B) step
}

// compare runs each baseline and the store's operation as sub-benchmarks,
// then the operation interleaved with each baseline, reporting rates in unit
// per second (each operation being perOp units) and, interleaved, both rates
// and the ratio store/raw.
func compare(b *testing.B, unit string, perOp int, op bench, baselines ...bench) {
	rate := func(n int, d time.Duration) float64 { return float64(n*perOp) / d.Seconds() }
	for _, bb := range append(baselines, op) {
		b.Run(bb.name, func(b *testing.B) {
			s := bb.make(b)
			for b.Loop() {
				s(b)
			}
			b.ReportMetric(rate(b.N, b.Elapsed()), unit)
		})
	}
	for _, base := range baselines {
		b.Run("interleaved-"+base.name, func(b *testing.B) {
			sBase, sOp := base.make(b), op.make(b)
			var dBase, dOp time.Duration
			for b.Loop() {
				start := time.Now()
				sBase(b)
				mid := time.Now()
				sOp(b)
				dBase, dOp = dBase+mid.Sub(start), dOp+time.Since(mid)
			}
			b.ReportMetric(rate(b.N, dBase), "raw-"+unit)
			b.ReportMetric(rate(b.N, dOp), "store-"+unit)
			b.ReportMetric(dBase.Seconds()/dOp.Seconds(), "store/raw")
		})
	}
}

// BenchmarkUnitOfWork compares write transactions of one operation each:
// a store Update with a record update and an audit append, beside a raw
// single-row insert and beside the same SQL written by hand.
func BenchmarkUnitOfWork(b *testing.B) {
	compare(b, "tx/s", 1, bench{"store-update+audit", storeUpdateAudit},
		bench{"raw-insert-tx", rawInsertTx}, bench{"raw-same-sql-tx", rawSameSQLTx})
}

// BenchmarkBatch compares transactions of 1,000 rows: one Trail.Append of
// 1,000 entries beside raw prepared inserts.
func BenchmarkBatch(b *testing.B) {
	compare(b, "rows/s", batch, bench{"trail-append-1000", trailAppendBatch}, bench{"raw-insert-1000", rawInsertBatch})
}

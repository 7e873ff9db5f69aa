package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/audit/audittest"
	"github.com/servicekit/iso20000/internal/backendtest"
	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/postgres"
)

// The benchmarks compare the store with raw pgx doing comparable writes to
// the same database in the same run. Run them with a fixed count, as in
//
//	go test -run '^$' -bench 'Write' -benchtime 2000x ./store/postgres/
//	go test -run '^$' -bench 'AppendBatch' -benchtime 30x ./store/postgres/

// benchStore opens a store with room for 16 connections in a fresh schema,
// and creates the raw baseline's tables beside the store's.
func benchStore(b *testing.B) (*postgres.Store, string) {
	b.Helper()
	dsn, schema := backendtest.Schema(b)
	st := openStore(b, dsn+"&pool_max_conns=16", schema)
	q := func(name string) string { return pgx.Identifier{schema, name}.Sanitize() }
	if _, err := st.Pool().Exec(context.Background(),
		"CREATE TABLE "+q("raw")+" (id BIGSERIAL PRIMARY KEY, v TEXT NOT NULL);"+
			"CREATE TABLE "+q("raw_audit")+" (LIKE "+q("audit")+" INCLUDING ALL)"); err != nil {
		b.Fatal(err)
	}
	return st, schema
}

// rawInsert is the raw baseline of one unit of work: a transaction that
// inserts one row, committed synchronously.
func rawInsert(ctx context.Context, st *postgres.Store, table string) error {
	return pgx.BeginFunc(ctx, st.Pool(), func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO "+table+" (v) VALUES ($1)", "a row of about the size of a small record")
		return err
	})
}

// How updateAudited appends the audit entry of an update.
type appendMode int

const (
	noAppend       appendMode = iota // the update only
	appendSealed                     // Tx.Append: the sealed entry returned
	appendAtCommit                   // store.AppendAtCommit: sealed at commit
)

// updateAudited updates ticket t (whose stored version is version) and
// appends its audit entry as mode says, in one unit of work, and returns the
// new version.
func updateAudited(ctx context.Context, st store.Store, t ticket, version int64, mode appendMode) (int64, error) {
	var next int64
	err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		var err error // fn may run more than once: it changes nothing outside tx
		if next, err = tickets.Update(ctx, tx, t, version); err != nil || mode == noAppend {
			return err
		}
		e := audit.Entry{Time: testTime, Actor: "agent@example.com", Action: "ticket.update",
			Kind: "ticket", EntityID: t.ID, From: "open", To: "open",
			Changes: []audit.Change{{Field: "counter", Old: fmt.Sprint(t.Counter - 1), New: fmt.Sprint(t.Counter)}}}
		if mode == appendAtCommit {
			return store.AppendAtCommit(ctx, tx, e)
		}
		_, err = tx.Append(ctx, e)
		return err
	})
	return next, err
}

// runWriters runs b.N units of work split among writers goroutines; writer w
// runs op(w, i) for its i-th unit. It reports the rate as tx/s.
func runWriters(b *testing.B, writers int, op func(w, i int) error) {
	b.Helper()
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for w := range writers {
		n := b.N / writers
		if w < b.N%writers {
			n++
		}
		wg.Go(func() {
			for i := range n {
				if err := op(w, i); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "tx/s")
}

// BenchmarkWrite measures units of work that update a record and append its
// audit entry, by 1 and by 8 concurrent writers (each on its own record, as
// request handlers would be): with store.AppendAtCommit (the chain lock and
// the sealing in the commit's round trip, as the process packages append)
// and with Tx.Append (the sealed entry returned, the chain lock held from
// the Append to the commit), beside raw pgx transactions that insert one
// row, the naive variant that commits synchronously while holding the chain
// head, and, as a control, units that update the record without appending.
// After each run with appends it checks that the trail is one valid chain.
func BenchmarkWrite(b *testing.B) {
	ctx := context.Background()
	for _, writers := range []int{1, 8} {
		b.Run(fmt.Sprintf("raw-insert-tx/writers=%d", writers), func(b *testing.B) {
			st, schema := benchStore(b)
			table := pgx.Identifier{schema, "raw"}.Sanitize()
			runWriters(b, writers, func(int, int) error { return rawInsert(ctx, st, table) })
		})
		for _, v := range []struct {
			name string
			sync bool
			mode appendMode
		}{
			{"store-update+append-at-commit", false, appendAtCommit},
			{"store-update+append", false, appendSealed},
			{"naive-sync-commit-update+append", true, appendSealed},
			{"control-store-update-only", false, noAppend},
		} {
			b.Run(fmt.Sprintf("%s/writers=%d", v.name, writers), func(b *testing.B) {
				st, _ := benchStore(b)
				postgres.SetSyncCommit(st, v.sync)
				own := make([]ticket, writers)
				versions := make([]int64, writers)
				for w := range own {
					own[w] = ticket{ID: fmt.Sprint("t", w), Status: "open"}
					update(b, st, func(ctx context.Context, tx store.Tx) error {
						var err error
						versions[w], err = tickets.Insert(ctx, tx, own[w])
						return err
					})
				}
				runWriters(b, writers, func(w, _ int) error {
					own[w].Counter++
					var err error
					versions[w], err = updateAudited(ctx, st, own[w], versions[w], v.mode)
					return err
				})
				if v.mode == noAppend {
					return
				}
				if rep, err := audit.Verify(ctx, st.Trail()); err != nil || rep.Err() != nil || rep.Head.Seq != uint64(b.N) {
					b.Fatalf("after %d units of work: Verify %+v, %v, %v", b.N, rep.Head, err, rep.Err())
				}
			})
		}
	}
}

// BenchmarkAppendBatch measures Trail.Append of batches of 1,000 entries
// (validated, sealed and inserted in one transaction) beside raw pgx
// CopyFrom of 1,000 already sealed rows into a table like the audit table.
func BenchmarkAppendBatch(b *testing.B) {
	const batch = 1000
	ctx := context.Background()
	entries := make([]audit.Entry, batch)
	for i := range entries {
		entries[i] = audittest.Entry(i + 1)
	}
	b.Run("raw-copyfrom", func(b *testing.B) {
		st, schema := benchStore(b)
		rows := sealedRows(b, entries, b.N)
		b.ResetTimer()
		start := time.Now()
		for n := range b.N {
			if _, err := st.Pool().CopyFrom(ctx, pgx.Identifier{schema, "raw_audit"},
				[]string{"seq", "id", "time", "actor", "action", "kind", "entity_id", "from_state", "to_state",
					"changes", "data", "prev_hash", "hash"},
				pgx.CopyFromRows(rows[n*batch:(n+1)*batch])); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		b.ReportMetric(float64(b.N*batch)/time.Since(start).Seconds(), "rows/s")
	})
	for _, v := range []struct {
		name      string
		threshold int
	}{{"store-trail-append", postgres.DefaultCopyThreshold}, {"store-trail-append-insert-unnest", batch + 1}} {
		b.Run(v.name, func(b *testing.B) {
			defer postgres.SetCopyThreshold(v.threshold)()
			st, _ := benchStore(b)
			b.ResetTimer()
			start := time.Now()
			for range b.N {
				if _, err := st.Trail().Append(ctx, entries...); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N*batch)/time.Since(start).Seconds(), "rows/s")
			if rep, err := audit.Verify(ctx, st.Trail()); err != nil || rep.Err() != nil {
				b.Fatalf("Verify: %v, %v", err, rep.Err())
			}
		})
	}
}

// sealedRows seals copies of entries n times over and returns them as the
// column values of the audit table, ready for CopyFrom.
func sealedRows(b *testing.B, entries []audit.Entry, n int) [][]any {
	b.Helper()
	var (
		h    audit.Head
		rows = make([][]any, 0, n*len(entries))
	)
	for range n {
		for _, e := range entries {
			e = e.Clone()
			var err error
			if h, err = audit.Seal(h, &e); err != nil {
				b.Fatal(err)
			}
			changes, data := jsonOf(b, e.Changes), jsonOf(b, e.Data)
			rows = append(rows, []any{int64(e.Seq), [16]byte(e.ID), e.Time.UnixNano(), e.Actor, e.Action, e.Kind,
				e.EntityID, e.From, e.To, changes, data, e.PrevHash[:], e.Hash[:]})
		}
	}
	return rows
}

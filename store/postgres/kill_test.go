package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/internal/backendtest"
	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/postgres"
)

// TestKilledTransaction ends units of work midway, after they wrote a record
// and appended its audit entry: by cancelling their context (between
// statements, or while a statement waits on a lock) and by terminating their
// server process from another connection (then sending a statement, or
// committing). Neither the record change nor the entry may become visible,
// the chain head must be free for the next writer, and the pool must recover.
func TestKilledTransaction(t *testing.T) {
	dsn, schema := backendtest.Schema(t)
	st := openStore(t, dsn, schema)
	admin, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close(context.Background()) })
	watcher, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { watcher.Close(context.Background()) })
	ticketsTable := pgx.Identifier{schema, "records"}.Sanitize()

	terminate := func(t *testing.T, tx store.Tx) {
		var ok bool
		if err := admin.QueryRow(context.Background(), "SELECT pg_terminate_backend($1)", postgres.BackendPID(tx)).Scan(&ok); err != nil || !ok {
			t.Fatalf("pg_terminate_backend: %v, %v", ok, err)
		}
	}
	// blockThenCancel holds a lock on ticket "blocker" from another
	// connection, makes tx wait for it and cancels ctx once the server shows
	// tx waiting.
	blockThenCancel := func(t *testing.T, ctx context.Context, cancel context.CancelFunc, tx store.Tx) error {
		holder, err := admin.Begin(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer holder.Rollback(context.Background())
		if _, err := holder.Exec(context.Background(), "SELECT 1 FROM "+ticketsTable+" WHERE id = 'blocker' FOR UPDATE"); err != nil {
			t.Fatal(err)
		}
		got, err := tickets.Get(ctx, tx, "blocker")
		if err != nil {
			return err
		}
		pid := postgres.BackendPID(tx)
		sawWait, returned := make(chan bool, 1), make(chan struct{})
		go func() {
			defer cancel()
			// Poll until the server shows tx waiting on the lock (or the
			// Update returned without waiting, which fails the test).
			for {
				var waiting bool
				err := watcher.QueryRow(context.Background(),
					"SELECT coalesce(wait_event_type = 'Lock', false) FROM pg_stat_activity WHERE pid = $1", pid).Scan(&waiting)
				select {
				case <-returned:
					sawWait <- false
					return
				default:
				}
				if err != nil || waiting {
					sawWait <- waiting
					return
				}
			}
		}()
		_, err = tickets.Update(ctx, tx, got.Value, got.Version) // waits for holder
		close(returned)
		if !<-sawWait {
			t.Error("the unit of work was not seen waiting on the lock")
		}
		return err
	}

	tests := []struct {
		name string
		// kill ends the unit of work tx after its writes; its error (or
		// nil) is what fn returns.
		kill func(t *testing.T, ctx context.Context, cancel context.CancelFunc, tx store.Tx) error
	}{
		{"cancel, then a statement", func(t *testing.T, ctx context.Context, cancel context.CancelFunc, tx store.Tx) error {
			cancel()
			_, err := tickets.Get(ctx, tx, "t1")
			return err
		}},
		{"cancel, then commit", func(t *testing.T, ctx context.Context, cancel context.CancelFunc, tx store.Tx) error {
			cancel()
			return nil
		}},
		{"cancel while waiting on a lock", blockThenCancel},
		{"terminate, then a statement", func(t *testing.T, ctx context.Context, cancel context.CancelFunc, tx store.Tx) error {
			terminate(t, tx)
			_, err := tickets.Get(ctx, tx, "t1")
			return err
		}},
		{"terminate, then commit", func(t *testing.T, ctx context.Context, cancel context.CancelFunc, tx store.Tx) error {
			terminate(t, tx)
			return nil
		}},
	}
	update(t, st, func(ctx context.Context, tx store.Tx) error {
		for _, id := range []string{"t1", "blocker"} {
			if _, err := tickets.Insert(ctx, tx, ticket{ID: id, Status: "open"}); err != nil {
				return err
			}
		}
		return nil
	})
	if _, err := st.Trail().Append(context.Background(), audit.Entry{Time: testTime, Actor: "ann", Action: "setup"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		for _, atCommit := range []bool{false, true} {
			name := tc.name
			if atCommit {
				name += ", AppendAtCommit"
			}
			t.Run(name, func(t *testing.T) { killOne(t, st, tc.kill, atCommit) })
		}
	}
}

// killOne runs a unit of work that updates t1, inserts "new" and appends an
// entry (with Tx.Append or store.AppendAtCommit), and is ended by kill; then
// it checks that nothing of it is visible and the next unit of work runs.
func killOne(t *testing.T, st store.Store, kill func(*testing.T, context.Context, context.CancelFunc, store.Tx) error, atCommit bool) {
	head, _ := st.Trail().Head(context.Background())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		got, err := tickets.Get(ctx, tx, "t1")
		if err != nil {
			return err
		}
		got.Value.Status, got.Value.Counter = "killed", got.Value.Counter+100
		if _, err := tickets.Update(ctx, tx, got.Value, got.Version); err != nil {
			return err
		}
		if _, err := tickets.Insert(ctx, tx, ticket{ID: "new", Status: "open"}); err != nil {
			return err
		}
		e := audit.Entry{Time: testTime, Actor: "ann", Action: "ticket.kill"}
		if atCommit {
			err = store.AppendAtCommit(ctx, tx, e)
		} else {
			_, err = tx.Append(ctx, e)
		}
		if err != nil {
			return err
		}
		return kill(t, ctx, cancel, tx)
	})
	if err == nil {
		t.Fatal("Update succeeded after its transaction was killed")
	}
	if ctx.Err() != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("Update with a cancelled context: %v, want context.Canceled", err)
	}
	// Nothing is visible, and the next unit of work (which needs
	// the chain head and the row locks) runs.
	if _, err := incrementAudited(context.Background(), st, "t1", "bob", false); err != nil {
		t.Fatalf("the next unit of work: %v", err)
	}
	view(t, st, func(ctx context.Context, tx store.Tx) error {
		got, err := tickets.Get(ctx, tx, "t1")
		if err != nil {
			return err
		}
		if got.Value.Status != "open" {
			t.Errorf("t1 is %+v: the killed change is visible", got.Value)
		}
		if _, err := tickets.Get(ctx, tx, "new"); !errors.Is(err, iso20000.ErrNotFound) {
			t.Errorf("Get new: %v, want ErrNotFound", err)
		}
		return nil
	})
	var actions []string
	for e, err := range st.Trail().Entries(context.Background(), head.Seq+1, 0) {
		if err != nil {
			t.Fatal(err)
		}
		actions = append(actions, e.Action)
	}
	if len(actions) != 1 || actions[0] != "ticket.increment" {
		t.Errorf("entries after the killed unit: %v, want only the next unit's", actions)
	}
	if rep, err := audit.Verify(context.Background(), st.Trail()); err != nil || rep.Err() != nil {
		t.Errorf("Verify: %v, %v", err, rep.Err())
	}
}

// TestCommitIsDurable checks that Update returns only once its commit is
// flushed: the WAL position the commit waited for is flushed when Update
// returns, with Tx.Append and with AppendAtCommit. (The unit of work itself
// commits asynchronously, to release the chain head before the flush; see
// the package doc.)
func TestCommitIsDurable(t *testing.T) {
	st := newTestStore(t)
	var lsns []int64
	postgres.OnDurable(st, func(lsn int64) { lsns = append(lsns, lsn) })
	for i := range 5 {
		if i == 0 {
			update(t, st, func(ctx context.Context, tx store.Tx) error {
				_, err := tickets.Insert(ctx, tx, ticket{ID: "t1", Status: "open"})
				return err
			})
		} else if _, err := incrementAudited(context.Background(), st, "t1", "ann", i%2 == 0); err != nil {
			t.Fatal(err)
		}
		if len(lsns) != i+1 {
			t.Fatalf("%d commits waited for durability, want %d", len(lsns), i+1)
		}
		var flushed bool
		if err := st.Pool().QueryRow(context.Background(),
			"SELECT pg_current_wal_flush_lsn() - '0/0'::pg_lsn >= $1", lsns[i]).Scan(&flushed); err != nil {
			t.Fatal(err)
		}
		if !flushed {
			t.Fatalf("commit %d: Update returned before the WAL was flushed up to %d", i+1, lsns[i])
		}
	}
}

// TestViewSnapshot checks that a View sees one snapshot: a change committed
// while it runs is not visible to it, and is to the next View.
func TestViewSnapshot(t *testing.T) {
	st := newTestStore(t)
	update(t, st, func(ctx context.Context, tx store.Tx) error {
		_, err := tickets.Insert(ctx, tx, ticket{ID: "t1", Status: "open"})
		return err
	})
	view(t, st, func(ctx context.Context, tx store.Tx) error {
		before, err := tickets.Get(ctx, tx, "t1")
		if err != nil {
			return err
		}
		if _, err := incrementAudited(context.Background(), st, "t1", "ann", false); err != nil {
			return err
		}
		after, err := tickets.Get(ctx, tx, "t1")
		if err == nil && after != before {
			t.Errorf("a View saw a change committed during it: %+v, then %+v", before, after)
		}
		return err
	})
	view(t, st, func(ctx context.Context, tx store.Tx) error {
		got, err := tickets.Get(ctx, tx, "t1")
		if err == nil && (got.Version != 2 || got.Value.Counter != 1) {
			t.Errorf("the next View: %+v, want version 2, counter 1", got)
		}
		return err
	})
}

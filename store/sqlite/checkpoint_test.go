package sqlite

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/store"
)

// TestBackgroundCheckpoints writes many units of work with checkpoints in
// the background (with small thresholds, and with the checkpointer kept
// from running, so that only the writer's safety net checkpoints) and with
// SQLite's own: the WAL stays under its bound, the data survive a reopen,
// and Close stops the checkpointer's goroutine.
func TestBackgroundCheckpoints(t *testing.T) {
	const (
		commits   = 1500
		every     = 30  // pages
		inline    = 300 // pages
		pageSize  = 4096
		frameSize = pageSize + 24
		// A unit of work below writes a record page, an index page and
		// an audit page, and a few more when a B-tree splits.
		maxFrames = 8
	)
	c := store.NewCollection("c", func(k *store.Keys) (string, store.Keys) { return k.Owner, *k })
	tests := []struct {
		name       string
		background bool
		stalled    bool // the checkpointer goroutine never runs a checkpoint
		autockpt   string
		maxWAL     int64
	}{
		{"background", true, false, "0", (2*inline + maxFrames) * frameSize},
		{"safety net", true, true, "0", (2*inline + maxFrames) * frameSize},
		{"off", false, false, "1000", (1000 + 4*maxFrames) * frameSize},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			path := filepath.Join(t.TempDir(), "w.db")
			ctx := context.Background()
			st, err := Open(ctx, path, WithBackgroundCheckpoints(tc.background))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if got := st.cp != nil; got != tc.background {
				t.Fatalf("checkpointer running: %v, want %v", got, tc.background)
			}
			if got, err := pragma(st.writer, "wal_autocheckpoint"); err != nil || got != tc.autockpt {
				t.Fatalf("writer wal_autocheckpoint = %q (%v), want %q", got, err, tc.autockpt)
			}
			if st.cp != nil {
				st.cp.every, st.cp.inline = every, inline
				if tc.stalled {
					st.cp.every = 1 << 40
				}
			}
			var maxSeen int64
			for i := range commits {
				k := store.Keys{Owner: strconv.Itoa(i)}
				err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
					if _, err := c.Insert(ctx, tx, k); err != nil {
						return err
					}
					_, err := tx.Append(ctx, audit.Entry{Time: time.Unix(1, 0), Actor: "a", Action: "c.insert", Kind: "c", EntityID: k.Owner})
					return err
				})
				if err != nil {
					t.Fatalf("commit %d: %v", i, err)
				}
				if fi, err := os.Stat(path + "-wal"); err != nil {
					t.Fatal(err)
				} else {
					maxSeen = max(maxSeen, fi.Size())
				}
			}
			if maxSeen > tc.maxWAL {
				t.Errorf("WAL grew to %d bytes, want at most %d", maxSeen, tc.maxWAL)
			}
			if maxSeen < 2*frameSize {
				t.Errorf("WAL at most %d bytes: nothing written?", maxSeen)
			}
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 10000 && runtime.NumGoroutine() > before; i++ {
				runtime.Gosched() // let the ended goroutine go
			}
			if n := runtime.NumGoroutine(); n > before {
				t.Errorf("%d goroutines after Close, %d before Open", n, before)
			}

			re, err := Open(ctx, path, WithBackgroundCheckpoints(tc.background))
			if err != nil {
				t.Fatal(err)
			}
			defer re.Close()
			db, err := sql.Open(DriverName, dsn(path, config{busyTimeout: DefaultBusyTimeout}, true))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var n int
			if err := db.QueryRow("SELECT count(*) FROM records").Scan(&n); err != nil || n != commits {
				t.Errorf("%d records after reopen (%v), want %d", n, err, commits)
			}
			if h, err := re.Trail().Head(ctx); err != nil || h.Seq != commits {
				t.Errorf("trail head after reopen: %+v, %v; want seq %d", h, err, commits)
			}
		})
	}
}

// TestWALPages checks that the driver reports the pages a connection wrote
// to the WAL, which the background checkpoints count: a batch of entries
// writes many pages, not the guess for one unit of work.
func TestWALPages(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "p.db")
	st, err := Open(ctx, path, WithBackgroundCheckpoints(false))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c, err := st.writer.get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	walPages(c) // from zero
	st.writer.put(c)
	entries := make([]audit.Entry, 500)
	for i := range entries {
		entries[i] = audit.Entry{Time: time.Unix(1, 0), Actor: "a", Action: "x.update", Kind: "x", EntityID: strconv.Itoa(i)}
	}
	if _, err := st.Trail().Append(ctx, entries...); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	frames := (fi.Size() - 32) / (4096 + 24)
	if c, err = st.writer.get(ctx); err != nil {
		t.Fatal(err)
	}
	defer st.writer.put(c)
	if got := walPages(c); got <= guessedPages || got > frames {
		t.Errorf("walPages = %d after a batch, want more than %d and at most the %d frames of the WAL", got, guessedPages, frames)
	}
	if got := walPages(c); got != 0 {
		t.Errorf("walPages = %d asked again, want 0", got)
	}
}

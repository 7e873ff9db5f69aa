package sqlite

import (
	"context"
	"database/sql/driver"
	"sync"
	"sync/atomic"

	msqlite "modernc.org/sqlite"
)

// Checkpoints copy the pages of the WAL back into the database file, so that
// the WAL can start over. Without [WithBackgroundCheckpoints] SQLite runs one
// in the COMMIT that finds the WAL past 1,000 pages. With it, the writer
// connection runs with wal_autocheckpoint=0 and a goroutine runs them on a
// connection of its own. The WAL starts over only when a write transaction
// begins with all of it checkpointed, which a checkpoint running beside a
// busy writer seldom leaves; so once the goroutine's checkpoint completed,
// the writer checkpoints the few pages it committed since, after its next
// commit, and its next transaction restarts the WAL.

const (
	// checkpointEvery is the number of pages the writer writes to the WAL
	// between two requests for a checkpoint: SQLite's default threshold.
	checkpointEvery = 1000
	// checkpointInline is the number of pages written since the last
	// complete checkpoint after which the writer checkpoints itself, after
	// its commit: the safety net when the goroutine falls behind or its
	// passive checkpoints cannot complete.
	checkpointInline = 10 * checkpointEvery
	// guessedPages is the number of pages counted for a commit when the
	// driver does not report them: those of a typical unit of work.
	guessedPages = 3
)

// checkpointSQL is a passive checkpoint: it copies what no reader still
// needs and waits for no lock. Its row is (busy, WAL pages, pages copied).
const checkpointSQL = "PRAGMA wal_checkpoint(PASSIVE)"

// checkpointer runs checkpoints in a goroutine when the writer asks.
// newCheckpointer starts the goroutine; close stops it.
type checkpointer struct {
	drv driver.Driver
	dsn string
	// every and inline are checkpointEvery and checkpointInline (smaller
	// in tests), read by the writer only.
	every, inline int64
	// pages counts the pages the writer wrote to the WAL since the last
	// complete checkpoint.
	pages atomic.Int64
	// backfilled is set when the goroutine's checkpoint completed: the WAL
	// restarts only when a write transaction begins with all of it
	// checkpointed, so the writer then checkpoints the few pages it
	// committed since, between two transactions.
	backfilled atomic.Bool
	// running is held while a checkpoint runs, by the goroutine or by the
	// writer: two at once would leave both incomplete.
	running sync.Mutex
	wake    chan struct{} // buffered: a request waiting to be served
	stop    chan struct{} // closed by close
	done    sync.WaitGroup
	once    sync.Once
}

func newCheckpointer(drv driver.Driver, dsn string) *checkpointer {
	cp := &checkpointer{
		drv: drv, dsn: dsn, every: checkpointEvery, inline: checkpointInline,
		wake: make(chan struct{}, 1), stop: make(chan struct{}),
	}
	cp.done.Add(1)
	go cp.run()
	return cp
}

// committed notes a commit of the writer connection c. It wakes the
// goroutine every cp.every pages written; after the goroutine's checkpoint
// completed, it checkpoints on c itself unless the goroutine runs one again.
// Past cp.inline pages without a complete checkpoint it waits for the
// goroutine's checkpoint to end and checkpoints on c: so the WAL stays
// bounded however far behind a starved goroutine falls.
func (cp *checkpointer) committed(c *conn) {
	written := walPages(c)
	n := cp.pages.Add(written)
	switch {
	case n >= cp.inline:
		cp.running.Lock()
		cp.inlineCheckpoint(c, n)
		cp.running.Unlock()
	case cp.backfilled.Load():
		if cp.running.TryLock() {
			cp.inlineCheckpoint(c, n)
			cp.running.Unlock()
		}
	case n/cp.every > (n-written)/cp.every:
		select {
		case cp.wake <- struct{}{}:
		default: // a request is pending already
		}
	}
}

// inlineCheckpoint checkpoints on the writer connection c, which has
// written n pages since the last complete checkpoint; the caller holds
// cp.running.
func (cp *checkpointer) inlineCheckpoint(c *conn, n int64) {
	cp.backfilled.Store(false)
	if complete, err := checkpoint(c); err == nil && complete {
		cp.pages.Add(-n)
	}
}

// run serves requests until close.
func (cp *checkpointer) run() {
	defer cp.done.Done()
	var c *conn
	defer func() {
		if c != nil {
			c.close()
		}
	}()
	for {
		select {
		case <-cp.stop:
			return
		case <-cp.wake:
		}
		if c == nil {
			dc, err := cp.drv.Open(cp.dsn)
			if err != nil {
				continue // the writer's safety net checkpoints
			}
			c = &conn{c: dc}
		}
		cp.running.Lock()
		if complete, err := checkpoint(c); err == nil && complete {
			cp.backfilled.Store(true)
		}
		cp.running.Unlock()
	}
}

// close stops the goroutine and waits for it to end.
func (cp *checkpointer) close() {
	cp.once.Do(func() { close(cp.stop) })
	cp.done.Wait()
}

// walPages returns the number of pages c wrote to the WAL since it was last
// asked (the pager's write counter, which in WAL mode counts frames).
func walPages(c *conn) int64 {
	if st, ok := c.c.(msqlite.DBStatus); ok {
		if n, _, err := st.Status(msqlite.DBStatusCacheWrite, true); err == nil {
			return int64(n)
		}
	}
	return guessedPages
}

// checkpoint runs a passive checkpoint on c and reports whether it copied
// the whole WAL.
func checkpoint(c *conn) (bool, error) {
	st, err := c.stmtSQL(context.Background(), checkpointSQL)
	if err != nil {
		return false, err
	}
	var row [3]driver.Value
	if _, err := c.queryRow(context.Background(), st, row[:]); err != nil {
		return false, err
	}
	busy, _ := row[0].(int64)
	log, _ := row[1].(int64)
	done, _ := row[2].(int64)
	return busy == 0 && done == log, nil
}

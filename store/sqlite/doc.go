// Package sqlite is the embedded, durable backend of package store: records,
// counters and the hash-chained audit trail kept in one SQLite database file,
// through modernc.org/sqlite (pure Go, no cgo).
//
// Use it for a single application instance that must keep its data across
// restarts without running a database server: a command-line tool, a desktop
// or edge service, a test environment that wants real persistence. Several
// processes may open the same file; they take turns writing. For many
// application instances on many machines use store/postgres.
//
// The store serves the evidence requirements of ISO/IEC 20000-1:2018
// (7.5.4 control of documented information; 9.2 and 10.1 through the audit
// trail) like every backend: a record change and its audit entries commit
// together in one transaction, or not at all.
//
//	st, err := sqlite.Open(ctx, "/var/lib/itsm/itsm.db")
//	...
//	defer st.Close()
//
// # Concurrency model
//
// One writer at a time, readers concurrent. The database runs in WAL mode:
//
//   - [Store.Update] runs in a read-write transaction on the store's single
//     writer connection, begun with BEGIN IMMEDIATE. Writers of one process
//     queue for that connection; writers of other processes wait for the
//     database lock under the busy timeout ([WithBusyTimeout]). A transaction
//     therefore never fails on a lock upgrade, and the audit head it reads is
//     the head it appends to, so the trail stays one gap-free chain across all
//     goroutines and processes.
//   - [Store.View], [Trail.Head] and [Trail.Entries] run on a pool of read-only
//     connections ([WithMaxReaders]). Each sees a consistent snapshot and
//     neither blocks nor is blocked by the writer.
//
// # Storage
//
// The schema is created and migrated by [Open] from versioned SQL files
// embedded in the package, tracked in PRAGMA user_version; a database whose
// schema is newer than this code refuses to open ([ErrSchemaTooNew]).
// Processes may open a new file at once: each migration is applied once, and
// Open retries, within the busy timeout, the SQLITE_BUSY that SQLite gives
// some of them at once (without waiting) while they switch the file to WAL.
// Records are one table: the indexed [store.Keys] as columns (times as Unix
// nanoseconds in UTC) and the record as the JSON its [store.Codec] marshals.
// Each list filter has an index ending in its sort order, and lists page with
// keyset cursors, so a page costs the same however many records there are.
// Durability is that of WAL with synchronous=NORMAL: a committed transaction
// survives a crash of the process; a power loss may lose the last commits but
// never corrupts the database.
//
// # Checkpoints
//
// A WAL checkpoint copies the committed pages back into the database file and
// lets the WAL start over. SQLite runs one, by default, in the COMMIT that
// finds the WAL past 1,000 pages, which then takes several times as long as
// the others. The store runs them instead in a goroutine on a connection of
// its own, woken each time the writer wrote 1,000 more pages to the WAL (the
// writer runs with wal_autocheckpoint=0); the writer only checkpoints, after
// its commit, the few pages it committed while that checkpoint ran, so that
// the WAL restarts. Should the goroutine fall behind or its checkpoints be
// unable to complete (a reader holding an old snapshot), the writer
// checkpoints after its commit once it wrote 10,000 pages without a complete
// checkpoint, so the WAL stays bounded as before. Close stops the goroutine.
// [WithBackgroundCheckpoints](false) restores SQLite's own checkpoints.
// Durability is the same either way.
//
// # Cost of a unit of work
//
// A commit writes one WAL frame (one page) for each B-tree page it changed,
// and that dominates its cost. An Update of a record writes the record's
// page and the pages of the indexes whose keys changed, and no others; an
// audit append writes the tail page of the trail. A typical state change
// with its audit entry thus writes three pages where a one-row insert writes
// one. The trail head is not read per transaction: the store remembers the
// head its last commit left, and the primary key of the trail catches an
// append by another process. Likewise an Update needs not read the record's
// stored keys first (to set only those that change): the store remembers
// those its commits left, and the UPDATE's WHERE clause checks the ones it
// leaves alone, falling back to a read when another process changed them.
// Batches of audit entries are inserted 64 to a
// statement. Every statement, BEGIN and COMMIT included, is prepared once per
// connection, and the store calls the driver's connections directly rather
// than through database/sql, whose bookkeeping doubled the cost of a unit of
// work.
package sqlite

// Package postgres is the PostgreSQL backend of package store: records,
// counters and the hash-chained audit trail in one PostgreSQL schema, through
// github.com/jackc/pgx/v5 (pgxpool).
//
// Use it when several instances of an application (a portal behind a load
// balancer, workers, a CLI run beside them) share one database. Every
// instance opens its own [Store] on the same schema; the guarantees below
// hold across all their connections and processes.
//
// The store serves the evidence requirements of ISO/IEC 20000-1:2018
// (7.5.4 control of documented information; 9.2 and 10.1 through the audit
// trail) like every backend: a record change and its audit entries commit
// together in one transaction, or not at all.
//
//	st, err := postgres.Open(ctx, "postgres://itsm@db:5432/itsm?pool_max_conns=16")
//	if err != nil {
//		return err
//	}
//	defer st.Close()
//	// st is a store.Store: hand it to the process packages.
//
// [Open] takes a DSN and owns the pool it makes; [New] takes an existing
// *pgxpool.Pool, which stays the caller's. [WithSchema] picks the schema
// (default [DefaultSchema]); the store creates and migrates it itself.
//
// # Guarantees across instances
//
//   - No lost update: records carry optimistic versions. Tx.Update and
//     Tx.Delete run "UPDATE ... WHERE version = $n" at READ COMMITTED; a
//     concurrent writer's row lock makes the second writer wait and then
//     re-check the version against the committed row, so exactly one writer
//     of a version wins and the other gets an iso20000.ConflictError.
//   - One audit chain: appends from every connection and process form one
//     gap-free, linear chain, verified by audit.Verify (see the locking
//     scheme below).
//   - Evidence with the change: a record change and the audit entries
//     appended in the same unit of work commit in one transaction, or
//     neither does (a cancelled context, a dropped connection or a
//     terminated server process roll both back).
//   - Gap-free numbers: Tx.NextNumber increments a counter row that stays
//     locked until the transaction ends.
//   - Safe start-up: the schema is created and migrated from versioned SQL
//     files embedded in the package, in one transaction holding an advisory
//     lock on the schema's name, so instances starting at once queue and each
//     migration is applied once. A schema migrated by a newer release is
//     refused with [ErrSchemaTooNew].
//
// # Locking scheme of the audit chain
//
// The chain head (sequence number and hash of the last entry) is a single
// row, audit_head. Every writer of the chain first takes the schema's chain
// lock, a transaction-level advisory lock (pg_advisory_xact_lock on a key
// derived from the schema name), held until its transaction ends, and only
// then reads the head, in a statement of its own whose snapshot shows what
// the previous holder committed. Appenders therefore take turns, and each
// sees the head its predecessor committed: the chain is linear (the primary
// key on the sequence number backs this up: two units sealing the same
// number cannot both commit). Units of work that do not append never take
// the lock. An advisory lock rather than SELECT ... FOR UPDATE on the head
// row: the server hands it straight to the next waiter and writes no WAL for
// it, which measured some 10% more audited units of work per second with 8
// writers. Validation and JSON encoding happen before the lock is taken. A
// unit of work appends in one of two ways:
//
//   - Tx.Append returns the sealed entries (sequence numbers and hashes) to
//     fn, so it needs the head at once: the first Append of a unit of work
//     takes the lock and reads the head row, both in one round trip. That
//     Append and any later one in the same unit seal their entries in Go
//     (audit.Seal) after the head and return them sealed. At commit, one
//     pipelined round trip inserts the entries (an INSERT, or COPY for
//     batches of 100 and more), moves the head row and commits. The lock is
//     held from the first Append to the commit, across client round trips:
//     Append after the record writes of a unit of work.
//   - AppendAtCommit (the optional store.AtCommitAppender, which
//     store.AppendAtCommit and so the process packages use) returns nothing
//     sealed. It validates the entries, assigns their IDs (random version 4
//     UUIDs, as audit.Seal does), encodes their bodies
//     (audit.Entry.AppendBody) and queues them. The commit's round trip then
//     takes the lock and, for each entry, runs one statement that moves the
//     head row to the next sequence number and the hash the server
//     computes, SHA-256 over 0x00, that number, the body and the previous
//     hash (the bytes audit.Entry.ComputeHash hashes), and inserts the entry
//     with the previous hash read from the head row as it was before the
//     statement; then it commits. The lock is held for the server's
//     execution of those statements and the COMMIT only, with no client
//     round trip inside. The stored entries are exactly those audit.Seal
//     would seal, and audit.Verify recomputes their hashes.
//
// Both can be mixed in a unit of work, and the chain keeps the order of the
// calls: an Append after AppendAtCommit calls takes the lock and seals the
// queued entries in Go before its own, and an AppendAtCommit after an Append
// (the lock already held) seals its entries in Go at once, so the entries
// sealed in Go come first and the entries left queued are chained after them
// at commit.
//
// Holding the head through a synchronous commit would put the commit's WAL
// flush (fsync) inside the section that appenders take in turn, so every
// audited write would wait for its own flush and concurrency would not help.
// Instead a read-write unit of work runs with synchronous_commit off, so
// that its COMMIT releases its locks as soon as the commit record is in the
// WAL buffers, and then, in the same round trip, runs a tiny transaction
// that writes one WAL record at the session's synchronous_commit: its commit
// returns once the WAL is flushed (and replicated, where synchronous
// standbys are configured) up to a point after the unit of work's commit
// record. Update returns only then. The flushes of concurrent writers are
// shared by the server (group commit). The section appenders take in turn
// is then, with Append, one client round trip (the head row's value to the
// client, the sealed entries back) plus the server's work on the INSERT, the
// head UPDATE and the COMMIT, and with AppendAtCommit the server's work
// alone; it bounds the audited units of work per second of the whole
// database, whatever the number of writers. Concurrency pays most where a
// flush takes long compared to a round trip (see bench_test.go and the naive
// synchronous variant measured beside it). Because the WAL is
// replayed in order, a crash can only lose a tail of commits, never a commit
// without those before it: what survives is always a prefix of the chain.
//
// The one visible effect of this scheme: another transaction may read a
// change in the moment between its commit and the flush. If the server
// crashes in that moment, the change is lost (its Update did not return
// success), and so is anything committed after it.
//
// # Transactions
//
// [Store.Update] runs fn at READ COMMITTED and runs it again, up to
// [WithMaxAttempts] times, when PostgreSQL aborts it with a serialization
// failure or a detected deadlock (which can arise when one unit of work
// appends before writing a record and another writes the record first).
// [Store.View] runs at REPEATABLE READ, READ ONLY: one consistent snapshot.
// The BEGIN of a unit of work travels with its first statement, and the
// commit with the audit inserts, so an update with an audit entry costs
// three round trips with Append and two with AppendAtCommit (plus one for a
// read).
//
// # Storage
//
// All tables live in the store's schema, qualified in every statement (the
// pool's search_path does not matter). records holds one row per record of
// any kind: the indexed store.Keys as columns (times as Unix nanoseconds in
// UTC, due NULL when there is none) and the record as JSONB. Each filter of
// store.Query has an index ending in its sort order (sort key, id), with a
// partial index on due, and lists page with keyset cursors, so a page costs
// the same however many records there are. IDs compare bytewise
// (COLLATE "C"), the order of Go strings. audit holds one row per entry with
// its changes and data as JSONB; counters the NextNumber counters.
//
// # Requirements
//
// PostgreSQL 11 or later (tested with 15). The role needs CREATE on the
// database when the schema does not exist yet, and EXECUTE on
// pg_logical_emit_message (granted to PUBLIC by default). Size the pool
// (pool_max_conns) to the number of units of work an instance runs at once.
// An instance that dies or hangs while one of its units of work holds the
// chain head holds it until the server notices; set TCP keepalives and
// idle_in_transaction_session_timeout (for example one minute) for the role
// so that the server ends such transactions.
//
// # Tests
//
// The package's tests run against the database that ITSM_POSTGRES_DSN names,
// each in a fresh schema dropped afterwards; without the variable they are
// skipped with a message saying how to run them:
//
//	ITSM_POSTGRES_DSN='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' go test ./store/postgres/
package postgres

package postgres

import (
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/servicekit/iso20000/store/internal/sqlkit"
)

// statements are the SQL statements of one store, with table names
// qualified by the store's schema.
type statements struct {
	get, insert, update, delete, version  string
	records                               string // the table, for the SELECT of List
	nextNumber                            string
	readHead, setHead, chainLock          string
	insertAudit, insertEntry, appendEntry string
	entries, deleteAudit                  string
}

// Transaction control. Units of work begin with the first statement they
// send (the BEGIN rides in the same round trip); see tx.send.
const (
	beginWrite = "BEGIN ISOLATION LEVEL READ COMMITTED"
	beginRead  = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
	// asyncCommit, sent with BEGIN of a read-write unit of work, lets
	// COMMIT return once the commit record is in the WAL buffers, so that
	// the locks the transaction holds (the chain head, the rows it wrote)
	// are released without waiting for the disk.
	asyncCommit = "SET LOCAL synchronous_commit TO off"
	commit      = "COMMIT"
	// durable runs after COMMIT in the same pipeline, as a transaction of its
	// own at the session's synchronous_commit. It writes a tiny WAL record (a
	// transactional logical message, ignored by everything but logical
	// decoding), so its commit waits until the WAL is flushed up to its own
	// commit record, which lies after the unit of work's. A transaction that
	// writes no WAL (one that only takes a transaction ID) would not wait.
	// Concurrent waits share one flush. It returns the message's LSN.
	durable = "SELECT (pg_logical_emit_message(true, 'iso20000', '') - '0/0'::pg_lsn)::bigint"
)

func newStatements(schema string) statements {
	table := func(name string) string { return pgx.Identifier{schema, name}.Sanitize() }
	r := strings.NewReplacer(
		"{records}", table("records"),
		"{counters}", table("counters"),
		"{audit}", table("audit"),
		"{audit_head}", table("audit_head"),
		"{recordColumns}", sqlkit.RecordColumns,
		"{auditColumns}", sqlkit.AuditColumns,
	)
	return statements{
		records: table("records"),
		get:     r.Replace("SELECT {recordColumns} FROM {records} WHERE kind = $1 AND id = $2"),
		insert: r.Replace(`INSERT INTO {records} (kind, id, version, status, owner, grp, service, priority, created, due, data)
			VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (kind, id) DO NOTHING`),
		update: r.Replace(`UPDATE {records} SET version = version + 1, status = $3, owner = $4, grp = $5, service = $6,
			priority = $7, created = $8, due = $9, data = $10 WHERE kind = $1 AND id = $2 AND version = $11`),
		delete:  r.Replace("DELETE FROM {records} WHERE kind = $1 AND id = $2 AND version = $3"),
		version: r.Replace("SELECT version FROM {records} WHERE kind = $1 AND id = $2"),
		nextNumber: r.Replace(`INSERT INTO {counters} AS c (name, value) VALUES ($1, 1)
			ON CONFLICT (name) DO UPDATE SET value = c.value + 1 RETURNING value`),
		readHead:  r.Replace("SELECT seq, hash FROM {audit_head}"),
		chainLock: "SELECT pg_advisory_xact_lock($1)",
		setHead:   r.Replace("UPDATE {audit_head} SET seq = $1, hash = $2"),
		insertAudit: r.Replace(`INSERT INTO {audit} ({auditColumns})
			SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::bigint[], $4::text[], $5::text[], $6::text[],
				$7::text[], $8::text[], $9::text[], $10::jsonb[], $11::jsonb[], $12::bytea[], $13::bytea[])`),
		insertEntry: r.Replace(`INSERT INTO {audit} ({auditColumns})
			VALUES ($1, $2::uuid, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11::jsonb, $12, $13)`),
		// appendEntry seals and inserts one entry after the head, with the
		// hash computed by the server: SHA-256 over 0x00, the new sequence
		// number (8 bytes big-endian, int8send), the entry's body ($1,
		// audit.Entry.AppendBody) and the previous hash, as
		// audit.Entry.ComputeHash computes it. One statement moves the head
		// row (the UPDATE locks it) and inserts the entry; the previous hash
		// is read from the head row by the main query, which sees the row
		// as it was before the statement (all parts of a statement run
		// with one snapshot, taken after the chain lock was granted). A
		// missing head row gives a NULL sequence number (the LEFT JOIN), so
		// the statement fails rather than insert nothing. The plan has no
		// join of head rows with head rows: the head table has no
		// statistics, and such a join is estimated at millions of rows,
		// which made PostgreSQL plan the statement anew at each execution
		// and would, as the table grows, JIT-compile it. Measured without
		// gain (server CPU per unit of work, 1 and 8 writers): a prev
		// column in the head row set by the UPDATE (one scan of the head
		// page instead of two), scalar subqueries on new_head instead of the
		// join, and a plpgsql function doing the UPDATE and the INSERT.
		appendEntry: r.Replace(`WITH new_head AS (UPDATE {audit_head}
				SET seq = seq + 1, hash = sha256('\x00'::bytea || int8send(seq + 1) || $1::bytea || hash)
				RETURNING seq, hash)
			INSERT INTO {audit} ({auditColumns})
			SELECT new_head.seq, $2::uuid, $3::bigint, $4::text, $5::text, $6::text, $7::text, $8::text, $9::text,
				$10::jsonb, $11::jsonb, (SELECT hash FROM {audit_head}), new_head.hash
			FROM (VALUES (1)) AS one LEFT JOIN new_head ON true`),
		entries:     r.Replace("SELECT {auditColumns} FROM {audit} WHERE seq >= $1 AND seq <= $2 ORDER BY seq LIMIT $3"),
		deleteAudit: r.Replace("DELETE FROM {audit}"),
	}
}

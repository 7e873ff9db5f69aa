package sqlite

import "strings"

// stmtID names a prepared statement.
type stmtID int

const (
	stGet stmtID = iota
	stVersion
	stKeys
	stInsert
	stDelete
	stNextNumber
	stHead
	stAppend
	stAppendChunk
	stEntries
	stBeginWrite
	stBeginRead
	stCommit
	stRollback
	numStmts
)

// recordColumns are the columns scanDoc reads, in its order.
const recordColumns = "id, version, status, owner, grp, service, priority, created, due, data"

// auditColumns are the columns of an audit row, in the order of insertEntry
// and scanEntry.
const auditColumns = "seq, id, time, actor, action, kind, entity_id, from_state, to_state, changes, data, prev_hash, hash"

// auditColumnList are the names in auditColumns.
var auditColumnList = strings.Split(auditColumns, ", ")

// appendChunk is the number of audit entries one statement inserts in a
// batch; fewer statements make batches faster.
const appendChunk = 64

// insertAudit returns the INSERT of n audit rows; a row whose sequence number
// is taken is not stored.
func insertAudit(n int) string {
	row := "(?" + strings.Repeat(", ?", len(auditColumnList)-1) + ")"
	return "INSERT INTO audit (" + auditColumns + ") VALUES " + row + strings.Repeat(", "+row, n-1) +
		" ON CONFLICT (seq) DO NOTHING"
}

// stmtSQL is the text of each prepared statement.
var stmtSQL = [numStmts]string{
	stGet:     "SELECT " + recordColumns + " FROM records WHERE kind = ? AND id = ?",
	stVersion: "SELECT version FROM records WHERE kind = ? AND id = ?",
	stInsert: "INSERT INTO records (kind, id, version, status, owner, grp, service, priority, created, due, data) " +
		"VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, id) DO NOTHING",
	stKeys:   "SELECT version, status, owner, grp, service, priority, created, due FROM records WHERE kind = ? AND id = ?",
	stDelete: "DELETE FROM records WHERE kind = ? AND id = ? AND version = ?",
	stNextNumber: "INSERT INTO counters (name, value) VALUES (?, 1) " +
		"ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
	stHead:        "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
	stAppend:      insertAudit(1),
	stAppendChunk: insertAudit(appendChunk),
	stEntries:     "SELECT " + auditColumns + " FROM audit WHERE seq >= ? AND seq <= ? ORDER BY seq",
	stBeginWrite:  "BEGIN IMMEDIATE",
	stBeginRead:   "BEGIN",
	stCommit:      "COMMIT",
	stRollback:    "ROLLBACK",
}

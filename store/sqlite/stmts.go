package sqlite

import (
	"strings"

	"github.com/servicekit/iso20000/store/internal/sqlkit"
)

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

// appendChunk is the number of audit entries one statement inserts in a
// batch; fewer statements make batches faster.
const appendChunk = 64

// insertAudit returns the INSERT of n audit rows; a row whose sequence number
// is taken is not stored.
func insertAudit(n int) string {
	row := "(?" + strings.Repeat(", ?", len(sqlkit.AuditColumnList)-1) + ")"
	return "INSERT INTO audit (" + sqlkit.AuditColumns + ") VALUES " + row + strings.Repeat(", "+row, n-1) +
		" ON CONFLICT (seq) DO NOTHING"
}

// stmtSQL is the text of each prepared statement.
var stmtSQL = [numStmts]string{
	stGet:     "SELECT " + sqlkit.RecordColumns + " FROM records WHERE kind = ? AND id = ?",
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
	stEntries:     "SELECT " + sqlkit.AuditColumns + " FROM audit WHERE seq >= ? AND seq <= ? ORDER BY seq",
	stBeginWrite:  "BEGIN IMMEDIATE",
	stBeginRead:   "BEGIN",
	stCommit:      "COMMIT",
	stRollback:    "ROLLBACK",
}

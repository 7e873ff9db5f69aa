package sqlkit

import (
	"strings"
	"time"

	"github.com/servicekit/iso20000/store"
)

// RecordColumns are the columns of the records table that a backend reads
// into a [store.Doc], in the order it decodes them.
const RecordColumns = "id, version, status, owner, grp, service, priority, created, due, data"

// AuditColumns are the columns of an audit row, in the order the backends
// write and read them.
const AuditColumns = "seq, id, time, actor, action, kind, entity_id, from_state, to_state, changes, data, prev_hash, hash"

// AuditColumnList are the names in [AuditColumns].
var AuditColumnList = strings.Split(AuditColumns, ", ")

// KeyColumns are the indexed columns of the records table that hold a
// record's [store.Keys], in the order of [KeyArgs].
var KeyColumns = [...]string{"status", "owner", "grp", "service", "priority", "created", "due"}

// KeyArgs returns the column values of k in [KeyColumns] order, typed as
// database/sql drivers return them (string, int64, and nil for a NULL due),
// so that stored and new values compare with ==.
func KeyArgs(k store.Keys) [len(KeyColumns)]any {
	return [...]any{k.Status, k.Owner, k.Group, k.Service, int64(k.Priority), k.Created.UnixNano(), DueArg(k.Due)}
}

// ZeroNanos is what time.Time{}.UnixNano returns. The zero time is outside
// the range of Unix nanoseconds, so the value stands for it unambiguously.
var ZeroNanos = time.Time{}.UnixNano()

// FromNanos is the inverse of time.Time.UnixNano for UTC times, the zero
// time included: the backends store times as Unix nanoseconds.
func FromNanos(n int64) time.Time {
	if n == ZeroNanos {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// DueArg is the value of the due column: nil (NULL) when there is no
// deadline, else its Unix nanoseconds as an int64.
func DueArg(due time.Time) any {
	if due.IsZero() {
		return nil
	}
	return due.UnixNano()
}

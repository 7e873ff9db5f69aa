package incident

import (
	"testing"
	"time"

	"github.com/servicekit/iso20000/audit"
)

// BenchmarkAppendDiff measures the audit diff of a typical step: the state
// and the update time change, the other 22 audited fields do not.
func BenchmarkAppendDiff(b *testing.B) {
	before := fullIncident("a")
	after := before
	after.State = StateInProgress
	after.UpdatedAt = after.UpdatedAt.Add(time.Minute)
	var buf [24]audit.Change
	b.ReportAllocs()
	for b.Loop() {
		spec.AppendDiff(buf[:0], &before, &after)
	}
}

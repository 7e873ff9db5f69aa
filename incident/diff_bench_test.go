package incident

import (
	"slices"
	"testing"
	"time"

	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/internal/workflow"
)

// BenchmarkAppendDiff measures the audit diff of a typical step: the state
// and the update time change, the other 22 audited fields do not. The
// baseline is the naive diff: render every field of both images and
// compare the texts.
func BenchmarkAppendDiff(b *testing.B) {
	before := fullIncident("a")
	after := before
	after.State = StateInProgress
	after.UpdatedAt = after.UpdatedAt.Add(time.Minute)
	rendered := &workflow.Spec[Incident]{Logs: spec.Logs}
	for _, f := range spec.Fields {
		rendered.Fields = append(rendered.Fields, workflow.Field[Incident]{Name: f.Name, Get: f.Get})
	}
	if got, want := spec.AppendDiff(nil, &before, &after), rendered.AppendDiff(nil, &before, &after); !slices.Equal(got, want) {
		b.Fatalf("in place %v, rendered %v", got, want)
	}
	for _, c := range []struct {
		name string
		spec *workflow.Spec[Incident]
	}{{"in-place", spec}, {"baseline-render-every-field", rendered}} {
		b.Run(c.name, func(b *testing.B) {
			var buf [24]audit.Change
			b.ReportAllocs()
			for b.Loop() {
				c.spec.AppendDiff(buf[:0], &before, &after)
			}
		})
	}
}

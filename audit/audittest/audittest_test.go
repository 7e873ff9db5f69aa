package audittest_test

import (
	"testing"

	"github.com/servicekit/iso20000/audit/audittest"
)

// TestRun proves the suite against the reference SliceTrail.
func TestRun(t *testing.T) {
	audittest.Run(t, func(t *testing.T) audittest.Harness {
		return audittest.NewSliceTrail().Harness()
	})
}

// TestZeroSliceTrail runs the suite against zero-value SliceTrails.
func TestZeroSliceTrail(t *testing.T) {
	audittest.Run(t, func(t *testing.T) audittest.Harness {
		var tr audittest.SliceTrail
		return tr.Harness()
	})
}

func TestRecomputeHashRejectsMalformedLines(t *testing.T) {
	for _, line := range []string{
		``,
		`{}`,
		`{"seq":1}`,
		`{"seq":1,"id":"0193a5b0-7e2f-7c3d-9a4b-5c6d7e8f9a0b","time":"yesterday"}`,
		`{"seq":1,"id":"0193a5b0","time":"2026-01-01T00:00:00Z","prev_hash":""}`,
		`{"seq":1,"id":"0193a5b0-7e2f-7c3d-9a4b-5c6d7e8f9a0b","time":"2026-01-01T00:00:00Z","prev_hash":"00"}`,
	} {
		if _, _, err := audittest.RecomputeHash([]byte(line)); err == nil {
			t.Errorf("RecomputeHash(%q) succeeded, want an error", line)
		}
	}
}

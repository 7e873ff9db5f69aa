package sla_test

import (
	"testing"
	"time"

	"github.com/servicekit/iso20000/sla"
)

// benchTimer returns a resolution timer on the office calendar, started on a
// Monday and paused ten times for an hour, still running, with a target of
// 80 business hours (two weeks).
func benchTimer(b *testing.B) (*sla.Timer, time.Time) {
	tm := sla.Timer{Target: sla.TargetResolution, Duration: 80 * time.Hour, Thresholds: []int{50, 75, 90}}
	t := monday
	if err := tm.Start(t); err != nil {
		b.Fatal(err)
	}
	for range 10 {
		t = t.Add(20 * time.Hour)
		if err := tm.Pause(t, "pending customer"); err != nil {
			b.Fatal(err)
		}
		t = t.Add(time.Hour)
		if err := tm.Resume(t); err != nil {
			b.Fatal(err)
		}
	}
	return &tm, t.Add(2 * time.Hour)
}

// BenchmarkTimer measures the timer's queries against the raw calendar calls
// a caller would otherwise make by hand over the same spans (the baseline:
// the timer's overhead over the schedule arithmetic it needs anyway).
func BenchmarkTimer(b *testing.B) {
	tm, now := benchTimer(b)
	spans := tm.Cycles[0]
	b.Run("Elapsed/timer", func(b *testing.B) {
		for b.Loop() {
			tm.Elapsed(schedOffice, now)
		}
	})
	// used sums the business time of the closed spans by hand and returns it
	// with the start of the open span.
	used := func() (time.Duration, time.Time) {
		var d time.Duration
		from := spans.Start
		for _, p := range spans.Pauses {
			d += schedOffice.Elapsed(from, p.Start)
			from = p.End
		}
		return d, from
	}
	b.Run("Elapsed/raw-calendar", func(b *testing.B) {
		for b.Loop() {
			d, from := used()
			_ = d + schedOffice.Elapsed(from, now)
		}
	})
	b.Run("Due/timer", func(b *testing.B) {
		for b.Loop() {
			tm.Due(schedOffice)
		}
	})
	b.Run("Due/raw-calendar", func(b *testing.B) {
		for b.Loop() {
			d, from := used()
			schedOffice.Add(from, tm.Duration-d)
		}
	})
	b.Run("Measure/timer", func(b *testing.B) {
		for b.Loop() {
			tm.Measure(schedOffice, now)
		}
	})
	// The baseline of Measure: the same readings asked one query at a time,
	// each walking the cycle's spans again.
	b.Run("Measure/separate-queries", func(b *testing.B) {
		for b.Loop() {
			tm.Elapsed(schedOffice, now)
			tm.Remaining(schedOffice, now)
			tm.Breached(schedOffice, now)
			tm.Due(schedOffice)
			tm.Crossed(schedOffice, now)
			tm.NextDeadline(schedOffice, now)
		}
	})
}

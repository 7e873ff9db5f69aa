package sla_test

import (
	"testing"
	"time"

	"github.com/servicekit/iso20000/sla"
)

// BenchmarkPolicyTarget looks up a target the way every timer event does
// (by name, priority and the record's service, which has no target of its
// own), beside the naive index: one map keyed by all three, looked up for the
// service and then for the default.
func BenchmarkPolicyTarget(b *testing.B) {
	var targets []sla.Target
	for _, name := range []string{sla.TargetResponse, sla.TargetResolution} {
		for prio := 1; prio <= 5; prio++ {
			targets = append(targets, sla.Target{Name: name, Priority: prio, Duration: time.Duration(prio) * time.Hour, Schedule: schedAlways})
		}
	}
	p, err := sla.NewPolicy(sla.WithTargets(targets...))
	if err != nil {
		b.Fatal(err)
	}
	type key struct {
		name     string
		priority int
		service  string
	}
	naive := map[key]sla.Target{}
	for _, t := range targets {
		naive[key{t.Name, t.Priority, t.Service}] = t
	}
	const service = "vpn"
	b.Run("naive-map", func(b *testing.B) {
		for b.Loop() {
			t, ok := naive[key{sla.TargetResolution, 3, service}]
			if !ok {
				t, ok = naive[key{sla.TargetResolution, 3, ""}]
			}
			if !ok || t.Duration != 3*time.Hour {
				b.Fatal(t, ok)
			}
		}
	})
	b.Run("policy", func(b *testing.B) {
		for b.Loop() {
			t, err := p.Target(sla.TargetResolution, 3, service)
			if err != nil || t.Duration != 3*time.Hour {
				b.Fatal(t, err)
			}
		}
	})
}

package incident_test

import (
	"context"
	"testing"
	"time"

	"github.com/looplab/fsm"
	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/clocktest"
	"github.com/servicekit/iso20000/incident"
	"github.com/servicekit/iso20000/internal/backendtest"
	"github.com/servicekit/iso20000/sla"
	"github.com/servicekit/iso20000/store"
)

func benchPolicy(b *testing.B) *sla.Policy {
	always := sla.AlwaysOpen(time.UTC)
	p, err := sla.NewPolicy(append([]sla.PolicyOption{sla.WithTargets(
		sla.Target{Name: sla.TargetResponse, Priority: 2, Duration: time.Hour, Schedule: always},
		sla.Target{Name: sla.TargetResolution, Priority: 2, Duration: 8 * time.Hour, Schedule: always},
	)}, incident.SLAStops()...)...)
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// lifecycle runs open, assign, start, resolve, close: five audited changes.
func lifecycle(b *testing.B, ctx context.Context, svc *incident.Service, clock *clocktest.Clock) {
	inc, err := svc.Open(ctx, agent, incident.OpenInput{Title: "VPN down", Service: "vpn", Impact: incident.Medium, Urgency: incident.High})
	if err != nil {
		b.Fatal(err)
	}
	clock.Advance(time.Minute)
	if _, err = svc.Assign(ctx, agent, inc.ID, incident.AssignInput{Group: "network", Assignee: "alice"}); err != nil {
		b.Fatal(err)
	}
	if _, err = svc.Start(ctx, agent, inc.ID, incident.StepInput{}); err != nil {
		b.Fatal(err)
	}
	clock.Advance(time.Minute)
	if _, err = svc.Resolve(ctx, agent, inc.ID, incident.ResolveInput{Code: "fixed", Notes: "restarted"}); err != nil {
		b.Fatal(err)
	}
	if _, err = svc.Close(ctx, agent, inc.ID, incident.StepInput{}); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkLifecycle measures a full incident lifecycle (five audited,
// versioned changes with SLA clocks) per backend, beside the bare cost of the
// looplab/fsm calls a naive implementation would make for the same five
// transitions (a new FSM per operation, then Event).
func BenchmarkLifecycle(b *testing.B) {
	b.Run("bare-fsm-5-transitions", func(b *testing.B) {
		events := incident.Lifecycle.Events()
		steps := [][2]string{{"new", "assign"}, {"assigned", "start"}, {"in_progress", "resolve"}, {"resolved", "close"}, {"new", "assign"}}
		b.ReportAllocs()
		for b.Loop() {
			for _, s := range steps {
				f := fsm.NewFSM(s[0], events, nil)
				if err := f.Event(context.Background(), s[1]); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	for _, be := range backendtest.All() {
		b.Run(be.Name, func(b *testing.B) {
			benchLifecycle(b, be.New(b))
		})
	}
}

func benchLifecycle(b *testing.B, st store.Store) {
	ctx := context.Background()
	clock := clocktest.New(t0)
	svc, err := incident.NewService(st, incident.WithClock(clock), incident.WithSLA(benchPolicy(b)),
		incident.WithAuthorizer(iso20000.AllowAll))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		lifecycle(b, ctx, svc, clock)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lifecycles/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(5*b.N), "ns/change")
}

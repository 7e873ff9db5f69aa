package incident

import (
	"context"
	"testing"
	"time"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/clocktest"
	"github.com/servicekit/iso20000/sla"
	"github.com/servicekit/iso20000/store/memory"
)

// TestNextDeadlineKeptOnlyWhenUnchanged checks that the indexed next
// deadline, which a change recomputes only when it touched the timers or the
// escalations, is after every use case what a full recomputation gives.
func TestNextDeadlineKeptOnlyWhenUnchanged(t *testing.T) {
	ctx := context.Background()
	always := sla.AlwaysOpen(time.UTC)
	policy, err := sla.NewPolicy(append([]sla.PolicyOption{
		sla.WithTargets(
			sla.Target{Name: sla.TargetResponse, Priority: 1, Duration: 15 * time.Minute, Schedule: always},
			sla.Target{Name: sla.TargetResolution, Priority: 1, Duration: 4 * time.Hour, Schedule: always},
			sla.Target{Name: sla.TargetResponse, Priority: 2, Duration: time.Hour, Schedule: always},
			sla.Target{Name: sla.TargetResolution, Priority: 2, Duration: 8 * time.Hour, Schedule: always},
		),
		sla.WithThresholds(50, 75),
		sla.WithPauseStates(string(HoldAwaitingCaller)),
	}, SLAStops()...)...)
	if err != nil {
		t.Fatal(err)
	}
	clock := clocktest.New(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	svc, err := NewService(memory.New(), WithClock(clock), WithSLA(policy), WithAuthorizer(iso20000.AllowAll))
	if err != nil {
		t.Fatal(err)
	}
	actor := iso20000.Actor{ID: "alice"}
	inc, err := svc.Open(ctx, actor, OpenInput{Title: "VPN down", Service: "vpn", Impact: Medium, Urgency: High})
	if err != nil {
		t.Fatal(err)
	}
	id := inc.ID
	check := func(step string, got Incident, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if want := svc.nextDeadline(&got); !got.NextDeadline.Equal(want) {
			t.Errorf("%s: next deadline %v, recomputed %v", step, got.NextDeadline, want)
		}
		stored, err := svc.Get(ctx, id)
		if err != nil || !stored.NextDeadline.Equal(got.NextDeadline) {
			t.Errorf("%s: stored next deadline %v (%v), returned %v", step, stored.NextDeadline, err, got.NextDeadline)
		}
	}
	check("open", inc, nil)
	sweep := func() (Incident, error) {
		if _, err := svc.Sweep(ctx, clock.Now()); err != nil {
			return Incident{}, err
		}
		return svc.Get(ctx, id)
	}
	steps := []struct {
		name    string
		advance time.Duration
		do      func() (Incident, error)
	}{
		{"note", 5 * time.Minute, func() (Incident, error) { return svc.AddNote(ctx, actor, id, "looking") }},
		{"sweep past the response warning", 30 * time.Minute, sweep},
		{"assign", time.Minute, func() (Incident, error) {
			return svc.Assign(ctx, actor, id, AssignInput{Group: "network", Assignee: "bob"})
		}},
		{"start", time.Minute, func() (Incident, error) { return svc.Start(ctx, actor, id, StepInput{}) }},
		{"hold, pausing", time.Minute, func() (Incident, error) { return svc.Hold(ctx, actor, id, HoldInput{Reason: HoldAwaitingCaller}) }},
		{"note while paused", time.Hour, func() (Incident, error) { return svc.AddNote(ctx, actor, id, "still waiting") }},
		{"resume", time.Minute, func() (Incident, error) { return svc.Resume(ctx, actor, id, StepInput{}) }},
		{"override the priority", time.Minute, func() (Incident, error) {
			return svc.OverridePriority(ctx, actor, id, PriorityInput{Priority: 1, Reason: "CEO"})
		}},
		{"hold, not pausing", time.Minute, func() (Incident, error) { return svc.Hold(ctx, actor, id, HoldInput{Reason: HoldAwaitingSupplier}) }},
		{"resume again", time.Minute, func() (Incident, error) { return svc.Resume(ctx, actor, id, StepInput{}) }},
		{"sweep past the resolution warnings", 3 * time.Hour, sweep},
		{"change the service", time.Minute, func() (Incident, error) {
			s := "vpn-eu"
			return svc.Update(ctx, actor, id, UpdateInput{Service: &s})
		}},
		{"resolve", time.Minute, func() (Incident, error) { return svc.Resolve(ctx, actor, id, ResolveInput{Code: "fixed", Notes: "ok"}) }},
		{"reopen", time.Minute, func() (Incident, error) { return svc.Reopen(ctx, actor, id, ReopenInput{Reason: "again"}) }},
		{"resolve again", time.Minute, func() (Incident, error) {
			return svc.Resolve(ctx, actor, id, ResolveInput{Code: "fixed", Notes: "really"})
		}},
		{"close", time.Minute, func() (Incident, error) { return svc.Close(ctx, actor, id, StepInput{}) }},
	}
	for _, s := range steps {
		clock.Advance(s.advance)
		got, err := s.do()
		check(s.name, got, err)
	}
	if final, _ := svc.Get(ctx, id); !final.NextDeadline.IsZero() || len(final.Escalations) == 0 || final.ReopenCount != 1 {
		t.Errorf("final incident: next deadline %v, %d escalations, %d reopens", final.NextDeadline, len(final.Escalations), final.ReopenCount)
	}
}

// TestNextDeadlineSkipsEscalatedAlerts checks that once a sweep has handled
// an alert, the incident's next deadline moves on to the first alert no
// sweep has handled, timer by timer, and not back to the handled one.
func TestNextDeadlineSkipsEscalatedAlerts(t *testing.T) {
	ctx := context.Background()
	always := sla.AlwaysOpen(time.UTC)
	policy, err := sla.NewPolicy(append([]sla.PolicyOption{
		sla.WithTargets(
			sla.Target{Name: sla.TargetResponse, Priority: 2, Duration: time.Hour, Schedule: always},
			sla.Target{Name: sla.TargetResolution, Priority: 2, Duration: 8 * time.Hour, Schedule: always},
		),
		sla.WithThresholds(50, 75),
	}, SLAStops()...)...)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	clock := clocktest.New(t0)
	svc, err := NewService(memory.New(), WithClock(clock), WithSLA(policy), WithAuthorizer(iso20000.AllowAll))
	if err != nil {
		t.Fatal(err)
	}
	inc, err := svc.Open(ctx, iso20000.Actor{ID: "alice"}, OpenInput{Title: "VPN down", Impact: Medium, Urgency: High})
	if err != nil {
		t.Fatal(err)
	}
	if want := t0.Add(30 * time.Minute); !inc.NextDeadline.Equal(want) {
		t.Fatalf("opened: next deadline %v, want the response warning at %v", inc.NextDeadline, want)
	}
	for _, tt := range []struct {
		sweepAt time.Duration // after t0
		handled int           // escalations after the sweep
		next    time.Duration // after t0
	}{
		{31 * time.Minute, 1, 45 * time.Minute}, // response 50 % handled: its 75 %
		{46 * time.Minute, 2, time.Hour},        // response 75 %: its breach
		{61 * time.Minute, 3, 4 * time.Hour},    // the response breach: resolution 50 %
		{5 * time.Hour, 4, 6 * time.Hour},       // resolution 50 %: its 75 %
		{9 * time.Hour, 6, 0},                   // resolution 75 % and breach: nothing left
	} {
		clock.Set(t0.Add(tt.sweepAt))
		if _, err := svc.Sweep(ctx, clock.Now()); err != nil {
			t.Fatal(err)
		}
		got, err := svc.Get(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := t0.Add(tt.next)
		if tt.next == 0 {
			want = time.Time{}
		}
		if len(got.Escalations) != tt.handled || !got.NextDeadline.Equal(want) {
			t.Errorf("after a sweep at +%v: %d escalations, next deadline %v; want %d, %v",
				tt.sweepAt, len(got.Escalations), got.NextDeadline, tt.handled, want)
		}
	}
}

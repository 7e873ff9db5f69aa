package incident_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/incident"
	"github.com/servicekit/iso20000/sla"
	"github.com/servicekit/iso20000/store"
)

// testPolicy: P1 resolution 4h, P2 response 1h and resolution 8h, P3
// resolution 24h, all 24×7; awaiting the caller pauses.
func testPolicy(t *testing.T) *sla.Policy {
	t.Helper()
	always := sla.AlwaysOpen(time.UTC)
	p, err := sla.NewPolicy(append([]sla.PolicyOption{
		sla.WithTargets(
			sla.Target{Name: sla.TargetResolution, Priority: 1, Duration: 4 * time.Hour, Schedule: always},
			sla.Target{Name: sla.TargetResponse, Priority: 2, Duration: time.Hour, Schedule: always},
			sla.Target{Name: sla.TargetResolution, Priority: 2, Duration: 8 * time.Hour, Schedule: always},
			sla.Target{Name: sla.TargetResolution, Priority: 3, Duration: 24 * time.Hour, Schedule: always},
		),
		sla.WithPauseStates(string(incident.HoldAwaitingCaller)),
	}, incident.SLAStops()...)...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func reading(t *testing.T, f *fixture, inc incident.Incident, target string) sla.Reading {
	t.Helper()
	rs, err := f.svc.SLA(&inc, f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Target == target {
			return r
		}
	}
	t.Fatalf("no %s timer", target)
	return sla.Reading{}
}

func testSLA(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := context.Background()
	f := newFixture(t, newStore, incident.WithSLA(testPolicy(t)))
	inc := f.open(t) // P2 at t0
	if inc.Priority != 2 || inc.Response == nil || inc.Resolution == nil {
		t.Fatalf("P%d with timers %v %v", inc.Priority, inc.Response, inc.Resolution)
	}
	if want := t0.Add(30 * time.Minute); !inc.NextDeadline.Equal(want) {
		t.Fatalf("next deadline %v, want 50%% of the response target at %v", inc.NextDeadline, want)
	}
	f.clock.Advance(20 * time.Minute)
	inc, err := f.svc.Assign(ctx, agent, inc.ID, incident.AssignInput{Group: "network", Assignee: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if r := reading(t, f, inc, sla.TargetResponse); r.Status != sla.TimerStopped || r.Elapsed != 20*time.Minute || r.Breached {
		t.Fatalf("response after assignment: %+v", r)
	}
	if want := t0.Add(4 * time.Hour); !inc.NextDeadline.Equal(want) {
		t.Fatalf("next deadline %v, want 50%% of resolution at %v", inc.NextDeadline, want)
	}
	inc, _ = f.do(ctx, agent, inc, "start")
	f.clock.Set(t0.Add(time.Hour))
	inc, err = f.svc.Hold(ctx, agent, inc.ID, incident.HoldInput{Reason: incident.HoldAwaitingCaller})
	if err != nil {
		t.Fatal(err)
	}
	if r := reading(t, f, inc, sla.TargetResolution); r.Status != sla.TimerPaused || !inc.NextDeadline.IsZero() {
		t.Fatalf("awaiting the caller should pause: %+v, deadline %v", r, inc.NextDeadline)
	}
	f.clock.Set(t0.Add(3 * time.Hour))
	inc, _ = f.do(ctx, agent, inc, "resume")
	r := reading(t, f, inc, sla.TargetResolution)
	if r.Elapsed != time.Hour || !r.Due.Equal(t0.Add(10*time.Hour)) {
		t.Fatalf("after a 2h pause: elapsed %v due %v", r.Elapsed, r.Due)
	}
	// A priority change applies the new target to the time already used.
	inc, err = f.svc.OverridePriority(ctx, manager, inc.ID, incident.PriorityInput{Priority: 1, Reason: "CEO"})
	if err != nil {
		t.Fatal(err)
	}
	if r := reading(t, f, inc, sla.TargetResolution); r.Duration != 4*time.Hour || !r.Due.Equal(t0.Add(6*time.Hour)) {
		t.Fatalf("after P1: %+v", r)
	}
	// A hold reason the policy does not list keeps the clock running.
	inc, _ = f.svc.Hold(ctx, agent, inc.ID, incident.HoldInput{Reason: incident.HoldAwaitingSupplier})
	if r := reading(t, f, inc, sla.TargetResolution); r.Status != sla.TimerRunning {
		t.Fatalf("awaiting a supplier should not pause: %+v", r)
	}
	f.clock.Set(t0.Add(4 * time.Hour))
	inc, _ = f.do(ctx, agent, inc, "resolve")
	if r := reading(t, f, inc, sla.TargetResolution); r.Status != sla.TimerStopped || r.Elapsed != 2*time.Hour || r.Breached {
		t.Fatalf("resolved: %+v", r)
	}
	f.clock.Set(t0.Add(5 * time.Hour))
	inc, err = f.do(ctx, caller, inc, "reopen")
	if err != nil {
		t.Fatal(err)
	}
	if r := reading(t, f, inc, sla.TargetResolution); r.Cycle != 2 || r.Status != sla.TimerRunning || r.Elapsed != 0 {
		t.Fatalf("reopened: %+v", r)
	}
	// The timer events are in the audit trail.
	var last audit.Entry
	for e, err := range f.store.Trail().Entries(ctx, 1, 0) {
		if err != nil {
			t.Fatal(err)
		}
		last = e
	}
	if last.Data["sla.resolution"] != "restart,start" && last.Data["sla.resolution"] != "restart" {
		t.Fatalf("reopen entry data %v", last.Data)
	}
}

// recorder is a Notifier that records, and fails when told to.
type recorder struct {
	got  []incident.Notification
	fail bool
}

func (r *recorder) Notify(_ context.Context, n incident.Notification) error {
	if r.fail {
		return errors.New("mail server down")
	}
	r.got = append(r.got, n)
	return nil
}

func testSweep(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := context.Background()
	rec := &recorder{}
	f := newFixture(t, newStore, incident.WithSLA(testPolicy(t)), incident.WithNotifier(rec),
		incident.WithEscalation(
			incident.EscalationRule{Target: sla.TargetResolution, Percent: 75, ReassignTo: "major-response"},
			incident.EscalationRule{Percent: 100, NotifyManager: "boss"},
		))
	p1, err := f.svc.Open(ctx, caller, incident.OpenInput{Title: "Payroll down", Impact: incident.High, Urgency: incident.High, Group: "apps", Assignee: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	p3, err := f.svc.Open(ctx, caller, incident.OpenInput{Title: "Printer", Impact: incident.Low, Urgency: incident.High})
	if err != nil {
		t.Fatal(err)
	}
	sweep := func(at time.Duration, wantAlerts int) {
		t.Helper()
		res, err := f.svc.Sweep(ctx, t0.Add(at))
		if err != nil {
			t.Fatal(err)
		}
		if res.Alerts != wantAlerts {
			t.Fatalf("sweep at +%v: %d alerts, want %d", at, res.Alerts, wantAlerts)
		}
	}
	sweep(time.Hour, 0)
	sweep(2*time.Hour, 1) // P1 50 %
	if len(rec.got) != 1 || rec.got[0].Alert.Percent != 50 || rec.got[0].Rule != nil || rec.got[0].Incident.ID != p1.ID {
		t.Fatalf("notifications %+v", rec.got)
	}
	sweep(2*time.Hour, 0) // nothing new
	rec.fail = true
	if _, err := f.svc.Sweep(ctx, t0.Add(3*time.Hour+40*time.Minute)); err == nil {
		t.Fatal("sweep with a failing notifier succeeded")
	}
	rec.fail = false
	sweep(3*time.Hour+40*time.Minute, 2) // 75 % (reassign) and 90 %, retried
	got, _ := f.svc.Get(ctx, p1.ID)
	if got.Group != "major-response" || got.Assignee != "" || got.State != incident.StateAssigned || len(got.Escalations) != 3 {
		t.Fatalf("after functional escalation: group %q assignee %q state %s escalations %+v", got.Group, got.Assignee, got.State, got.Escalations)
	}
	// Breaching: the P1 breaches before +5h, the P3 (24h) does not.
	page, err := f.svc.Breaching(ctx, t0.Add(5*time.Hour), incident.Filter{})
	if err != nil || len(page.Incidents) != 1 || page.Incidents[0].ID != p1.ID {
		t.Fatalf("breaching: %v %d", err, len(page.Incidents))
	}
	sweep(5*time.Hour, 1) // the breach: hierarchical escalation
	last := rec.got[len(rec.got)-1]
	if !last.Alert.Breach() || last.Rule == nil || last.Rule.NotifyManager != "boss" {
		t.Fatalf("breach notification %+v", last)
	}
	sweep(13*time.Hour, 1) // P3 50 % at +12h
	if rec.got[len(rec.got)-1].Incident.ID != p3.ID {
		t.Fatal("P3 warning missing")
	}
	rep, err := audit.Verify(ctx, f.store.Trail())
	if err != nil || !rep.OK {
		t.Fatalf("trail: %v %+v", err, rep)
	}
	escalations := 0
	for e, err := range f.store.Trail().Entries(ctx, 1, 0) {
		if err != nil {
			t.Fatal(err)
		}
		if e.Action == "incident.escalate" {
			escalations++
			if e.Actor != iso20000.System.ID || e.Data["alerts"] == "" {
				t.Fatalf("escalation entry %+v", e)
			}
		}
	}
	if escalations != 4 {
		t.Fatalf("%d escalation entries, want 4", escalations)
	}
}

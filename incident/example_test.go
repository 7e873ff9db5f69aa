package incident_test

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/clocktest"
	"github.com/servicekit/iso20000/incident"
	"github.com/servicekit/iso20000/sla"
	"github.com/servicekit/iso20000/store/memory"
)

// An incident from report to closure, with its audit trail verified.
func Example() {
	ctx := context.Background()
	clock := clocktest.New(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	svc, _ := incident.NewService(memory.New(), incident.WithClock(clock))

	carol := iso20000.Actor{ID: "carol", Roles: []string{incident.RoleRequester}}
	alice := iso20000.Actor{ID: "alice", Roles: []string{incident.RoleAgent}}

	inc, _ := svc.Open(ctx, carol, incident.OpenInput{
		Title: "Cannot reach the VPN", Service: "vpn", Impact: incident.Medium, Urgency: incident.High,
	})
	fmt.Println(inc.Number, inc.Priority, inc.State)

	inc, _ = svc.Assign(ctx, alice, inc.ID, incident.AssignInput{Group: "network", Assignee: "alice"})
	inc, _ = svc.Start(ctx, alice, inc.ID, incident.StepInput{Note: "Looking at the concentrator"})
	_, err := svc.Close(ctx, alice, inc.ID, incident.StepInput{})
	fmt.Println(err)

	clock.Advance(40 * time.Minute)
	inc, _ = svc.Resolve(ctx, alice, inc.ID, incident.ResolveInput{Code: "fixed", Notes: "Restarted the VPN concentrator"})
	_, err = svc.Close(ctx, carol, inc.ID, incident.StepInput{})
	fmt.Println(err)
	inc, _ = svc.Close(ctx, alice, inc.ID, incident.StepInput{})
	fmt.Println(inc.State, inc.Version)
	// Output:
	// INC-000001 P2 new
	// incident: cannot close from state "in_progress"
	// forbidden: "carol" may not incident.close: requires one of the roles agent, incident-manager, system
	// closed 5
}

// SLA clocks: a P1 incident on a 24×7 resolution target of 4 hours, paused
// while the caller is awaited, escalated by the sweep when 75 % is used.
func ExampleService_Sweep() {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	clock := clocktest.New(t0)
	policy, _ := sla.NewPolicy(append([]sla.PolicyOption{
		sla.WithTargets(sla.Target{Name: sla.TargetResolution, Priority: 1, Duration: 4 * time.Hour, Schedule: sla.AlwaysOpen(time.UTC)}),
		sla.WithPauseStates(string(incident.HoldAwaitingCaller)),
	}, incident.SLAStops()...)...)
	notify := incident.NotifierFunc(func(_ context.Context, n incident.Notification) error {
		fmt.Printf("%s: %s %d%% at %s\n", n.Incident.Number, n.Alert.Target, n.Alert.Percent, n.Alert.At.Format("15:04"))
		return nil
	})
	svc, _ := incident.NewService(memory.New(), incident.WithClock(clock), incident.WithSLA(policy),
		incident.WithNotifier(notify),
		incident.WithEscalation(incident.EscalationRule{Percent: 75, ReassignTo: "major-response"}))
	alice := iso20000.Actor{ID: "alice", Roles: []string{incident.RoleAgent}}

	inc, _ := svc.Open(ctx, alice, incident.OpenInput{Title: "Payroll down", Impact: incident.High, Urgency: incident.High, Group: "apps", Assignee: "alice"})
	inc, _ = svc.Start(ctx, alice, inc.ID, incident.StepInput{})
	clock.Advance(time.Hour)
	inc, _ = svc.Hold(ctx, alice, inc.ID, incident.HoldInput{Reason: incident.HoldAwaitingCaller})
	clock.Advance(2 * time.Hour) // paused: these two hours do not count
	inc, _ = svc.Resume(ctx, alice, inc.ID, incident.StepInput{})

	r, _ := svc.SLA(&inc, clock.Now())
	fmt.Println("used", r[0].Elapsed, "due", r[0].Due.Format("15:04"))

	res, _ := svc.Sweep(ctx, t0.Add(5*time.Hour+30*time.Minute))
	inc, _ = svc.Get(ctx, inc.ID)
	fmt.Println(res.Alerts, "alerts; now with", inc.Group)
	// Output:
	// used 1h0m0s due 15:00
	// INC-000001: resolution 50% at 13:00
	// INC-000001: resolution 75% at 14:00
	// 2 alerts; now with major-response
}

// Segregation of duties and denied attempts are audited.
func ExampleService_DeclareMajor() {
	ctx := context.Background()
	st := memory.New()
	ids := uuid.MustParse("00000000-0000-0000-0000-000000000001")
	svc, _ := incident.NewService(st, incident.WithIDs(func() uuid.UUID { return ids }),
		incident.WithClock(clocktest.New(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))))
	alice := iso20000.Actor{ID: "alice", Roles: []string{incident.RoleAgent}}
	mike := iso20000.Actor{ID: "mike", Roles: []string{incident.RoleIncidentManager}}

	inc, _ := svc.Open(ctx, alice, incident.OpenInput{Title: "Mail down", Impact: incident.High, Urgency: incident.High})
	_, err := svc.DeclareMajor(ctx, alice, inc.ID, "whole company affected")
	fmt.Println(err != nil)
	inc, _ = svc.DeclareMajor(ctx, mike, inc.ID, "whole company affected")
	fmt.Println(inc.Major, inc.Communications[0].Text)

	for e, _ := range st.Trail().Entries(ctx, 1, 0) {
		fmt.Println(e.Seq, e.Actor, e.Action)
	}
	rep, _ := audit.Verify(ctx, st.Trail())
	fmt.Println("trail ok:", rep.OK)
	// Output:
	// true
	// true Declared major: whole company affected
	// 1 alice incident.open
	// 2 alice denied:incident.major
	// 3 mike incident.major
	// trail ok: true
}

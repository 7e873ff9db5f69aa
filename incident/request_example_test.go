package incident_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/clocktest"
	"github.com/servicekit/iso20000/incident"
	"github.com/servicekit/iso20000/sla"
	"github.com/servicekit/iso20000/store/memory"
)

// sequentialIDs returns a generator of the IDs ...0001, ...0002, ...
func sequentialIDs() func() uuid.UUID {
	var n byte
	return func() uuid.UUID {
		n++
		return uuid.UUID{15: n}
	}
}

// A service request from submission to closure: the catalogue item needs
// approval, the requester may not approve it herself, the approver's time
// does not count against the fulfilment target, and every step is audited.
func ExampleRequestService() {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	clock := clocktest.New(t0)
	policy, _ := sla.NewPolicy(incident.RequestSLA(sla.AlwaysOpen(time.UTC), 40*time.Hour)...)
	st := memory.New()
	svc, _ := incident.NewRequestService(st, incident.WithClock(clock), incident.WithSLA(policy),
		incident.WithIDs(sequentialIDs()))

	cathy := iso20000.Actor{ID: "cathy", Roles: []string{incident.RoleCatalogManager}}
	rita := iso20000.Actor{ID: "rita", Roles: []string{incident.RoleRequester, incident.RoleApprover}}
	abe := iso20000.Actor{ID: "abe", Roles: []string{incident.RoleApprover}}
	alice := iso20000.Actor{ID: "alice", Roles: []string{incident.RoleAgent}}

	_, _ = svc.DefineItem(ctx, cathy, incident.ItemInput{
		ID: "laptop", Name: "New laptop", Service: "workplace", ApprovalRequired: true,
		FulfilmentTarget: 16 * time.Hour, Tasks: []string{"order", "configure"},
	})
	r, _ := svc.Submit(ctx, rita, incident.SubmitInput{ItemID: "laptop", Description: "for the new starter"})
	fmt.Println(r.Number, r.ID, r.State)

	_, err := svc.Approve(ctx, rita, r.ID, incident.DecisionInput{})
	fmt.Println(err)

	clock.Advance(2 * time.Hour)
	r, _ = svc.Approve(ctx, abe, r.ID, incident.DecisionInput{Reason: "budget ok"})
	r, _ = svc.StartFulfilment(ctx, alice, r.ID, incident.StepInput{})
	_, err = svc.Fulfil(ctx, alice, r.ID, incident.StepInput{})
	fmt.Println(err)
	for _, task := range []string{"order", "configure"} {
		clock.Advance(90 * time.Minute)
		r, _ = svc.CompleteTask(ctx, alice, r.ID, incident.TaskInput{Name: task})
	}
	r, _ = svc.Fulfil(ctx, alice, r.ID, incident.StepInput{Note: "handed over"})
	readings, _ := svc.SLA(&r, clock.Now())
	fmt.Println(r.State, "after", readings[0].Elapsed, "of", readings[0].Duration)
	r, _ = svc.Close(ctx, alice, r.ID, incident.StepInput{})

	for e := range st.Trail().Entries(ctx, 1, 0) {
		line := fmt.Sprint(e.Seq, " ", e.Actor, " ", e.Action)
		if e.To != "" {
			line += " " + strings.TrimSpace(e.From+" → "+e.To)
		}
		fmt.Println(line)
	}
	rep, _ := audit.Verify(ctx, st.Trail())
	fmt.Println("trail ok:", rep.OK)
	// Output:
	// REQ-000001 00000000-0000-0000-0000-000000000001 awaiting_approval
	// forbidden: "rita" may not request.approve: segregation of duties: the requester may not do this
	// request: cannot fulfil from state "fulfilling": fulfilment tasks not done: order, configure
	// fulfilled after 3h0m0s of 16h0m0s
	// 1 cathy catalog_item.define → active
	// 2 rita request.submit → awaiting_approval
	// 3 rita denied:request.approve
	// 4 abe request.approve awaiting_approval → approved
	// 5 alice request.start_fulfilment approved → fulfilling
	// 6 alice request.complete_task fulfilling → fulfilling
	// 7 alice request.complete_task fulfilling → fulfilling
	// 8 alice request.fulfil fulfilling → fulfilled
	// 9 alice request.close fulfilled → closed
	// trail ok: true
}

// A request for an item that needs no approval goes straight to fulfilment,
// and its fulfilment clock runs from submission: Breaching lists the
// requests that will breach their target before a given time.
func ExampleRequestService_Breaching() {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	clock := clocktest.New(t0)
	policy, _ := sla.NewPolicy(incident.RequestSLA(sla.AlwaysOpen(time.UTC), 40*time.Hour)...)
	svc, _ := incident.NewRequestService(memory.New(), incident.WithClock(clock), incident.WithSLA(policy),
		incident.WithIDs(sequentialIDs()))
	cathy := iso20000.Actor{ID: "cathy", Roles: []string{incident.RoleCatalogManager}}
	rita := iso20000.Actor{ID: "rita", Roles: []string{incident.RoleRequester}}

	_, _ = svc.DefineItem(ctx, cathy, incident.ItemInput{ID: "password-reset", Name: "Password reset",
		Service: "identity", FulfilmentTarget: 4 * time.Hour, Tasks: []string{"reset"}})
	_, _ = svc.DefineItem(ctx, cathy, incident.ItemInput{ID: "mailbox", Name: "Shared mailbox", Service: "mail"})
	for _, item := range []string{"password-reset", "mailbox"} {
		r, _ := svc.Submit(ctx, rita, incident.SubmitInput{ItemID: item})
		fmt.Println(r.Number, r.ItemName, r.State, "due", r.FulfilmentDue.Format("Mon 15:04"))
		clock.Advance(time.Hour)
	}
	p, _ := svc.Breaching(ctx, t0.Add(8*time.Hour), incident.RequestFilter{})
	for _, r := range p.Requests {
		fmt.Println("breaching before 17:00:", r.Number)
	}
	// Output:
	// REQ-000001 Password reset fulfilling due Mon 13:00
	// REQ-000002 Shared mailbox fulfilling due Wed 02:00
	// breaching before 17:00: REQ-000001
}

package incident_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/clocktest"
	"github.com/servicekit/iso20000/incident"
	"github.com/servicekit/iso20000/internal/backendtest"
	"github.com/servicekit/iso20000/sla"
	"github.com/servicekit/iso20000/store"
)

var (
	reqUser     = iso20000.Actor{ID: "rita", Roles: []string{incident.RoleRequester}}
	reqApprover = iso20000.Actor{ID: "abe", Roles: []string{incident.RoleApprover}}
	reqCurator  = iso20000.Actor{ID: "cathy", Roles: []string{incident.RoleCatalogManager}}
	// reqBoth may request and approve: segregation of duties must keep her
	// from approving her own requests.
	reqBoth = iso20000.Actor{ID: "paula", Roles: []string{incident.RoleRequester, incident.RoleApprover}}
)

// reqPolicy counts fulfilment round the clock, 40h for items without a target.
func reqPolicy(t testing.TB) *sla.Policy {
	t.Helper()
	p, err := sla.NewPolicy(incident.RequestSLA(sla.AlwaysOpen(time.UTC), 40*time.Hour)...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The catalogue every fixture starts with.
var reqItems = []incident.ItemInput{
	// vpn-access needs approval and has no tasks: the lifecycle table test uses it.
	{ID: "vpn-access", Name: "VPN access", Service: "vpn", ApprovalRequired: true, FulfilmentTarget: 8 * time.Hour},
	{ID: "laptop", Name: "New laptop", Service: "workplace", ApprovalRequired: true, FulfilmentTarget: 16 * time.Hour,
		Tasks: []string{"order", "configure", "deliver"}},
	{ID: "password-reset", Name: "Password reset", Service: "identity", Tasks: []string{"reset"}},
}

// reqFixture is one request service on a fresh store with a fake clock, an
// SLA policy and the catalogue of reqItems.
type reqFixture struct {
	svc   *incident.RequestService
	store store.Store
	clock *clocktest.Clock
}

func newReqFixture(t testing.TB, newStore func(t testing.TB) store.Store, opts ...incident.Option) *reqFixture {
	t.Helper()
	f := &reqFixture{store: newStore(t), clock: clocktest.New(t0)}
	svc, err := incident.NewRequestService(f.store, append([]incident.Option{
		incident.WithClock(f.clock), incident.WithSLA(reqPolicy(t)),
	}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	f.svc = svc
	for _, in := range reqItems {
		if _, err := svc.DefineItem(context.Background(), reqCurator, in); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *reqFixture) submit(t testing.TB, item string) incident.Request {
	t.Helper()
	r, err := f.svc.Submit(context.Background(), reqUser, incident.SubmitInput{ItemID: item, Description: "for the new starter"})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// reqPaths say how each state is reached from a vpn-access submission
// (submitted is never stored: Submit routes at once).
var reqPaths = map[incident.RequestState][]string{
	incident.RequestAwaitingApproval: nil,
	incident.RequestApproved:         {"approve"},
	incident.RequestRejected:         {"reject"},
	incident.RequestFulfilling:       {"approve", "start_fulfilment"},
	incident.RequestFulfilled:        {"approve", "start_fulfilment", "fulfil"},
	incident.RequestClosed:           {"approve", "start_fulfilment", "fulfil", "close"},
	incident.RequestCancelled:        {"cancel"},
}

// reach returns a vpn-access request brought into state s through the service.
func (f *reqFixture) reach(t testing.TB, s incident.RequestState) incident.Request {
	t.Helper()
	r := f.submit(t, "vpn-access")
	for _, ev := range reqPaths[s] {
		var err error
		if r, err = f.do(context.Background(), r, ev); err != nil {
			t.Fatalf("reaching %s: %s: %v", s, ev, err)
		}
	}
	if r.State != s {
		t.Fatalf("reached %s, want %s", r.State, s)
	}
	return r
}

// do performs a lifecycle event with valid input, as the approver for
// decisions and as an agent otherwise.
func (f *reqFixture) do(ctx context.Context, r incident.Request, event string) (incident.Request, error) {
	switch event {
	case incident.EventApprove:
		return f.svc.Approve(ctx, reqApprover, r.ID, incident.DecisionInput{Reason: "within budget"})
	case incident.EventReject:
		return f.svc.Reject(ctx, reqApprover, r.ID, incident.DecisionInput{Reason: "not justified"})
	case incident.EventStartFulfilment:
		return f.svc.StartFulfilment(ctx, agent, r.ID, incident.StepInput{})
	case incident.EventFulfil:
		return f.svc.Fulfil(ctx, agent, r.ID, incident.StepInput{Note: "done"})
	case incident.EventClose:
		return f.svc.Close(ctx, agent, r.ID, incident.StepInput{})
	case incident.EventCancel:
		return f.svc.Cancel(ctx, agent, r.ID, incident.CancelInput{Reason: "no longer needed"})
	}
	panic("no service method for event " + event)
}

// entriesSince returns the trail entries after head h.
func entriesSince(t testing.TB, st store.Store, h audit.Head) []audit.Entry {
	t.Helper()
	var out []audit.Entry
	for e, err := range st.Trail().Entries(context.Background(), h.Seq+1, 0) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// assertRequestUnchanged checks that a refused call changed neither the
// request nor the trail.
func assertRequestUnchanged(t *testing.T, f *reqFixture, r incident.Request, h audit.Head) {
	t.Helper()
	stored, err := f.svc.Get(context.Background(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Version != r.Version || stored.State != r.State || len(stored.WorkNotes) != len(r.WorkNotes) {
		t.Fatalf("request changed: version %d→%d, state %s→%s", r.Version, stored.Version, r.State, stored.State)
	}
	if got := head(t, f.store); got != h {
		t.Fatalf("trail changed: head %d→%d", h.Seq, got.Seq)
	}
}

// assertRefused checks for a *iso20000.TransitionError about event from state from.
func assertRefused(t *testing.T, err error, from incident.RequestState, event string) *iso20000.TransitionError {
	t.Helper()
	var te *iso20000.TransitionError
	if !errors.As(err, &te) || !errors.Is(err, iso20000.ErrInvalidTransition) {
		t.Fatalf("want ErrInvalidTransition, got %v", err)
	}
	if te.Kind != incident.RequestKind || te.From != string(from) || te.Event != event {
		t.Fatalf("error carries %+v, want %s from %s", te, event, from)
	}
	return te
}

func assertValidation(t *testing.T, err error, field string) {
	t.Helper()
	var ve *iso20000.ValidationError
	if !errors.As(err, &ve) || ve.Field != field {
		t.Fatalf("want a validation error on %s, got %v", field, err)
	}
}

// reqAllowed is the request lifecycle written out by hand (not derived from
// incident.RequestLifecycle, so that a change to the table fails the tests).
var reqAllowed = map[incident.RequestState]map[string]incident.RequestState{
	incident.RequestSubmitted: {"request_approval": incident.RequestAwaitingApproval,
		"start_fulfilment": incident.RequestFulfilling, "cancel": incident.RequestCancelled},
	incident.RequestAwaitingApproval: {"approve": incident.RequestApproved, "reject": incident.RequestRejected,
		"cancel": incident.RequestCancelled},
	incident.RequestApproved:   {"start_fulfilment": incident.RequestFulfilling, "cancel": incident.RequestCancelled},
	incident.RequestRejected:   {},
	incident.RequestFulfilling: {"fulfil": incident.RequestFulfilled, "cancel": incident.RequestCancelled},
	incident.RequestFulfilled:  {"close": incident.RequestClosed},
	incident.RequestClosed:     {},
	incident.RequestCancelled:  {},
}

var reqEvents = []string{"request_approval", "start_fulfilment", "approve", "reject", "fulfil", "close", "cancel"}

// TestRequestLifecycle checks every (state, event) pair of the table itself,
// including the submitted state that Submit never leaves stored.
func TestRequestLifecycle(t *testing.T) {
	states := incident.RequestLifecycle.States()
	if len(states) != len(reqAllowed) || states[0] != string(incident.RequestSubmitted) {
		t.Fatalf("states %v", states)
	}
	for _, from := range states {
		for _, ev := range reqEvents {
			t.Run(from+"/"+ev, func(t *testing.T) {
				want, ok := reqAllowed[incident.RequestState(from)][ev]
				got, err := incident.RequestLifecycle.Transition(from, ev)
				if ok {
					if err != nil || got != string(want) {
						t.Fatalf("got %s, %v; want %s", got, err, want)
					}
					return
				}
				assertRefused(t, err, incident.RequestState(from), ev)
			})
		}
	}
}

// TestLifecycleDiagrams keeps the diagram in each lifecycle's doc comment
// equal to what the lifecycle table draws (Lifecycle.Mermaid()).
func TestLifecycleDiagrams(t *testing.T) {
	for _, c := range []struct {
		file, name string
		lifecycle  *iso20000.Lifecycle
	}{
		{"lifecycle.go", "Lifecycle", incident.Lifecycle},
		{"request_lifecycle.go", "RequestLifecycle", incident.RequestLifecycle},
	} {
		src, err := os.ReadFile(c.file)
		if err != nil {
			t.Fatal(err)
		}
		marker := "// Its diagram, from " + c.name + ".Mermaid():\n//\n"
		_, doc, ok := strings.Cut(string(src), marker)
		if !ok {
			t.Fatalf("%s: diagram marker not found", c.file)
		}
		var b strings.Builder
		for line := range strings.Lines(doc) {
			text, ok := strings.CutPrefix(line, "//\t")
			if !ok {
				break
			}
			b.WriteString(text)
		}
		if want := c.lifecycle.Mermaid(); b.String() != want {
			t.Errorf("%s: doc comment diagram:\n%s\n%s.Mermaid():\n%s", c.file, b.String(), c.name, want)
		}
	}
}

// TestRequests runs the service request suite against every backend.
func TestRequests(t *testing.T) { backendtest.Run(t, runRequestSuite) }

// runRequestSuite runs the service request suite against one backend.
func runRequestSuite(t *testing.T, newStore func(t testing.TB) store.Store) {
	t.Run("Transitions", func(t *testing.T) { testRequestTransitions(t, newStore) })
	t.Run("Submit", func(t *testing.T) { testRequestSubmit(t, newStore) })
	t.Run("Approval", func(t *testing.T) { testRequestApproval(t, newStore) })
	t.Run("Tasks", func(t *testing.T) { testRequestTasks(t, newStore) })
	t.Run("Edits", func(t *testing.T) { testRequestEdits(t, newStore) })
	t.Run("Copies", func(t *testing.T) { testRequestCopies(t, newStore) })
	t.Run("Versions", func(t *testing.T) { testRequestVersions(t, newStore) })
	t.Run("Concurrent", func(t *testing.T) { testRequestConcurrent(t, newStore) })
	t.Run("Queries", func(t *testing.T) { testRequestQueries(t, newStore) })
	t.Run("SLA", func(t *testing.T) { testRequestSLA(t, newStore) })
	t.Run("Catalog", func(t *testing.T) { testCatalog(t, newStore) })
	t.Run("Audit", func(t *testing.T) { testRequestAudit(t, newStore) })
}

// testRequestTransitions tries every event a service method performs in
// every state a request can be stored in.
func testRequestTransitions(t *testing.T, newStore func(t testing.TB) store.Store) {
	f := newReqFixture(t, newStore)
	ctx := context.Background()
	for from := range reqPaths {
		for _, ev := range reqEvents[1:] { // request_approval only routes a submission
			t.Run(fmt.Sprintf("%s/%s", from, ev), func(t *testing.T) {
				r := f.reach(t, from)
				h := head(t, f.store)
				got, err := f.do(ctx, r, ev)
				if want, ok := reqAllowed[from][ev]; ok {
					if err != nil {
						t.Fatalf("want %s, got %v", want, err)
					}
					if got.State != want || got.Version != r.Version+1 {
						t.Fatalf("got state %s version %d, want %s version %d", got.State, got.Version, want, r.Version+1)
					}
					es := entriesSince(t, f.store, h)
					if len(es) != 1 || es[0].Action != "request."+ev || es[0].From != string(from) || es[0].To != string(want) {
						t.Fatalf("audit entries %+v", es)
					}
					return
				}
				assertRefused(t, err, from, ev)
				assertRequestUnchanged(t, f, r, h)
			})
		}
	}
}

func testRequestSubmit(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := context.Background()
	f := newReqFixture(t, newStore)
	h := head(t, f.store)
	t.Run("routes to approval", func(t *testing.T) {
		r := f.submit(t, "laptop")
		if r.State != incident.RequestAwaitingApproval || r.Number != "REQ-000001" || r.Version != 1 {
			t.Fatalf("%s %s v%d", r.Number, r.State, r.Version)
		}
		if r.ItemName != "New laptop" || r.Service != "workplace" || !r.ApprovalRequired ||
			r.Requester != reqUser.ID || r.RequestedFor != reqUser.ID || !r.SubmittedAt.Equal(t0) ||
			len(r.Tasks) != 3 || r.Tasks[1].Name != "configure" || r.Tasks[1].Done {
			t.Fatalf("submitted %+v", r)
		}
		es := entriesSince(t, f.store, h)
		if len(es) != 1 {
			t.Fatalf("%d entries for one submission", len(es))
		}
		e := es[0]
		if e.Action != "request.submit" || e.From != "" || e.To != "awaiting_approval" || e.Data["route"] != "request_approval" ||
			e.EntityID != r.ID.String() || e.Kind != incident.RequestKind || e.Actor != reqUser.ID {
			t.Fatalf("submit entry %+v", e)
		}
	})
	t.Run("routes to fulfilment", func(t *testing.T) {
		r, err := f.svc.Submit(ctx, agent, incident.SubmitInput{ItemID: "password-reset", RequestedFor: "rita", Group: "identity", Note: "called in"})
		if err != nil {
			t.Fatal(err)
		}
		if r.State != incident.RequestFulfilling || r.Number != "REQ-000002" || r.Requester != agent.ID ||
			r.RequestedFor != "rita" || r.Group != "identity" || len(r.WorkNotes) != 1 {
			t.Fatalf("submitted %+v", r)
		}
	})
	t.Run("refusals use no number", func(t *testing.T) {
		before := head(t, f.store)
		_, err := f.svc.Submit(ctx, reqUser, incident.SubmitInput{})
		assertValidation(t, err, "item_id")
		if _, err := f.svc.Submit(ctx, reqUser, incident.SubmitInput{ItemID: "unicorn"}); !errors.Is(err, iso20000.ErrNotFound) {
			t.Fatalf("unknown item: %v", err)
		}
		off := false
		if _, err := f.svc.UpdateItem(ctx, reqCurator, "vpn-access", incident.ItemUpdate{Active: &off}); err != nil {
			t.Fatal(err)
		}
		before.Seq++ // the retirement
		_, err = f.svc.Submit(ctx, reqUser, incident.SubmitInput{ItemID: "vpn-access"})
		assertValidation(t, err, "item_id")
		if got := head(t, f.store).Seq; got != before.Seq {
			t.Fatalf("refused submissions wrote %d entries", got-before.Seq)
		}
		if got := f.submit(t, "laptop").Number; got != "REQ-000003" {
			t.Fatalf("after refusals: %s", got)
		}
	})
	t.Run("catalogue changes leave requests alone", func(t *testing.T) {
		r := f.submit(t, "laptop")
		name := "Standard laptop"
		if _, err := f.svc.UpdateItem(ctx, reqCurator, "laptop", incident.ItemUpdate{Name: &name, Tasks: []string{"ship"}}); err != nil {
			t.Fatal(err)
		}
		got, err := f.svc.Get(ctx, r.ID)
		if err != nil || got.ItemName != "New laptop" || len(got.Tasks) != 3 {
			t.Fatalf("%v %+v", err, got)
		}
		if r2 := f.submit(t, "laptop"); r2.ItemName != name || len(r2.Tasks) != 1 {
			t.Fatalf("a new request copies the changed item: %+v", r2)
		}
	})
	t.Run("no roles cannot submit", func(t *testing.T) {
		_, err := f.svc.Submit(ctx, iso20000.Actor{ID: "eve"}, incident.SubmitInput{ItemID: "laptop"})
		if !errors.Is(err, iso20000.ErrForbidden) {
			t.Fatalf("want ErrForbidden, got %v", err)
		}
	})
}

// assertDenied checks that err is ErrForbidden, that the request did not
// change, and that exactly the denied attempt was audited.
func assertDenied(t *testing.T, f *reqFixture, err error, r incident.Request, h audit.Head, actor iso20000.Actor, action, reason string) {
	t.Helper()
	if !errors.Is(err, iso20000.ErrForbidden) {
		t.Fatalf("want ErrForbidden, got %v", err)
	}
	stored, _ := f.svc.Get(context.Background(), r.ID)
	if stored.Version != r.Version || stored.State != r.State {
		t.Fatal("a denied call changed the request")
	}
	es := entriesSince(t, f.store, h)
	if len(es) != 1 || es[0].Actor != actor.ID || es[0].Action != "denied:"+action ||
		es[0].EntityID != r.ID.String() || !strings.Contains(es[0].Data["reason"], reason) {
		t.Fatalf("want one denied %s entry by %s (%q), got %+v", action, actor.ID, reason, es)
	}
}

func testRequestApproval(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := context.Background()
	f := newReqFixture(t, newStore)
	own, err := f.svc.Submit(ctx, reqBoth, incident.SubmitInput{ItemID: "laptop"})
	if err != nil {
		t.Fatal(err)
	}
	forAbe, err := f.svc.Submit(ctx, reqUser, incident.SubmitInput{ItemID: "laptop", RequestedFor: reqApprover.ID})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		actor  iso20000.Actor
		r      incident.Request
		reject bool
		reason string // in the audited denial
	}{
		{"requester approves own request", reqBoth, own, false, "segregation of duties: the requester"},
		{"requester rejects own request", reqBoth, own, true, "segregation of duties: the requester"},
		{"beneficiary approves request made for them", reqApprover, forAbe, false, "segregation of duties: the requested_for"},
		{"agent is no approver", agent, own, false, "requires one of the roles"},
		{"requester is no approver", reqUser, own, true, "requires one of the roles"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := head(t, f.store)
			in := incident.DecisionInput{Reason: "fine"}
			var err error
			action := "request.approve"
			if c.reject {
				action = "request.reject"
				_, err = f.svc.Reject(ctx, c.actor, c.r.ID, in)
			} else {
				_, err = f.svc.Approve(ctx, c.actor, c.r.ID, in)
			}
			assertDenied(t, f, err, c.r, h, c.actor, action, c.reason)
		})
	}
	t.Run("another approver approves", func(t *testing.T) {
		f.clock.Advance(time.Hour)
		got, err := f.svc.Approve(ctx, reqApprover, own.ID, incident.DecisionInput{Reason: "budget ok"})
		if err != nil {
			t.Fatal(err)
		}
		if got.State != incident.RequestApproved || got.Approver != reqApprover.ID || got.DecisionReason != "budget ok" ||
			!got.ApprovedAt.Equal(f.clock.Now()) {
			t.Fatalf("approved %+v", got)
		}
		// paula, as an approver, may decide requests of others.
		got, err = f.svc.Approve(ctx, reqBoth, forAbe.ID, incident.DecisionInput{})
		if err != nil || got.Approver != reqBoth.ID {
			t.Fatalf("%v %+v", err, got)
		}
	})
	t.Run("reject needs a reason", func(t *testing.T) {
		r := f.submit(t, "laptop")
		h := head(t, f.store)
		_, err := f.svc.Reject(ctx, reqApprover, r.ID, incident.DecisionInput{})
		assertValidation(t, err, "reason")
		assertRequestUnchanged(t, f, r, h)
		got, err := f.svc.Reject(ctx, reqApprover, r.ID, incident.DecisionInput{Reason: "use the pool laptop"})
		if err != nil || got.State != incident.RequestRejected || got.DecisionReason != "use the pool laptop" ||
			got.Approver != reqApprover.ID || got.ClosedAt.IsZero() || !got.ApprovedAt.IsZero() {
			t.Fatalf("%v %+v", err, got)
		}
	})
	t.Run("administrators are bound by segregation too", func(t *testing.T) {
		admin := iso20000.Actor{ID: "root", Roles: []string{iso20000.RoleAdmin}}
		r, err := f.svc.Submit(ctx, admin, incident.SubmitInput{ItemID: "laptop"})
		if err != nil {
			t.Fatal(err)
		}
		h := head(t, f.store)
		_, err = f.svc.Approve(ctx, admin, r.ID, incident.DecisionInput{})
		assertDenied(t, f, err, r, h, admin, "request.approve", "segregation of duties")
	})
}

func testRequestTasks(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := context.Background()
	f := newReqFixture(t, newStore)
	r := f.submit(t, "laptop")
	t.Run("tasks only while fulfilling", func(t *testing.T) {
		h := head(t, f.store)
		_, err := f.svc.CompleteTask(ctx, agent, r.ID, incident.TaskInput{Name: "order"})
		assertRefused(t, err, incident.RequestAwaitingApproval, incident.VerbCompleteTask)
		assertRequestUnchanged(t, f, r, h)
	})
	for _, ev := range []string{"approve", "start_fulfilment"} {
		var err error
		if r, err = f.do(ctx, r, ev); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("fulfil needs every task done", func(t *testing.T) {
		h := head(t, f.store)
		_, err := f.do(ctx, r, "fulfil")
		te := assertRefused(t, err, incident.RequestFulfilling, "fulfil")
		if te.Reason != "fulfilment tasks not done: order, configure, deliver" {
			t.Fatalf("reason %q", te.Reason)
		}
		assertRequestUnchanged(t, f, r, h)
	})
	t.Run("unknown and empty task names", func(t *testing.T) {
		h := head(t, f.store)
		_, err := f.svc.CompleteTask(ctx, agent, r.ID, incident.TaskInput{Name: "paint"})
		assertValidation(t, err, "name")
		_, err = f.svc.CompleteTask(ctx, agent, r.ID, incident.TaskInput{})
		assertValidation(t, err, "name")
		assertRequestUnchanged(t, f, r, h)
	})
	t.Run("complete once", func(t *testing.T) {
		h := head(t, f.store)
		f.clock.Advance(time.Minute)
		got, err := f.svc.CompleteTask(ctx, agent, r.ID, incident.TaskInput{Name: "order", Note: "PO 4711"})
		if err != nil {
			t.Fatal(err)
		}
		if tk := got.Tasks[0]; !tk.Done || tk.DoneBy != agent.ID || !tk.DoneAt.Equal(f.clock.Now()) || got.State != incident.RequestFulfilling {
			t.Fatalf("task %+v in %s", tk, got.State)
		}
		es := entriesSince(t, f.store, h)
		want := []audit.Change{{Field: "tasks_done", New: "order"}, {Field: "work_notes", New: "PO 4711"}}
		if len(es) != 1 || es[0].Action != "request.complete_task" || es[0].Data["task"] != "order" ||
			fmt.Sprint(es[0].Changes) != fmt.Sprint(want) {
			t.Fatalf("entries %+v", es)
		}
		r = got
		_, err = f.svc.CompleteTask(ctx, reqApprover, r.ID, incident.TaskInput{Name: "order"})
		if !errors.Is(err, iso20000.ErrForbidden) {
			t.Fatalf("an approver completing a task: %v", err)
		}
		h = head(t, f.store)
		_, err = f.svc.CompleteTask(ctx, agent, r.ID, incident.TaskInput{Name: "order"})
		if !errors.Is(err, incident.ErrTaskDone) {
			t.Fatalf("want ErrTaskDone, got %v", err)
		}
		assertRefused(t, err, incident.RequestFulfilling, incident.VerbCompleteTask)
		assertRequestUnchanged(t, f, r, h)
	})
	t.Run("fulfil when all are done", func(t *testing.T) {
		for _, name := range []string{"deliver", "configure"} {
			if _, err := f.svc.CompleteTask(ctx, agent, r.ID, incident.TaskInput{Name: name}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := f.svc.Fulfil(ctx, agent, r.ID, incident.StepInput{})
		if err != nil || got.State != incident.RequestFulfilled || !got.FulfilledAt.Equal(f.clock.Now()) || len(got.OpenTasks()) != 0 {
			t.Fatalf("%v %+v", err, got)
		}
	})
}

// testRequestCopies checks that a request a method returns stays as it was
// while the service changes another request, in memory it reuses: b's notes
// and tasks differ from a's, so that b's copied into memory a still uses
// show.
func testRequestCopies(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := context.Background()
	f := newReqFixture(t, newStore)
	b := f.submit(t, "password-reset") // no approval: fulfilling at once
	if _, err := f.svc.CompleteTask(ctx, agent, b.ID, incident.TaskInput{Name: "reset"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AddNote(ctx, agent, b.ID, "b's note"); err != nil {
		t.Fatal(err)
	}
	a := f.submit(t, "password-reset")
	a, err := f.svc.AddNote(ctx, agent, a.ID, "a's note")
	if err != nil {
		t.Fatal(err)
	}
	held, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AddNote(ctx, agent, b.ID, "b's second note"); err != nil {
		t.Fatal(err)
	}
	if now, _ := json.Marshal(a); string(now) != string(held) {
		t.Fatalf("a returned request changed as another one did:\n%s\nwas\n%s", now, held)
	}
}

func testRequestEdits(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := context.Background()
	f := newReqFixture(t, newStore)
	r := f.submit(t, "laptop")
	got, err := f.svc.Assign(ctx, agent, r.ID, incident.AssignInput{Group: "workplace", Assignee: "alice", Note: "taking it"})
	if err != nil || got.State != incident.RequestAwaitingApproval || got.Group != "workplace" || got.Assignee != "alice" || len(got.WorkNotes) != 1 {
		t.Fatalf("assign while awaiting approval: %v %+v", err, got)
	}
	got, err = f.svc.Assign(ctx, agent, r.ID, incident.AssignInput{Assignee: "bob"})
	if err != nil || got.Group != "workplace" || got.Assignee != "bob" {
		t.Fatalf("reassign keeps the group: %v %+v", err, got)
	}
	_, err = f.svc.Assign(ctx, agent, r.ID, incident.AssignInput{})
	assertValidation(t, err, "assignee")
	if _, err := f.svc.AddNote(ctx, reqUser, r.ID, ""); err == nil {
		t.Fatal("empty note accepted")
	}
	got, err = f.svc.AddNote(ctx, reqUser, r.ID, "any news?")
	if err != nil || got.WorkNotes[1].Author != reqUser.ID || got.WorkNotes[1].Text != "any news?" {
		t.Fatalf("note: %v %+v", err, got.WorkNotes)
	}
	fulfilled := f.reach(t, incident.RequestFulfilled)
	fulfilled, err = f.svc.AddNote(ctx, agent, fulfilled.ID, "user confirmed")
	if err != nil {
		t.Fatalf("note on a fulfilled request: %v", err)
	}
	h := head(t, f.store)
	_, err = f.svc.Assign(ctx, agent, fulfilled.ID, incident.AssignInput{Assignee: "bob"})
	assertRefused(t, err, incident.RequestFulfilled, "assign")
	assertRequestUnchanged(t, f, fulfilled, h)
	for _, s := range []incident.RequestState{incident.RequestClosed, incident.RequestRejected, incident.RequestCancelled} {
		ended := f.reach(t, s)
		h := head(t, f.store)
		_, err := f.svc.AddNote(ctx, agent, ended.ID, "late")
		assertRefused(t, err, s, "note")
		assertRequestUnchanged(t, f, ended, h)
	}
	// Records returned are copies.
	got.Tasks[0].Done = true
	got.WorkNotes = append(got.WorkNotes, incident.Note{Text: "tamper"})
	if err := got.Fulfilment.Stop(f.clock.Now()); !errors.Is(err, sla.ErrFrozen) {
		t.Fatalf("stopping a returned request's clock: %v, want sla.ErrFrozen", err)
	}
	if err := sla.Thaw(&got.Fulfilment).Stop(f.clock.Now()); err != nil { // a copy of its own
		t.Fatal(err)
	}
	again, _ := f.svc.Get(ctx, r.ID)
	if again.Tasks[0].Done || len(again.WorkNotes) == len(got.WorkNotes) || again.Fulfilment.Status() == sla.TimerStopped {
		t.Fatal("returned request aliases the store")
	}
	if _, err := f.svc.Cancel(ctx, agent, r.ID, incident.CancelInput{}); err == nil {
		t.Fatal("cancel without a reason accepted")
	}
	got, err = f.svc.Cancel(ctx, agent, r.ID, incident.CancelInput{Reason: "left the company"})
	if err != nil || got.CancelReason != "left the company" || got.ClosedAt.IsZero() {
		t.Fatalf("cancel: %v %+v", err, got)
	}
}

func testRequestVersions(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := context.Background()
	f := newReqFixture(t, newStore)
	r := f.submit(t, "vpn-access")
	if _, err := f.svc.AddNote(ctx, reqUser, r.ID, "urgent please"); err != nil {
		t.Fatal(err)
	}
	h := head(t, f.store)
	_, err := f.svc.Approve(ctx, reqApprover, r.ID, incident.DecisionInput{Version: r.Version})
	var ce *iso20000.ConflictError
	if !errors.As(err, &ce) || ce.Kind != incident.RequestKind || ce.Expected != r.Version || ce.Actual != r.Version+1 {
		t.Fatalf("want a conflict on the stale version, got %v", err)
	}
	if head(t, f.store) != h {
		t.Fatal("conflict wrote to the trail")
	}
	if _, err := f.svc.Approve(ctx, reqApprover, r.ID, incident.DecisionInput{Version: r.Version + 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Get(ctx, uuid.UUID{1}); !errors.Is(err, iso20000.ErrNotFound) {
		t.Fatalf("want ErrNotFound, got %v", err)
	}
	if _, err := f.svc.Fulfil(ctx, agent, uuid.UUID{1}, incident.StepInput{}); !errors.Is(err, iso20000.ErrNotFound) {
		t.Fatalf("want ErrNotFound, got %v", err)
	}
	if _, err := f.svc.Fulfil(ctx, iso20000.Actor{}, r.ID, incident.StepInput{}); !errors.Is(err, iso20000.ErrValidation) {
		t.Fatalf("anonymous actor: %v", err)
	}
	if _, err := incident.NewRequestService(nil); !errors.Is(err, iso20000.ErrValidation) {
		t.Fatalf("nil store: %v", err)
	}
}

func testRequestConcurrent(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := context.Background()
	f := newReqFixture(t, newStore)
	var names []string
	for i := range 12 {
		names = append(names, fmt.Sprintf("step-%02d", i))
	}
	if _, err := f.svc.DefineItem(ctx, reqCurator, incident.ItemInput{ID: "onboarding", Name: "Onboarding", Tasks: names}); err != nil {
		t.Fatal(err)
	}
	r := f.submit(t, "onboarding")
	t.Run("different tasks lose no update", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make(chan error, len(names))
		for _, name := range names {
			wg.Go(func() {
				for { // a conflict changed nothing: retry until done
					_, err := f.svc.CompleteTask(ctx, agent, r.ID, incident.TaskInput{Name: name})
					if !errors.Is(err, iso20000.ErrConflict) {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		got, err := f.svc.Get(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.OpenTasks()) != 0 || got.Version != r.Version+int64(len(names)) {
			t.Fatalf("open tasks %v, version %d from %d", got.OpenTasks(), got.Version, r.Version)
		}
		done := 0
		for _, e := range entriesSince(t, f.store, audit.Head{}) {
			if e.Action == "request.complete_task" && e.EntityID == r.ID.String() {
				done++
			}
		}
		if done != len(names) {
			t.Fatalf("%d completions audited, want %d", done, len(names))
		}
	})
	t.Run("one of two decisions on one version wins", func(t *testing.T) {
		r := f.submit(t, "laptop")
		other := iso20000.Actor{ID: "olga", Roles: []string{incident.RoleApprover}}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, a := range []iso20000.Actor{reqApprover, other} {
			wg.Go(func() {
				if i == 0 {
					_, errs[i] = f.svc.Approve(ctx, a, r.ID, incident.DecisionInput{Version: r.Version})
				} else {
					_, errs[i] = f.svc.Reject(ctx, a, r.ID, incident.DecisionInput{Reason: "no", Version: r.Version})
				}
			})
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, iso20000.ErrConflict):
				t.Fatalf("the loser got %v", err)
			}
		}
		got, _ := f.svc.Get(ctx, r.ID)
		if won != 1 || got.Version != r.Version+1 {
			t.Fatalf("%d decisions won; version %d from %d", won, got.Version, r.Version)
		}
	})
}

func testRequestQueries(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := context.Background()
	f := newReqFixture(t, newStore)
	states := []incident.RequestState{incident.RequestAwaitingApproval, incident.RequestApproved, incident.RequestFulfilling, incident.RequestClosed}
	var open []incident.Request
	for i := range 9 {
		f.clock.Advance(time.Minute)
		r := f.reach(t, states[i%4])
		if i%3 == 0 && r.Open() {
			var err error
			if r, err = f.svc.Assign(ctx, agent, r.ID, incident.AssignInput{Group: "network", Assignee: "alice"}); err != nil {
				t.Fatal(err)
			}
		}
		if r.Open() {
			open = append(open, r)
		}
	}
	pages := func(t *testing.T, list func(cursor string) (incident.RequestPage, error)) []incident.Request {
		t.Helper()
		var got []incident.Request
		cursor := ""
		for {
			p, err := list(cursor)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, p.Requests...)
			if cursor = p.Next; cursor == "" {
				return got
			}
		}
	}
	numbers := func(rs []incident.Request) string {
		var ns []string
		for _, r := range rs {
			ns = append(ns, r.Number)
		}
		return strings.Join(ns, " ")
	}
	t.Run("open queue in pages", func(t *testing.T) {
		got := pages(t, func(c string) (incident.RequestPage, error) {
			return f.svc.ListOpen(ctx, incident.RequestFilter{Limit: 2, Cursor: c})
		})
		if numbers(got) != numbers(open) {
			t.Fatalf("open queue %s, want %s", numbers(got), numbers(open))
		}
	})
	t.Run("by assignee, group and service", func(t *testing.T) {
		p, err := f.svc.ListOpen(ctx, incident.RequestFilter{Assignee: "alice", Newest: true})
		if err != nil {
			t.Fatal(err)
		}
		// The open ones of requests 1, 4 and 7 were assigned.
		if numbers(p.Requests) != "REQ-000007 REQ-000001" {
			t.Fatalf("alice's queue, newest first: %s", numbers(p.Requests))
		}
		p, err = f.svc.List(ctx, incident.RequestFilter{Group: "network", States: incident.RequestStates{incident.RequestAwaitingApproval}})
		if err != nil || numbers(p.Requests) != "REQ-000001" {
			t.Fatalf("network awaiting approval: %v %s", err, numbers(p.Requests))
		}
		p, err = f.svc.List(ctx, incident.RequestFilter{Service: "vpn", SubmittedFrom: t0.Add(3 * time.Minute), SubmittedTo: t0.Add(5 * time.Minute)})
		if err != nil || numbers(p.Requests) != "REQ-000003 REQ-000004" {
			t.Fatalf("vpn in a submission range: %v %s", err, numbers(p.Requests))
		}
		p, err = f.svc.List(ctx, incident.RequestFilter{Service: "workplace"})
		if err != nil || len(p.Requests) != 0 {
			t.Fatalf("workplace: %v %d", err, len(p.Requests))
		}
	})
	t.Run("by requester", func(t *testing.T) {
		mine, err := f.svc.Submit(ctx, reqBoth, incident.SubmitInput{ItemID: "password-reset"})
		if err != nil {
			t.Fatal(err)
		}
		all := pages(t, func(c string) (incident.RequestPage, error) {
			return f.svc.List(ctx, incident.RequestFilter{Requester: reqUser.ID, Newest: true, Limit: 4, Cursor: c})
		})
		if len(all) != 9 || all[0].Number != "REQ-000009" || all[8].Number != "REQ-000001" {
			t.Fatalf("rita's requests, newest first: %s", numbers(all))
		}
		openOnes := pages(t, func(c string) (incident.RequestPage, error) {
			return f.svc.ListOpen(ctx, incident.RequestFilter{Requester: reqUser.ID, Limit: 3, Cursor: c})
		})
		if numbers(openOnes) != numbers(open) {
			t.Fatalf("rita's open requests %s, want %s", numbers(openOnes), numbers(open))
		}
		p, err := f.svc.List(ctx, incident.RequestFilter{Requester: reqBoth.ID})
		if err != nil || len(p.Requests) != 1 || p.Requests[0].ID != mine.ID {
			t.Fatalf("paula's requests: %v %s", err, numbers(p.Requests))
		}
		// The requests listed are copies: changing one changes nothing stored.
		for _, r := range all {
			stored, err := f.svc.Get(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			r.Number = "changed"
			for i := range r.Tasks {
				r.Tasks[i].Name = "changed"
			}
			if r.Fulfilment != nil && len(r.Fulfilment.Cycles) > 0 {
				r.Fulfilment.Cycles[0].Start = t0.Add(-time.Hour)
			}
			again, err := f.svc.Get(ctx, r.ID)
			if err != nil || !reflect.DeepEqual(again, stored) {
				t.Fatalf("changing a listed request changed the stored one:\n%+v\n%+v", again, stored)
			}
		}
	})
	t.Run("bad filters", func(t *testing.T) {
		if _, err := f.svc.List(ctx, incident.RequestFilter{Limit: -1}); !errors.Is(err, iso20000.ErrValidation) {
			t.Fatalf("bad limit: %v", err)
		}
		if _, err := f.svc.List(ctx, incident.RequestFilter{Requester: "rita", Limit: store.MaxLimit + 1}); !errors.Is(err, iso20000.ErrValidation) {
			t.Fatalf("bad limit by requester: %v", err)
		}
		if _, err := f.svc.Breaching(ctx, t0, incident.RequestFilter{Requester: "rita"}); !errors.Is(err, iso20000.ErrValidation) {
			t.Fatalf("breaching by requester: %v", err)
		}
		if _, err := f.svc.Breaching(ctx, t0, incident.RequestFilter{Newest: true}); !errors.Is(err, iso20000.ErrValidation) {
			t.Fatalf("breaching newest first: %v", err)
		}
	})
}

func testRequestSLA(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := context.Background()
	f := newReqFixture(t, newStore)
	reading := func(t *testing.T, r incident.Request) sla.Reading {
		t.Helper()
		rs, err := f.svc.SLA(&r, f.clock.Now())
		if err != nil || len(rs) != 1 {
			t.Fatalf("%v %v", err, rs)
		}
		return rs[0]
	}
	lastData := func(t *testing.T) string {
		t.Helper()
		h := head(t, f.store)
		return entriesSince(t, f.store, audit.Head{Seq: h.Seq - 1})[0].Data["sla.fulfilment"]
	}
	r := f.submit(t, "laptop") // 16h target
	if rd := reading(t, r); rd.Status != sla.TimerPaused || rd.Duration != 16*time.Hour || !r.FulfilmentDue.IsZero() {
		t.Fatalf("awaiting approval: %+v, due %v", rd, r.FulfilmentDue)
	}
	if got := lastData(t); got != "start,pause" {
		t.Fatalf("submit entry sla data %q", got)
	}
	f.clock.Advance(2 * time.Hour) // approval time does not count
	r, err := f.do(ctx, r, "approve")
	if err != nil {
		t.Fatal(err)
	}
	if rd := reading(t, r); rd.Status != sla.TimerRunning || rd.Elapsed != 0 || !r.FulfilmentDue.Equal(t0.Add(18*time.Hour)) {
		t.Fatalf("approved: %+v, due %v", rd, r.FulfilmentDue)
	}
	if got := lastData(t); got != "resume" {
		t.Fatalf("approve entry sla data %q", got)
	}
	quick := f.submit(t, "password-reset") // no target of its own: the policy's 40h
	if rd := reading(t, quick); rd.Status != sla.TimerRunning || rd.Duration != 40*time.Hour || !quick.FulfilmentDue.Equal(t0.Add(42*time.Hour)) {
		t.Fatalf("no approval needed: %+v, due %v", rd, quick.FulfilmentDue)
	}
	t.Run("breaching before t", func(t *testing.T) {
		for _, c := range []struct {
			before time.Time
			want   []uuid.UUID
		}{
			{t0.Add(18 * time.Hour), nil},
			{t0.Add(18*time.Hour + 1), []uuid.UUID{r.ID}},
			{t0.Add(50 * time.Hour), []uuid.UUID{r.ID, quick.ID}},
		} {
			var got []uuid.UUID
			cursor := ""
			for {
				p, err := f.svc.Breaching(ctx, c.before, incident.RequestFilter{Limit: 1, Cursor: cursor})
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range p.Requests {
					got = append(got, r.ID)
				}
				if cursor = p.Next; cursor == "" {
					break
				}
			}
			if !slices.Equal(got, c.want) {
				t.Fatalf("breaching before %v: %v, want %v", c.before, got, c.want)
			}
		}
		p, err := f.svc.Breaching(ctx, t0.Add(50*time.Hour), incident.RequestFilter{Service: "identity"})
		if err != nil || len(p.Requests) != 1 || p.Requests[0].ID != quick.ID {
			t.Fatalf("breaching in identity: %v %v", err, p.Requests)
		}
	})
	f.clock.Advance(3 * time.Hour)
	r, _ = f.do(ctx, r, "start_fulfilment")
	for _, name := range []string{"order", "configure", "deliver"} {
		if _, err := f.svc.CompleteTask(ctx, agent, r.ID, incident.TaskInput{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	f.clock.Advance(time.Hour)
	r, err = f.do(ctx, r, "fulfil")
	if err != nil {
		t.Fatal(err)
	}
	if rd := reading(t, r); rd.Status != sla.TimerStopped || rd.Elapsed != 4*time.Hour || rd.Breached || !r.FulfilmentDue.IsZero() {
		t.Fatalf("fulfilled: %+v, due %v", rd, r.FulfilmentDue)
	}
	if got := lastData(t); got != "stop" {
		t.Fatalf("fulfil entry sla data %q", got)
	}
	p, err := f.svc.Breaching(ctx, t0.Add(50*time.Hour), incident.RequestFilter{})
	if err != nil || len(p.Requests) != 1 || p.Requests[0].ID != quick.ID {
		t.Fatalf("a fulfilled request does not breach: %v %v", err, p.Requests)
	}
	// Rejection and cancellation stop the clock too.
	for _, ev := range []string{"reject", "cancel"} {
		r := f.submit(t, "laptop")
		if r, err = f.do(ctx, r, ev); err != nil || reading(t, r).Status != sla.TimerStopped {
			t.Fatalf("%s: %v", ev, err)
		}
	}
	incidentsOnly, err := sla.NewPolicy(sla.WithTargets(sla.Target{Name: sla.TargetResolution, Priority: 1,
		Duration: time.Hour, Schedule: sla.AlwaysOpen(time.UTC)}))
	if err != nil {
		t.Fatal(err)
	}
	for name, opts := range map[string][]incident.Option{
		"without a policy there is no clock":            nil,
		"without a fulfilment target there is no clock": {incident.WithSLA(incidentsOnly)},
	} {
		t.Run(name, func(t *testing.T) {
			svc, err := incident.NewRequestService(f.store, append(opts, incident.WithClock(f.clock))...)
			if err != nil {
				t.Fatal(err)
			}
			r, err := svc.Submit(ctx, reqUser, incident.SubmitInput{ItemID: "laptop"})
			if err != nil || r.Fulfilment != nil || !r.FulfilmentDue.IsZero() {
				t.Fatalf("%v %+v", err, r.Fulfilment)
			}
			if rs, err := svc.SLA(&r, f.clock.Now()); err != nil || rs != nil {
				t.Fatalf("%v %v", err, rs)
			}
		})
	}
}

func testCatalog(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := context.Background()
	f := newReqFixture(t, newStore)
	t.Run("define", func(t *testing.T) {
		h := head(t, f.store)
		in := incident.ItemInput{ID: "monitor", Name: "Second monitor", Service: "workplace", FulfilmentTarget: 24 * time.Hour, Tasks: []string{"ship"}}
		_, err := f.svc.DefineItem(ctx, agent, in)
		if !errors.Is(err, iso20000.ErrForbidden) {
			t.Fatalf("an agent defining an item: %v", err)
		}
		item, err := f.svc.DefineItem(ctx, reqCurator, in)
		if err != nil || !item.Active || item.Version != 1 || !item.CreatedAt.Equal(t0) || item.FulfilmentTarget != 24*time.Hour {
			t.Fatalf("%v %+v", err, item)
		}
		es := entriesSince(t, f.store, h)
		if len(es) != 2 || es[0].Action != "denied:catalog_item.define" || es[1].Action != "catalog_item.define" ||
			es[1].Kind != incident.CatalogItemKind || es[1].EntityID != "monitor" || es[1].To != "active" {
			t.Fatalf("entries %+v", es)
		}
		if _, err := f.svc.DefineItem(ctx, reqCurator, in); !errors.Is(err, iso20000.ErrConflict) {
			t.Fatalf("defining twice: %v", err)
		}
	})
	t.Run("invalid items", func(t *testing.T) {
		h := head(t, f.store)
		for _, c := range []struct {
			in    incident.ItemInput
			field string
		}{
			{incident.ItemInput{Name: "x"}, "id"},
			{incident.ItemInput{ID: "x"}, "name"},
			{incident.ItemInput{ID: "x", Name: "x", FulfilmentTarget: -time.Hour}, "fulfilment_target"},
			{incident.ItemInput{ID: "x", Name: "x", Tasks: []string{"a", "a"}}, "tasks"},
			{incident.ItemInput{ID: "x", Name: "x", Tasks: []string{""}}, "tasks"},
		} {
			_, err := f.svc.DefineItem(ctx, reqCurator, c.in)
			assertValidation(t, err, c.field)
		}
		empty := ""
		_, err := f.svc.UpdateItem(ctx, reqCurator, "laptop", incident.ItemUpdate{Name: &empty})
		assertValidation(t, err, "name")
		if head(t, f.store) != h {
			t.Fatal("invalid items wrote to the trail")
		}
	})
	t.Run("update and retire", func(t *testing.T) {
		item, err := f.svc.Item(ctx, "laptop")
		if err != nil {
			t.Fatal(err)
		}
		h := head(t, f.store)
		off, target := false, 20*time.Hour
		got, err := f.svc.UpdateItem(ctx, reqCurator, "laptop", incident.ItemUpdate{Active: &off, FulfilmentTarget: &target, Version: item.Version})
		if err != nil || got.Active || got.FulfilmentTarget != target || got.Version != item.Version+1 || got.Name != item.Name {
			t.Fatalf("%v %+v", err, got)
		}
		es := entriesSince(t, f.store, h)
		want := []audit.Change{{Field: "fulfilment_target", Old: "16h0m0s", New: "20h0m0s"}, {Field: "active", Old: "true", New: "false"}}
		if len(es) != 1 || es[0].Action != "catalog_item.update" || es[0].From != "active" || es[0].To != "inactive" ||
			fmt.Sprint(es[0].Changes) != fmt.Sprint(want) {
			t.Fatalf("entries %+v", es)
		}
		if _, err := f.svc.UpdateItem(ctx, reqCurator, "laptop", incident.ItemUpdate{Active: &off, Version: item.Version}); !errors.Is(err, iso20000.ErrConflict) {
			t.Fatalf("stale item version: %v", err)
		}
		if _, err := f.svc.Item(ctx, "unicorn"); !errors.Is(err, iso20000.ErrNotFound) {
			t.Fatalf("unknown item: %v", err)
		}
	})
	t.Run("list", func(t *testing.T) {
		var ids []string
		cursor := ""
		for {
			p, err := f.svc.Items(ctx, incident.ItemFilter{ActiveOnly: true, Limit: 1, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range p.Items {
				ids = append(ids, it.ID)
			}
			if cursor = p.Next; cursor == "" {
				break
			}
		}
		// Defined in this order at the same instant: ties are ordered by ID.
		if fmt.Sprint(ids) != "[monitor password-reset vpn-access]" {
			t.Fatalf("active items %v", ids)
		}
		p, err := f.svc.Items(ctx, incident.ItemFilter{Service: "workplace"})
		if err != nil || len(p.Items) != 2 {
			t.Fatalf("workplace items: %v %d", err, len(p.Items))
		}
	})
}

func testRequestAudit(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := context.Background()
	f := newReqFixture(t, newStore)
	h := head(t, f.store)
	r := f.submit(t, "laptop")
	steps := []func() (incident.Request, error){
		func() (incident.Request, error) { return f.do(ctx, r, "approve") },
		func() (incident.Request, error) { return f.do(ctx, r, "start_fulfilment") },
		func() (incident.Request, error) {
			return f.svc.CompleteTask(ctx, agent, r.ID, incident.TaskInput{Name: "order"})
		},
		func() (incident.Request, error) {
			return f.svc.CompleteTask(ctx, agent, r.ID, incident.TaskInput{Name: "configure"})
		},
		func() (incident.Request, error) {
			return f.svc.CompleteTask(ctx, agent, r.ID, incident.TaskInput{Name: "deliver"})
		},
		func() (incident.Request, error) { return f.do(ctx, r, "fulfil") },
		func() (incident.Request, error) { return f.do(ctx, r, "close") },
	}
	for _, step := range steps {
		f.clock.Advance(time.Hour)
		if _, err := step(); err != nil {
			t.Fatal(err)
		}
	}
	var actions []string
	var approve audit.Entry
	for _, e := range entriesSince(t, f.store, h) {
		if e.EntityID != r.ID.String() || e.Kind != incident.RequestKind {
			t.Fatalf("entry about %s %s", e.Kind, e.EntityID)
		}
		actions = append(actions, e.Action)
		if e.Action == "request.approve" {
			approve = e
		}
	}
	want := "[request.submit request.approve request.start_fulfilment request.complete_task request.complete_task request.complete_task request.fulfil request.close]"
	if fmt.Sprint(actions) != want {
		t.Fatalf("actions %v", actions)
	}
	changed := map[string]audit.Change{}
	for _, c := range approve.Changes {
		changed[c.Field] = c
	}
	if approve.From != "awaiting_approval" || approve.To != "approved" || approve.Actor != reqApprover.ID ||
		changed["state"].New != "approved" || changed["approver"].New != reqApprover.ID ||
		changed["decision_reason"].New != "within budget" || changed["approved_at"].New == "" {
		t.Fatalf("approve entry %+v", approve)
	}
	rep, err := audit.Verify(ctx, f.store.Trail())
	if err != nil || !rep.OK {
		t.Fatalf("verify: %v %+v", err, rep)
	}
}

// BenchmarkRequestLifecycle runs a whole request (submit, approve, start,
// complete a task, fulfil, close) on the memory store through the
// RequestService, beside the raw baseline: the same six units of work written
// straight to the store (read, change, save with version, append an entry),
// without authorisation, lifecycle checks, SLA clock or audited diff.
func BenchmarkRequestLifecycle(b *testing.B) {
	ctx := context.Background()
	b.Run("service", func(b *testing.B) {
		f := newReqFixture(b, backendtest.Memory)
		if _, err := f.svc.DefineItem(ctx, reqCurator, incident.ItemInput{ID: "token", Name: "Hardware token", ApprovalRequired: true,
			FulfilmentTarget: 8 * time.Hour, Tasks: []string{"ship"}}); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			r, err := f.svc.Submit(ctx, reqUser, incident.SubmitInput{ItemID: "token"})
			if err == nil {
				r, err = f.svc.Approve(ctx, reqApprover, r.ID, incident.DecisionInput{Version: r.Version})
			}
			if err == nil {
				r, err = f.svc.StartFulfilment(ctx, agent, r.ID, incident.StepInput{Version: r.Version})
			}
			if err == nil {
				r, err = f.svc.CompleteTask(ctx, agent, r.ID, incident.TaskInput{Name: "ship", Version: r.Version})
			}
			if err == nil {
				r, err = f.svc.Fulfil(ctx, agent, r.ID, incident.StepInput{Version: r.Version})
			}
			if err == nil {
				_, err = f.svc.Close(ctx, agent, r.ID, incident.StepInput{Version: r.Version})
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw-store", func(b *testing.B) {
		st := backendtest.Memory(b)
		raw := store.NewCollection("request", func(r *incident.Request) (string, store.Keys) {
			return r.ID.String(), store.Keys{Status: string(r.State), Owner: r.Assignee, Created: r.SubmittedAt}
		}, store.WithClone(incident.Request.Clone))
		step := func(id string, state incident.RequestState, edit func(r *incident.Request)) error {
			return st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
				v, err := raw.Get(ctx, tx, id)
				if err != nil {
					return err
				}
				r := v.Value
				from := r.State
				r.State = state
				edit(&r)
				if _, err := raw.Update(ctx, tx, r, v.Version); err != nil {
					return err
				}
				_, err = tx.Append(ctx, audit.Entry{Time: t0, Actor: "alice", Action: "request.step", Kind: "request",
					EntityID: id, From: string(from), To: string(state)})
				return err
			})
		}
		noop := func(*incident.Request) {}
		b.ReportAllocs()
		for b.Loop() {
			r := incident.Request{ID: uuid.New(), ItemID: "token", Requester: "rita", State: incident.RequestAwaitingApproval,
				SubmittedAt: t0, Tasks: []incident.Task{{Name: "ship"}}}
			id := r.ID.String()
			err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
				if _, err := tx.NextNumber(ctx, "request"); err != nil {
					return err
				}
				if _, err := raw.Insert(ctx, tx, r); err != nil {
					return err
				}
				_, err := tx.Append(ctx, audit.Entry{Time: t0, Actor: "rita", Action: "request.submit", Kind: "request", EntityID: id})
				return err
			})
			if err == nil {
				err = step(id, incident.RequestApproved, noop)
			}
			if err == nil {
				err = step(id, incident.RequestFulfilling, noop)
			}
			if err == nil {
				err = step(id, incident.RequestFulfilling, func(r *incident.Request) { r.Tasks[0].Done = true })
			}
			if err == nil {
				err = step(id, incident.RequestFulfilled, noop)
			}
			if err == nil {
				err = step(id, incident.RequestClosed, noop)
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

package incident_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/clocktest"
	"github.com/servicekit/iso20000/incident"
	"github.com/servicekit/iso20000/sla"
	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/memory"
)

var (
	t0      = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	caller  = iso20000.Actor{ID: "carol", Roles: []string{incident.RoleRequester}}
	agent   = iso20000.Actor{ID: "alice", Roles: []string{incident.RoleAgent}}
	manager = iso20000.Actor{ID: "mike", Roles: []string{incident.RoleIncidentManager}}
)

// fixture is one service on a fresh store with a fake clock.
type fixture struct {
	svc   *incident.Service
	store store.Store
	clock *clocktest.Clock
}

func newFixture(t *testing.T, newStore func(t testing.TB) store.Store, opts ...incident.Option) *fixture {
	t.Helper()
	f := &fixture{store: newStore(t), clock: clocktest.New(t0)}
	svc, err := incident.NewService(f.store, append([]incident.Option{incident.WithClock(f.clock)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	f.svc = svc
	return f
}

func (f *fixture) open(t *testing.T) incident.Incident {
	t.Helper()
	inc, err := f.svc.Open(context.Background(), caller, incident.OpenInput{
		Title: "VPN down", Service: "vpn", Impact: incident.Medium, Urgency: incident.High,
	})
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

// reach returns an incident brought into state s through the service.
func (f *fixture) reach(t *testing.T, s incident.State) incident.Incident {
	t.Helper()
	ctx := context.Background()
	inc := f.open(t)
	steps := map[incident.State][]string{
		incident.StateNew:        nil,
		incident.StateAssigned:   {"assign"},
		incident.StateInProgress: {"assign", "start"},
		incident.StateOnHold:     {"assign", "start", "hold"},
		incident.StateResolved:   {"assign", "start", "resolve"},
		incident.StateClosed:     {"assign", "start", "resolve", "close"},
		incident.StateCancelled:  {"cancel"},
	}[s]
	for _, ev := range steps {
		var err error
		if inc, err = f.do(ctx, agent, inc, ev); err != nil {
			t.Fatalf("reaching %s: %s: %v", s, ev, err)
		}
	}
	if inc.State != s {
		t.Fatalf("reached %s, want %s", inc.State, s)
	}
	return inc
}

// do performs a lifecycle event with valid input.
func (f *fixture) do(ctx context.Context, actor iso20000.Actor, inc incident.Incident, event string) (incident.Incident, error) {
	switch event {
	case incident.EventAssign:
		return f.svc.Assign(ctx, actor, inc.ID, incident.AssignInput{Group: "network", Assignee: "alice"})
	case incident.EventStart:
		return f.svc.Start(ctx, actor, inc.ID, incident.StepInput{})
	case incident.EventHold:
		return f.svc.Hold(ctx, actor, inc.ID, incident.HoldInput{Reason: incident.HoldAwaitingCaller})
	case incident.EventResume:
		return f.svc.Resume(ctx, actor, inc.ID, incident.StepInput{})
	case incident.EventResolve:
		return f.svc.Resolve(ctx, actor, inc.ID, incident.ResolveInput{Code: "fixed", Notes: "restarted the concentrator"})
	case incident.EventClose:
		return f.svc.Close(ctx, actor, inc.ID, incident.StepInput{})
	case incident.EventReopen:
		return f.svc.Reopen(ctx, actor, inc.ID, incident.ReopenInput{Reason: "happened again"})
	case incident.EventCancel:
		return f.svc.Cancel(ctx, actor, inc.ID, incident.CancelInput{Reason: "duplicate"})
	}
	panic("unknown event " + event)
}

func head(t *testing.T, st store.Store) audit.Head {
	t.Helper()
	h, err := st.Trail().Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// runSuite runs the incident suite against one backend.
func runSuite(t *testing.T, newStore func(t testing.TB) store.Store) {
	t.Run("Transitions", func(t *testing.T) { testTransitions(t, newStore) })
	t.Run("Guards", func(t *testing.T) { testGuards(t, newStore) })
	t.Run("Authorization", func(t *testing.T) { testAuthorization(t, newStore) })
	t.Run("Numbers", func(t *testing.T) { testNumbers(t, newStore) })
	t.Run("Audit", func(t *testing.T) { testAudit(t, newStore) })
	t.Run("Versions", func(t *testing.T) { testVersions(t, newStore) })
	t.Run("Concurrent", func(t *testing.T) { testConcurrent(t, newStore) })
	t.Run("Edits", func(t *testing.T) { testEdits(t, newStore) })
	t.Run("Queries", func(t *testing.T) { testQueries(t, newStore) })
	t.Run("SLA", func(t *testing.T) { testSLA(t, newStore) })
	t.Run("Sweep", func(t *testing.T) { testSweep(t, newStore) })
	t.Run("Copies", func(t *testing.T) { testCopies(t, newStore) })
}

// testCopies checks that every record a method returns is the caller's own:
// later changes (which the service makes in reused memory), of it and of
// another incident, leave it as it was, and changing it (its notes, its
// thresholds' copies) changes nothing stored. Its timers are frozen and
// shared: their event methods refuse with sla.ErrFrozen, and a thawed copy
// changes alone.
func testCopies(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := context.Background()
	f := newFixture(t, newStore, incident.WithSLA(testPolicy(t)))
	inc := f.open(t)
	// held are the records as JSON: a snapshot that shares nothing with
	// them, not even their frozen timers.
	var got []incident.Incident
	var held []string
	snapshot := func(inc incident.Incident) string {
		b, err := json.Marshal(inc)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	keep := func(inc incident.Incident, err error) incident.Incident {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		got, held = append(got, inc), append(held, snapshot(inc))
		return inc
	}
	// other has notes and links that differ from inc's, so that a change of
	// other copied into memory that a record of inc still uses shows.
	other := f.open(t)
	if _, err := f.svc.AddNote(ctx, agent, other.ID, "another incident's note"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Link(ctx, agent, other.ID, incident.LinkInput{Problems: []string{"PRB-2"}, Changes: []string{"CHG-2"}}); err != nil {
		t.Fatal(err)
	}
	keep(inc, nil)
	keep(f.svc.Link(ctx, agent, inc.ID, incident.LinkInput{Problems: []string{"PRB-1"}, Changes: []string{"CHG-1"}}))
	f.clock.Advance(time.Minute)
	keep(f.svc.Assign(ctx, agent, inc.ID, incident.AssignInput{Group: "network", Assignee: "alice", Note: "taking it"}))
	keep(f.svc.Start(ctx, agent, inc.ID, incident.StepInput{Note: "on it"}))
	f.clock.Advance(time.Minute)
	keep(f.svc.Hold(ctx, agent, inc.ID, incident.HoldInput{Reason: incident.HoldAwaitingCaller, Note: "asked"}))
	keep(f.svc.Resume(ctx, agent, inc.ID, incident.StepInput{Note: "answered"}))
	last := keep(f.svc.Resolve(ctx, agent, inc.ID, incident.ResolveInput{Code: "fixed", Notes: "restarted"}))
	if _, err := f.svc.AddNote(ctx, agent, other.ID, "another incident's second note"); err != nil {
		t.Fatal(err)
	}
	for i := range got {
		if now := snapshot(got[i]); now != held[i] {
			t.Fatalf("record %d changed after later changes:\n%s\nwas\n%s", i, now, held[i])
		}
	}
	// The store shares the timers a change leaves alone: starting work
	// moved no clock.
	if _, mem := f.store.(*memory.Store); mem && got[2].Resolution != got[3].Resolution {
		t.Error("starting work copied the resolution timer, which it does not move")
	}
	stored, shared := snapshot(last), last.Resolution
	if !last.Response.Frozen() || !last.Resolution.Frozen() {
		t.Fatal("the timers of a returned incident are not frozen")
	}
	if err := last.Resolution.Restart(f.clock.Now()); !errors.Is(err, sla.ErrFrozen) {
		t.Fatalf("restarting a returned incident's timer: %v, want sla.ErrFrozen", err)
	}
	last.WorkNotes[0].Text = "tampered"
	own := sla.Thaw(&last.Resolution)
	if own == shared || own.Frozen() {
		t.Fatal("Thaw did not give a timer of the incident's own")
	}
	if err := own.Restart(f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	own.Thresholds[0] = 1
	again, err := f.svc.Get(ctx, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := snapshot(again); got != stored {
		t.Fatalf("changing a returned record changed the stored one:\n%s\nwant\n%s", got, stored)
	}
	if !again.Response.Frozen() || !again.Resolution.Frozen() {
		t.Fatal("the timers of a record read are not frozen")
	}
}

// allowed is the incident lifecycle written out by hand (not derived from
// incident.Lifecycle, so that a change to the table fails this test).
var allowed = map[incident.State]map[string]incident.State{
	incident.StateNew:        {"assign": incident.StateAssigned, "cancel": incident.StateCancelled},
	incident.StateAssigned:   {"assign": incident.StateAssigned, "start": incident.StateInProgress, "hold": incident.StateOnHold, "resolve": incident.StateResolved, "cancel": incident.StateCancelled},
	incident.StateInProgress: {"assign": incident.StateAssigned, "hold": incident.StateOnHold, "resolve": incident.StateResolved, "cancel": incident.StateCancelled},
	incident.StateOnHold:     {"assign": incident.StateAssigned, "resume": incident.StateInProgress, "resolve": incident.StateResolved, "cancel": incident.StateCancelled},
	incident.StateResolved:   {"close": incident.StateClosed, "reopen": incident.StateInProgress},
	incident.StateClosed:     {},
	incident.StateCancelled:  {},
}

var events = []string{"assign", "start", "hold", "resume", "resolve", "close", "reopen", "cancel"}

func testTransitions(t *testing.T, newStore func(t testing.TB) store.Store) {
	f := newFixture(t, newStore)
	ctx := context.Background()
	for from, outs := range allowed {
		for _, ev := range events {
			want, ok := outs[ev]
			name := fmt.Sprintf("%s/%s", from, ev)
			t.Run(name, func(t *testing.T) {
				inc := f.reach(t, from)
				h := head(t, f.store)
				got, err := f.do(ctx, agent, inc, ev)
				if ok {
					if err != nil {
						t.Fatalf("want %s, got %v", want, err)
					}
					if got.State != want || got.Version != inc.Version+1 {
						t.Fatalf("got state %s version %d, want %s version %d", got.State, got.Version, want, inc.Version+1)
					}
					if head(t, f.store).Seq != h.Seq+1 {
						t.Fatal("no audit entry appended")
					}
					return
				}
				var te *iso20000.TransitionError
				if !errors.As(err, &te) || !errors.Is(err, iso20000.ErrInvalidTransition) {
					t.Fatalf("want ErrInvalidTransition, got %v", err)
				}
				if te.From != string(from) || te.Event != ev || te.Kind != incident.Kind {
					t.Fatalf("error carries %+v", te)
				}
				assertUnchanged(t, f, inc, h)
			})
		}
	}
}

// assertUnchanged checks that a refused call changed neither the record nor the trail.
func assertUnchanged(t *testing.T, f *fixture, inc incident.Incident, h audit.Head) {
	t.Helper()
	stored, err := f.svc.Get(context.Background(), inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Version != inc.Version || stored.State != inc.State {
		t.Fatalf("record changed: version %d→%d, state %s→%s", inc.Version, stored.Version, inc.State, stored.State)
	}
	if got := head(t, f.store); got != h {
		t.Fatalf("trail changed: head %d→%d", h.Seq, got.Seq)
	}
}

func testGuards(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := context.Background()
	f := newFixture(t, newStore, incident.WithReopenWindow(48*time.Hour))
	validation := func(t *testing.T, err error, field string) {
		t.Helper()
		var ve *iso20000.ValidationError
		if !errors.As(err, &ve) || ve.Field != field {
			t.Fatalf("want a validation error on %s, got %v", field, err)
		}
	}
	refused := func(t *testing.T, err error, event string) {
		t.Helper()
		var te *iso20000.TransitionError
		if !errors.As(err, &te) || te.Event != event || te.Reason == "" {
			t.Fatalf("want a guard refusing %s with a reason, got %v", event, err)
		}
	}
	t.Run("resolve needs code and notes", func(t *testing.T) {
		inc := f.reach(t, incident.StateInProgress)
		h := head(t, f.store)
		_, err := f.svc.Resolve(ctx, agent, inc.ID, incident.ResolveInput{Notes: "x"})
		validation(t, err, "resolution_code")
		_, err = f.svc.Resolve(ctx, agent, inc.ID, incident.ResolveInput{Code: "fixed"})
		validation(t, err, "resolution_notes")
		assertUnchanged(t, f, inc, h)
	})
	t.Run("start needs an assignee", func(t *testing.T) {
		inc := f.open(t)
		inc, err := f.svc.Assign(ctx, agent, inc.ID, incident.AssignInput{Group: "network"})
		if err != nil {
			t.Fatal(err)
		}
		h := head(t, f.store)
		_, err = f.svc.Start(ctx, agent, inc.ID, incident.StepInput{})
		refused(t, err, "start")
		assertUnchanged(t, f, inc, h)
	})
	t.Run("hold and cancel need a reason", func(t *testing.T) {
		inc := f.reach(t, incident.StateInProgress)
		_, err := f.svc.Hold(ctx, agent, inc.ID, incident.HoldInput{})
		validation(t, err, "reason")
		_, err = f.svc.Cancel(ctx, agent, inc.ID, incident.CancelInput{})
		validation(t, err, "reason")
		_, err = f.svc.Reopen(ctx, agent, inc.ID, incident.ReopenInput{})
		validation(t, err, "reason")
	})
	t.Run("major incident closes only with a problem", func(t *testing.T) {
		inc := f.reach(t, incident.StateInProgress)
		if _, err := f.svc.DeclareMajor(ctx, manager, inc.ID, "all VPN users affected"); err != nil {
			t.Fatal(err)
		}
		inc, err := f.do(ctx, agent, inc, "resolve")
		if err != nil {
			t.Fatal(err)
		}
		h := head(t, f.store)
		_, err = f.svc.Close(ctx, agent, inc.ID, incident.StepInput{})
		refused(t, err, "close")
		assertUnchanged(t, f, inc, h)
		if _, err := f.svc.Link(ctx, agent, inc.ID, incident.LinkInput{Problems: []string{"PRB-1"}}); err != nil {
			t.Fatal(err)
		}
		closed, err := f.svc.Close(ctx, agent, inc.ID, incident.StepInput{})
		if err != nil || closed.State != incident.StateClosed || !closed.ClosedAt.Equal(f.clock.Now()) {
			t.Fatalf("close after linking: %v %+v", err, closed)
		}
	})
	t.Run("reopen only within the window", func(t *testing.T) {
		inc := f.reach(t, incident.StateResolved)
		f.clock.Advance(47 * time.Hour)
		re, err := f.svc.Reopen(ctx, caller, inc.ID, incident.ReopenInput{Reason: "still broken"})
		if err != nil || re.ReopenCount != 1 || re.ResolutionCode != "" || !re.ResolvedAt.IsZero() {
			t.Fatalf("reopen within window: %v %+v", err, re)
		}
		re, err = f.do(ctx, agent, re, "resolve")
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(48*time.Hour + time.Second)
		h := head(t, f.store)
		_, err = f.svc.Reopen(ctx, caller, inc.ID, incident.ReopenInput{Reason: "again"})
		refused(t, err, "reopen")
		assertUnchanged(t, f, re, h)
	})
	t.Run("open validates", func(t *testing.T) {
		h := head(t, f.store)
		_, err := f.svc.Open(ctx, caller, incident.OpenInput{Impact: 1, Urgency: 1})
		validation(t, err, "title")
		_, err = f.svc.Open(ctx, caller, incident.OpenInput{Title: "x", Impact: 4, Urgency: 1})
		validation(t, err, "impact")
		_, err = f.svc.Open(ctx, caller, incident.OpenInput{Title: "x", Impact: 1})
		validation(t, err, "urgency")
		if head(t, f.store) != h {
			t.Fatal("invalid opens wrote to the trail")
		}
	})
}

func testAuthorization(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := context.Background()
	f := newFixture(t, newStore)
	inc := f.reach(t, incident.StateInProgress)
	cases := []struct {
		name  string
		actor iso20000.Actor
		call  func() error
	}{
		{"requester cannot resolve", caller, func() error {
			_, err := f.do(ctx, caller, inc, "resolve")
			return err
		}},
		{"agent cannot declare major", agent, func() error {
			_, err := f.svc.DeclareMajor(ctx, agent, inc.ID, "big")
			return err
		}},
		{"agent cannot override priority", agent, func() error {
			_, err := f.svc.OverridePriority(ctx, agent, inc.ID, incident.PriorityInput{Priority: 1, Reason: "CEO"})
			return err
		}},
		{"no roles cannot open", iso20000.Actor{ID: "eve"}, func() error {
			_, err := f.svc.Open(ctx, iso20000.Actor{ID: "eve"}, incident.OpenInput{Title: "x", Impact: 1, Urgency: 1})
			return err
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := head(t, f.store)
			before, _ := f.svc.Get(ctx, inc.ID)
			err := c.call()
			if !errors.Is(err, iso20000.ErrForbidden) {
				t.Fatalf("want ErrForbidden, got %v", err)
			}
			after, _ := f.svc.Get(ctx, inc.ID)
			if after.Version != before.Version {
				t.Fatal("a denied call changed the record")
			}
			// The denied attempt is audited, and nothing else.
			var got []audit.Entry
			for e, err := range f.store.Trail().Entries(ctx, h.Seq+1, 0) {
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, e)
			}
			if len(got) != 1 || got[0].Actor != c.actor.ID || len(got[0].Action) < 7 || got[0].Action[:7] != "denied:" || got[0].Data["reason"] == "" {
				t.Fatalf("want one denied entry by %s, got %+v", c.actor.ID, got)
			}
		})
	}
	t.Run("anonymous actor", func(t *testing.T) {
		_, err := f.svc.Start(ctx, iso20000.Actor{}, inc.ID, incident.StepInput{})
		if !errors.Is(err, iso20000.ErrValidation) {
			t.Fatalf("want ErrValidation, got %v", err)
		}
	})
	t.Run("manager may do what agents may not", func(t *testing.T) {
		got, err := f.svc.OverridePriority(ctx, manager, inc.ID, incident.PriorityInput{Priority: 1, Reason: "CEO affected"})
		if err != nil || got.Priority != 1 || got.PriorityReason != "CEO affected" {
			t.Fatalf("%v %+v", err, got)
		}
	})
}

func testNumbers(t *testing.T, newStore func(t testing.TB) store.Store) {
	f := newFixture(t, newStore)
	for i := 1; i <= 3; i++ {
		if got, want := f.open(t).Number, fmt.Sprintf("INC-%06d", i); got != want {
			t.Fatalf("number %s, want %s", got, want)
		}
	}
	// A failed open does not use up a number.
	if _, err := f.svc.Open(context.Background(), caller, incident.OpenInput{Title: "x"}); err == nil {
		t.Fatal("open without impact succeeded")
	}
	if got := f.open(t).Number; got != "INC-000004" {
		t.Fatalf("after a failed open: %s", got)
	}
}

func testAudit(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := context.Background()
	f := newFixture(t, newStore)
	inc := f.reach(t, incident.StateClosed)
	var actions []string
	var resolveEntry audit.Entry
	for e, err := range f.store.Trail().Entries(ctx, 1, 0) {
		if err != nil {
			t.Fatal(err)
		}
		if e.EntityID != inc.ID.String() || e.Kind != incident.Kind {
			t.Fatalf("entry about %s %s", e.Kind, e.EntityID)
		}
		actions = append(actions, e.Action)
		if e.Action == "incident.resolve" {
			resolveEntry = e
		}
	}
	want := []string{"incident.open", "incident.assign", "incident.start", "incident.resolve", "incident.close"}
	if fmt.Sprint(actions) != fmt.Sprint(want) {
		t.Fatalf("actions %v, want %v", actions, want)
	}
	if resolveEntry.From != "in_progress" || resolveEntry.To != "resolved" || resolveEntry.Actor != agent.ID {
		t.Fatalf("resolve entry %+v", resolveEntry)
	}
	changed := map[string]audit.Change{}
	for _, c := range resolveEntry.Changes {
		changed[c.Field] = c
	}
	if changed["state"].Old != "in_progress" || changed["resolution_code"].New != "fixed" || changed["resolution_notes"].New == "" {
		t.Fatalf("resolve changes %+v", resolveEntry.Changes)
	}
	rep, err := audit.Verify(ctx, f.store.Trail())
	if err != nil || !rep.OK {
		t.Fatalf("verify: %v %+v", err, rep)
	}
}

func testVersions(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := context.Background()
	f := newFixture(t, newStore)
	inc := f.reach(t, incident.StateAssigned)
	if _, err := f.svc.AddNote(ctx, agent, inc.ID, "called the user"); err != nil {
		t.Fatal(err)
	}
	h := head(t, f.store)
	_, err := f.svc.Start(ctx, agent, inc.ID, incident.StepInput{Version: inc.Version})
	var ce *iso20000.ConflictError
	if !errors.As(err, &ce) || ce.Expected != inc.Version || ce.Actual != inc.Version+1 {
		t.Fatalf("want a conflict on the stale version, got %v", err)
	}
	if head(t, f.store) != h {
		t.Fatal("conflict wrote to the trail")
	}
	if _, err := f.svc.Start(ctx, agent, inc.ID, incident.StepInput{Version: inc.Version + 1}); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Get(ctx, [16]byte{1})
	if !errors.Is(err, iso20000.ErrNotFound) {
		t.Fatalf("want ErrNotFound, got %v", err)
	}
	_, err = f.svc.Start(ctx, agent, [16]byte{1}, incident.StepInput{})
	if !errors.Is(err, iso20000.ErrNotFound) {
		t.Fatalf("want ErrNotFound, got %v", err)
	}
}

func testConcurrent(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := context.Background()
	f := newFixture(t, newStore)
	inc := f.reach(t, incident.StateInProgress)
	const n = 40
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			_, err := f.svc.AddNote(ctx, agent, inc.ID, fmt.Sprintf("note %d", i))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	ok := 0
	for err := range errs {
		if err == nil {
			ok++
		} else if !errors.Is(err, iso20000.ErrConflict) {
			t.Fatal(err)
		}
	}
	got, err := f.svc.Get(ctx, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.WorkNotes) != ok || got.Version != inc.Version+int64(ok) || ok == 0 {
		t.Fatalf("%d notes succeeded; record has %d notes, version %d (from %d)", ok, len(got.WorkNotes), got.Version, inc.Version)
	}
}

func testEdits(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := context.Background()
	f := newFixture(t, newStore)
	inc := f.reach(t, incident.StateInProgress)
	if inc.Priority != 2 {
		t.Fatalf("medium impact, high urgency: P%d", inc.Priority)
	}
	low := incident.Low
	title := "VPN slow"
	got, err := f.svc.Update(ctx, agent, inc.ID, incident.UpdateInput{Title: &title, Impact: &low})
	if err != nil || got.Title != title || got.Impact != incident.Low || got.Priority != 3 {
		t.Fatalf("update: %v %+v", err, got)
	}
	got, err = f.svc.Link(ctx, agent, inc.ID, incident.LinkInput{Problems: []string{"p1", "p1"}, Changes: []string{"c1"}})
	if err != nil || len(got.Problems) != 1 || len(got.Changes) != 1 {
		t.Fatalf("link: %v %+v", err, got)
	}
	if _, err := f.svc.Communicate(ctx, manager, inc.ID, "status page updated"); !errors.Is(err, iso20000.ErrInvalidTransition) {
		t.Fatalf("communicating on a non-major incident: %v", err)
	}
	if _, err := f.svc.DeclareMajor(ctx, manager, inc.ID, "outage"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.DeclareMajor(ctx, manager, inc.ID, "outage"); !errors.Is(err, iso20000.ErrInvalidTransition) {
		t.Fatalf("declaring twice: %v", err)
	}
	got, err = f.svc.Communicate(ctx, manager, inc.ID, "status page updated")
	if err != nil || len(got.Communications) != 2 || !got.Major {
		t.Fatalf("communicate: %v %+v", err, got)
	}
	closed := f.reach(t, incident.StateClosed)
	if _, err := f.svc.AddNote(ctx, agent, closed.ID, "late"); !errors.Is(err, iso20000.ErrInvalidTransition) {
		t.Fatalf("note on closed incident: %v", err)
	}
	// Records returned are copies.
	got.WorkNotes = append(got.WorkNotes, incident.Note{Text: "tamper"})
	again, _ := f.svc.Get(ctx, inc.ID)
	if len(again.WorkNotes) == len(got.WorkNotes) {
		t.Fatal("returned record aliases the store")
	}
}

func testQueries(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := context.Background()
	f := newFixture(t, newStore)
	var open []incident.Incident
	for i := range 7 {
		f.clock.Advance(time.Minute)
		inc := f.reach(t, []incident.State{incident.StateNew, incident.StateAssigned, incident.StateInProgress, incident.StateResolved}[i%4])
		if inc.Open() {
			open = append(open, inc)
		}
	}
	// Paging through the open queue two at a time yields every open incident once, in order.
	var got []incident.Incident
	cursor := ""
	for {
		p, err := f.svc.ListOpen(ctx, incident.Filter{Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p.Incidents...)
		if cursor = p.Next; cursor == "" {
			break
		}
	}
	if len(got) != len(open) {
		t.Fatalf("listed %d open incidents, want %d", len(got), len(open))
	}
	for i := range got {
		if got[i].ID != open[i].ID {
			t.Fatalf("position %d: %s, want %s", i, got[i].Number, open[i].Number)
		}
	}
	p, err := f.svc.ListOpen(ctx, incident.Filter{Assignee: "alice", Priority: 2, Newest: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Incidents) != 4 || p.Incidents[0].OpenedAt.Before(p.Incidents[3].OpenedAt) {
		t.Fatalf("alice's P2 queue, newest first: %d incidents", len(p.Incidents))
	}
	p, err = f.svc.List(ctx, incident.Filter{States: incident.States{incident.StateResolved}})
	if err != nil || len(p.Incidents) != 1 {
		t.Fatalf("resolved: %v, %d", err, len(p.Incidents))
	}
	if _, err := f.svc.List(ctx, incident.Filter{Limit: -1}); !errors.Is(err, iso20000.ErrValidation) {
		t.Fatalf("bad limit: %v", err)
	}
}

func TestNewServiceValidates(t *testing.T) {
	st := memory.New()
	tests := []struct {
		name  string
		st    store.Store
		opt   incident.Option
		field string
	}{
		{"nil store", nil, incident.WithReopenWindow(time.Hour), "store"},
		{"nil clock", st, incident.WithClock(nil), "clock"},
		{"nil authorizer", st, incident.WithAuthorizer(nil), "authorizer"},
		{"nil ids", st, incident.WithIDs(nil), "ids"},
		{"empty matrix", st, incident.WithMatrix(incident.Matrix{}), "matrix"},
		{"ragged matrix", st, incident.WithMatrix(incident.Matrix{{1, 2}, {3}}), "matrix[1]"},
		{"anonymous sweeper", st, incident.WithSweepActor(iso20000.Actor{}), "sweep_actor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := incident.NewService(tt.st, tt.opt)
			_, rerr := incident.NewRequestService(tt.st, tt.opt)
			for _, err := range []error{err, rerr} {
				var ve *iso20000.ValidationError
				if !errors.As(err, &ve) || ve.Field != tt.field {
					t.Fatalf("want a validation error on %s, got %v", tt.field, err)
				}
			}
		})
	}
}

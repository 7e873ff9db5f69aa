package incident

import (
	"context"
	"errors"
	"iter"
	"time"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/internal/workflow"
	"github.com/servicekit/iso20000/sla"
	"github.com/servicekit/iso20000/store"
)

// SLA clocks of incidents.
//
// With [WithSLA], every incident carries a response and a resolution
// [sla.Timer] chosen by its priority and service. On every change the
// service feeds the incident's state to the policy ([sla.Policy.OnState]):
// while the incident is on hold, the state given is the hold reason, so
//
//	sla.WithPauseStates(string(incident.HoldAwaitingCaller))
//
// pauses the clocks while the caller is awaited, and a reason the policy does
// not list keeps them running. [SLAStops] are the usual stop states. A
// priority or service change re-targets both timers (the new target applies
// to the time already used); a reopen restarts the resolution timer as a new
// cycle, keeping the history. The incident's next SLA deadline (the next
// warning or breach) is indexed, so that [Service.Sweep] and
// [Service.Breaching] cost O(result).

// SLAStops returns the policy options that stop the incident timers in the
// usual states: the response timer once anyone works on the incident (or it
// ends otherwise), the resolution timer at resolution or cancellation.
func SLAStops() []sla.PolicyOption {
	return []sla.PolicyOption{
		sla.WithStopStates(sla.TargetResponse, string(StateAssigned), string(StateInProgress), string(StateResolved), string(StateClosed), string(StateCancelled)),
		sla.WithStopStates(sla.TargetResolution, string(StateResolved), string(StateClosed), string(StateCancelled)),
	}
}

// WithSLA makes the service keep SLA timers by policy p (see [SLAStops]).
// Without it incidents carry no timers.
func WithSLA(p *sla.Policy) Option { return func(c *config) { c.policy = p } }

// WithNotifier sets who is told when an incident crosses an SLA warning
// threshold or breaches (see [Service.Sweep]).
func WithNotifier(n Notifier) Option { return func(c *config) { c.notifier = n } }

// WithSweepActor sets the actor [Service.Sweep] acts as (default
// iso20000.System); the authorizer must allow it "incident.escalate".
func WithSweepActor(a iso20000.Actor) Option { return func(c *config) { c.sweeper = a } }

// WithEscalation sets the escalation rules [Service.Sweep] applies.
func WithEscalation(rules ...EscalationRule) Option {
	return func(c *config) { c.escalation = append(c.escalation, rules...) }
}

// slaState is the state an incident reports to the SLA policy: its
// lifecycle state, or its hold reason while on hold.
func slaState(inc *Incident) string {
	if inc.State == StateOnHold && inc.HoldReason != "" {
		return string(inc.HoldReason)
	}
	return string(inc.State)
}

// timers yields the incident's timers that exist, response first.
func (inc *Incident) timers() iter.Seq[*sla.Timer] {
	return func(yield func(*sla.Timer) bool) {
		if inc.Response != nil && !yield(inc.Response) {
			return
		}
		if inc.Resolution != nil {
			yield(inc.Resolution)
		}
	}
}

// detailKey returns the key of the audit details that record the events of
// the timer of target.
func detailKey(target string) string {
	switch target {
	case sla.TargetResponse:
		return "sla." + sla.TargetResponse
	case sla.TargetResolution:
		return "sla." + sla.TargetResolution
	}
	return "sla." + target
}

// startClocks creates the timers of a new incident and starts them, adding
// the timer events to d.
func (c *config) startClocks(inc *Incident, now time.Time, d workflow.Details) error {
	if c.policy == nil {
		return nil
	}
	// Both in one allocation, with room for their first cycles.
	var err error
	inc.Response, inc.Resolution, err = c.policy.NewTimerPair(sla.TargetResponse, sla.TargetResolution, int(inc.Priority), inc.Service)
	if err != nil {
		return err
	}
	return c.trackClocks(inc, inc, now, d)
}

// trackClocks brings the timers of inc up to date after a change from
// before: re-target on a priority or service change, restart on a reopen,
// then apply the state. It adds the timer events to the audit details d.
func (c *config) trackClocks(before, inc *Incident, now time.Time, d workflow.Details) error {
	if c.policy == nil {
		return nil
	}
	// The next deadline depends on the timers and the escalations only: a
	// change that touches neither (most steps) keeps it.
	moved := before == inc || len(before.Escalations) != len(inc.Escalations)
	state := slaState(inc)
	retarget := before != inc && (before.Priority != inc.Priority || before.Service != inc.Service)
	for _, slot := range [...]**sla.Timer{&inc.Response, &inc.Resolution} {
		if *slot == nil {
			continue
		}
		// The saved timers are frozen, shared by the incident's copies: a
		// timer that moves is thawed, a copy of its own; the others stay
		// shared.
		restart := (*slot).Target == sla.TargetResolution && before.State == StateResolved && inc.State == StateInProgress
		if retarget {
			if err := c.policy.Retarget(sla.Thaw(slot), int(inc.Priority), inc.Service); err != nil && !errors.Is(err, iso20000.ErrNotFound) {
				return err
			}
			moved = true
		}
		if restart {
			if err := sla.Thaw(slot).Restart(now); err != nil {
				return err
			}
			d.Add(detailKey((*slot).Target), string(sla.EventRestart))
			moved = true
		}
		var buf [2]sla.TimerEvent
		evs, err := c.policy.AppendOnStateThaw(buf[:0], slot, state, now)
		if err != nil {
			return err
		}
		for _, ev := range evs {
			d.Add(detailKey((*slot).Target), string(ev))
		}
		moved = moved || len(evs) > 0
	}
	if moved {
		inc.NextDeadline = c.nextDeadline(inc)
	}
	return nil
}

// nextDeadline returns the instant of the earliest alert of the incident's
// running timers that no sweep has handled yet, or zero. An alert in the past
// stays the deadline until a sweep handles it.
func (c *config) nextDeadline(inc *Incident) time.Time {
	var next time.Time
	for t := range inc.timers() {
		if t.Status() != sla.TimerRunning {
			continue // no alerts to come: spare the schedule lookup
		}
		s, err := c.policy.Schedule(t)
		if err != nil {
			continue
		}
		cycle := len(t.Cycles)
		a, ok := t.FirstAlert(s, func(percent int) bool { return inc.escalated(t.Target, percent, cycle) })
		if ok && (next.IsZero() || a.At.Before(next)) {
			next = a.At
		}
	}
	return next
}

// SLA returns the readings of the incident's timers at now (response first),
// or none without a policy.
func (s *Service) SLA(inc *Incident, now time.Time) ([]sla.Reading, error) {
	if s.policy == nil {
		return nil, nil
	}
	var out []sla.Reading
	for t := range inc.timers() {
		r, err := s.policy.Measure(t, now)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// Breaching returns one page of open incidents whose response or resolution
// target is (or will be, if nothing changes) breached before t, ordered by
// their next SLA deadline. It walks the deadline index from the earliest, so
// its cost is proportional to the incidents with an SLA alert before t; a
// page may hold fewer than f.Limit incidents and still have a Next cursor.
func (s *Service) Breaching(ctx context.Context, t time.Time, f Filter) (Page, error) {
	if len(f.States) == 0 {
		f.States = OpenStates
	}
	q := f.query()
	q.OrderBy, q.DueBefore, q.Desc = store.ByDue, t, false
	incs, next, err := s.engine.List(ctx, q)
	if err != nil {
		return Page{}, err
	}
	out := incs[:0]
	for _, inc := range incs {
		if s.breachedBy(&inc, t) {
			out = append(out, inc)
		}
	}
	return Page{Incidents: out, Next: next}, nil
}

func (s *Service) breachedBy(inc *Incident, t time.Time) bool {
	for tm := range inc.timers() {
		sch, err := s.policy.Schedule(tm)
		if err != nil || tm.Status() != sla.TimerRunning {
			continue
		}
		if due, ok := tm.Due(sch); ok && due.Before(t) {
			return true
		}
	}
	return false
}

package incident

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/servicekit/iso20000/internal/workflow"
	"github.com/servicekit/iso20000/sla"
	"github.com/servicekit/iso20000/store"
)

// Notifier is told about SLA alerts and escalations. The application
// implements it (e-mail, chat, paging). Notify is called inside the unit of
// work that records the alert: if it returns an error, nothing is recorded
// and the next sweep tries again, so delivery is at least once; make
// notifications idempotent on (Incident.ID, Alert) if duplicates matter.
// Since Notify runs while the unit of work is open (with the memory store,
// while its write lock is held), it should hand the notification to a queue
// or outbox and return, not deliver it over the network itself.
type Notifier interface {
	Notify(ctx context.Context, n Notification) error
}

// NotifierFunc adapts a function to a [Notifier].
type NotifierFunc func(ctx context.Context, n Notification) error

// Notify calls f.
func (f NotifierFunc) Notify(ctx context.Context, n Notification) error { return f(ctx, n) }

// Notification tells of an SLA alert on an incident and what was done.
type Notification struct {
	// Incident is the incident after the escalation.
	Incident Incident
	// Alert is the threshold crossed (Percent 100 is the breach).
	Alert sla.Alert
	// Rule is the escalation rule applied, nil when none matched (a plain alert).
	Rule *EscalationRule
}

// EscalationRule says what happens when an incident's timer crosses a
// threshold. Functional escalation reassigns to another group; hierarchical
// escalation notifies a manager. Zero match fields match anything.
type EscalationRule struct {
	// Target matches the timer ("response", "resolution"); empty matches both.
	Target string
	// Percent is the threshold the rule fires at (100: the breach).
	Percent int
	// Priority restricts the rule to one priority; 0 matches all.
	Priority Priority
	// ReassignTo is the group to reassign to (functional escalation); the
	// assignee is cleared and the incident returns to state assigned.
	ReassignTo string
	// NotifyManager names a manager to notify (hierarchical escalation).
	NotifyManager string
}

func (r *EscalationRule) matches(inc *Incident, a sla.Alert) bool {
	return (r.Target == "" || r.Target == a.Target) && r.Percent == a.Percent &&
		(r.Priority == 0 || r.Priority == inc.Priority)
}

// Escalation records an SLA alert handled by a sweep.
type Escalation struct {
	Target  string    `json:"target"`
	Percent int       `json:"percent"`
	At      time.Time `json:"at"`    // when the threshold was crossed
	Cycle   int       `json:"cycle"` // the timer's cycle (1 for the first)
	// Group is the group the incident was reassigned to, if any.
	Group string `json:"group,omitempty"`
	// Manager is the manager notified, if any.
	Manager string `json:"manager,omitempty"`
}

// SweepResult reports what a sweep did.
type SweepResult struct {
	// Alerts is the number of SLA alerts handled; Escalated the number of
	// incidents changed.
	Alerts, Escalated int
}

// Sweep handles every SLA alert (warning threshold or breach) that fell due
// by now: for each incident whose next SLA deadline is not after now, it
// records the alerts crossed, applies the matching escalation rules and
// tells the Notifier, in one audited unit of work per incident (action
// "incident.escalate", by the sweep actor, iso20000.System unless set with
// [WithSweepActor]). The application's scheduler calls it every minute or so.
// It walks the deadline index, so its cost is proportional to the incidents
// with alerts due, not to all incidents. A failure stops the sweep and is
// returned with what was done; calling again resumes.
func (s *Service) Sweep(ctx context.Context, now time.Time) (SweepResult, error) {
	var res SweepResult
	if s.policy == nil {
		return res, nil
	}
	q := store.Query{Status: OpenStates.Strings(), OrderBy: store.ByDue, DueBefore: now.Add(1)}
	for {
		// An escalation moves the incident's deadline to its next unhandled
		// alert, later in the index order: the cursor visits it again in this
		// sweep only if that alert is due too.
		incs, next, err := s.engine.List(ctx, q)
		if err != nil {
			return res, err
		}
		for _, inc := range incs {
			n, err := s.escalate(ctx, inc.ID, now)
			if err != nil {
				return res, fmt.Errorf("incident: sweeping %s: %w", inc.Number, err)
			}
			if n > 0 {
				res.Alerts += n
				res.Escalated++
			}
		}
		if next == "" {
			return res, nil
		}
		q.Cursor = next
	}
}

// errNoAlerts discards an escalation that found nothing to handle.
var errNoAlerts = errors.New("no alerts due")

// escalate handles the alerts of one incident that are due by now.
func (s *Service) escalate(ctx context.Context, id uuid.UUID, now time.Time) (int, error) {
	handled := 0
	_, err := s.change(ctx, s.sweeper, id, 0, "escalate", func(inc *Incident, at time.Time, d workflow.Details) error {
		handled = 0
		for t := range inc.timers() {
			sch, err := s.policy.Schedule(t)
			if err != nil {
				return err
			}
			for _, a := range t.Crossed(sch, now) {
				if inc.escalated(a.Target, a.Percent, len(t.Cycles)) {
					continue
				}
				handled++
				e := Escalation{Target: a.Target, Percent: a.Percent, At: a.At, Cycle: len(t.Cycles)}
				rule := s.rule(inc, a)
				if rule != nil {
					if err := s.applyRule(inc, rule, &e); err != nil {
						return err
					}
				}
				inc.Escalations = append(inc.Escalations, e)
				d.Add("alerts", fmt.Sprintf("%s %d%%", a.Target, a.Percent))
				if s.notifier != nil {
					if err := s.notifier.Notify(ctx, Notification{Incident: inc.Clone(), Alert: a, Rule: rule}); err != nil {
						return fmt.Errorf("notifying: %w", err)
					}
				}
			}
		}
		if handled == 0 {
			return errNoAlerts // nothing to record: discard the unit of work
		}
		return nil // the change path then moves NextDeadline to the next unhandled alert
	})
	if errors.Is(err, errNoAlerts) {
		return 0, nil
	}
	return handled, err
}

// escalated reports whether a sweep handled the alert at percent of the
// timer of target in its cycle (numbered from 1).
func (inc *Incident) escalated(target string, percent, cycle int) bool {
	return slices.ContainsFunc(inc.Escalations, func(e Escalation) bool {
		return e.Target == target && e.Percent == percent && e.Cycle == cycle
	})
}

// rule returns the first escalation rule matching the alert, or nil.
func (s *Service) rule(inc *Incident, a sla.Alert) *EscalationRule {
	for i := range s.escalation {
		if s.escalation[i].matches(inc, a) {
			return &s.escalation[i]
		}
	}
	return nil
}

// applyRule performs a functional escalation (reassignment through the
// lifecycle's assign event) and records a hierarchical one.
func (s *Service) applyRule(inc *Incident, r *EscalationRule, e *Escalation) error {
	e.Manager = r.NotifyManager
	if r.ReassignTo == "" || r.ReassignTo == inc.Group {
		return nil
	}
	to, err := transition(inc, EventAssign) // every open state allows it
	if err != nil {
		return err
	}
	inc.State, inc.Group, inc.Assignee, inc.HoldReason = to, r.ReassignTo, "", ""
	e.Group = r.ReassignTo
	return nil
}

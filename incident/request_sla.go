package incident

import (
	"time"

	"github.com/servicekit/iso20000/internal/workflow"
	"github.com/servicekit/iso20000/sla"
)

// SLA fulfilment clocks of service requests.
//
// With [WithSLA], every request carries a fulfilment [sla.Timer]. It starts
// when the request is submitted, with the business time its catalogue item
// allows ([CatalogItem.FulfilmentTarget]), counted under the schedule of the
// policy's fulfilment target; [RequestSLA] adds that target and the states
// that pause the clock while the request awaits approval and stop it when the
// request is fulfilled, rejected or cancelled. Service requests have no
// priority: their clocks use the policy's targets of [RequestSLAPriority].
// The instant the running clock breaches is indexed, so that
// [RequestService.Breaching] costs O(result).

// TargetFulfilment names the SLA target of service request fulfilment.
const TargetFulfilment = "fulfilment"

// RequestSLAPriority is the priority under which fulfilment clocks look up
// their target (and so their schedule) in the SLA policy.
const RequestSLAPriority = 1

// RequestSLA returns the policy options of fulfilment clocks: a default
// fulfilment target of duration fallback (for items without a
// FulfilmentTarget of their own) counted under schedule s, the pause while
// a request awaits approval, and the stop when it is fulfilled, closed,
// rejected or cancelled. Targets for one service may be added with
// sla.WithTargets(sla.Target{Name: TargetFulfilment, Priority:
// RequestSLAPriority, Service: ...}).
func RequestSLA(s sla.Schedule, fallback time.Duration) []sla.PolicyOption {
	return []sla.PolicyOption{
		sla.WithTargets(sla.Target{Name: TargetFulfilment, Priority: RequestSLAPriority, Duration: fallback, Schedule: s}),
		sla.WithPauseStates(string(RequestAwaitingApproval)),
		sla.WithStopStates(TargetFulfilment, string(RequestFulfilled), string(RequestClosed), string(RequestRejected), string(RequestCancelled)),
	}
}

// startFulfilment gives a new request its fulfilment clock, of the item's
// target when it sets one, and starts it, adding the clock events to d.
func (c *config) startFulfilment(r *Request, target time.Duration, now time.Time, d workflow.Details) error {
	if c.policy == nil {
		return nil
	}
	t, _, err := c.policy.NewTimerPair(TargetFulfilment, "", RequestSLAPriority, r.Service)
	if err != nil {
		return err
	}
	if t == nil {
		return nil // the policy sets no fulfilment target
	}
	if target > 0 {
		if err := t.Retarget(sla.Target{Name: TargetFulfilment, Priority: RequestSLAPriority, Duration: target}); err != nil {
			return err
		}
	}
	r.Fulfilment = t
	return c.trackFulfilment(r, now, d)
}

// trackFulfilment applies the request's state to its fulfilment clock and
// updates the indexed breach instant. It adds the clock events to the audit
// details d.
func (c *config) trackFulfilment(r *Request, now time.Time, d workflow.Details) error {
	if c.policy == nil || r.Fulfilment == nil {
		return nil
	}
	// The saved clock is frozen, shared by the request's copies: a clock
	// that moves is thawed, a copy of its own.
	var buf [2]sla.TimerEvent
	evs, err := c.policy.AppendOnStateThaw(buf[:0], &r.Fulfilment, string(r.State), now)
	if err != nil {
		return err
	}
	if len(evs) == 0 {
		return nil // the clock and its due time stay as they are
	}
	for _, ev := range evs {
		d.Add(fulfilmentKey, string(ev))
	}
	r.FulfilmentDue = time.Time{}
	if r.Fulfilment.Status() == sla.TimerRunning {
		s, err := c.policy.Schedule(r.Fulfilment)
		if err != nil {
			return err
		}
		r.FulfilmentDue, _ = r.Fulfilment.Due(s)
	}
	return nil
}

// fulfilmentKey is the key of the audit details that record the events of
// the fulfilment clock.
const fulfilmentKey = "sla." + TargetFulfilment

// SLA returns the reading of the request's fulfilment clock at now, or none
// when the request has no clock.
func (s *RequestService) SLA(r *Request, now time.Time) ([]sla.Reading, error) {
	if s.policy == nil || r.Fulfilment == nil {
		return nil, nil
	}
	reading, err := s.policy.Measure(r.Fulfilment, now)
	if err != nil {
		return nil, err
	}
	return []sla.Reading{reading}, nil
}

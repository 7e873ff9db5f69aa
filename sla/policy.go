package sla

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/servicekit/iso20000"
)

// Well-known target names. A [Policy] accepts any name; process packages use
// these two.
const (
	// TargetResponse is the time allowed until a record is acknowledged.
	TargetResponse = "response"
	// TargetResolution is the time allowed until a record is resolved.
	TargetResolution = "resolution"
)

// DefaultThresholds returns the warning thresholds a [Policy] uses unless
// told otherwise: 50 %, 75 % and 90 % of the target.
func DefaultThresholds() []int { return []int{50, 75, 90} }

// Target is one service level target: the business time allowed for records
// of a priority (and optionally of one service) to reach a milestone, such as
// resolution within 4 hours of the service-hours schedule for priority 2.
type Target struct {
	// Name names the milestone measured, usually [TargetResponse] or
	// [TargetResolution].
	Name string
	// Priority is the priority the target applies to, 1 being the highest.
	Priority int
	// Service restricts the target to records of one service; empty makes it
	// the default for every service without a target of its own.
	Service string
	// Duration is the business time allowed.
	Duration time.Duration
	// Schedule tells the business time in which Duration counts, such as a
	// 9–5 calendar with bank holidays or a 24×7 schedule.
	Schedule Schedule
}

type targetKey struct {
	name     string
	priority int
	service  string
}

func (t Target) key() targetKey { return targetKey{t.Name, t.Priority, t.Service} }

// Policy is a service level policy (ISO/IEC 20000-1:2018, 8.3.3 service level
// management): the targets per priority and service, the warning thresholds,
// and which lifecycle states of a record pause or stop its timers.
//
// # Policies, timers and reports
//
// A Policy is built once from configuration with [NewPolicy] and is
// immutable. For each record and target a process package keeps a [Timer],
// made by [Policy.NewTimer], embedded in the record and persisted with it. On
// every state change the package calls [Policy.OnState], which starts,
// pauses, resumes or stops the timer; on a reopen it calls [Timer.Restart];
// on a priority change [Policy.Retarget]. [Policy.Measure] answers the due
// time, elapsed and remaining business time, percent used, whether it is
// breached and which thresholds it crossed. A [DueList] holds the pending
// alerts of many timers and hands out, in order, those due by an instant,
// for a scheduler that runs every minute. [Agreements] keeps service level
// agreements in a store, audited; [NewReport] and [Availability] compute
// attainment, mean times and availability over a period.
//
// A Policy is safe for concurrent use.
type Policy struct {
	targets    []Target
	ranks      []rank // by name, then priority
	thresholds []int
	pause      map[string]bool
	stop       map[string]map[string]bool // target name -> states
	// states is what entering each state named in pause or stop does to
	// timers, made by NewPolicy: one lookup a timer event.
	states map[string]stateRule
}

// stateRule is what entering a state does to timers: pause them all, or
// stop those of the listed targets.
type stateRule struct {
	pause bool
	stops []string // target names
}

// stopsTarget reports whether entering the state stops the timers of target.
func (r *stateRule) stopsTarget(target string) bool { return slices.Contains(r.stops, target) }

// PolicyOption configures a [Policy].
type PolicyOption func(*Policy)

// WithTargets adds targets to the policy.
func WithTargets(targets ...Target) PolicyOption {
	return func(p *Policy) { p.targets = append(p.targets, targets...) }
}

// WithThresholds sets the warning thresholds, in percent of a target,
// ascending, each between 1 and 99; none disables warnings. The default is
// [DefaultThresholds].
func WithThresholds(percents ...int) PolicyOption {
	return func(p *Policy) { p.thresholds = slices.Clone(percents) }
}

// WithPauseStates names the record states that pause every timer, such as
// "pending customer" and "pending supplier".
func WithPauseStates(states ...string) PolicyOption {
	return func(p *Policy) {
		for _, s := range states {
			p.pause[s] = true
		}
	}
}

// WithStopStates names the record states that stop the timers of the named
// target: for example "in progress" stops the response timer, and "resolved"
// and "closed" stop the resolution timer.
func WithStopStates(target string, states ...string) PolicyOption {
	return func(p *Policy) {
		if p.stop[target] == nil {
			p.stop[target] = map[string]bool{}
		}
		for _, s := range states {
			p.stop[target][s] = true
		}
	}
}

// NewPolicy returns the policy the options describe. It needs at least one
// target; invalid options give a *[iso20000.ValidationError] naming the
// field, such as "targets[2].duration", "thresholds" or "pause_states".
func NewPolicy(opts ...PolicyOption) (*Policy, error) {
	p := &Policy{thresholds: DefaultThresholds(), pause: map[string]bool{}, stop: map[string]map[string]bool{}}
	for _, o := range opts {
		o(p)
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	p.states = make(map[string]stateRule, len(p.pause))
	for state := range p.pause {
		p.states[state] = stateRule{pause: true}
	}
	for target, states := range p.stop {
		for state := range states {
			r := p.states[state]
			r.stops = append(r.stops, target)
			p.states[state] = r
		}
	}
	for _, t := range p.targets {
		i, found := p.search(t.Name, t.Priority)
		if !found {
			p.ranks = slices.Insert(p.ranks, i, rank{name: t.Name, priority: t.Priority})
		}
		r := &p.ranks[i]
		if t.Service == "" {
			r.target, r.hasDefault = t, true
			continue
		}
		if r.services == nil {
			r.services = map[string]*Target{}
		}
		r.services[t.Service] = &t
	}
	return p, nil
}

// rank holds the targets of one name and priority: the default one (without
// a service) and the services' own, which most policies have none of. The
// ranks of a policy are few (names times priorities) and sorted, so that a
// lookup costs a binary search among them, and a map access only when
// services have targets of their own.
type rank struct {
	name       string
	priority   int
	target     Target
	hasDefault bool
	services   map[string]*Target // nil when no service has its own target
}

// search returns the index of the rank of name and priority in p.ranks,
// or where it would be inserted, and whether it is there.
func (p *Policy) search(name string, priority int) (int, bool) {
	lo, hi := 0, len(p.ranks)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		r := &p.ranks[mid]
		c := strings.Compare(r.name, name)
		if c == 0 {
			c = cmp.Compare(r.priority, priority)
		}
		switch {
		case c == 0:
			return mid, true
		case c < 0:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return lo, false
}

func (p *Policy) validate() error {
	if len(p.targets) == 0 {
		return &iso20000.ValidationError{Field: "targets", Reason: "must not be empty"}
	}
	seen := map[targetKey]int{}
	for i, t := range p.targets {
		field := func(name string) string { return fmt.Sprintf("targets[%d]%s", i, name) }
		switch {
		case t.Name == "":
			return &iso20000.ValidationError{Field: field(".name"), Reason: "must not be empty"}
		case t.Priority < 1:
			return &iso20000.ValidationError{Field: field(".priority"), Reason: "must be 1 or more"}
		case t.Duration <= 0:
			return &iso20000.ValidationError{Field: field(".duration"), Reason: "must be positive"}
		case t.Schedule == nil:
			return &iso20000.ValidationError{Field: field(".schedule"), Reason: "must not be nil"}
		}
		if j, dup := seen[t.key()]; dup {
			return &iso20000.ValidationError{Field: field(""), Reason: fmt.Sprintf("duplicates targets[%d]", j)}
		}
		seen[t.key()] = i
	}
	for i, pc := range p.thresholds {
		if pc < 1 || pc > 99 || i > 0 && pc <= p.thresholds[i-1] {
			return &iso20000.ValidationError{Field: "thresholds", Reason: "must be ascending percentages between 1 and 99"}
		}
	}
	if p.pause[""] {
		return &iso20000.ValidationError{Field: "pause_states", Reason: "must not contain an empty state"}
	}
	for _, target := range slices.Sorted(maps.Keys(p.stop)) {
		for _, s := range slices.Sorted(maps.Keys(p.stop[target])) {
			switch {
			case s == "":
				return &iso20000.ValidationError{Field: "stop_states", Reason: "must not contain an empty state"}
			case p.pause[s]:
				return &iso20000.ValidationError{Field: "stop_states",
					Reason: fmt.Sprintf("state %q both pauses and stops %s timers", s, target)}
			}
		}
	}
	return nil
}

// Targets returns the policy's targets, in the order they were given.
func (p *Policy) Targets() []Target { return slices.Clone(p.targets) }

// Thresholds returns the warning thresholds in percent, ascending.
func (p *Policy) Thresholds() []int { return slices.Clone(p.thresholds) }

// PauseStates returns the states that pause timers, sorted.
func (p *Policy) PauseStates() []string { return slices.Sorted(maps.Keys(p.pause)) }

// StopStates returns the states that stop the timers of the named target, sorted.
func (p *Policy) StopStates(target string) []string { return slices.Sorted(maps.Keys(p.stop[target])) }

// Target returns the target called name for records of the given priority
// and service: the service's own target when there is one, else the default
// target (the one without a service). It returns a *[iso20000.NotFoundError]
// of kind "sla target" when there is neither.
func (p *Policy) Target(name string, priority int, service string) (Target, error) {
	t, err := p.target(name, priority, service)
	if err != nil {
		return Target{}, err
	}
	return *t, nil
}

// target is [Policy.Target] without copying the target out of the policy.
func (p *Policy) target(name string, priority int, service string) (*Target, error) {
	if i, found := p.search(name, priority); found {
		r := &p.ranks[i]
		if r.services != nil { // most policies have no service targets: skip the lookup
			if t := r.services[service]; t != nil {
				return t, nil
			}
		}
		if r.hasDefault {
			return &r.target, nil
		}
	}
	return nil, &iso20000.NotFoundError{Kind: "sla target", ID: fmt.Sprintf("%s/P%d/%s", name, priority, service)}
}

// NewTimer returns an idle [Timer] for the target called name of a record of
// the given priority and service, with the policy's thresholds. The timer
// keeps the record's service (not the target's), so that later lookups find a
// service-specific target.
func (p *Policy) NewTimer(name string, priority int, service string) (Timer, error) {
	t, err := p.Target(name, priority, service)
	if err != nil {
		return Timer{}, err
	}
	tm := NewTimer(t, p.thresholds...)
	tm.Service = service
	return tm, nil
}

// NewTimerPair returns new idle timers for the targets called a and b of a
// record of the given priority and service, as [Policy.NewTimer] makes them,
// in one allocation with room for the policy's thresholds (up to three) and
// for a first cycle, so that starting them allocates nothing either: for a
// record that carries two timers, such as a response and a resolution clock.
// A target the policy does not set, or an empty name (b = "" for a record
// with one timer), gives a nil timer; another lookup error is returned.
func (p *Policy) NewTimerPair(a, b string, priority int, service string) (*Timer, *Timer, error) {
	var targets [2]*Target
	for i, name := range [2]string{a, b} {
		if name == "" {
			continue
		}
		t, err := p.target(name, priority, service)
		if err != nil && !errors.Is(err, iso20000.ErrNotFound) {
			return nil, nil, err
		}
		targets[i] = t
	}
	ta, tb := targets[0], targets[1]
	switch {
	case ta != nil && tb != nil:
		blocks := new([2]timerBlock)
		return blocks[0].init(ta, p.thresholds, service), blocks[1].init(tb, p.thresholds, service), nil
	case ta != nil:
		return new(timerBlock).init(ta, p.thresholds, service), nil, nil
	case tb != nil:
		return nil, new(timerBlock).init(tb, p.thresholds, service), nil
	}
	return nil, nil, nil
}

// Retarget applies the target for a new priority and service to t, after the
// record's priority or service changed. The new duration applies to the
// business time already used (see [Timer]). It returns the lookup error of
// [Policy.Target] and changes nothing when there is no such target.
func (p *Policy) Retarget(t *Timer, priority int, service string) error {
	target, err := p.Target(t.Target, priority, service)
	if err != nil {
		return err
	}
	if err := t.Retarget(target); err != nil {
		return err
	}
	t.Service = service
	return nil
}

// Schedule returns the schedule of the target t measures, looked up by the
// timer's target name, priority and service.
func (p *Policy) Schedule(t *Timer) (Schedule, error) {
	target, err := p.target(t.Target, t.Priority, t.Service)
	if err != nil {
		return nil, err
	}
	return target.Schedule, nil
}

// Measure returns the [Reading] of t at now under the schedule of its target.
func (p *Policy) Measure(t *Timer, now time.Time) (Reading, error) {
	s, err := p.Schedule(t)
	if err != nil {
		return Reading{}, err
	}
	return t.Measure(s, now), nil
}

// OnState applies to t the record's entry into state at instant at, and
// returns the events it applied, in order:
//
//   - a stop state of t's target stops a running or paused timer;
//   - a pause state starts an idle timer and pauses it, and pauses a running
//     one (the state is the pause reason);
//   - any other state starts an idle timer and resumes a paused one.
//
// Otherwise nothing happens and OnState returns no events. In particular a
// stopped timer stays stopped: on a reopen the process calls [Timer.Restart]
// itself, and then OnState for the state the record reopened into. An error
// (an instant before the timer's last event) changes nothing. Like the
// event methods, OnState changes t in place: a plain copy of t shares its
// cycles and sees the change, so keep a before image with [Timer.Clone]. A
// frozen timer that the state would change is refused with [ErrFrozen]
// ([Policy.AppendOnStateThaw] changes a thawed copy instead).
func (p *Policy) OnState(t *Timer, state string, at time.Time) ([]TimerEvent, error) {
	return p.AppendOnState(nil, t, state, at)
}

// AppendOnState is [Policy.OnState] appending the events it applied to dst,
// which it returns (dst itself when it applied none): a caller with a buffer
// of two events allocates nothing.
func (p *Policy) AppendOnState(dst []TimerEvent, t *Timer, state string, at time.Time) ([]TimerEvent, error) {
	return p.appendOnStateThaw(dst, &t, false, state, at)
}

// AppendOnStateThaw is [Policy.AppendOnState] for the timer *slot of a
// record, which may be frozen and shared by the record's copies: when the
// state applies an event to a frozen timer, it applies it to a thawed copy
// ([Thaw]), which replaces the timer in *slot (on success only). A state
// that applies no event leaves *slot as it is.
func (p *Policy) AppendOnStateThaw(dst []TimerEvent, slot **Timer, state string, at time.Time) ([]TimerEvent, error) {
	return p.appendOnStateThaw(dst, slot, true, state, at)
}

// appendOnStateThaw applies state to *slot, thawing a frozen timer first
// when thaw is true, and refusing it with ErrFrozen otherwise.
func (p *Policy) appendOnStateThaw(dst []TimerEvent, slot **Timer, thaw bool, state string, at time.Time) ([]TimerEvent, error) {
	t := *slot
	n := len(dst)
	events := p.appendOnState(dst, t.Status(), t.Target, state)
	switch {
	case len(events) == n:
		return dst, nil
	case t.frozen && !thaw:
		return dst, ErrFrozen
	case t.frozen: // the events apply to a copy, which replaces t once they all did
		own := t.CloneNew()
		if err := own.applyAll(events[n:], at, state); err != nil {
			return dst, err
		}
		*slot = own
		return events, nil
	case len(events) == n+1: // an event method changes nothing when it fails: no copy needed
		if err := t.apply(events[n], at, state); err != nil {
			return dst, err
		}
		return events, nil
	}
	next := t.Clone() // so that a failed second event leaves t as it was
	if err := next.applyAll(events[n:], at, state); err != nil {
		return dst, err
	}
	*t = next
	return events, nil
}

// applyAll applies the events in order, stopping at the first that fails.
func (t *Timer) applyAll(events []TimerEvent, at time.Time, reason string) error {
	for _, ev := range events {
		if err := t.apply(ev, at, reason); err != nil {
			return err
		}
	}
	return nil
}

// apply applies ev at instant at; reason is the reason of a pause.
func (t *Timer) apply(ev TimerEvent, at time.Time, reason string) error {
	switch ev {
	case EventStart:
		return t.Start(at)
	case EventPause:
		return t.Pause(at, reason)
	case EventResume:
		return t.Resume(at)
	case EventStop:
		return t.Stop(at)
	}
	return nil
}

// appendOnState appends to dst the events that entering state applies to a
// timer of the named target in status st, in order (see [Policy.OnState]).
func (p *Policy) appendOnState(dst []TimerEvent, st TimerStatus, target, state string) []TimerEvent {
	rule := p.states[state]
	switch {
	case st == TimerStopped:
		return dst
	case rule.stopsTarget(target):
		if st != TimerIdle {
			return append(dst, EventStop)
		}
		return dst
	case rule.pause:
		switch st {
		case TimerIdle:
			return append(dst, EventStart, EventPause)
		case TimerRunning:
			return append(dst, EventPause)
		}
		return dst
	case st == TimerIdle:
		return append(dst, EventStart)
	case st == TimerPaused:
		return append(dst, EventResume)
	}
	return dst
}

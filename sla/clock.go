package sla

import (
	"errors"
	"fmt"
	"iter"
	"slices"
	"time"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/internal/reuse"
)

// TimerStatus is the state of a [Timer].
type TimerStatus string

// The states of a [Timer]. A timer is idle until started; it then runs,
// pauses and resumes until stopped; a stopped timer restarts as a new cycle.
const (
	TimerIdle    TimerStatus = "idle"
	TimerRunning TimerStatus = "running"
	TimerPaused  TimerStatus = "paused"
	TimerStopped TimerStatus = "stopped"
)

// TimerEvent names a lifecycle event of a [Timer].
type TimerEvent string

// The events a [Timer] consumes; [Policy.OnState] returns the one it applied.
const (
	EventStart   TimerEvent = "start"
	EventPause   TimerEvent = "pause"
	EventResume  TimerEvent = "resume"
	EventStop    TimerEvent = "stop"
	EventRestart TimerEvent = "restart"
)

// timerKind is the record kind named in the errors of a Timer.
const timerKind = "sla timer"

// Timer is the SLA clock of one record and one target (the "response" or
// the "resolution" of an incident, say). It consumes lifecycle events (start,
// pause, resume, stop, and restart after a reopen) and answers how much
// business time is used, how much remains, when the target is due and which
// warning thresholds it has crossed.
//
// A Timer is a plain value holding only what happened: the target it measures
// and the start, pause and stop instants of each cycle. It encodes to
// deterministic JSON (times in UTC), so a process package embeds it in its
// record and persists it through the store. It holds no [Schedule]: every
// query takes the schedule of its target as a parameter, so that the program
// rebuilds its [Policy] from configuration and persists only timers
// ([Policy.Measure] looks the schedule up).
//
// Every query measures the whole current cycle again under the schedule and
// the duration it is given. Hence a priority change mid-flight ([Timer.Retarget])
// applies the new target to the time already used: a resolution timer that has
// used 3h of business time has 1h left after a change to a 4h target, and is
// breached at once after a change to a 2h target. When the new target has
// another schedule, the time already used is measured under that schedule,
// as if the record had had the new target from the start.
//
// Event methods take the instant of the event explicitly (from the caller's
// injected [iso20000.Clock]). An event the current state does not allow
// returns a *[iso20000.TransitionError]; an instant before the timer's last
// event returns a *[iso20000.ValidationError] for the field "at". Either way
// the timer is unchanged.
//
// A Timer is not safe for concurrent mutation; its queries may run
// concurrently with each other.
//
// A timer can be frozen ([Timer.Freeze]): it then never changes again, and
// its event methods return [ErrFrozen]. Process packages freeze the timers of
// every record they save, so that the copies of a record (the store's, and
// each one a service returns) share its timers instead of copying them; a
// change that moves a timer replaces it with a new one ([Thaw],
// [Policy.AppendOnStateThaw]). Nothing may write the fields of a frozen
// timer either: the copies read them. A copy of a timer ([Timer.Clone],
// [Timer.CloneNew]) is never frozen, so compare the clones of two timers to
// compare their contents: reflect.DeepEqual tells a frozen timer from an
// unfrozen one with the same history.
type Timer struct {
	// Target names the target measured, such as "response" or "resolution".
	Target string `json:"target"`
	// Priority is the priority of the record the target was chosen for.
	Priority int `json:"priority,omitempty"`
	// Service is the service of the record the target was chosen for.
	Service string `json:"service,omitempty"`
	// Duration is the target: the business time allowed per cycle.
	Duration time.Duration `json:"duration"`
	// Thresholds are the warning levels in percent of Duration, ascending,
	// each between 1 and 99. The breach (100 %) is always reported and is
	// not listed here.
	Thresholds []int `json:"thresholds,omitempty"`
	// Cycles is the history: one cycle per start or restart, the last one
	// being current.
	Cycles []Cycle `json:"cycles,omitempty"`

	// frozen is set by Freeze, and never unset: a frozen timer may be
	// shared, and read concurrently.
	frozen bool
}

// ErrFrozen is the error of an event method called on a frozen [Timer]
// (see [Timer.Freeze]); the timer is unchanged.
var ErrFrozen = errors.New("sla: the timer is frozen: change a copy (sla.Thaw, Timer.CloneNew)")

// Freeze makes t read-only for good: its event methods (and [Policy.OnState]
// when it would apply an event, [Policy.Retarget]) return [ErrFrozen] and
// change nothing. Freeze is for a process package about to share t between
// copies of a record; it changes t only when t is not frozen yet, so that
// freezing a frozen timer again races with no reader. Freezing a nil timer
// does nothing.
func (t *Timer) Freeze() {
	if t != nil && !t.frozen {
		t.frozen = true
	}
}

// Frozen reports whether t is frozen (see [Timer.Freeze]); a nil timer is
// not.
func (t *Timer) Frozen() bool { return t != nil && t.frozen }

// Thaw returns the timer *slot ready to change: *slot itself, or, when it
// is frozen, a new copy of it ([Timer.CloneNew]), which replaces it in *slot.
// The frozen timer stays as it was for the copies of the record that share
// it. *slot must not be nil.
func Thaw(slot **Timer) *Timer {
	if t := *slot; t.frozen {
		*slot = t.CloneNew()
	}
	return *slot
}

// Cycle is one run of a [Timer], from a start or restart to a stop.
type Cycle struct {
	// Start is when the cycle started.
	Start time.Time `json:"start"`
	// Stop is when it stopped; zero while it runs or is paused.
	Stop time.Time `json:"stop,omitzero"`
	// Pauses are the paused spans, in order; the last one has no End while
	// the timer is paused.
	Pauses []Pause `json:"pauses,omitempty"`
}

// Pause is a span during which a [Timer] did not count time.
type Pause struct {
	// Start is when the timer paused.
	Start time.Time `json:"start"`
	// End is when it resumed or stopped; zero while it is paused.
	End time.Time `json:"end,omitzero"`
	// Reason says why, usually the record's state ("pending customer").
	Reason string `json:"reason,omitempty"`
}

// NewTimer returns an idle timer measuring target with the given warning
// thresholds (percentages between 1 and 99). [Policy.NewTimer] is the usual
// way to make one.
func NewTimer(target Target, thresholds ...int) Timer {
	return Timer{Target: target.Name, Priority: target.Priority, Service: target.Service,
		Duration: target.Duration, Thresholds: slices.Clone(thresholds)}
}

// Status returns the timer's state.
func (t *Timer) Status() TimerStatus {
	if len(t.Cycles) == 0 {
		return TimerIdle
	}
	c := &t.Cycles[len(t.Cycles)-1]
	switch {
	case !c.Stop.IsZero():
		return TimerStopped
	case c.paused():
		return TimerPaused
	}
	return TimerRunning
}

func (c *Cycle) paused() bool {
	return len(c.Pauses) > 0 && c.Pauses[len(c.Pauses)-1].End.IsZero()
}

// last returns the instant of the cycle's latest event.
func (c *Cycle) last() time.Time {
	last := c.Start
	if n := len(c.Pauses); n > 0 {
		p := c.Pauses[n-1]
		last = p.Start
		if !p.End.IsZero() {
			last = p.End
		}
	}
	if !c.Stop.IsZero() {
		last = c.Stop
	}
	return last
}

// current returns the current cycle, or nil when the timer is idle.
func (t *Timer) current() *Cycle {
	if len(t.Cycles) == 0 {
		return nil
	}
	return &t.Cycles[len(t.Cycles)-1]
}

// check validates the event ev at instant at when the state is one of allowed.
func (t *Timer) check(ev TimerEvent, at time.Time, allowed ...TimerStatus) error {
	if t.frozen {
		return ErrFrozen
	}
	if st := t.Status(); !slices.Contains(allowed, st) {
		return &iso20000.TransitionError{Kind: timerKind, From: string(st), Event: string(ev)}
	}
	if at.IsZero() {
		return &iso20000.ValidationError{Field: "at", Reason: "must not be zero"}
	}
	if c := t.current(); c != nil && at.Before(c.last()) {
		return &iso20000.ValidationError{Field: "at",
			Reason: fmt.Sprintf("%s is before the timer's last event at %s", at.UTC().Format(time.RFC3339), c.last().Format(time.RFC3339))}
	}
	return nil
}

// Start starts the first cycle at instant at. The timer must be idle and
// have a positive Duration.
func (t *Timer) Start(at time.Time) error {
	if err := t.check(EventStart, at, TimerIdle); err != nil {
		return err
	}
	if t.Duration <= 0 {
		return &iso20000.ValidationError{Field: "duration", Reason: "must be positive"}
	}
	t.Cycles = append(t.Cycles, Cycle{Start: at.UTC()})
	return nil
}

// Pause stops counting time at instant at, for the given reason. The timer
// must be running.
func (t *Timer) Pause(at time.Time, reason string) error {
	if err := t.check(EventPause, at, TimerRunning); err != nil {
		return err
	}
	c := t.current()
	c.Pauses = append(c.Pauses, Pause{Start: at.UTC(), Reason: reason})
	return nil
}

// Resume counts time again from instant at. The timer must be paused.
func (t *Timer) Resume(at time.Time) error {
	if err := t.check(EventResume, at, TimerPaused); err != nil {
		return err
	}
	c := t.current()
	c.Pauses[len(c.Pauses)-1].End = at.UTC()
	return nil
}

// Stop ends the current cycle at instant at (the record was responded to,
// resolved or closed). The timer must be running or paused; a pause ends
// with the stop.
func (t *Timer) Stop(at time.Time) error {
	if err := t.check(EventStop, at, TimerRunning, TimerPaused); err != nil {
		return err
	}
	c := t.current()
	if c.paused() {
		c.Pauses[len(c.Pauses)-1].End = at.UTC()
	}
	c.Stop = at.UTC()
	return nil
}

// Restart begins a new cycle at instant at, with no time used, after the
// record was reopened. The timer must be stopped; the earlier cycles stay in
// Cycles as history.
func (t *Timer) Restart(at time.Time) error {
	if err := t.check(EventRestart, at, TimerStopped); err != nil {
		return err
	}
	t.Cycles = append(t.Cycles, Cycle{Start: at.UTC()})
	return nil
}

// Retarget makes the timer measure target from now on, typically after the
// record's priority changed. The new duration applies to the time already
// used in the current cycle (see [Timer]). The target's name must match the
// timer's (a response timer does not become a resolution timer) and its
// duration must be positive; otherwise Retarget returns a
// *[iso20000.ValidationError] and changes nothing. The timer's Service and
// Thresholds are kept.
func (t *Timer) Retarget(target Target) error {
	switch {
	case t.frozen:
		return ErrFrozen
	case t.Target != "" && target.Name != t.Target:
		return &iso20000.ValidationError{Field: "target.name",
			Reason: fmt.Sprintf("is %q, the timer measures %q", target.Name, t.Target)}
	case target.Duration <= 0:
		return &iso20000.ValidationError{Field: "target.duration", Reason: "must be positive"}
	}
	t.Target, t.Priority, t.Duration = target.Name, target.Priority, target.Duration
	return nil
}

// Spans yields the spans during which the cycle counted time, in order. The
// span that is still open (the cycle is running) is yielded with a zero end.
func (c *Cycle) Spans() iter.Seq2[time.Time, time.Time] {
	return func(yield func(from, to time.Time) bool) {
		from := c.Start
		for _, p := range c.Pauses {
			if !yield(from, p.Start) || p.End.IsZero() {
				return
			}
			from = p.End
		}
		yield(from, c.Stop)
	}
}

// Elapsed returns the business time the cycle used up to now (or up to its
// stop, when that is earlier), pauses excluded.
func (c *Cycle) Elapsed(s Schedule, now time.Time) time.Duration {
	var used time.Duration
	for from, to := range c.Spans() {
		if !from.Before(now) {
			break
		}
		if to.IsZero() || to.After(now) {
			to = now
		}
		used += s.Elapsed(from, to)
	}
	return used
}

// instants appends to out, for each of the ascending amounts, when the
// cycle has used that much business time (in UTC): in the past, or projected
// when the cycle is running. The instant is zero when the cycle is paused or stopped
// before using the amount. It walks the spans once.
func (c *Cycle) instants(s Schedule, amounts []time.Duration, out []time.Time) []time.Time {
	i := 0
	for ; i < len(amounts) && amounts[i] <= 0; i++ {
		out = append(out, c.Start)
	}
	var used time.Duration
	for from, to := range c.Spans() {
		if i == len(amounts) {
			break
		}
		if to.IsZero() { // the open span: every remaining amount falls in it
			for ; i < len(amounts); i++ {
				out = append(out, s.Add(from, amounts[i]-used).UTC())
			}
			break
		}
		span := s.Elapsed(from, to)
		for ; i < len(amounts) && used+span >= amounts[i]; i++ {
			out = append(out, s.Add(from, amounts[i]-used).UTC())
		}
		used += span
	}
	for ; i < len(amounts); i++ {
		out = append(out, time.Time{})
	}
	return out
}

// Elapsed returns the business time the current cycle has used at instant
// now under schedule s, pauses excluded; 0 when the timer is idle.
func (t *Timer) Elapsed(s Schedule, now time.Time) time.Duration {
	c := t.current()
	if c == nil {
		return 0
	}
	return c.Elapsed(s, now)
}

// Remaining returns Duration minus [Timer.Elapsed]: the business time left
// at now, negative by the overrun once the timer is breached.
func (t *Timer) Remaining(s Schedule, now time.Time) time.Duration {
	return t.Duration - t.Elapsed(s, now)
}

// PercentUsed returns [Timer.Elapsed] in percent of Duration (above 100
// once breached; 0 when Duration is not positive).
func (t *Timer) PercentUsed(s Schedule, now time.Time) float64 {
	return percent(t.Elapsed(s, now), t.Duration)
}

func percent(used, of time.Duration) float64 {
	if of <= 0 {
		return 0
	}
	return 100 * float64(used) / float64(of)
}

// Breached reports whether the current cycle has used more business time
// than Duration at now. A timer stopped exactly at its due time met its target.
func (t *Timer) Breached(s Schedule, now time.Time) bool {
	return t.Started() && t.Elapsed(s, now) > t.Duration
}

// Started reports whether the timer was ever started (it is not idle).
func (t *Timer) Started() bool { return len(t.Cycles) > 0 }

// Due returns when the current cycle uses up Duration: projected under s
// while the timer runs, or in the past when it did so already. While the
// timer is paused or stopped before that, and while it is idle, the due time
// is undefined: Due returns the zero time and false.
func (t *Timer) Due(s Schedule) (time.Time, bool) {
	c := t.current()
	if c == nil || t.Duration <= 0 {
		return time.Time{}, false
	}
	var buf [1]time.Time
	due := c.instants(s, []time.Duration{t.Duration}, buf[:0])[0]
	return due, !due.IsZero()
}

// levels returns the warning thresholds (valid ones, ascending, unique)
// followed by the breach level 100, appended to out.
func (t *Timer) levels(out []int) []int {
	for _, p := range t.Thresholds {
		if p > 0 && p < 100 {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return append(slices.Compact(out), 100)
}

// amount returns percent p of d.
func amount(d time.Duration, p int) time.Duration {
	// d/100*p + d%100*p/100 is d*p/100 without overflow.
	return d/100*time.Duration(p) + d%100*time.Duration(p)/100
}

// alerts returns the alerts of every level of the current cycle c, in
// order; an alert whose instant is unknown has a zero At.
func (t *Timer) alerts(s Schedule, c *Cycle) []Alert {
	return t.appendAlerts(nil, s, c)
}

// appendAlerts appends the alerts of cycle c to dst.
func (t *Timer) appendAlerts(dst []Alert, s Schedule, c *Cycle) []Alert {
	var lbuf [8]int
	levels := t.levels(lbuf[:0])
	var abuf [8]time.Duration
	amounts := abuf[:0]
	for _, p := range levels {
		amounts = append(amounts, amount(t.Duration, p))
	}
	var buf [8]time.Time
	ats := c.instants(s, amounts, buf[:0])
	for i, p := range levels {
		dst = append(dst, Alert{Target: t.Target, Percent: p, At: ats[i]})
	}
	return dst
}

// crossed returns the alerts of as crossed with used business time used.
func (t *Timer) crossed(as []Alert, used time.Duration) []Alert {
	var out []Alert
	for _, a := range as {
		if a.Breach() && used <= t.Duration || !a.Breach() && used < amount(t.Duration, a.Percent) || a.At.IsZero() {
			break
		}
		out = append(out, a)
	}
	return out
}

// upcoming returns the alerts of as after the instant after, when the timer
// runs. It filters as in place: as must be the caller's own slice.
func (t *Timer) upcoming(as []Alert, after time.Time) []Alert {
	if t.Status() != TimerRunning {
		return nil
	}
	out := as[:0] // as is the caller's own slice: filter it in place
	for _, a := range as {
		if a.At.After(after) {
			out = append(out, a)
		}
	}
	return out
}

// Crossed returns the alerts the current cycle has crossed by now, in
// order, each with the instant it was crossed: the warning thresholds whose
// share of Duration was used, and the breach (Percent 100) once
// [Timer.Breached]. Their Key is empty.
func (t *Timer) Crossed(s Schedule, now time.Time) []Alert {
	c := t.current()
	if c == nil || t.Duration <= 0 {
		return nil
	}
	return t.crossed(t.alerts(s, c), c.Elapsed(s, now))
}

// Alerts returns the alerts of the running current cycle whose instants are
// after the instant after, in order: the warnings and the breach still to
// come if the timer keeps running. It returns nil unless the timer runs,
// since the future of a paused or stopped timer is unknown. Their Key is
// empty; [DueList.Track] sets it.
func (t *Timer) Alerts(s Schedule, after time.Time) []Alert {
	return t.AppendAlerts(nil, s, after)
}

// AppendAlerts appends to dst the alerts [Timer.Alerts] returns, and
// returns the extended slice: with a dst of enough capacity (a warning per
// threshold and the breach) it allocates nothing.
func (t *Timer) AppendAlerts(dst []Alert, s Schedule, after time.Time) []Alert {
	if t.Status() != TimerRunning || t.Duration <= 0 {
		return dst
	}
	n := len(dst)
	return append(dst[:n], t.upcoming(t.appendAlerts(dst[n:], s, t.current()), after)...)
}

// FirstAlert returns the first of the alerts [Timer.Alerts] returns with
// a zero after (a running timer's warnings and breach, in order) whose
// level skip does not reject, if there is one. skip is given the alert's
// percent (100 for the breach) before its instant is worked out, so that a
// caller that skips the alerts it has handled (the escalated ones, say)
// pays, under a business calendar, for the one alert it gets instead of all
// of them. A nil skip rejects none.
func (t *Timer) FirstAlert(s Schedule, skip func(percent int) bool) (Alert, bool) {
	if t.Status() != TimerRunning || t.Duration <= 0 {
		return Alert{}, false
	}
	c := t.current()
	var lbuf [8]int
	for _, p := range t.levels(lbuf[:0]) {
		if skip != nil && skip(p) {
			continue
		}
		var abuf [1]time.Duration
		var buf [1]time.Time
		abuf[0] = amount(t.Duration, p)
		if at := c.instants(s, abuf[:], buf[:0])[0]; !at.IsZero() {
			return Alert{Target: t.Target, Percent: p, At: at}, true
		}
	}
	return Alert{}, false
}

// NextDeadline returns the first alert (warning or breach) after now, if the
// timer runs and one is still to come. Its instant is what a process package
// indexes as the record's next deadline (store.Keys.Due) and what a
// [DueList] orders by.
func (t *Timer) NextDeadline(s Schedule, now time.Time) (Alert, bool) {
	if as := t.Alerts(s, now); len(as) > 0 {
		return as[0], true
	}
	return Alert{}, false
}

// Reading is a snapshot of a [Timer] at one instant, all figures in
// business time under the schedule it was measured with.
type Reading struct {
	// At is the instant of the reading.
	At time.Time `json:"at"`
	// Target names the target measured.
	Target string `json:"target"`
	// Status is the timer's state.
	Status TimerStatus `json:"status"`
	// Cycle is the number of the current cycle, 1 for the first; 0 when idle.
	Cycle int `json:"cycle"`
	// Duration is the target.
	Duration time.Duration `json:"duration"`
	// Elapsed, Remaining and PercentUsed are those of the current cycle
	// (see [Timer.Elapsed], [Timer.Remaining], [Timer.PercentUsed]).
	Elapsed     time.Duration `json:"elapsed"`
	Remaining   time.Duration `json:"remaining"`
	PercentUsed float64       `json:"percent_used"`
	// Breached reports whether the target is exceeded.
	Breached bool `json:"breached"`
	// Due is the due time, zero when undefined (see [Timer.Due]).
	Due time.Time `json:"due,omitzero"`
	// Crossed lists the alerts crossed so far (see [Timer.Crossed]).
	Crossed []Alert `json:"crossed,omitempty"`
	// Next is the next alert to come, nil when none (see [Timer.NextDeadline]).
	Next *Alert `json:"next,omitempty"`
}

// Measure returns the timer's [Reading] at now under schedule s. It walks
// the cycle's spans twice, however many thresholds it reports.
func (t *Timer) Measure(s Schedule, now time.Time) Reading {
	r := Reading{At: now, Target: t.Target, Status: t.Status(), Cycle: len(t.Cycles), Duration: t.Duration}
	c := t.current()
	if c == nil {
		r.Remaining = t.Duration
		return r
	}
	r.Elapsed = c.Elapsed(s, now)
	r.Remaining = t.Duration - r.Elapsed
	r.PercentUsed = percent(r.Elapsed, t.Duration)
	r.Breached = r.Elapsed > t.Duration
	if t.Duration <= 0 {
		return r
	}
	as := t.alerts(s, c)
	r.Due = as[len(as)-1].At
	r.Crossed = t.crossed(as, r.Elapsed)
	if next := t.upcoming(as, now); len(next) > 0 {
		r.Next = &next[0]
	}
	return r
}

// Validate checks a timer decoded from storage or built by hand, and reports
// the first inconsistency as a *[iso20000.ValidationError] naming the field
// ("cycles[1].pauses[0].end"): an empty target, a duration that is not
// positive, a threshold outside 1–99, or a history the event methods could
// not have written (events out of order, an open pause or cycle before the
// last). A timer changed only by its methods is always valid.
func (t *Timer) Validate() error {
	invalid := func(field, reason string) error { return &iso20000.ValidationError{Field: field, Reason: reason} }
	switch {
	case t.Target == "":
		return invalid("target", "must not be empty")
	case t.Duration <= 0:
		return invalid("duration", "must be positive")
	}
	for i, p := range t.Thresholds {
		if p < 1 || p > 99 {
			return invalid(fmt.Sprintf("thresholds[%d]", i), "must be between 1 and 99")
		}
	}
	var last time.Time // the instant of the latest event so far
	for i := range t.Cycles {
		c := &t.Cycles[i]
		field := fmt.Sprintf("cycles[%d]", i)
		lastCycle := i == len(t.Cycles)-1
		if c.Start.IsZero() || c.Start.Before(last) {
			return invalid(field+".start", "must be set and not before the previous event")
		}
		last = c.Start
		for j, p := range c.Pauses {
			pf := fmt.Sprintf("%s.pauses[%d]", field, j)
			if p.Start.IsZero() || p.Start.Before(last) {
				return invalid(pf+".start", "must be set and not before the previous event")
			}
			last = p.Start
			if p.End.IsZero() {
				if !lastCycle || j != len(c.Pauses)-1 || !c.Stop.IsZero() {
					return invalid(pf+".end", "may be open only in the last pause of a running cycle")
				}
				continue
			}
			if p.End.Before(last) {
				return invalid(pf+".end", "must not be before the start")
			}
			last = p.End
		}
		if c.Stop.IsZero() {
			if !lastCycle {
				return invalid(field+".stop", "must be set in every cycle but the last")
			}
			continue
		}
		if c.Stop.Before(last) {
			return invalid(field+".stop", "must not be before the previous event")
		}
		last = c.Stop
	}
	return nil
}

// Clone returns a deep copy of t, not frozen.
func (t Timer) Clone() Timer {
	t.copySlices(nil, nil)
	return t
}

// CloneNew returns a deep copy of t as a new Timer, not frozen. A timer with few
// thresholds and cycles is copied in one allocation, the Timer together
// with the arrays of its slices.
func (t *Timer) CloneNew() *Timer {
	if t.pausedOnce() {
		return new(pausedBlock).copyOf(t)
	}
	return new(timerBlock).copyOf(t)
}

// CloneNewPair returns deep copies of a and b as new Timers, like
// [Timer.CloneNew], in one allocation for the two when both are small: for a
// record that carries two timers, such as a response and a resolution clock.
// A nil timer gives nil.
func CloneNewPair(a, b *Timer) (*Timer, *Timer) {
	switch {
	case a == nil && b == nil:
		return nil, nil
	case a == nil:
		return nil, b.CloneNew()
	case b == nil:
		return a.CloneNew(), nil
	}
	if a.pausedOnce() || b.pausedOnce() {
		blocks := new([2]pausedBlock)
		return blocks[0].copyOf(a), blocks[1].copyOf(b)
	}
	blocks := new([2]timerBlock)
	return blocks[0].copyOf(a), blocks[1].copyOf(b)
}

// pausedOnce reports whether t has one cycle, which paused once: the
// timers a [pausedBlock] has room for.
func (t *Timer) pausedOnce() bool { return len(t.Cycles) == 1 && len(t.Cycles[0].Pauses) == 1 }

// copyOf makes b's timer a deep copy of t, in b's arrays when they are
// large enough, and returns it.
func (b *timerBlock) copyOf(t *Timer) *Timer {
	b.t = *t
	b.t.copySlices(b.thresholds[:0:len(b.thresholds)], b.cycles[:0:len(b.cycles)])
	return &b.t
}

// init makes b's timer a new idle timer for target, as [NewTimer] with
// thresholds and the record's service, whose slices have b's arrays for
// their room, and returns it.
func (b *timerBlock) init(target *Target, thresholds []int, service string) *Timer {
	b.t = NewTimer(*target) // without thresholds: nothing to allocate
	b.t.Service, b.t.Cycles = service, b.cycles[:0:len(b.cycles)]
	if len(thresholds) > 0 {
		b.t.Thresholds = reuse.Slice(b.thresholds[:0:len(b.thresholds)], thresholds)
	}
	return &b.t
}

// timerBlock is a Timer allocated together with room for the thresholds and
// cycles of most timers (see [Timer.CloneNew]): three warning levels, as by
// default, and one cycle, as until a reopen. It fits the 192-byte size
// class; a timer with more has its slices copied in allocations of their own.
type timerBlock struct {
	t          Timer
	thresholds [3]int
	cycles     [1]Cycle
}

// pausedBlock is a [timerBlock] with room for one pause as well, for a
// timer whose only cycle paused once: a service request's clock, say,
// paused while the request awaited approval. It fits the 256-byte size
// class.
type pausedBlock struct {
	timerBlock
	pauses [1]Pause
}

// copyOf makes b's timer a deep copy of t, as [timerBlock.copyOf] does,
// with the first cycle's pauses in b's room for them.
func (b *pausedBlock) copyOf(t *Timer) *Timer {
	b.cycles[0].Pauses = b.pauses[:0:len(b.pauses)]
	return b.timerBlock.copyOf(t)
}

// CloneInto makes *dst a deep copy of t like [Timer.Clone], reusing the
// arrays of dst's slices, which nothing else may share: it is for a program
// (or a store) that keeps copies of timers and recycles them. dst must not
// be frozen (it may be shared): CloneInto panics if it is.
func (t *Timer) CloneInto(dst *Timer) {
	if dst.frozen {
		panic("sla: Timer.CloneInto into a frozen timer")
	}
	thresholds, cycles := dst.Thresholds, dst.Cycles
	*dst = *t
	dst.copySlices(thresholds, cycles)
}

// copySlices replaces t's slices with copies, made in the arrays of
// thresholds and cycles when they are large enough, and each cycle's pauses
// in the array of the pauses of the cycle they replace in cycles.
func (t *Timer) copySlices(thresholds []int, cycles []Cycle) {
	t.frozen = false // every copy is made through here: a copy is not frozen
	t.Thresholds = reuse.Slice(thresholds, t.Thresholds)
	src := t.Cycles
	switch {
	case len(src) == 0:
		t.Cycles = src[:0:0] // nil or empty, as reuse.Slice keeps them
		return
	case cap(cycles) < len(src):
		cycles = make([]Cycle, len(src))
	default:
		cycles = cycles[:len(src)]
	}
	for i := range src {
		pauses := cycles[i].Pauses // the replaced cycle's, which nothing else shares
		cycles[i] = src[i]
		cycles[i].Pauses = reuse.Slice(pauses, src[i].Pauses)
	}
	t.Cycles = cycles
}

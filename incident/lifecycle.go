package incident

import (
	"fmt"
	"slices"
	"time"

	"github.com/looplab/fsm"
	"github.com/servicekit/iso20000"
)

// State is a lifecycle state of an [Incident].
type State string

// The states of the incident lifecycle.
const (
	StateNew        State = "new"
	StateAssigned   State = "assigned"
	StateInProgress State = "in_progress"
	StateOnHold     State = "on_hold"
	StateResolved   State = "resolved"
	StateClosed     State = "closed"
	StateCancelled  State = "cancelled"
)

// StateSet is a set of lifecycle states of one record type.
type StateSet[S ~string] []S

// Contains reports whether s is in the set.
func (ss StateSet[S]) Contains(s S) bool { return slices.Contains(ss, s) }

// Strings returns the states as strings, for store queries.
func (ss StateSet[S]) Strings() []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return out
}

// States is a set of incident states.
type States = StateSet[State]

// OpenStates are the states of incidents still being worked on.
var OpenStates = States{StateNew, StateAssigned, StateInProgress, StateOnHold}

// The events of the incident lifecycle; each is also the verb of its
// authorisation action ("incident.<event>").
const (
	EventAssign  = "assign"
	EventStart   = "start"
	EventHold    = "hold"
	EventResume  = "resume"
	EventResolve = "resolve"
	EventClose   = "close"
	EventReopen  = "reopen"
	EventCancel  = "cancel"
)

// Lifecycle is the incident lifecycle, defined once:
//
//	new → assigned → in_progress ⇄ on_hold → resolved → closed
//	resolved → in_progress (reopen, within the reopen window)
//	any open state → cancelled
//
// The guards the standard requires run beside it (see the Service methods):
// resolving needs a resolution code and notes, only a resolved incident can
// be closed, closing a major incident needs a linked problem, reopening is
// allowed only within the configured window, holding and cancelling need a reason.
//
// Its diagram, from Lifecycle.Mermaid():
//
//	stateDiagram-v2
//	    [*] --> new
//	    assigned --> assigned: assign
//	    assigned --> cancelled: cancel
//	    assigned --> on_hold: hold
//	    assigned --> resolved: resolve
//	    assigned --> in_progress: start
//	    in_progress --> assigned: assign
//	    in_progress --> cancelled: cancel
//	    in_progress --> on_hold: hold
//	    in_progress --> resolved: resolve
//	    new --> assigned: assign
//	    new --> cancelled: cancel
//	    on_hold --> assigned: assign
//	    on_hold --> cancelled: cancel
//	    on_hold --> resolved: resolve
//	    on_hold --> in_progress: resume
//	    resolved --> closed: close
//	    resolved --> in_progress: reopen
var Lifecycle = iso20000.NewLifecycle(Kind, string(StateNew), fsm.Events{
	{Name: EventAssign, Src: []string{"new", "assigned", "in_progress", "on_hold"}, Dst: "assigned"},
	{Name: EventStart, Src: []string{"assigned"}, Dst: "in_progress"},
	{Name: EventHold, Src: []string{"assigned", "in_progress"}, Dst: "on_hold"},
	{Name: EventResume, Src: []string{"on_hold"}, Dst: "in_progress"},
	{Name: EventResolve, Src: []string{"assigned", "in_progress", "on_hold"}, Dst: "resolved"},
	{Name: EventClose, Src: []string{"resolved"}, Dst: "closed"},
	{Name: EventReopen, Src: []string{"resolved"}, Dst: "in_progress"},
	{Name: EventCancel, Src: []string{"new", "assigned", "in_progress", "on_hold"}, Dst: "cancelled"},
})

// Kind is the record kind of incidents in the store and the audit trail.
const Kind = "incident"

// HoldReason says why an incident is on hold. Whether a reason pauses the
// SLA clock is decided by the service's SLA policy (see WithSLA).
type HoldReason string

// Common hold reasons. Applications may use others.
const (
	HoldAwaitingCaller   HoldReason = "awaiting_caller"
	HoldAwaitingSupplier HoldReason = "awaiting_supplier"
	HoldAwaitingChange   HoldReason = "awaiting_change"
)

// transition validates event from the incident's state and returns the new state.
func transition(inc *Incident, event string) (State, error) {
	to, err := Lifecycle.Transition(string(inc.State), event)
	return State(to), err
}

// refuse returns the TransitionError of a guard that refused event.
func refuse(inc *Incident, event, reason string) error {
	return &iso20000.TransitionError{Kind: Kind, From: string(inc.State), Event: event, Reason: reason}
}

// Guards: the rules of the standard, as plain functions run after the
// lifecycle table allowed the event and before anything is written.

func guardResolve(code, notes string) error {
	if code == "" {
		return &iso20000.ValidationError{Field: "resolution_code", Reason: "is required to resolve"}
	}
	if notes == "" {
		return &iso20000.ValidationError{Field: "resolution_notes", Reason: "are required to resolve"}
	}
	return nil
}

func guardClose(inc *Incident) error {
	if inc.Major && len(inc.Problems) == 0 {
		return refuse(inc, EventClose, "a major incident needs a linked problem before it is closed")
	}
	return nil
}

func guardReopen(inc *Incident, now time.Time, window time.Duration) error {
	if window >= 0 && now.Sub(inc.ResolvedAt) > window {
		return refuse(inc, EventReopen, fmt.Sprintf("the reopen window of %s after resolution has passed", window))
	}
	return nil
}

func guardStart(inc *Incident) error {
	if inc.Assignee == "" {
		return refuse(inc, EventStart, "the incident has no assignee")
	}
	return nil
}

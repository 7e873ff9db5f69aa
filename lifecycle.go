package iso20000

import (
	"slices"

	"github.com/looplab/fsm"
)

// Lifecycle is a record kind's lifecycle, defined once as a looplab/fsm event
// table. Process packages build one per kind at package initialisation and
// validate every state change with [Lifecycle.Transition]; guards (the rules
// of the standard) run beside it as plain Go functions.
//
// Following the advice for looplab/fsm (callbacks cannot return errors), the
// machines have no callbacks: they only answer whether an event is allowed in
// a state, and the table says where it leads. The lifecycle builds one machine
// per state of the table, once, and never moves it out of its state, so a
// transition check costs one fsm.Can call on that machine: no fsm.Event
// (which would allocate a context and closures for callbacks that do not
// exist), no new machine, no SetState.
//
// A Lifecycle is immutable and safe for concurrent use.
type Lifecycle struct {
	kind    string
	initial string
	events  fsm.Events
	states  []string
	// dst maps a state and an event the table allows from it to the state
	// the event leads to, as fsm.NewFSM reads the table (a later entry for
	// the same state and event wins).
	dst map[string]map[string]string
	// machines holds a machine for every state, standing in that state.
	// fsm.Can and fsm.AvailableTransitions only read the machine (under its
	// locks), so the machines are shared by all goroutines.
	machines map[string]*fsm.FSM
}

// NewLifecycle returns the lifecycle of records of the given kind (such as
// "incident"), which start in state initial and change state by events.
// It panics if the table is empty or mentions no way out of initial, as that
// is a programming error in the process package.
func NewLifecycle(kind, initial string, events fsm.Events) *Lifecycle {
	if len(events) == 0 {
		panic("iso20000: lifecycle " + kind + " has no events")
	}
	l := &Lifecycle{kind: kind, initial: initial, events: slices.Clone(events), dst: map[string]map[string]string{}}
	seen := map[string]bool{initial: true}
	l.states = append(l.states, initial)
	for _, e := range events {
		for _, src := range e.Src {
			if l.dst[src] == nil {
				l.dst[src] = map[string]string{}
			}
			l.dst[src][e.Name] = e.Dst
		}
		for _, s := range append(slices.Clone(e.Src), e.Dst) {
			if !seen[s] {
				seen[s] = true
				l.states = append(l.states, s)
			}
		}
	}
	l.machines = make(map[string]*fsm.FSM, len(l.states))
	for _, st := range l.states {
		l.machines[st] = fsm.NewFSM(st, l.events, nil)
	}
	if len(l.Available(initial)) == 0 {
		panic("iso20000: lifecycle " + kind + ": no event leaves the initial state " + initial)
	}
	return l
}

// Kind returns the record kind the lifecycle belongs to.
func (l *Lifecycle) Kind() string { return l.kind }

// Initial returns the state new records start in.
func (l *Lifecycle) Initial() string { return l.initial }

// States returns every state the table mentions, the initial state first,
// then in order of first mention.
func (l *Lifecycle) States() []string { return slices.Clone(l.states) }

// Events returns a copy of the event table.
func (l *Lifecycle) Events() fsm.Events { return slices.Clone(l.events) }

// Transition returns the state that event leads to from state from, or a
// *[TransitionError] (errors.Is [ErrInvalidTransition]) naming from and event
// when the table does not allow it. An event whose destination is its source
// (a self-transition such as reassigning) is allowed and returns from.
func (l *Lifecycle) Transition(from, event string) (string, error) {
	if !l.Can(from, event) {
		return from, &TransitionError{Kind: l.kind, From: from, Event: event}
	}
	return l.dst[from][event], nil
}

// Can reports whether event is allowed from state from. No event is
// allowed from a state the table does not mention.
func (l *Lifecycle) Can(from, event string) bool {
	f, ok := l.machines[from]
	return ok && f.Can(event)
}

// Available returns the events allowed from state from, sorted by name.
func (l *Lifecycle) Available(from string) []string {
	f, ok := l.machines[from]
	if !ok {
		return nil
	}
	ev := f.AvailableTransitions()
	slices.Sort(ev)
	return ev
}

// Terminal reports whether no event leaves state s.
func (l *Lifecycle) Terminal(s string) bool { return len(l.Available(s)) == 0 }

// Mermaid returns the lifecycle as a Mermaid state diagram, for documentation.
func (l *Lifecycle) Mermaid() string {
	out, err := fsm.VisualizeWithType(fsm.NewFSM(l.initial, l.events, nil), fsm.MERMAID)
	if err != nil {
		return ""
	}
	return out
}

// DOT returns the lifecycle as a Graphviz DOT graph, for documentation.
func (l *Lifecycle) DOT() string {
	return fsm.Visualize(fsm.NewFSM(l.initial, l.events, nil))
}

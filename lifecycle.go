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
	// at holds, for every state, a machine standing in it and where the
	// events the table allows from it lead (as fsm.NewFSM reads the table:
	// a later entry for the same state and event wins): one lookup a
	// transition. fsm.Can and fsm.AvailableTransitions only read the
	// machine (under its locks), so the machines are shared by all
	// goroutines.
	at map[string]*state
}

// state is a lifecycle state: its machine and the destinations of its events.
type state struct {
	machine *fsm.FSM
	dst     map[string]string // event -> state
}

// NewLifecycle returns the lifecycle of records of the given kind (such as
// "incident"), which start in state initial and change state by events.
// It panics if the table is empty or mentions no way out of initial, as that
// is a programming error in the process package.
func NewLifecycle(kind, initial string, events fsm.Events) *Lifecycle {
	if len(events) == 0 {
		panic("iso20000: lifecycle " + kind + " has no events")
	}
	l := &Lifecycle{kind: kind, initial: initial, events: slices.Clone(events), at: map[string]*state{}}
	add := func(s string) *state {
		st := l.at[s]
		if st == nil {
			st = &state{machine: fsm.NewFSM(s, l.events, nil), dst: map[string]string{}}
			l.at[s] = st
			l.states = append(l.states, s)
		}
		return st
	}
	add(initial)
	for _, e := range events {
		for _, src := range e.Src {
			add(src).dst[e.Name] = e.Dst
		}
		add(e.Dst)
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
	st := l.at[from]
	if st == nil || !st.machine.Can(event) {
		return from, &TransitionError{Kind: l.kind, From: from, Event: event}
	}
	return st.dst[event], nil
}

// Can reports whether event is allowed from state from. No event is
// allowed from a state the table does not mention.
func (l *Lifecycle) Can(from, event string) bool {
	st := l.at[from]
	return st != nil && st.machine.Can(event)
}

// Available returns the events allowed from state from, sorted by name.
func (l *Lifecycle) Available(from string) []string {
	st := l.at[from]
	if st == nil {
		return nil
	}
	ev := st.machine.AvailableTransitions()
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

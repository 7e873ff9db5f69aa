package incident

import (
	"time"

	"github.com/google/uuid"
	"github.com/servicekit/iso20000/internal/reuse"
	"github.com/servicekit/iso20000/sla"
)

// Incident is an unplanned interruption to a service, a reduction in its
// quality, or an event that has not yet affected it (ISO/IEC 20000-1:2018 3.2.6).
//
// Records are values: the [Service] returns copies, and changing a copy
// changes nothing stored. The copies share the SLA timers, which are frozen:
// they refuse every change (see Response). Change an incident through the
// Service's methods.
type Incident struct {
	// ID identifies the incident.
	ID uuid.UUID `json:"id"`
	// Number is the human reference, such as "INC-000123": unique and
	// gap-free per store.
	Number string `json:"number"`
	// Title summarises the incident; Description details it.
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	// Service is the affected service.
	Service string `json:"service,omitempty"`
	// ConfigItems are the IDs of the affected configuration items (package config).
	ConfigItems []string `json:"config_items,omitempty"`
	// Caller is the ID of the person who reported the incident.
	Caller string `json:"caller,omitempty"`
	// Category classifies the incident.
	Category string `json:"category,omitempty"`
	// Impact and Urgency give the Priority through the service's [Matrix].
	Impact   Level    `json:"impact"`
	Urgency  Level    `json:"urgency"`
	Priority Priority `json:"priority"`
	// PriorityReason is set when the priority was overridden, and says why.
	PriorityReason string `json:"priority_reason,omitempty"`
	// Group is the assignment group; Assignee the person working on it.
	Group    string `json:"group,omitempty"`
	Assignee string `json:"assignee,omitempty"`
	// State is the lifecycle state.
	State State `json:"state"`
	// HoldReason says why the incident is on hold (see [HoldReason]).
	HoldReason HoldReason `json:"hold_reason,omitempty"`
	// ResolutionCode and ResolutionNotes record how it was resolved.
	ResolutionCode  string `json:"resolution_code,omitempty"`
	ResolutionNotes string `json:"resolution_notes,omitempty"`
	// CancelReason says why it was cancelled.
	CancelReason string `json:"cancel_reason,omitempty"`
	// Timestamps, in UTC. Zero means "not yet".
	OpenedAt       time.Time `json:"opened_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	AcknowledgedAt time.Time `json:"acknowledged_at,omitzero"`
	ResolvedAt     time.Time `json:"resolved_at,omitzero"`
	ClosedAt       time.Time `json:"closed_at,omitzero"`
	// ReopenCount counts reopenings after resolution.
	ReopenCount int `json:"reopen_count,omitempty"`
	// Problems and Changes are the IDs of linked problem and change records.
	Problems []string `json:"problems,omitempty"`
	Changes  []string `json:"changes,omitempty"`
	// Major marks a major incident (see [Service.DeclareMajor]).
	Major bool `json:"major,omitempty"`
	// WorkNotes is the append-only work log.
	WorkNotes []Note `json:"work_notes,omitempty"`
	// Communications is the communication log of a major incident.
	Communications []Note `json:"communications,omitempty"`
	// Response and Resolution are the SLA timers (nil without an SLA policy,
	// or when the policy sets no such target for the priority). The service
	// freezes them ([sla.Timer.Freeze]) when it saves the incident: copies
	// of the incident share them (so never write their fields), and the
	// service replaces a timer that moves. [sla.Thaw] gives a copy that can
	// change.
	Response   *sla.Timer `json:"response,omitempty"`
	Resolution *sla.Timer `json:"resolution,omitempty"`
	// NextDeadline is the next SLA warning or breach instant of a running
	// timer (zero when none); it is indexed for sweeps and breach queries.
	NextDeadline time.Time `json:"next_deadline,omitzero"`
	// Escalations records the SLA alerts handled by [Service.Sweep], in order.
	Escalations []Escalation `json:"escalations,omitempty"`
	// Version is the optimistic-concurrency version of the stored record.
	Version int64 `json:"version"`
}

// Note is an entry of an append-only log: who wrote what, when.
type Note struct {
	At     time.Time `json:"at"`
	Author string    `json:"author"`
	Text   string    `json:"text"`
}

// Clone returns a deep copy of the incident, which shares only what never
// changes: strings, and frozen timers.
func (i Incident) Clone() Incident {
	var c Incident
	cloneInto(&c, &i)
	return c
}

// cloneInto makes *dst a deep copy of *src, reusing dst's slices and
// unfrozen timers; frozen timers are shared (see store.WithCloneInto).
func cloneInto(dst, src *Incident) {
	// Keep what dst can lend (not a copy of all of *dst: a large struct
	// copy, with write barriers while the collector runs).
	configItems, problems, changes := dst.ConfigItems, dst.Problems, dst.Changes
	workNotes, communications, escalations := dst.WorkNotes, dst.Communications, dst.Escalations
	response, resolution := dst.Response, dst.Resolution
	*dst = *src
	dst.ConfigItems = reuse.Slice(configItems, src.ConfigItems)
	dst.Problems = reuse.Slice(problems, src.Problems)
	dst.Changes = reuse.Slice(changes, src.Changes)
	dst.WorkNotes = reuse.Slice(workNotes, src.WorkNotes)
	dst.Communications = reuse.Slice(communications, src.Communications)
	dst.Escalations = reuse.Slice(escalations, src.Escalations)
	if response == nil && resolution == nil && !src.Response.Frozen() && !src.Resolution.Frozen() {
		// A new copy of two timers that may change: both in one allocation.
		dst.Response, dst.Resolution = sla.CloneNewPair(src.Response, src.Resolution)
		return
	}
	dst.Response = cloneTimer(response, src.Response)
	dst.Resolution = cloneTimer(resolution, src.Resolution)
}

// release drops what cloneInto would reuse of i: its slices and timers
// (the workflow engine's Spec.Release).
func release(i *Incident) {
	i.ConfigItems, i.Problems, i.Changes = nil, nil, nil
	i.WorkNotes, i.Communications, i.Escalations = nil, nil, nil
	i.Response, i.Resolution = nil, nil
}

// cloneTimer returns src when it is frozen (it never changes, so copies
// share it), else a copy of src, made in spare when spare may be reused.
func cloneTimer(spare, src *sla.Timer) *sla.Timer {
	switch {
	case src == nil:
		return nil
	case src.Frozen():
		return src
	case spare == nil || spare.Frozen(): // a frozen spare is shared: never reuse it
		return src.CloneNew()
	}
	src.CloneInto(spare)
	return spare
}

// freeze freezes the incident's timers, as it is saved or read (see
// [sla.Timer.Freeze]).
func (i *Incident) freeze() {
	i.Response.Freeze()
	i.Resolution.Freeze()
}

// Open reports whether the incident is still being worked on (not resolved,
// closed or cancelled).
func (i *Incident) Open() bool { return OpenStates.Contains(i.State) }

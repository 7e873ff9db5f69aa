package incident

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/internal/workflow"
	"github.com/servicekit/iso20000/store"
)

// Service manages incidents: one method per use case of ISO/IEC 20000-1:2018
// 8.6.1. Every mutating method takes a context and the acting
// [iso20000.Actor], is checked by the Authorizer, validates the lifecycle
// transition and the guards of the standard, and saves the record with
// optimistic versioning together with its audit entry in one unit of work.
// A refused or failed call changes nothing; a denied call is audited.
//
// A Service is safe for concurrent use.
type Service struct {
	config
	engine *workflow.Engine[Incident]
}

// records is the typed collection of incidents.
var records = store.NewCollection(Kind, func(i *Incident) (string, store.Keys) {
	return i.ID.String(), incidentKeys(i)
}, store.WithKeys(incidentKeys), store.WithClone(Incident.Clone), store.WithCloneInto(cloneInto),
	store.WithDecoded((*Incident).freeze))

// incidentKeys returns the indexed keys of an incident.
func incidentKeys(i *Incident) store.Keys {
	return store.Keys{
		Status:   string(i.State),
		Owner:    i.Assignee,
		Group:    i.Group,
		Service:  i.Service,
		Priority: int(i.Priority),
		Created:  i.OpenedAt,
		Due:      i.NextDeadline,
	}
}

// spec describes incidents to the workflow engine.
var spec = &workflow.Spec[Incident]{
	Kind:    Kind,
	Records: records,
	ID:      func(i *Incident) string { return i.ID.String() },
	State:   func(i *Incident) string { return string(i.State) },
	Attrs: func(dst iso20000.Attrs, i *Incident) iso20000.Attrs {
		return append(dst, iso20000.Attr{Name: "caller", Value: i.Caller}, iso20000.Attr{Name: "assignee", Value: i.Assignee},
			iso20000.Attr{Name: "group", Value: i.Group})
	},
	Stamp: func(i *Incident, version int64, now time.Time) {
		i.Version, i.UpdatedAt = version, now
		i.freeze()
	},
	Fields: audited,
	// The use cases replace fields and append to the logs, never change an
	// element in place, so a plain copy is a faithful before image.
	PlainBefore: true,
	Release:     release,
	Logs: []workflow.Log[Incident]{
		{Name: "work_notes", Len: func(i *Incident) int { return len(i.WorkNotes) }, Text: func(i *Incident, n int) string { return i.WorkNotes[n].Text }},
		{Name: "communications", Len: func(i *Incident) int { return len(i.Communications) }, Text: func(i *Incident, n int) string { return i.Communications[n].Text }},
	},
}

// NewService returns a Service storing incidents in st.
func NewService(st store.Store, opts ...Option) (*Service, error) {
	c, err := newConfig(st, opts)
	if err != nil {
		return nil, err
	}
	s := &Service{config: c}
	s.engine = &workflow.Engine[Incident]{Spec: spec, Store: st, Clock: s.clock, Authz: s.authz,
		Track: s.trackClocks}
	return s, nil
}

// change runs a use case on an existing incident through the workflow engine,
// which then brings its SLA clocks up to date (Engine.Track).
func (s *Service) change(ctx context.Context, actor iso20000.Actor, id uuid.UUID, version int64, verb string,
	apply workflow.Apply[Incident]) (Incident, error) {
	return s.engine.Change(ctx, actor, id.String(), version, verb, apply)
}

// OpenInput describes a new incident.
type OpenInput struct {
	Title       string   // required
	Description string   // optional
	Service     string   // the affected service
	ConfigItems []string // IDs of affected configuration items
	Caller      string   // who reported it; defaults to the acting actor
	Category    string
	Impact      Level // required, 1..3 with the default matrix
	Urgency     Level // required, 1..3 with the default matrix
	Group       string
	Assignee    string // optional; with Group or Assignee set the incident opens assigned
}

// Open records a new incident, numbered INC-nnnnnn, with its priority from the
// matrix. It is created in state new, or assigned when the input names a
// group or assignee.
func (s *Service) Open(ctx context.Context, actor iso20000.Actor, in OpenInput) (Incident, error) {
	if err := s.engine.Authorize(ctx, actor, "open", iso20000.Attrs{{Name: "caller", Value: in.Caller}}); err != nil {
		return Incident{}, err
	}
	if in.Title == "" {
		return Incident{}, &iso20000.ValidationError{Field: "title", Reason: "must not be empty"}
	}
	prio, err := s.matrix.Priority(in.Impact, in.Urgency)
	if err != nil {
		return Incident{}, err
	}
	return s.engine.Create(ctx, actor, "open", func(ctx context.Context, tx store.Tx, now time.Time, d workflow.Details) (Incident, error) {
		inc := Incident{
			ID: s.newID(), Title: in.Title, Description: in.Description, Service: in.Service,
			ConfigItems: slices.Clone(in.ConfigItems), Caller: in.Caller, Category: in.Category,
			Impact: in.Impact, Urgency: in.Urgency, Priority: prio,
			Group: in.Group, Assignee: in.Assignee, State: StateNew, OpenedAt: now,
		}
		if inc.Caller == "" {
			inc.Caller = actor.ID
		}
		if inc.Group != "" || inc.Assignee != "" {
			to, err := transition(&inc, EventAssign)
			if err != nil {
				return inc, err
			}
			inc.State, inc.AcknowledgedAt = to, now
		}
		n, err := tx.NextNumber(ctx, Kind)
		if err != nil {
			return inc, err
		}
		inc.Number = workflow.Number("INC", n)
		return inc, s.startClocks(&inc, now, d)
	})
}

// Get returns the incident with the given ID, or an error wrapping
// iso20000.ErrNotFound.
func (s *Service) Get(ctx context.Context, id uuid.UUID) (Incident, error) {
	return s.engine.Get(ctx, id.String())
}

// AssignInput names who takes an incident. At least one of Group and
// Assignee is required; an empty Group keeps the current group.
type AssignInput struct {
	Group    string
	Assignee string
	Note     string // optional work note
	Version  int64  // if non-zero, the version the change is based on (else the latest)
}

// Assign assigns (or reassigns) the incident to a group and/or person.
// The first assignment acknowledges the incident.
func (s *Service) Assign(ctx context.Context, actor iso20000.Actor, id uuid.UUID, in AssignInput) (Incident, error) {
	if in.Group == "" && in.Assignee == "" {
		return Incident{}, &iso20000.ValidationError{Field: "assignee", Reason: "group or assignee is required"}
	}
	return s.change(ctx, actor, id, in.Version, EventAssign, func(inc *Incident, now time.Time, d workflow.Details) error {
		to, err := transition(inc, EventAssign)
		if err != nil {
			return err
		}
		inc.State = to
		if in.Group != "" {
			inc.Group = in.Group
		}
		inc.Assignee = in.Assignee
		inc.HoldReason = ""
		if inc.AcknowledgedAt.IsZero() {
			inc.AcknowledgedAt = now
		}
		addNote(inc, actor, now, in.Note)
		return nil
	})
}

// StepInput carries the optional parts of a plain lifecycle step.
type StepInput struct {
	Note    string // optional work note
	Version int64  // if non-zero, the version the change is based on
}

// Start moves an assigned incident into progress. It needs an assignee.
func (s *Service) Start(ctx context.Context, actor iso20000.Actor, id uuid.UUID, in StepInput) (Incident, error) {
	return s.step(ctx, actor, id, in, EventStart, func(inc *Incident, _ time.Time) error {
		return guardStart(inc)
	})
}

// HoldInput says why an incident is put on hold.
type HoldInput struct {
	Reason  HoldReason // required
	Note    string
	Version int64
}

// Hold puts an incident on hold for a reason; the SLA policy decides whether
// the reason pauses the resolution clock.
func (s *Service) Hold(ctx context.Context, actor iso20000.Actor, id uuid.UUID, in HoldInput) (Incident, error) {
	if in.Reason == "" {
		return Incident{}, &iso20000.ValidationError{Field: "reason", Reason: "is required to put an incident on hold"}
	}
	return s.step(ctx, actor, id, StepInput{Note: in.Note, Version: in.Version}, EventHold, func(inc *Incident, _ time.Time) error {
		inc.HoldReason = in.Reason
		return nil
	})
}

// Resume takes an incident off hold, back into progress.
func (s *Service) Resume(ctx context.Context, actor iso20000.Actor, id uuid.UUID, in StepInput) (Incident, error) {
	return s.step(ctx, actor, id, in, EventResume, func(inc *Incident, _ time.Time) error {
		inc.HoldReason = ""
		return nil
	})
}

// ResolveInput says how an incident was resolved. Both Code and Notes are required.
type ResolveInput struct {
	Code    string
	Notes   string
	Version int64
}

// Resolve records the resolution of an incident.
func (s *Service) Resolve(ctx context.Context, actor iso20000.Actor, id uuid.UUID, in ResolveInput) (Incident, error) {
	if err := guardResolve(in.Code, in.Notes); err != nil {
		return Incident{}, err
	}
	return s.step(ctx, actor, id, StepInput{Version: in.Version}, EventResolve, func(inc *Incident, now time.Time) error {
		inc.ResolutionCode, inc.ResolutionNotes = in.Code, in.Notes
		inc.ResolvedAt = now
		inc.HoldReason = ""
		return nil
	})
}

// Close closes a resolved incident. A major incident needs a linked problem.
func (s *Service) Close(ctx context.Context, actor iso20000.Actor, id uuid.UUID, in StepInput) (Incident, error) {
	return s.step(ctx, actor, id, in, EventClose, func(inc *Incident, now time.Time) error {
		if err := guardClose(inc); err != nil {
			return err
		}
		inc.ClosedAt = now
		return nil
	})
}

// ReopenInput says why a resolved incident is reopened.
type ReopenInput struct {
	Reason  string // required
	Version int64
}

// Reopen returns a resolved incident to progress, within the reopen window.
// The resolution is cleared and the SLA resolution clock starts a new cycle.
func (s *Service) Reopen(ctx context.Context, actor iso20000.Actor, id uuid.UUID, in ReopenInput) (Incident, error) {
	if in.Reason == "" {
		return Incident{}, &iso20000.ValidationError{Field: "reason", Reason: "is required to reopen"}
	}
	return s.step(ctx, actor, id, StepInput{Note: "Reopened: " + in.Reason, Version: in.Version}, EventReopen, func(inc *Incident, now time.Time) error {
		if err := guardReopen(inc, now, s.reopenWindow); err != nil {
			return err
		}
		inc.ReopenCount++
		inc.ResolutionCode, inc.ResolutionNotes, inc.ResolvedAt = "", "", time.Time{}
		return nil
	})
}

// CancelInput says why an incident is cancelled (for example a duplicate).
type CancelInput struct {
	Reason  string // required
	Version int64
}

// Cancel cancels an open incident.
func (s *Service) Cancel(ctx context.Context, actor iso20000.Actor, id uuid.UUID, in CancelInput) (Incident, error) {
	if in.Reason == "" {
		return Incident{}, &iso20000.ValidationError{Field: "reason", Reason: "is required to cancel"}
	}
	return s.step(ctx, actor, id, StepInput{Version: in.Version}, EventCancel, func(inc *Incident, now time.Time) error {
		inc.CancelReason = in.Reason
		inc.ClosedAt = now
		inc.HoldReason = ""
		return nil
	})
}

// step runs a lifecycle event: the table decides, then guard (which may also
// edit the record) runs, then the optional note is added.
func (s *Service) step(ctx context.Context, actor iso20000.Actor, id uuid.UUID, in StepInput, event string,
	guard func(inc *Incident, now time.Time) error) (Incident, error) {
	return s.change(ctx, actor, id, in.Version, event, func(inc *Incident, now time.Time, d workflow.Details) error {
		to, err := transition(inc, event)
		if err != nil {
			return err
		}
		if err := guard(inc, now); err != nil {
			return err
		}
		inc.State = to
		addNote(inc, actor, now, in.Note)
		return nil
	})
}

func addNote(inc *Incident, actor iso20000.Actor, now time.Time, text string) {
	if text != "" {
		inc.WorkNotes = append(inc.WorkNotes, Note{At: now, Author: actor.ID, Text: text})
	}
}

package incident

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/internal/workflow"
)

// The actions of edits that do not change the lifecycle state; like events,
// they are the verbs of the authorisation actions ("incident.<verb>").
const (
	VerbUpdate      = "update"
	VerbPriority    = "priority"
	VerbNote        = "note"
	VerbLink        = "link"
	VerbMajor       = "major"
	VerbCommunicate = "communicate"
)

// edit runs an edit of a record that is not closed or cancelled.
func (s *Service) edit(ctx context.Context, actor iso20000.Actor, id uuid.UUID, version int64, verb string,
	apply workflow.Apply[Incident]) (Incident, error) {
	return s.change(ctx, actor, id, version, verb, func(inc *Incident, now time.Time, d workflow.Details) error {
		if inc.State == StateClosed || inc.State == StateCancelled {
			return refuse(inc, verb, "the incident is "+string(inc.State))
		}
		return apply(inc, now, d)
	})
}

// UpdateInput changes descriptive fields; nil fields are left as they are.
// Changing impact or urgency recomputes the priority from the matrix and
// removes a priority override.
type UpdateInput struct {
	Title       *string
	Description *string
	Service     *string
	Category    *string
	ConfigItems []string // replaces the list when non-nil
	Impact      *Level
	Urgency     *Level
	Version     int64
}

// Update changes descriptive fields of an open or resolved incident.
func (s *Service) Update(ctx context.Context, actor iso20000.Actor, id uuid.UUID, in UpdateInput) (Incident, error) {
	if in.Title != nil && *in.Title == "" {
		return Incident{}, &iso20000.ValidationError{Field: "title", Reason: "must not be empty"}
	}
	return s.edit(ctx, actor, id, in.Version, VerbUpdate, func(inc *Incident, _ time.Time, d workflow.Details) error {
		set(&inc.Title, in.Title)
		set(&inc.Description, in.Description)
		set(&inc.Service, in.Service)
		set(&inc.Category, in.Category)
		if in.ConfigItems != nil {
			inc.ConfigItems = slices.Clone(in.ConfigItems)
		}
		if in.Impact != nil || in.Urgency != nil {
			set(&inc.Impact, in.Impact)
			set(&inc.Urgency, in.Urgency)
			p, err := s.matrix.Priority(inc.Impact, inc.Urgency)
			if err != nil {
				return err
			}
			inc.Priority, inc.PriorityReason = p, ""
		}
		return nil
	})
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// PriorityInput overrides the priority the matrix gave. Reason is required.
type PriorityInput struct {
	Priority Priority
	Reason   string
	Version  int64
}

// OverridePriority sets a priority other than the matrix's, with a reason
// that is kept on the record and in the audit trail. The SLA targets of the
// new priority apply to the time already used.
func (s *Service) OverridePriority(ctx context.Context, actor iso20000.Actor, id uuid.UUID, in PriorityInput) (Incident, error) {
	if in.Reason == "" {
		return Incident{}, &iso20000.ValidationError{Field: "reason", Reason: "is required to override the priority"}
	}
	if in.Priority < 1 {
		return Incident{}, &iso20000.ValidationError{Field: "priority", Reason: "must be at least 1"}
	}
	return s.edit(ctx, actor, id, in.Version, VerbPriority, func(inc *Incident, _ time.Time, d workflow.Details) error {
		inc.Priority, inc.PriorityReason = in.Priority, in.Reason
		d.Add("reason", in.Reason)
		return nil
	})
}

// AddNote appends a work note.
func (s *Service) AddNote(ctx context.Context, actor iso20000.Actor, id uuid.UUID, text string) (Incident, error) {
	if text == "" {
		return Incident{}, &iso20000.ValidationError{Field: "text", Reason: "must not be empty"}
	}
	return s.edit(ctx, actor, id, 0, VerbNote, func(inc *Incident, now time.Time, d workflow.Details) error {
		addNote(inc, actor, now, text)
		return nil
	})
}

// LinkInput links problem and change records (by ID) to an incident.
type LinkInput struct {
	Problems []string
	Changes  []string
	Version  int64
}

// Link adds links to problems and changes; links already present are kept once.
func (s *Service) Link(ctx context.Context, actor iso20000.Actor, id uuid.UUID, in LinkInput) (Incident, error) {
	if len(in.Problems) == 0 && len(in.Changes) == 0 {
		return Incident{}, &iso20000.ValidationError{Field: "problems", Reason: "a problem or change ID is required"}
	}
	if slices.Contains(in.Problems, "") || slices.Contains(in.Changes, "") {
		return Incident{}, &iso20000.ValidationError{Field: "problems", Reason: "IDs must not be empty"}
	}
	return s.edit(ctx, actor, id, in.Version, VerbLink, func(inc *Incident, _ time.Time, d workflow.Details) error {
		inc.Problems = union(inc.Problems, in.Problems)
		inc.Changes = union(inc.Changes, in.Changes)
		return nil
	})
}

func union(have, add []string) []string {
	for _, a := range add {
		if !slices.Contains(have, a) {
			have = append(have, a)
		}
	}
	return have
}

// DeclareMajor declares a major incident: only actors the authorizer allows
// "incident.major" (by default the incident-manager role). The reason opens
// the communication log. A major incident is closed only with a linked problem.
func (s *Service) DeclareMajor(ctx context.Context, actor iso20000.Actor, id uuid.UUID, reason string) (Incident, error) {
	if reason == "" {
		return Incident{}, &iso20000.ValidationError{Field: "reason", Reason: "is required to declare a major incident"}
	}
	return s.edit(ctx, actor, id, 0, VerbMajor, func(inc *Incident, now time.Time, d workflow.Details) error {
		if inc.Major {
			return refuse(inc, VerbMajor, "already a major incident")
		}
		inc.Major = true
		inc.Communications = append(inc.Communications, Note{At: now, Author: actor.ID, Text: "Declared major: " + reason})
		d.Add("reason", reason)
		return nil
	})
}

// Communicate adds an entry to a major incident's communication log (what was
// told to whom).
func (s *Service) Communicate(ctx context.Context, actor iso20000.Actor, id uuid.UUID, text string) (Incident, error) {
	if text == "" {
		return Incident{}, &iso20000.ValidationError{Field: "text", Reason: "must not be empty"}
	}
	return s.edit(ctx, actor, id, 0, VerbCommunicate, func(inc *Incident, now time.Time, d workflow.Details) error {
		if !inc.Major {
			return refuse(inc, VerbCommunicate, "not a major incident")
		}
		inc.Communications = append(inc.Communications, Note{At: now, Author: actor.ID, Text: text})
		return nil
	})
}

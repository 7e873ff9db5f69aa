package incident

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/internal/workflow"
	"github.com/servicekit/iso20000/store"
)

// RequestService manages service requests and the service catalogue they are
// made against: one method per use case of ISO/IEC 20000-1:2018 8.6.2. Like
// [Service], every mutating method takes a context and the acting
// [iso20000.Actor], is checked by the Authorizer, validates the lifecycle
// transition ([RequestLifecycle]) and the guards of the standard, and saves
// the record with optimistic versioning together with its audit entry (with
// the changed fields) in one unit of work. A refused or failed call changes
// nothing; a denied call is audited.
//
// The authorisation actions are "request.<verb>" (see [RequestGrants]) with
// the attributes "requester", "requested_for", "assignee" and "group" of the
// request, so that rules such as iso20000.SeparateDuties("request.approve",
// "requester") keep requesters from approving their own requests; and
// "catalog_item.define" and "catalog_item.update" for the catalogue.
//
// A RequestService is safe for concurrent use.
type RequestService struct {
	config
	engine *workflow.Engine[Request]
	items  *workflow.Engine[CatalogItem]
}

// RoleCatalogManager may define and change catalogue items.
const RoleCatalogManager = "catalog-manager"

// RequestGrants are the grants of service requests and the catalogue: which
// roles may perform which action. Merge them with [DefaultGrants] (and other
// packages' grants) with iso20000.MergeGrants.
var RequestGrants = iso20000.Grants{
	"request.submit":           {RoleRequester, RoleAgent, RoleIncidentManager, iso20000.RoleSystem},
	"request.approve":          {RoleApprover},
	"request.reject":           {RoleApprover},
	"request.assign":           {RoleAgent, RoleIncidentManager},
	"request.start_fulfilment": {RoleAgent, RoleIncidentManager},
	"request.complete_task":    {RoleAgent, RoleIncidentManager, iso20000.RoleSystem},
	"request.fulfil":           {RoleAgent, RoleIncidentManager},
	"request.close":            {RoleAgent, RoleIncidentManager, iso20000.RoleSystem},
	"request.cancel":           {RoleAgent, RoleIncidentManager},
	"request.note":             {RoleRequester, RoleAgent, RoleIncidentManager, RoleApprover},
	"catalog_item.define":      {RoleCatalogManager},
	"catalog_item.update":      {RoleCatalogManager},
}

// RequestRules are segregation-of-duties rules beside those of
// [DefaultRules]: the person a request is for does not approve or reject it
// either, even when someone else submitted it.
var RequestRules = []iso20000.Rule{
	iso20000.SeparateDuties("request.approve", "requested_for"),
	iso20000.SeparateDuties("request.reject", "requested_for"),
}

// ErrTaskDone reports an attempt to complete a fulfilment task that is done
// already. Errors carrying it also match iso20000.ErrInvalidTransition, and
// nothing was changed; a client retrying a completion may treat it as success.
var ErrTaskDone = errors.New("fulfilment task already done")

// requests is the typed collection of service requests.
var requests = store.NewCollection(RequestKind, func(r *Request) (string, store.Keys) {
	return r.ID.String(), requestKeys(r)
}, store.WithKeys(requestKeys), store.WithClone(Request.Clone), store.WithCloneInto(cloneRequestInto),
	store.WithDecoded((*Request).freeze))

// requestKeys returns the indexed keys of a service request.
func requestKeys(r *Request) store.Keys {
	return store.Keys{
		Status:  string(r.State),
		Owner:   r.Assignee,
		Group:   r.Group,
		Service: r.Service,
		Created: r.SubmittedAt,
		Due:     r.FulfilmentDue,
	}
}

// requestSpec describes service requests to the workflow engine.
var requestSpec = &workflow.Spec[Request]{
	Kind:    RequestKind,
	Records: requests,
	ID:      func(r *Request) string { return r.ID.String() },
	State:   func(r *Request) string { return string(r.State) },
	Attrs: func(dst iso20000.Attrs, r *Request) iso20000.Attrs {
		return append(dst, iso20000.Attr{Name: "requester", Value: r.Requester}, iso20000.Attr{Name: "requested_for", Value: r.RequestedFor},
			iso20000.Attr{Name: "assignee", Value: r.Assignee}, iso20000.Attr{Name: "group", Value: r.Group})
	},
	Stamp: func(r *Request, version int64, now time.Time) {
		r.Version, r.UpdatedAt = version, now
		r.freeze()
	},
	Fields: []workflow.Field[Request]{
		workflow.StringField("item_id", func(r *Request) *string { return &r.ItemID }),
		workflow.StringField("item_name", func(r *Request) *string { return &r.ItemName }),
		workflow.StringField("service", func(r *Request) *string { return &r.Service }),
		workflow.StringField("description", func(r *Request) *string { return &r.Description }),
		workflow.StringField("requester", func(r *Request) *string { return &r.Requester }),
		workflow.StringField("requested_for", func(r *Request) *string { return &r.RequestedFor }),
		workflow.StringField("group", func(r *Request) *string { return &r.Group }),
		workflow.StringField("assignee", func(r *Request) *string { return &r.Assignee }),
		workflow.StringField("state", func(r *Request) *RequestState { return &r.State }),
		workflow.BoolField("approval_required", func(r *Request) *bool { return &r.ApprovalRequired }),
		workflow.StringField("approver", func(r *Request) *string { return &r.Approver }),
		workflow.StringField("decision_reason", func(r *Request) *string { return &r.DecisionReason }),
		{Name: "tasks", Get: func(r *Request) string { return workflow.ListFunc(r.Tasks, taskName) }, Same: sameTasks},
		{Name: "tasks_done", Get: func(r *Request) string { return workflow.ListFunc(r.Tasks, doneTaskName) }, Same: sameTasks},
		workflow.StringField("cancel_reason", func(r *Request) *string { return &r.CancelReason }),
		workflow.TimeField("approved_at", func(r *Request) *time.Time { return &r.ApprovedAt }),
		workflow.TimeField("fulfilled_at", func(r *Request) *time.Time { return &r.FulfilledAt }),
		workflow.TimeField("closed_at", func(r *Request) *time.Time { return &r.ClosedAt }),
	},
	Logs: []workflow.Log[Request]{
		{Name: "work_notes", Len: func(r *Request) int { return len(r.WorkNotes) }, Text: func(r *Request, n int) string { return r.WorkNotes[n].Text }},
	},
	// The use cases replace fields and append to the logs; the one that
	// changes a task copies the tasks first.
	PlainBefore: true,
	Release:     releaseRequest,
}

// sameTasks reports that a change left the tasks alone, so that their names
// need not be listed to diff them. Tasks that compare unequal only by how a
// time is represented render alike, and so show no change either.
func sameTasks(a, b *Request) bool { return slices.Equal(a.Tasks, b.Tasks) }

// taskName and doneTaskName give the names of all tasks, and of the done
// ones only, for workflow.ListFunc.
func taskName(t Task) (string, bool)     { return t.Name, true }
func doneTaskName(t Task) (string, bool) { return t.Name, t.Done }

// NewRequestService returns a RequestService storing requests and catalogue
// items in st. It takes the same options as [NewService]; the default
// authorizer allows what [DefaultGrants] grant.
func NewRequestService(st store.Store, opts ...Option) (*RequestService, error) {
	c, err := newConfig(st, opts)
	if err != nil {
		return nil, err
	}
	s := &RequestService{config: c}
	s.engine = &workflow.Engine[Request]{Spec: requestSpec, Store: st, Clock: s.clock, Authz: s.authz,
		Track: func(_, r *Request, now time.Time, d workflow.Details) error { return s.trackFulfilment(r, now, d) }}
	s.items = &workflow.Engine[CatalogItem]{Spec: catalogSpec, Store: st, Clock: s.clock, Authz: s.authz}
	return s, nil
}

// change runs a use case on an existing request through the workflow engine,
// which then brings its fulfilment clock up to date (Engine.Track).
func (s *RequestService) change(ctx context.Context, actor iso20000.Actor, id uuid.UUID, version int64, verb string,
	apply workflow.Apply[Request]) (Request, error) {
	return s.engine.Change(ctx, actor, id.String(), version, verb, apply)
}

// step runs a lifecycle event: the table decides, then guard (which may also
// edit the record) runs, then the optional note is added.
func (s *RequestService) step(ctx context.Context, actor iso20000.Actor, id uuid.UUID, in StepInput, event string,
	guard func(r *Request, now time.Time) error) (Request, error) {
	return s.change(ctx, actor, id, in.Version, event, func(r *Request, now time.Time, d workflow.Details) error {
		to, err := r.transition(event)
		if err != nil {
			return err
		}
		if guard != nil {
			if err := guard(r, now); err != nil {
				return err
			}
		}
		r.State = to
		r.note(actor, now, in.Note)
		return nil
	})
}

// note appends a work note when text is not empty.
func (r *Request) note(actor iso20000.Actor, now time.Time, text string) {
	if text != "" {
		r.WorkNotes = append(r.WorkNotes, Note{At: now, Author: actor.ID, Text: text})
	}
}

// SubmitInput describes a new service request.
type SubmitInput struct {
	ItemID       string // the catalogue item requested; required, and the item must be active
	Description  string // what exactly is wanted
	RequestedFor string // who the request is for; defaults to the acting actor
	Group        string // the fulfilment group, if known
	Assignee     string
	Note         string // optional work note
}

// Submit records a new service request against a catalogue item, numbered
// REQ-nnnnnn, with the item's fulfilment tasks, and routes it in the same
// unit of work: to awaiting_approval when the item requires approval, else to
// fulfilling. The acting actor is the requester. The audit entry
// "request.submit" has To = the routed state and the routing event under
// the data key "route". With an SLA policy the fulfilment clock starts.
// A missing item gives an error wrapping iso20000.ErrNotFound, a retired one
// a *iso20000.ValidationError for "item_id".
func (s *RequestService) Submit(ctx context.Context, actor iso20000.Actor, in SubmitInput) (Request, error) {
	requestedFor := in.RequestedFor
	if requestedFor == "" {
		requestedFor = actor.ID
	}
	if err := s.engine.Authorize(ctx, actor, VerbSubmit, iso20000.Attrs{{Name: "requester", Value: actor.ID}, {Name: "requested_for", Value: requestedFor}}); err != nil {
		return Request{}, err
	}
	if in.ItemID == "" {
		return Request{}, &iso20000.ValidationError{Field: "item_id", Reason: "must not be empty"}
	}
	return s.engine.Create(ctx, actor, VerbSubmit, func(ctx context.Context, tx store.Tx, now time.Time, d workflow.Details) (Request, error) {
		// Read only (its strings are copied, which is safe): the store's own
		// copy when it lends it.
		item, _, _, err := catalogItems.Peek(ctx, tx, in.ItemID)
		if err != nil {
			return Request{}, err
		}
		if !item.Active {
			return Request{}, &iso20000.ValidationError{Field: "item_id", Reason: fmt.Sprintf("catalogue item %q is retired", item.ID)}
		}
		r := Request{
			ID: s.newID(), ItemID: item.ID, ItemName: item.Name, Service: item.Service,
			Description: in.Description, Requester: actor.ID, RequestedFor: requestedFor,
			Group: in.Group, Assignee: in.Assignee, State: RequestSubmitted,
			ApprovalRequired: item.ApprovalRequired, SubmittedAt: now,
		}
		for _, name := range item.Tasks {
			r.Tasks = append(r.Tasks, Task{Name: name})
		}
		route := r.route()
		if r.State, err = r.transition(route); err != nil {
			return Request{}, err
		}
		n, err := tx.NextNumber(ctx, RequestKind)
		if err != nil {
			return Request{}, err
		}
		r.Number = workflow.Number("REQ", n)
		r.note(actor, now, in.Note)
		d.Add("route", route)
		if err := s.startFulfilment(&r, item.FulfilmentTarget, now, d); err != nil {
			return Request{}, err
		}
		if err := indexRequester(ctx, tx, &r); err != nil {
			return Request{}, err
		}
		return r, nil
	})
}

// Get returns the request with the given ID, or an error wrapping
// iso20000.ErrNotFound.
func (s *RequestService) Get(ctx context.Context, id uuid.UUID) (Request, error) {
	return s.engine.Get(ctx, id.String())
}

// DecisionInput is an approver's decision on a request.
type DecisionInput struct {
	Reason  string // why; required to reject, optional to approve
	Version int64  // if non-zero, the version the decision is based on (else the latest)
}

// Approve approves a request awaiting approval. Only actors the authorizer
// allows "request.approve" (by default the approver role) may, and never the
// requester (segregation of duties: see [DefaultRules] and [RequestRules]).
// The approver then starts fulfilment with [RequestService.StartFulfilment].
func (s *RequestService) Approve(ctx context.Context, actor iso20000.Actor, id uuid.UUID, in DecisionInput) (Request, error) {
	return s.step(ctx, actor, id, StepInput{Version: in.Version}, EventApprove, func(r *Request, now time.Time) error {
		r.Approver, r.DecisionReason, r.ApprovedAt = actor.ID, in.Reason, now
		return nil
	})
}

// Reject rejects a request awaiting approval, for a reason; the request ends
// there. The same authorisation as [RequestService.Approve] applies.
func (s *RequestService) Reject(ctx context.Context, actor iso20000.Actor, id uuid.UUID, in DecisionInput) (Request, error) {
	if in.Reason == "" {
		return Request{}, &iso20000.ValidationError{Field: "reason", Reason: "is required to reject"}
	}
	return s.step(ctx, actor, id, StepInput{Version: in.Version}, EventReject, func(r *Request, now time.Time) error {
		r.Approver, r.DecisionReason, r.ClosedAt = actor.ID, in.Reason, now
		return nil
	})
}

// StartFulfilment starts fulfilling an approved request.
func (s *RequestService) StartFulfilment(ctx context.Context, actor iso20000.Actor, id uuid.UUID, in StepInput) (Request, error) {
	return s.step(ctx, actor, id, in, EventStartFulfilment, nil)
}

// Assign assigns (or reassigns) an open request to a group and/or person,
// in any open state; it does not change the state. At least one of Group and
// Assignee is required; an empty Group keeps the current group.
func (s *RequestService) Assign(ctx context.Context, actor iso20000.Actor, id uuid.UUID, in AssignInput) (Request, error) {
	if in.Group == "" && in.Assignee == "" {
		return Request{}, &iso20000.ValidationError{Field: "assignee", Reason: "group or assignee is required"}
	}
	return s.change(ctx, actor, id, in.Version, EventAssign, func(r *Request, now time.Time, d workflow.Details) error {
		if err := r.guardOpen(EventAssign); err != nil {
			return err
		}
		if in.Group != "" {
			r.Group = in.Group
		}
		r.Assignee = in.Assignee
		r.note(actor, now, in.Note)
		return nil
	})
}

// TaskInput names the fulfilment task completed.
type TaskInput struct {
	Name    string // required; one of the request's tasks
	Note    string // optional work note
	Version int64  // if non-zero, the version the change is based on (else the latest)
}

// CompleteTask marks a fulfilment task of a request being fulfilled as done.
// An unknown task gives a *iso20000.ValidationError for "name"; a task done
// already gives an error matching [ErrTaskDone] (and
// iso20000.ErrInvalidTransition) and changes nothing.
func (s *RequestService) CompleteTask(ctx context.Context, actor iso20000.Actor, id uuid.UUID, in TaskInput) (Request, error) {
	if in.Name == "" {
		return Request{}, &iso20000.ValidationError{Field: "name", Reason: "must not be empty"}
	}
	return s.change(ctx, actor, id, in.Version, VerbCompleteTask, func(r *Request, now time.Time, d workflow.Details) error {
		if r.State != RequestFulfilling {
			return r.refuse(VerbCompleteTask, "tasks are completed while the request is fulfilling")
		}
		// The tasks are copied before one changes: the engine's before image
		// is a plain copy of the request (Spec.PlainBefore), which shares them.
		r.Tasks = slices.Clone(r.Tasks)
		t := r.task(in.Name)
		switch {
		case t == nil:
			return &iso20000.ValidationError{Field: "name", Reason: fmt.Sprintf("the request has no task %q", in.Name)}
		case t.Done:
			return fmt.Errorf("%w: %w", ErrTaskDone, r.refuse(VerbCompleteTask, fmt.Sprintf("task %q was done by %s", t.Name, t.DoneBy)))
		}
		t.Done, t.DoneBy, t.DoneAt = true, actor.ID, now
		r.note(actor, now, in.Note)
		d.Add("task", in.Name)
		return nil
	})
}

// Fulfil records that a request was fulfilled; every fulfilment task must be
// done. The fulfilment clock stops.
func (s *RequestService) Fulfil(ctx context.Context, actor iso20000.Actor, id uuid.UUID, in StepInput) (Request, error) {
	return s.step(ctx, actor, id, in, EventFulfil, func(r *Request, now time.Time) error {
		if err := r.guardFulfil(); err != nil {
			return err
		}
		r.FulfilledAt = now
		return nil
	})
}

// Close closes a fulfilled request.
func (s *RequestService) Close(ctx context.Context, actor iso20000.Actor, id uuid.UUID, in StepInput) (Request, error) {
	return s.step(ctx, actor, id, in, EventClose, func(r *Request, now time.Time) error {
		r.ClosedAt = now
		return nil
	})
}

// Cancel cancels an open request (submitted, awaiting approval, approved or
// fulfilling), for a reason.
func (s *RequestService) Cancel(ctx context.Context, actor iso20000.Actor, id uuid.UUID, in CancelInput) (Request, error) {
	if in.Reason == "" {
		return Request{}, &iso20000.ValidationError{Field: "reason", Reason: "is required to cancel"}
	}
	return s.step(ctx, actor, id, StepInput{Version: in.Version}, EventCancel, func(r *Request, now time.Time) error {
		r.CancelReason, r.ClosedAt = in.Reason, now
		return nil
	})
}

// AddNote appends a work note to a request that has not ended (closed,
// rejected or cancelled).
func (s *RequestService) AddNote(ctx context.Context, actor iso20000.Actor, id uuid.UUID, text string) (Request, error) {
	if text == "" {
		return Request{}, &iso20000.ValidationError{Field: "text", Reason: "must not be empty"}
	}
	return s.change(ctx, actor, id, 0, VerbNote, func(r *Request, now time.Time, d workflow.Details) error {
		if RequestLifecycle.Terminal(string(r.State)) {
			return r.refuse(VerbNote, "the request is "+string(r.State))
		}
		r.note(actor, now, text)
		return nil
	})
}

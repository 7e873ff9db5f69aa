package incident

import (
	"time"

	"github.com/google/uuid"
	"github.com/servicekit/iso20000/internal/reuse"
	"github.com/servicekit/iso20000/sla"
)

// Request is a service request: a user's request for something the service
// catalogue offers, such as a new laptop or access to a system
// (ISO/IEC 20000-1:2018 8.6.2). It is submitted against a [CatalogItem],
// whose name, service, approval rule, fulfilment target and fulfilment tasks
// it copies at submission, so that later catalogue changes do not alter
// requests already made.
//
// Records are values: the [RequestService] returns copies, and changing a
// copy changes nothing stored. The copies share the fulfilment clock, which
// is frozen: it refuses every change (see Fulfilment). Change a request
// through the service's methods.
type Request struct {
	// ID identifies the request.
	ID uuid.UUID `json:"id"`
	// Number is the human reference, such as "REQ-000123": unique and
	// gap-free per store.
	Number string `json:"number"`
	// ItemID and ItemName identify the catalogue item requested.
	ItemID   string `json:"item_id"`
	ItemName string `json:"item_name"`
	// Service is the service the item belongs to.
	Service string `json:"service,omitempty"`
	// Description says what exactly is wanted.
	Description string `json:"description,omitempty"`
	// Requester is the ID of the actor who submitted the request;
	// RequestedFor the person it is for (the requester unless said otherwise).
	Requester    string `json:"requester"`
	RequestedFor string `json:"requested_for"`
	// Group is the fulfilment group; Assignee the person fulfilling it.
	Group    string `json:"group,omitempty"`
	Assignee string `json:"assignee,omitempty"`
	// State is the lifecycle state (see [RequestLifecycle]).
	State RequestState `json:"state"`
	// ApprovalRequired is the catalogue item's rule at submission.
	ApprovalRequired bool `json:"approval_required,omitempty"`
	// Approver is the ID of who approved or rejected the request, and
	// DecisionReason what they gave as the reason (required to reject).
	Approver       string `json:"approver,omitempty"`
	DecisionReason string `json:"decision_reason,omitempty"`
	// Tasks are the fulfilment tasks; all must be done to fulfil the request.
	Tasks []Task `json:"tasks,omitempty"`
	// WorkNotes is the append-only work log.
	WorkNotes []Note `json:"work_notes,omitempty"`
	// CancelReason says why the request was cancelled.
	CancelReason string `json:"cancel_reason,omitempty"`
	// Timestamps, in UTC. Zero means "not yet". ClosedAt is also set when
	// the request ends rejected or cancelled.
	SubmittedAt time.Time `json:"submitted_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	ApprovedAt  time.Time `json:"approved_at,omitzero"`
	FulfilledAt time.Time `json:"fulfilled_at,omitzero"`
	ClosedAt    time.Time `json:"closed_at,omitzero"`
	// Fulfilment is the SLA fulfilment clock (nil without an SLA policy; see
	// [RequestSLA]). Like an incident's timers, it is frozen when the request
	// is saved and shared by the request's copies.
	Fulfilment *sla.Timer `json:"fulfilment,omitempty"`
	// FulfilmentDue is when the running fulfilment clock breaches its
	// target, if nothing changes; zero while the clock is paused or stopped,
	// or without a clock. It is indexed for breach queries.
	FulfilmentDue time.Time `json:"fulfilment_due,omitzero"`
	// Version is the optimistic-concurrency version of the stored record.
	Version int64 `json:"version"`
}

// Task is a fulfilment task of a [Request], named by its catalogue item.
type Task struct {
	// Name names the task; names are unique within a request.
	Name string `json:"name"`
	// Done reports whether the task is completed, DoneBy by whom and DoneAt when.
	Done   bool      `json:"done,omitempty"`
	DoneBy string    `json:"done_by,omitempty"`
	DoneAt time.Time `json:"done_at,omitzero"`
}

// Clone returns a deep copy of the request, which shares only what never
// changes: strings, and a frozen timer.
func (r Request) Clone() Request {
	var c Request
	cloneRequestInto(&c, &r)
	return c
}

// cloneRequestInto makes *dst a deep copy of *src, reusing dst's slices and
// unfrozen timer; a frozen timer is shared (see store.WithCloneInto).
func cloneRequestInto(dst, src *Request) {
	tasks, workNotes, fulfilment := dst.Tasks, dst.WorkNotes, dst.Fulfilment // what dst can lend
	*dst = *src
	dst.Tasks = reuse.Slice(tasks, src.Tasks)
	dst.WorkNotes = reuse.Slice(workNotes, src.WorkNotes)
	dst.Fulfilment = cloneTimer(fulfilment, src.Fulfilment)
}

// releaseRequest drops what cloneRequestInto would reuse of r (the
// workflow engine's Spec.Release).
func releaseRequest(r *Request) { r.Tasks, r.WorkNotes, r.Fulfilment = nil, nil, nil }

// freeze freezes the request's fulfilment clock, as it is saved or read
// (see [sla.Timer.Freeze]).
func (r *Request) freeze() { r.Fulfilment.Freeze() }

// Open reports whether the request is still in progress (not fulfilled,
// closed, rejected or cancelled).
func (r *Request) Open() bool { return OpenRequestStates.Contains(r.State) }

// OpenTasks returns the names of the tasks not yet done, in order.
func (r *Request) OpenTasks() []string {
	var out []string
	for _, t := range r.Tasks {
		if !t.Done {
			out = append(out, t.Name)
		}
	}
	return out
}

// task returns the task called name, or nil.
func (r *Request) task(name string) *Task {
	for i := range r.Tasks {
		if r.Tasks[i].Name == name {
			return &r.Tasks[i]
		}
	}
	return nil
}

package incident

import (
	"strings"

	"github.com/looplab/fsm"
	"github.com/servicekit/iso20000"
)

// RequestKind is the record kind of service requests in the store and the
// audit trail; actions on requests are "request.<verb>".
const RequestKind = "request"

// RequestState is a lifecycle state of a [Request].
type RequestState string

// The states of the service request lifecycle.
const (
	RequestSubmitted        RequestState = "submitted"
	RequestAwaitingApproval RequestState = "awaiting_approval"
	RequestApproved         RequestState = "approved"
	RequestRejected         RequestState = "rejected"
	RequestFulfilling       RequestState = "fulfilling"
	RequestFulfilled        RequestState = "fulfilled"
	RequestClosed           RequestState = "closed"
	RequestCancelled        RequestState = "cancelled"
)

// RequestStates is a set of request states.
type RequestStates = StateSet[RequestState]

// OpenRequestStates are the states of requests still in progress.
var OpenRequestStates = RequestStates{RequestSubmitted, RequestAwaitingApproval, RequestApproved, RequestFulfilling}

// The events of the request lifecycle that incidents do not share; the
// request lifecycle also uses [EventClose] and [EventCancel]. Each event is
// the verb of its authorisation action ("request.<event>"), except the two
// routing events, which [RequestService.Submit] applies under "request.submit".
const (
	// EventRequestApproval routes a submitted request whose catalogue item
	// needs approval to its approvers.
	EventRequestApproval = "request_approval"
	// EventStartFulfilment starts fulfilling a submitted request that needs
	// no approval, or an approved one.
	EventStartFulfilment = "start_fulfilment"
	EventApprove         = "approve"
	EventReject          = "reject"
	EventFulfil          = "fulfil"
)

// The verbs of request use cases that do not change the lifecycle state
// ("request.<verb>"). Assigning uses [EventAssign] and notes [VerbNote].
const (
	VerbSubmit       = "submit"
	VerbCompleteTask = "complete_task"
)

// RequestLifecycle is the service request lifecycle, defined once:
//
//	submitted → awaiting_approval → approved → fulfilling → fulfilled → closed
//	submitted → fulfilling (no approval needed)
//	awaiting_approval → rejected
//	submitted, awaiting_approval, approved, fulfilling → cancelled
//
// A request is never left in submitted: [RequestService.Submit] creates it
// and routes it, in the same unit of work, by the event its catalogue item
// calls for (request_approval or start_fulfilment); the audit trail records
// both facts in one entry, "request.submit", whose To is the routed state.
// The state exists so that the routing is a transition of the table like any
// other.
//
// The guards the standard requires run beside it (see the RequestService
// methods): approving and rejecting need the approver role and an approver who
// is not the requester (segregation of duties, by the Authorizer), rejecting
// and cancelling need a reason, and fulfilling needs every fulfilment task done.
// Its diagram, from RequestLifecycle.Mermaid():
//
//	stateDiagram-v2
//	    [*] --> submitted
//	    approved --> cancelled: cancel
//	    approved --> fulfilling: start_fulfilment
//	    awaiting_approval --> approved: approve
//	    awaiting_approval --> cancelled: cancel
//	    awaiting_approval --> rejected: reject
//	    fulfilled --> closed: close
//	    fulfilling --> cancelled: cancel
//	    fulfilling --> fulfilled: fulfil
//	    submitted --> cancelled: cancel
//	    submitted --> awaiting_approval: request_approval
//	    submitted --> fulfilling: start_fulfilment
var RequestLifecycle = iso20000.NewLifecycle(RequestKind, string(RequestSubmitted), fsm.Events{
	{Name: EventRequestApproval, Src: []string{"submitted"}, Dst: "awaiting_approval"},
	{Name: EventStartFulfilment, Src: []string{"submitted", "approved"}, Dst: "fulfilling"},
	{Name: EventApprove, Src: []string{"awaiting_approval"}, Dst: "approved"},
	{Name: EventReject, Src: []string{"awaiting_approval"}, Dst: "rejected"},
	{Name: EventFulfil, Src: []string{"fulfilling"}, Dst: "fulfilled"},
	{Name: EventClose, Src: []string{"fulfilled"}, Dst: "closed"},
	{Name: EventCancel, Src: []string{"submitted", "awaiting_approval", "approved", "fulfilling"}, Dst: "cancelled"},
})

// transition validates event from the request's state and returns the new state.
func (r *Request) transition(event string) (RequestState, error) {
	to, err := RequestLifecycle.Transition(string(r.State), event)
	return RequestState(to), err
}

// refuse returns the TransitionError of a guard that refused event.
func (r *Request) refuse(event, reason string) error {
	return &iso20000.TransitionError{Kind: RequestKind, From: string(r.State), Event: event, Reason: reason}
}

// route returns the event that routes a submitted request.
func (r *Request) route() string {
	if r.ApprovalRequired {
		return EventRequestApproval
	}
	return EventStartFulfilment
}

// Guards: the rules of the standard, as plain functions run after the
// lifecycle table allowed the event and before anything is written.

func (r *Request) guardFulfil() error {
	if open := r.OpenTasks(); len(open) > 0 {
		return r.refuse(EventFulfil, "fulfilment tasks not done: "+strings.Join(open, ", "))
	}
	return nil
}

// guardOpen refuses an edit (verb) of a request that is no longer open.
func (r *Request) guardOpen(verb string) error {
	if !r.Open() {
		return r.refuse(verb, "the request is "+string(r.State))
	}
	return nil
}

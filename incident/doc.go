// Package incident manages incidents and service requests: the resolution
// processes of ISO/IEC 20000-1:2018, clause 8.6.1 (incident management) and
// clause 8.6.2 (service request management).
//
// # Incidents
//
// A [Service] records, classifies, prioritises, assigns, escalates, resolves
// and closes incidents. The priority comes from impact × urgency through a
// configurable [Matrix] (the default is the common 3×3 matrix, P1–P5); an
// override needs a reason and is audited. The lifecycle is one looplab/fsm
// table, [Lifecycle]:
//
//	new → assigned → in_progress ⇄ on_hold → resolved → closed
//	resolved → in_progress (reopen, within the reopen window)
//	new, assigned, in_progress, on_hold → cancelled
//
// and the guards the standard requires run beside it: resolving needs a
// resolution code and notes, only a resolved incident closes, a major
// incident closes only with a linked problem (8.6.3), reopening is allowed
// only within the window, holding and cancelling need a reason. Every refused
// call returns an error matching iso20000.ErrInvalidTransition or
// iso20000.ErrValidation and changes nothing.
//
// # The path of every change
//
// Every mutating method takes a context and the acting iso20000.Actor, asks
// the iso20000.Authorizer (the default is role-based, see [DefaultGrants];
// the request attributes of an incident are "caller", "assignee" and
// "group", and opening one carries the "caller" given), reads the record, checks the lifecycle and guards, and saves the record with
// optimistic versioning together with its audit entry (action
// "incident.<verb>", from/to state, every changed field with old and new
// value) in one unit of work of the store. A denied attempt is audited as
// "denied:incident.<verb>". Pass a Version in the input to refuse the change
// if the record moved on (iso20000.ErrConflict); without one, a concurrent
// update is retried against the fresh record.
//
// # SLA clocks and escalation
//
// With [WithSLA], each incident carries response and resolution timers from
// an sla.Policy (8.3.3): hold reasons the policy lists pause them, a
// priority change re-targets them, a reopen starts a new cycle. [Service.Sweep],
// called by the application's scheduler, handles the warnings and breaches
// that fell due — functional escalation (reassign to a group) and
// hierarchical escalation (notify a manager) through the application's
// [Notifier] — at a cost proportional to the alerts due, through the store's
// deadline index. Major incidents are declared only by authorised roles
// ([Service.DeclareMajor]) and keep a communication log.
//
// # Service requests
//
// A [RequestService] handles requests against catalogue items: approval by
// an authorised approver who is not the requester (segregation of duties),
// fulfilment tasks and an SLA fulfilment clock.
package incident

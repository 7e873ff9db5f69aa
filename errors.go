package iso20000

import (
	"errors"
	"fmt"
)

// The common errors of every package in the SDK. Test for them with errors.Is;
// the concrete types below carry the details and are found with errors.As.
var (
	// ErrNotFound reports that a record does not exist.
	ErrNotFound = errors.New("iso20000: not found")
	// ErrConflict reports an optimistic-concurrency conflict: the record was
	// changed by someone else since it was read (a stale version), or a record
	// with the same identity exists already. Nothing was written; reread and retry.
	ErrConflict = errors.New("iso20000: conflict")
	// ErrForbidden reports that the [Authorizer] denied the operation.
	ErrForbidden = errors.New("iso20000: forbidden")
	// ErrInvalidTransition reports that the lifecycle does not allow an event
	// in the record's current state, or that a guard of the standard refused it.
	ErrInvalidTransition = errors.New("iso20000: invalid transition")
	// ErrValidation reports invalid input.
	ErrValidation = errors.New("iso20000: validation failed")
)

// TransitionError is an [ErrInvalidTransition] with its details.
type TransitionError struct {
	// Kind is the record kind, such as "incident".
	Kind string
	// From is the state the record was in.
	From string
	// Event is the lifecycle event that was refused, such as "resolve".
	Event string
	// Reason says why, when a guard refused an event the lifecycle allows.
	Reason string
}

// Error implements error.
func (e *TransitionError) Error() string {
	msg := fmt.Sprintf("%s: cannot %s from state %q", kindOr(e.Kind), e.Event, e.From)
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	return msg
}

// Is reports whether target is [ErrInvalidTransition].
func (e *TransitionError) Is(target error) bool { return target == ErrInvalidTransition }

// ValidationError is an [ErrValidation] naming the offending field.
type ValidationError struct {
	// Field is the name of the invalid field, in dotted form ("impact", "actor.id").
	Field string
	// Reason says what is wrong with it.
	Reason string
}

// Error implements error.
func (e *ValidationError) Error() string {
	return fmt.Sprintf("invalid %s: %s", e.Field, e.Reason)
}

// Is reports whether target is [ErrValidation].
func (e *ValidationError) Is(target error) bool { return target == ErrValidation }

// ForbiddenError is an [ErrForbidden] with its details.
type ForbiddenError struct {
	// ActorID is the actor who was denied.
	ActorID string
	// Action is the action that was denied, such as "incident.resolve".
	Action string
	// Reason says which rule denied it.
	Reason string
}

// Error implements error.
func (e *ForbiddenError) Error() string {
	msg := fmt.Sprintf("forbidden: %q may not %s", e.ActorID, e.Action)
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	return msg
}

// Is reports whether target is [ErrForbidden].
func (e *ForbiddenError) Is(target error) bool { return target == ErrForbidden }

// NotFoundError is an [ErrNotFound] naming the record.
type NotFoundError struct {
	Kind string // record kind, such as "incident"
	ID   string // the ID that was looked up
}

// Error implements error.
func (e *NotFoundError) Error() string {
	return fmt.Sprintf("%s %q not found", kindOr(e.Kind), e.ID)
}

// Is reports whether target is [ErrNotFound].
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// ConflictError is an [ErrConflict] naming the record and versions.
type ConflictError struct {
	Kind string // record kind
	ID   string // record ID
	// Expected is the version the caller based its change on; Actual is the
	// stored version (0 when the conflict is a duplicate create).
	Expected, Actual int64
}

// Error implements error.
func (e *ConflictError) Error() string {
	if e.Expected == 0 {
		return fmt.Sprintf("%s %q already exists", kindOr(e.Kind), e.ID)
	}
	return fmt.Sprintf("%s %q: stale version %d (stored version is %d)", kindOr(e.Kind), e.ID, e.Expected, e.Actual)
}

// Is reports whether target is [ErrConflict].
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

func kindOr(kind string) string {
	if kind == "" {
		return "record"
	}
	return kind
}

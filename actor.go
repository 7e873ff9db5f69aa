package iso20000

import "slices"

// Actor is the person or system that performs an operation. Every mutating call
// of a process service names one; the [Authorizer] decides with its roles and
// the audit trail records its ID.
type Actor struct {
	// ID identifies the actor uniquely and stably (a user name, an e-mail
	// address or a service account). It is what the audit trail records.
	ID string `json:"id"`
	// Name is a display name; it is informational only.
	Name string `json:"name,omitempty"`
	// Roles are the roles the actor holds, such as "agent" or "change-manager".
	Roles []string `json:"roles,omitempty"`
}

// HasRole reports whether the actor holds role.
func (a Actor) HasRole(role string) bool {
	return slices.Contains(a.Roles, role)
}

// Validate reports a [ValidationError] for the field "actor.id" when the actor
// has no ID: anonymous actors cannot change records.
func (a Actor) Validate() error {
	if a.ID == "" {
		return &ValidationError{Field: "actor.id", Reason: "must not be empty"}
	}
	return nil
}

// System is the actor that automated processing (sweeps, schedulers, imports)
// uses when no person acts. Grant it roles explicitly where needed.
var System = Actor{ID: "system", Name: "System", Roles: []string{RoleSystem}}

// Well-known roles used by the default authorisation policies of the process
// packages. Applications may use any role names; these are conventions.
const (
	RoleSystem = "system"
	RoleAdmin  = "admin"
)

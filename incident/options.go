package incident

import (
	"time"

	"github.com/google/uuid"
	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/sla"
	"github.com/servicekit/iso20000/store"
)

// Option configures a [Service] or a [RequestService].
type Option func(*config)

// config is what the options set; both services read it.
type config struct {
	clock        iso20000.Clock
	authz        iso20000.Authorizer
	matrix       Matrix
	reopenWindow time.Duration
	newID        func() uuid.UUID
	policy       *sla.Policy
	notifier     Notifier
	escalation   []EscalationRule
	sweeper      iso20000.Actor
}

// newConfig applies opts over the defaults and validates the result.
func newConfig(st store.Store, opts []Option) (config, error) {
	c := config{
		clock:        iso20000.SystemClock,
		authz:        defaultAuthorizer,
		matrix:       DefaultMatrix,
		reopenWindow: 7 * 24 * time.Hour,
		newID:        uuid.New,
		sweeper:      iso20000.System,
	}
	for _, o := range opts {
		o(&c)
	}
	switch {
	case st == nil:
		return c, &iso20000.ValidationError{Field: "store", Reason: "must not be nil"}
	case c.clock == nil:
		return c, &iso20000.ValidationError{Field: "clock", Reason: "must not be nil"}
	case c.authz == nil:
		return c, &iso20000.ValidationError{Field: "authorizer", Reason: "must not be nil"}
	case c.newID == nil:
		return c, &iso20000.ValidationError{Field: "ids", Reason: "must not be nil"}
	}
	if err := c.sweeper.Validate(); err != nil {
		return c, &iso20000.ValidationError{Field: "sweep_actor", Reason: "must have an ID"}
	}
	return c, c.matrix.Validate()
}

// WithClock sets the clock (default iso20000.SystemClock). Tests use clocktest.
func WithClock(c iso20000.Clock) Option { return func(s *config) { s.clock = c } }

// WithAuthorizer sets the authorizer (default: a RoleAuthorizer with
// [DefaultGrants] and [RequestGrants], and the segregation-of-duties rules
// of [DefaultRules] and [RequestRules]).
func WithAuthorizer(a iso20000.Authorizer) Option { return func(s *config) { s.authz = a } }

// WithMatrix sets the impact × urgency priority matrix (default [DefaultMatrix]).
func WithMatrix(m Matrix) Option { return func(s *config) { s.matrix = m } }

// WithReopenWindow sets how long after resolution an incident may be
// reopened (default 7 days). A negative window allows reopening at any time.
func WithReopenWindow(d time.Duration) Option { return func(s *config) { s.reopenWindow = d } }

// WithIDs sets the generator of record IDs (default uuid.New). Tests and
// imports use it for deterministic IDs.
func WithIDs(next func() uuid.UUID) Option { return func(s *config) { s.newID = next } }

// Roles of the default authorisation policy.
const (
	// RoleRequester may open incidents and requests and add notes.
	RoleRequester = "requester"
	// RoleAgent works incidents and requests: assign, start, hold, resolve, close...
	RoleAgent = "agent"
	// RoleIncidentManager may in addition declare major incidents and
	// override priorities.
	RoleIncidentManager = "incident-manager"
	// RoleApprover approves service requests.
	RoleApprover = "approver"
)

// DefaultGrants are the grants of the default authorizer: which roles may
// perform which action. Merge them with other packages' grants with
// iso20000.MergeGrants when building an application-wide authorizer.
var DefaultGrants = iso20000.Grants{
	"incident.open":        {RoleRequester, RoleAgent, RoleIncidentManager, iso20000.RoleSystem},
	"incident.note":        {RoleRequester, RoleAgent, RoleIncidentManager},
	"incident.update":      {RoleAgent, RoleIncidentManager},
	"incident.link":        {RoleAgent, RoleIncidentManager},
	"incident.assign":      {RoleAgent, RoleIncidentManager},
	"incident.start":       {RoleAgent, RoleIncidentManager},
	"incident.hold":        {RoleAgent, RoleIncidentManager},
	"incident.resume":      {RoleAgent, RoleIncidentManager},
	"incident.resolve":     {RoleAgent, RoleIncidentManager},
	"incident.close":       {RoleAgent, RoleIncidentManager, iso20000.RoleSystem},
	"incident.reopen":      {RoleRequester, RoleAgent, RoleIncidentManager},
	"incident.cancel":      {RoleAgent, RoleIncidentManager},
	"incident.escalate":    {RoleAgent, RoleIncidentManager, iso20000.RoleSystem},
	"incident.priority":    {RoleIncidentManager},
	"incident.major":       {RoleIncidentManager},
	"incident.communicate": {RoleIncidentManager},
}

// defaultAuthorizer is the authorizer both services use unless told otherwise.
var defaultAuthorizer = iso20000.NewRoleAuthorizer(
	iso20000.MergeGrants(DefaultGrants, RequestGrants),
	append(append([]iso20000.Rule{}, DefaultRules...), RequestRules...)...)

// DefaultRules are the segregation-of-duties rules of the default authorizer.
// Incidents have none by default; service requests forbid approving one's own
// request.
var DefaultRules = []iso20000.Rule{
	iso20000.SeparateDuties("request.approve", "requester"),
	iso20000.SeparateDuties("request.reject", "requester"),
}

package sla

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/internal/workflow"
	"github.com/servicekit/iso20000/store"
)

// AgreementKind is the record kind of agreements in the store, and the
// prefix of their actions ("sla.agreement.create", "sla.agreement.update").
const AgreementKind = "sla.agreement"

// Agreement is a service level agreement (ISO/IEC 20000-1:2018, 8.3.3):
// what a customer is promised for which services, in which service hours,
// who owns it and when it is next reviewed.
type Agreement struct {
	// ID identifies the agreement; [Agreements.Create] numbers it
	// ("SLA-000001") when empty.
	ID string `json:"id"`
	// Title is a display name.
	Title string `json:"title,omitempty"`
	// Customer is who the services are delivered to.
	Customer string `json:"customer"`
	// Services are the services covered, at least one.
	Services []string `json:"services"`
	// Targets are the service level targets agreed.
	Targets []AgreedTarget `json:"targets,omitempty"`
	// ServiceHours names the calendar of the agreed service hours: the
	// schedule of targets without a calendar of their own, and the hours in
	// which availability is measured.
	ServiceHours string `json:"service_hours"`
	// ReviewDate is when the agreement is next reviewed. It is indexed as
	// the record's due time, so listing with store.Query{OrderBy:
	// store.ByDue, DueBefore: t} finds the agreements due for review by t.
	ReviewDate time.Time `json:"review_date"`
	// Owner is the actor ID of the service level manager responsible.
	Owner string `json:"owner"`
	// CreatedAt and UpdatedAt are set by [Agreements].
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Version is the optimistic-concurrency version of the stored record.
	Version int64 `json:"version"`
}

// AgreedTarget is a [Target] as an agreement states it: with the name of its
// calendar instead of a [Schedule], so that it can be stored.
type AgreedTarget struct {
	// Name, Priority, Service and Duration are those of [Target]. Service,
	// when set, must be one of the agreement's services.
	Name     string        `json:"name"`
	Priority int           `json:"priority"`
	Service  string        `json:"service,omitempty"`
	Duration time.Duration `json:"duration"`
	// Calendar names the schedule of the target; empty means the
	// agreement's ServiceHours.
	Calendar string `json:"calendar,omitempty"`
}

// String renders the target as "name/P<priority>[/service]=<duration>[@calendar]",
// the form the audit trail records.
func (t AgreedTarget) String() string {
	s := fmt.Sprintf("%s/P%d", t.Name, t.Priority)
	if t.Service != "" {
		s += "/" + t.Service
	}
	s += "=" + t.Duration.String()
	if t.Calendar != "" {
		s += "@" + t.Calendar
	}
	return s
}

// Clone returns a deep copy of a.
func (a Agreement) Clone() Agreement {
	a.Services = slices.Clone(a.Services)
	a.Targets = slices.Clone(a.Targets)
	return a
}

// Covers reports whether the agreement covers service.
func (a *Agreement) Covers(service string) bool { return slices.Contains(a.Services, service) }

// Validate reports the first invalid field of a as a
// *[iso20000.ValidationError]: an empty customer, owner or service hours, no
// or duplicate services, a zero review date, or an invalid target (see
// [NewPolicy]; a target's service must be covered).
func (a *Agreement) Validate() error {
	switch {
	case strings.TrimSpace(a.Customer) == "":
		return &iso20000.ValidationError{Field: "customer", Reason: "must not be empty"}
	case len(a.Services) == 0:
		return &iso20000.ValidationError{Field: "services", Reason: "must not be empty"}
	case a.ServiceHours == "":
		return &iso20000.ValidationError{Field: "service_hours", Reason: "must name a calendar"}
	case a.ReviewDate.IsZero():
		return &iso20000.ValidationError{Field: "review_date", Reason: "must not be zero"}
	case a.Owner == "":
		return &iso20000.ValidationError{Field: "owner", Reason: "must not be empty"}
	}
	for i, s := range a.Services {
		if s == "" || slices.Contains(a.Services[:i], s) {
			return &iso20000.ValidationError{Field: fmt.Sprintf("services[%d]", i), Reason: "must be a distinct, non-empty name"}
		}
	}
	// The policy validates the targets; a placeholder schedule stands in for
	// the calendars, which are resolved only by [Agreement.Policy].
	if len(a.Targets) > 0 {
		if _, err := a.Policy(func(string) (Schedule, error) { return placeholder{}, nil }); err != nil {
			return err
		}
	}
	return nil
}

// placeholder is a Schedule that only validation sees.
type placeholder struct{}

func (placeholder) Add(start time.Time, d time.Duration) time.Time { return start.Add(d) }
func (placeholder) Elapsed(from, to time.Time) time.Duration       { return max(0, to.Sub(from)) }

// Policy returns the [Policy] of the agreement's targets, each with the
// schedule that calendars returns for its calendar name (the agreement's
// ServiceHours when the target names none). opts add thresholds and pause and
// stop states. A target's service outside the agreement gives a
// *[iso20000.ValidationError] for "targets[i].service"; errors of calendars
// are returned wrapped.
func (a *Agreement) Policy(calendars func(name string) (Schedule, error), opts ...PolicyOption) (*Policy, error) {
	targets := make([]Target, len(a.Targets))
	for i, t := range a.Targets {
		if t.Service != "" && !a.Covers(t.Service) {
			return nil, &iso20000.ValidationError{Field: fmt.Sprintf("targets[%d].service", i),
				Reason: fmt.Sprintf("%q is not covered by the agreement", t.Service)}
		}
		name := cmp.Or(t.Calendar, a.ServiceHours)
		s, err := calendars(name)
		if err != nil {
			return nil, fmt.Errorf("sla: agreement %s, targets[%d]: calendar %q: %w", a.ID, i, name, err)
		}
		targets[i] = Target{Name: t.Name, Priority: t.Priority, Service: t.Service, Duration: t.Duration, Schedule: s}
	}
	return NewPolicy(append([]PolicyOption{WithTargets(targets...)}, opts...)...)
}

// RoleServiceLevelManager may create and update agreements under
// [DefaultGrants].
const RoleServiceLevelManager = "service-level-manager"

// DefaultGrants are the grants of the default authorizer of [Agreements].
// Merge them with other packages' grants with iso20000.MergeGrants when
// building an application-wide authorizer.
func DefaultGrants() iso20000.Grants {
	return iso20000.Grants{
		AgreementKind + ".create": {RoleServiceLevelManager},
		AgreementKind + ".update": {RoleServiceLevelManager},
	}
}

// agreementRecords is the typed collection of agreements.
var agreementRecords = store.NewCollection(AgreementKind, func(a *Agreement) (string, store.Keys) {
	k := store.Keys{Owner: a.Owner, Group: a.Customer, Created: a.CreatedAt, Due: a.ReviewDate}
	if len(a.Services) == 1 {
		k.Service = a.Services[0]
	}
	return a.ID, k
}, store.WithClone(Agreement.Clone))

// agreementFields are the audited fields of an agreement, in order.
var agreementFields = []workflow.Field[Agreement]{
	workflow.StringField("title", func(a *Agreement) *string { return &a.Title }),
	workflow.StringField("customer", func(a *Agreement) *string { return &a.Customer }),
	workflow.ListField("services", func(a *Agreement) *[]string { return &a.Services }),
	{Name: "targets", Get: func(a *Agreement) string {
		s := make([]string, len(a.Targets))
		for i, t := range a.Targets {
			s[i] = t.String()
		}
		return workflow.List(s)
	}},
	workflow.StringField("service_hours", func(a *Agreement) *string { return &a.ServiceHours }),
	workflow.TimeField("review_date", func(a *Agreement) *time.Time { return &a.ReviewDate }),
	workflow.StringField("owner", func(a *Agreement) *string { return &a.Owner }),
}

var agreementSpec = &workflow.Spec[Agreement]{
	Kind:    AgreementKind,
	Records: agreementRecords,
	ID:      func(a *Agreement) string { return a.ID },
	State:   func(*Agreement) string { return "" },
	Attrs: func(dst iso20000.Attrs, a *Agreement) iso20000.Attrs {
		return append(dst, iso20000.Attr{Name: "owner", Value: a.Owner}, iso20000.Attr{Name: "customer", Value: a.Customer})
	},
	Stamp:  func(a *Agreement, version int64, now time.Time) { a.Version, a.UpdatedAt = version, now },
	Fields: agreementFields,
}

// Agreements keeps service level agreements in a store. Every change is
// checked by the Authorizer (actions "sla.agreement.create" and
// "sla.agreement.update", with the request attributes "owner" and
// "customer") and saved with optimistic versioning together with its audit
// entry (the changed fields) in one unit of work; a denied attempt is
// audited as "denied:sla.agreement.<verb>". A refused or failed call changes
// nothing.
//
// Agreements is safe for concurrent use.
type Agreements struct {
	engine *workflow.Engine[Agreement]
}

// AgreementsOption configures [Agreements].
type AgreementsOption func(*workflow.Engine[Agreement])

// WithClock sets the clock of [Agreements] (default iso20000.SystemClock).
func WithClock(c iso20000.Clock) AgreementsOption {
	return func(e *workflow.Engine[Agreement]) { e.Clock = c }
}

// WithAuthorizer sets the authorizer of [Agreements] (default: an
// iso20000.RoleAuthorizer with [DefaultGrants]; iso20000.AllowAll lets every
// named actor act).
func WithAuthorizer(a iso20000.Authorizer) AgreementsOption {
	return func(e *workflow.Engine[Agreement]) { e.Authz = a }
}

// NewAgreements returns the agreements kept in st.
func NewAgreements(st store.Store, opts ...AgreementsOption) (*Agreements, error) {
	if st == nil {
		return nil, &iso20000.ValidationError{Field: "store", Reason: "must not be nil"}
	}
	e := &workflow.Engine[Agreement]{Spec: agreementSpec, Store: st, Clock: iso20000.SystemClock,
		Authz: iso20000.NewRoleAuthorizer(DefaultGrants())}
	for _, o := range opts {
		o(e)
	}
	return &Agreements{engine: e}, nil
}

// Create stores a new agreement and returns it as stored (numbered when its
// ID was empty, version 1). Errors: a *[iso20000.ValidationError] for an
// invalid agreement, [iso20000.ErrForbidden] when the authorizer denies
// "sla.agreement.create", [iso20000.ErrConflict] when the ID exists.
func (s *Agreements) Create(ctx context.Context, actor iso20000.Actor, a Agreement) (Agreement, error) {
	a = a.Clone()
	if err := s.engine.Authorize(ctx, actor, "create", agreementSpec.Attrs(nil, &a)); err != nil {
		return Agreement{}, err
	}
	if err := a.Validate(); err != nil {
		return Agreement{}, err
	}
	return s.engine.Create(ctx, actor, "create", func(ctx context.Context, tx store.Tx, now time.Time, d workflow.Details) (Agreement, error) {
		if a.ID == "" {
			n, err := tx.NextNumber(ctx, AgreementKind)
			if err != nil {
				return a, err
			}
			a.ID = workflow.Number("SLA", n)
		}
		a.CreatedAt = now
		a.ReviewDate = a.ReviewDate.UTC()
		return a, nil
	})
}

// Update replaces the terms of the stored agreement a.ID (title, customer,
// services, targets, service hours, review date and owner) with a's, if the
// stored version is still a.Version, and returns the agreement as stored.
// Errors: a *[iso20000.ValidationError] for an invalid agreement or a zero
// version, [iso20000.ErrNotFound], [iso20000.ErrConflict] for a stale
// version, [iso20000.ErrForbidden] when the authorizer denies
// "sla.agreement.update" (checked against the stored owner and customer).
func (s *Agreements) Update(ctx context.Context, actor iso20000.Actor, a Agreement) (Agreement, error) {
	a = a.Clone()
	switch {
	case a.ID == "":
		return Agreement{}, &iso20000.ValidationError{Field: "id", Reason: "must not be empty"}
	case a.Version < 1:
		return Agreement{}, &iso20000.ValidationError{Field: "version", Reason: "must be the version read"}
	}
	if err := a.Validate(); err != nil {
		return Agreement{}, err
	}
	return s.engine.Change(ctx, actor, a.ID, a.Version, "update", func(r *Agreement, _ time.Time, d workflow.Details) error {
		r.Title, r.Customer, r.Services, r.Targets = a.Title, a.Customer, a.Services, a.Targets
		r.ServiceHours, r.ReviewDate, r.Owner = a.ServiceHours, a.ReviewDate.UTC(), a.Owner
		return nil
	})
}

// Get returns the agreement with the given ID, or an error wrapping
// [iso20000.ErrNotFound].
func (s *Agreements) Get(ctx context.Context, id string) (Agreement, error) {
	return s.engine.Get(ctx, id)
}

// List returns one page of agreements matching q and the cursor of the next
// page. Agreements index their owner as Keys.Owner, their customer as
// Keys.Group, their service as Keys.Service when they cover exactly one,
// their creation time as Keys.Created and their review date as Keys.Due.
func (s *Agreements) List(ctx context.Context, q store.Query) ([]Agreement, string, error) {
	return s.engine.List(ctx, q)
}

package incident

import (
	"context"
	"time"

	"github.com/servicekit/iso20000/store"
)

// Filter selects incidents. Zero fields do not filter; those set must all match.
type Filter struct {
	// States matches incidents in any of these states.
	States States
	// Assignee, Group and Service match exactly.
	Assignee, Group, Service string
	// Priority matches exactly when non-zero.
	Priority Priority
	// OpenedFrom and OpenedTo bound the opening time to [OpenedFrom, OpenedTo).
	OpenedFrom, OpenedTo time.Time
	// Newest lists the most recently opened first (default: oldest first).
	Newest bool
	// Limit is the page size (default store.DefaultLimit, at most store.MaxLimit).
	Limit int
	// Cursor continues from the Next of a previous page with the same filter.
	Cursor string
}

// Page is one page of incidents.
type Page struct {
	Incidents []Incident
	// Next is the cursor of the following page; empty on the last page.
	Next string
}

func (f Filter) query() store.Query {
	return store.Query{
		Status: f.States.Strings(), Owner: f.Assignee, Group: f.Group, Service: f.Service,
		Priority: int(f.Priority), CreatedFrom: f.OpenedFrom, CreatedTo: f.OpenedTo,
		Desc: f.Newest, Limit: f.Limit, Cursor: f.Cursor,
	}
}

// List returns one page of incidents matching f, ordered by opening time.
// Its cost is proportional to the page, through the store's indexes.
func (s *Service) List(ctx context.Context, f Filter) (Page, error) {
	incs, next, err := s.engine.List(ctx, f.query())
	return Page{Incidents: incs, Next: next}, err
}

// ListOpen is List restricted to open incidents (new, assigned, in progress,
// on hold) unless f names other states: the working queue of an agent
// (f.Assignee), a group (f.Group), a service or a priority.
func (s *Service) ListOpen(ctx context.Context, f Filter) (Page, error) {
	if len(f.States) == 0 {
		f.States = OpenStates
	}
	return s.List(ctx, f)
}

package incident

import (
	"context"
	"time"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/store"
)

// RequestFilter selects service requests. Zero fields do not filter; those
// set must all match.
type RequestFilter struct {
	// States matches requests in any of these states.
	States RequestStates
	// Requester matches the requests one person submitted. It is answered
	// from an index of requesters kept at submission, and the other filters
	// are applied to that person's requests, so a page may hold fewer than
	// Limit requests and still have a Next cursor.
	Requester string
	// Assignee, Group and Service match exactly.
	Assignee, Group, Service string
	// SubmittedFrom and SubmittedTo bound the submission time to
	// [SubmittedFrom, SubmittedTo).
	SubmittedFrom, SubmittedTo time.Time
	// Newest lists the most recently submitted first (default: oldest first).
	Newest bool
	// Limit is the page size (default store.DefaultLimit, at most store.MaxLimit).
	Limit int
	// Cursor continues from the Next of a previous page with the same filter.
	Cursor string
}

// RequestPage is one page of service requests.
type RequestPage struct {
	Requests []Request
	// Next is the cursor of the following page; empty on the last page.
	Next string
}

func (f RequestFilter) query() store.Query {
	return store.Query{
		Status: f.States.Strings(), Owner: f.Assignee, Group: f.Group, Service: f.Service,
		CreatedFrom: f.SubmittedFrom, CreatedTo: f.SubmittedTo,
		Desc: f.Newest, Limit: f.Limit, Cursor: f.Cursor,
	}
}

// List returns one page of requests matching f, ordered by submission time.
// Its cost is proportional to the page, through the store's indexes (with
// f.Requester, to that person's requests in the page's range).
func (s *RequestService) List(ctx context.Context, f RequestFilter) (RequestPage, error) {
	if f.Requester != "" {
		return s.listByRequester(ctx, f)
	}
	reqs, next, err := s.engine.List(ctx, f.query())
	return RequestPage{Requests: reqs, Next: next}, err
}

// ListOpen is List restricted to open requests (submitted, awaiting
// approval, approved, fulfilling) unless f names other states: the work queue
// of an assignee (f.Assignee), a group (f.Group) or a service, or a
// requester's open requests (f.Requester).
func (s *RequestService) ListOpen(ctx context.Context, f RequestFilter) (RequestPage, error) {
	if len(f.States) == 0 {
		f.States = OpenRequestStates
	}
	return s.List(ctx, f)
}

// Breaching returns one page of open requests whose fulfilment clock runs
// and breaches its target before t (if nothing changes), ordered by that
// instant, earliest first. Requests whose clock is paused (awaiting approval)
// or stopped are not listed. It walks the index of breach instants, so its
// cost is proportional to the page. f.Requester and f.Newest are not
// supported here and give a *iso20000.ValidationError.
func (s *RequestService) Breaching(ctx context.Context, t time.Time, f RequestFilter) (RequestPage, error) {
	switch {
	case f.Requester != "":
		return RequestPage{}, &iso20000.ValidationError{Field: "requester", Reason: "cannot be combined with a breach query"}
	case f.Newest:
		return RequestPage{}, &iso20000.ValidationError{Field: "newest", Reason: "breach queries list the earliest breach first"}
	}
	if len(f.States) == 0 {
		f.States = OpenRequestStates
	}
	q := f.query()
	q.OrderBy, q.DueBefore = store.ByDue, t
	reqs, next, err := s.engine.List(ctx, q)
	return RequestPage{Requests: reqs, Next: next}, err
}

// requesterEntry indexes a request by its requester. Requesters never
// change, so an entry is written once, at submission.
type requesterEntry struct {
	RequestID   string    `json:"request_id"`
	Requester   string    `json:"requester"`
	SubmittedAt time.Time `json:"submitted_at"`
}

// byRequester is the requester index of requests: the requester is the
// entry's Owner and the submission its Created, so that a list of entries
// pages in the same order, with the same cursors, as a list of requests.
var byRequester = store.NewCollection("request_requester", func(e *requesterEntry) (string, store.Keys) {
	return e.RequestID, store.Keys{Owner: e.Requester, Created: e.SubmittedAt}
}) // plain values: the collection copies entries as such

// indexRequester adds the requester index entry of a new request.
func indexRequester(ctx context.Context, tx store.Tx, r *Request) error {
	_, err := byRequester.Insert(ctx, tx, requesterEntry{RequestID: r.ID.String(), Requester: r.Requester, SubmittedAt: r.SubmittedAt})
	return err
}

// listByRequester lists a requester's requests through the requester index
// and applies the other filters of f to them.
func (s *RequestService) listByRequester(ctx context.Context, f RequestFilter) (RequestPage, error) {
	match := f.query()
	q := store.Query{Owner: f.Requester, CreatedFrom: f.SubmittedFrom, CreatedTo: f.SubmittedTo,
		Desc: f.Newest, Limit: f.Limit, Cursor: f.Cursor}
	var page RequestPage
	err := s.engine.Store.View(ctx, func(ctx context.Context, tx store.Tx) error {
		entries, next, err := byRequester.List(ctx, tx, q)
		if err != nil {
			return err
		}
		page = RequestPage{Requests: make([]Request, 0, len(entries)), Next: next}
		for _, e := range entries {
			// Filter on the stored record, and copy only the requests kept.
			r, _, shared, err := requests.Peek(ctx, tx, e.Value.RequestID)
			if err != nil {
				return err
			}
			if !match.Match(requestKeys(r).UTC()) {
				continue
			}
			if shared {
				page.Requests = append(page.Requests, r.Clone())
			} else {
				page.Requests = append(page.Requests, *r)
			}
		}
		return nil
	})
	return page, err
}

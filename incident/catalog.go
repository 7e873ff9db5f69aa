package incident

import (
	"context"
	"slices"
	"time"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/internal/reuse"
	"github.com/servicekit/iso20000/internal/workflow"
	"github.com/servicekit/iso20000/store"
)

// CatalogItemKind is the record kind of catalogue items in the store and the
// audit trail; actions on items are "catalog_item.define" and
// "catalog_item.update".
const CatalogItemKind = "catalog_item"

// CatalogItem is an entry of the service catalogue that users may request
// (ISO/IEC 20000-1:2018 8.2.4 service catalogue management, 8.6.2 service
// request management). Requests copy what they need of the item when they
// are submitted; changing or deactivating an item affects only requests
// submitted afterwards.
type CatalogItem struct {
	// ID identifies the item; it is chosen by whoever defines it, such as "new-laptop".
	ID string `json:"id"`
	// Name is the item's display name; Description details it.
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Service is the service the item belongs to.
	Service string `json:"service,omitempty"`
	// FulfilmentTarget is the business time allowed to fulfil a request,
	// counted under the schedule of the SLA policy (see [RequestSLA]); zero
	// takes the duration of the policy's fulfilment target.
	FulfilmentTarget time.Duration `json:"fulfilment_target,omitempty"`
	// ApprovalRequired routes requests for the item to an approver first.
	ApprovalRequired bool `json:"approval_required,omitempty"`
	// Tasks are the names of the fulfilment tasks each request carries.
	Tasks []string `json:"tasks,omitempty"`
	// Active reports whether the item may be requested.
	Active bool `json:"active"`
	// CreatedAt and UpdatedAt are when the item was defined and last changed.
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Version is the optimistic-concurrency version of the stored record.
	Version int64 `json:"version"`
}

// Clone returns a deep copy of the item.
func (c CatalogItem) Clone() CatalogItem {
	var out CatalogItem
	cloneItemInto(&out, &c)
	return out
}

// cloneItemInto makes *dst a deep copy of *src, reusing dst's tasks (see
// store.WithCloneInto).
func cloneItemInto(dst, src *CatalogItem) {
	tasks := dst.Tasks
	*dst = *src
	dst.Tasks = reuse.Slice(tasks, src.Tasks)
}

// releaseItem drops what cloneItemInto would reuse of c (the workflow
// engine's Spec.Release).
func releaseItem(c *CatalogItem) { c.Tasks = nil }

// status is the item's indexed status and its "state" in the audit trail.
func (c *CatalogItem) status() string {
	if c.Active {
		return "active"
	}
	return "inactive"
}

// validate checks the rules every stored item follows.
func (c *CatalogItem) validate() error {
	switch {
	case c.ID == "":
		return &iso20000.ValidationError{Field: "id", Reason: "must not be empty"}
	case c.Name == "":
		return &iso20000.ValidationError{Field: "name", Reason: "must not be empty"}
	case c.FulfilmentTarget < 0:
		return &iso20000.ValidationError{Field: "fulfilment_target", Reason: "must not be negative"}
	}
	for i, t := range c.Tasks {
		if t == "" || slices.Contains(c.Tasks[:i], t) {
			return &iso20000.ValidationError{Field: "tasks", Reason: "task names must be non-empty and unique"}
		}
	}
	return nil
}

// catalogItems is the typed collection of catalogue items.
var catalogItems = store.NewCollection(CatalogItemKind, func(c *CatalogItem) (string, store.Keys) {
	return c.ID, store.Keys{Status: c.status(), Service: c.Service, Created: c.CreatedAt}
}, store.WithClone(CatalogItem.Clone), store.WithCloneInto(cloneItemInto))

// catalogSpec describes catalogue items to the workflow engine.
var catalogSpec = &workflow.Spec[CatalogItem]{
	Kind:    CatalogItemKind,
	Records: catalogItems,
	Release: releaseItem,
	ID:      func(c *CatalogItem) string { return c.ID },
	State: func(c *CatalogItem) string {
		if c.ID == "" {
			return "" // the before image of a definition
		}
		return c.status()
	},
	Attrs: func(dst iso20000.Attrs, _ *CatalogItem) iso20000.Attrs { return dst },
	Stamp: func(c *CatalogItem, version int64, now time.Time) {
		c.Version, c.UpdatedAt = version, now
	},
	Fields: []workflow.Field[CatalogItem]{
		workflow.StringField("name", func(c *CatalogItem) *string { return &c.Name }),
		workflow.StringField("description", func(c *CatalogItem) *string { return &c.Description }),
		workflow.StringField("service", func(c *CatalogItem) *string { return &c.Service }),
		{Name: "fulfilment_target", Get: func(c *CatalogItem) string { return c.FulfilmentTarget.String() }},
		workflow.BoolField("approval_required", func(c *CatalogItem) *bool { return &c.ApprovalRequired }),
		workflow.ListField("tasks", func(c *CatalogItem) *[]string { return &c.Tasks }),
		workflow.BoolField("active", func(c *CatalogItem) *bool { return &c.Active }),
	},
}

// The verbs of catalogue actions ("catalog_item.<verb>"); updates use [VerbUpdate].
const VerbDefine = "define"

// ItemInput defines a catalogue item. ID and Name are required; task names
// must be unique. A new item is active.
type ItemInput struct {
	ID               string
	Name             string
	Description      string
	Service          string
	FulfilmentTarget time.Duration
	ApprovalRequired bool
	Tasks            []string
}

// DefineItem adds an active item to the service catalogue. An existing ID
// gives an error wrapping iso20000.ErrConflict.
func (s *RequestService) DefineItem(ctx context.Context, actor iso20000.Actor, in ItemInput) (CatalogItem, error) {
	if err := s.items.Authorize(ctx, actor, VerbDefine, nil); err != nil {
		return CatalogItem{}, err
	}
	item := CatalogItem{
		ID: in.ID, Name: in.Name, Description: in.Description, Service: in.Service,
		FulfilmentTarget: in.FulfilmentTarget, ApprovalRequired: in.ApprovalRequired,
		Tasks: slices.Clone(in.Tasks), Active: true,
	}
	if err := item.validate(); err != nil {
		return CatalogItem{}, err
	}
	return s.items.Create(ctx, actor, VerbDefine, func(_ context.Context, _ store.Tx, now time.Time, d workflow.Details) (CatalogItem, error) {
		item.CreatedAt = now
		return item, nil
	})
}

// ItemUpdate changes a catalogue item; nil fields are left as they are.
type ItemUpdate struct {
	Name             *string
	Description      *string
	Service          *string
	FulfilmentTarget *time.Duration
	ApprovalRequired *bool
	// Tasks replaces the task list when non-nil.
	Tasks []string
	// Active activates or retires the item.
	Active *bool
	// Version, if non-zero, is the version the change is based on (else the latest).
	Version int64
}

// UpdateItem changes a catalogue item. Requests already submitted keep what
// they copied from it.
func (s *RequestService) UpdateItem(ctx context.Context, actor iso20000.Actor, id string, in ItemUpdate) (CatalogItem, error) {
	return s.items.Change(ctx, actor, id, in.Version, VerbUpdate, func(c *CatalogItem, _ time.Time, d workflow.Details) error {
		set(&c.Name, in.Name)
		set(&c.Description, in.Description)
		set(&c.Service, in.Service)
		set(&c.FulfilmentTarget, in.FulfilmentTarget)
		set(&c.ApprovalRequired, in.ApprovalRequired)
		set(&c.Active, in.Active)
		if in.Tasks != nil {
			c.Tasks = slices.Clone(in.Tasks)
		}
		return c.validate()
	})
}

// Item returns the catalogue item with the given ID, or an error wrapping
// iso20000.ErrNotFound.
func (s *RequestService) Item(ctx context.Context, id string) (CatalogItem, error) {
	return s.items.Get(ctx, id)
}

// ItemFilter selects catalogue items. Zero fields do not filter.
type ItemFilter struct {
	// Service matches items of one service.
	Service string
	// ActiveOnly leaves out retired items.
	ActiveOnly bool
	// Limit is the page size (default store.DefaultLimit, at most store.MaxLimit).
	Limit int
	// Cursor continues from the Next of a previous page with the same filter.
	Cursor string
}

// ItemPage is one page of catalogue items.
type ItemPage struct {
	Items []CatalogItem
	// Next is the cursor of the following page; empty on the last page.
	Next string
}

// Items returns one page of catalogue items matching f, in the order they
// were defined.
func (s *RequestService) Items(ctx context.Context, f ItemFilter) (ItemPage, error) {
	q := store.Query{Service: f.Service, Limit: f.Limit, Cursor: f.Cursor}
	if f.ActiveOnly {
		q.Status = []string{"active"}
	}
	items, next, err := s.items.List(ctx, q)
	return ItemPage{Items: items, Next: next}, err
}

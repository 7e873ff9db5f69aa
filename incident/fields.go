package incident

import (
	"time"

	"github.com/servicekit/iso20000/internal/workflow"
)

// audited lists the fields whose changes the audit trail records, in order.
// The append-only logs are recorded by what was appended (see spec.Logs).
var audited = []workflow.Field[Incident]{
	workflow.StringField("title", func(i *Incident) *string { return &i.Title }),
	workflow.StringField("description", func(i *Incident) *string { return &i.Description }),
	workflow.StringField("service", func(i *Incident) *string { return &i.Service }),
	workflow.ListField("config_items", func(i *Incident) *[]string { return &i.ConfigItems }),
	workflow.StringField("caller", func(i *Incident) *string { return &i.Caller }),
	workflow.StringField("category", func(i *Incident) *string { return &i.Category }),
	workflow.IntField("impact", func(i *Incident) *Level { return &i.Impact }),
	workflow.IntField("urgency", func(i *Incident) *Level { return &i.Urgency }),
	workflow.IntField("priority", func(i *Incident) *Priority { return &i.Priority }),
	workflow.StringField("priority_reason", func(i *Incident) *string { return &i.PriorityReason }),
	workflow.StringField("group", func(i *Incident) *string { return &i.Group }),
	workflow.StringField("assignee", func(i *Incident) *string { return &i.Assignee }),
	workflow.StringField("state", func(i *Incident) *State { return &i.State }),
	workflow.StringField("hold_reason", func(i *Incident) *HoldReason { return &i.HoldReason }),
	workflow.StringField("resolution_code", func(i *Incident) *string { return &i.ResolutionCode }),
	workflow.StringField("resolution_notes", func(i *Incident) *string { return &i.ResolutionNotes }),
	workflow.StringField("cancel_reason", func(i *Incident) *string { return &i.CancelReason }),
	workflow.TimeField("acknowledged_at", func(i *Incident) *time.Time { return &i.AcknowledgedAt }),
	workflow.TimeField("resolved_at", func(i *Incident) *time.Time { return &i.ResolvedAt }),
	workflow.TimeField("closed_at", func(i *Incident) *time.Time { return &i.ClosedAt }),
	workflow.IntField("reopen_count", func(i *Incident) *int { return &i.ReopenCount }),
	workflow.ListField("problems", func(i *Incident) *[]string { return &i.Problems }),
	workflow.ListField("changes", func(i *Incident) *[]string { return &i.Changes }),
	workflow.BoolField("major", func(i *Incident) *bool { return &i.Major }),
}

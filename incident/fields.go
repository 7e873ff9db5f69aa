package incident

import (
	"time"

	"github.com/servicekit/iso20000/internal/workflow"
)

// audited lists the fields whose changes the audit trail records, in order.
// The append-only logs are recorded by what was appended (see spec.Logs).
var audited = []workflow.Field[Incident]{
	{Name: "title", Get: func(i *Incident) string { return i.Title }},
	{Name: "description", Get: func(i *Incident) string { return i.Description }},
	{Name: "service", Get: func(i *Incident) string { return i.Service }},
	workflow.ListField("config_items", func(i *Incident) []string { return i.ConfigItems }),
	{Name: "caller", Get: func(i *Incident) string { return i.Caller }},
	{Name: "category", Get: func(i *Incident) string { return i.Category }},
	{Name: "impact", Get: func(i *Incident) string { return workflow.Int(i.Impact) }},
	{Name: "urgency", Get: func(i *Incident) string { return workflow.Int(i.Urgency) }},
	{Name: "priority", Get: func(i *Incident) string { return workflow.Int(i.Priority) }},
	{Name: "priority_reason", Get: func(i *Incident) string { return i.PriorityReason }},
	{Name: "group", Get: func(i *Incident) string { return i.Group }},
	{Name: "assignee", Get: func(i *Incident) string { return i.Assignee }},
	{Name: "state", Get: func(i *Incident) string { return string(i.State) }},
	{Name: "hold_reason", Get: func(i *Incident) string { return string(i.HoldReason) }},
	{Name: "resolution_code", Get: func(i *Incident) string { return i.ResolutionCode }},
	{Name: "resolution_notes", Get: func(i *Incident) string { return i.ResolutionNotes }},
	{Name: "cancel_reason", Get: func(i *Incident) string { return i.CancelReason }},
	workflow.TimeField("acknowledged_at", func(i *Incident) time.Time { return i.AcknowledgedAt }),
	workflow.TimeField("resolved_at", func(i *Incident) time.Time { return i.ResolvedAt }),
	workflow.TimeField("closed_at", func(i *Incident) time.Time { return i.ClosedAt }),
	{Name: "reopen_count", Get: func(i *Incident) string { return workflow.Int(i.ReopenCount) }},
	workflow.ListField("problems", func(i *Incident) []string { return i.Problems }),
	workflow.ListField("changes", func(i *Incident) []string { return i.Changes }),
	{Name: "major", Get: func(i *Incident) string { return workflow.Bool(i.Major) }},
}

package workflow

import (
	"strconv"
	"strings"
	"time"
)

// Renderers of field values for the audit trail's changes: one textual form
// per type, shared by every process package.

// Int renders an integer-based value (levels, priorities, counts).
func Int[T ~int | ~int64](v T) string { return strconv.FormatInt(int64(v), 10) }

// Time renders a time in RFC 3339 with nanoseconds, or "" when zero.
func Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// List renders a list of IDs or names, comma-separated.
func List[T ~string](v []T) string {
	var b strings.Builder
	for i, s := range v {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(string(s))
	}
	return b.String()
}

// Bool renders a flag as "true" or "false".
func Bool(v bool) string { return strconv.FormatBool(v) }

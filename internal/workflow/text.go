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

// Number renders a record's human number: prefix, a dash and n with at
// least six digits, such as "INC-000123", as fmt.Sprintf("%s-%06d") would,
// in one allocation.
func Number(prefix string, n int64) string {
	var buf [32]byte
	b := append(buf[:0], prefix...)
	b = append(b, '-')
	var digits [20]byte
	d := strconv.AppendInt(digits[:0], n, 10)
	pad := 6 - len(d) // the width includes a sign, as with %06d
	if n < 0 {
		b, d = append(b, '-'), d[1:]
	}
	for range pad {
		b = append(b, '0')
	}
	return string(append(b, d...))
}

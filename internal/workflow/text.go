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
	return ListFunc(v, func(s T) (string, bool) { return string(s), true })
}

// ListFunc renders, as [List] does, the names that name gives for the
// elements of v it reports, in their order: a list of names kept in the
// elements of a record's slice, without a slice of the names. A list of
// one name is that name, with nothing allocated.
func ListFunc[E any](v []E, name func(E) (string, bool)) string {
	var b strings.Builder
	first, n := "", 0
	for _, e := range v {
		s, ok := name(e)
		if !ok {
			continue
		}
		switch n++; n {
		case 1:
			first = s
			continue
		case 2:
			b.WriteString(first)
		}
		b.WriteByte(',')
		b.WriteString(s)
	}
	if n == 1 {
		return first
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

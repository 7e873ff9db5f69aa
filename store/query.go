package store

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/servicekit/iso20000"
)

// Cursor is the decoded position of a [Query.Cursor]: the sort key and ID of
// the last record of the previous page. Backends use [Query.Normalize] to
// decode it and [Query.NextCursor] to make one.
type Cursor struct {
	// Key is the sort key (Keys.Created or Keys.Due) in Unix nanoseconds.
	Key int64
	// ID is the record ID, the tie-breaker.
	ID string
}

// SortKey returns the sort key of k under order o, in Unix nanoseconds.
func (o Order) SortKey(k Keys) int64 {
	if o == ByDue {
		return k.Due.UnixNano()
	}
	return k.Created.UnixNano()
}

// Normalize validates q, applies the default limit, converts times to UTC and
// decodes the cursor (nil when the list starts at the beginning). Invalid
// queries give an iso20000.ValidationError naming the field.
func (q Query) Normalize() (Query, *Cursor, error) {
	switch {
	case q.Limit < 0 || q.Limit > MaxLimit:
		return q, nil, &iso20000.ValidationError{Field: "limit", Reason: fmt.Sprintf("must be between 0 and %d", MaxLimit)}
	case q.OrderBy != ByCreated && q.OrderBy != ByDue:
		return q, nil, &iso20000.ValidationError{Field: "order_by", Reason: fmt.Sprintf("unknown order %d", q.OrderBy)}
	case q.Priority < 0:
		return q, nil, &iso20000.ValidationError{Field: "priority", Reason: "must not be negative"}
	}
	if q.Limit == 0 {
		q.Limit = DefaultLimit
	}
	q.CreatedFrom, q.CreatedTo, q.DueBefore = utc(q.CreatedFrom), utc(q.CreatedTo), utc(q.DueBefore)
	if q.Cursor == "" {
		return q, nil, nil
	}
	c, err := q.decodeCursor()
	if err != nil {
		return q, nil, &iso20000.ValidationError{Field: "cursor", Reason: err.Error()}
	}
	return q, c, nil
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}

// cursor layout: version 1, order, desc, key (8 bytes big endian), id.
func (q Query) decodeCursor() (*Cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(q.Cursor)
	if err != nil || len(b) < 11 || b[0] != 1 {
		return nil, fmt.Errorf("malformed")
	}
	if Order(b[1]) != q.OrderBy || (b[2] == 1) != q.Desc {
		return nil, fmt.Errorf("made for another order")
	}
	return &Cursor{Key: int64(binary.BigEndian.Uint64(b[3:11])), ID: string(b[11:])}, nil
}

// NextCursor returns the cursor that continues q after the record with keys k and ID id.
func (q Query) NextCursor(k Keys, id string) string {
	b := make([]byte, 0, 11+len(id))
	desc := byte(0)
	if q.Desc {
		desc = 1
	}
	b = append(b, 1, byte(q.OrderBy), desc)
	b = binary.BigEndian.AppendUint64(b, uint64(q.OrderBy.SortKey(k)))
	b = append(b, id...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// After reports whether a record with sort key key and ID id comes after the
// cursor c in q's order; a nil cursor comes before everything.
func (q Query) After(c *Cursor, key int64, id string) bool {
	if c == nil {
		return true
	}
	if q.Desc {
		return key < c.Key || (key == c.Key && id < c.ID)
	}
	return key > c.Key || (key == c.Key && id > c.ID)
}

// Match reports whether keys k satisfy q's filters (not the cursor). Backends
// use it to filter candidates that an index did not already narrow.
func (q Query) Match(k Keys) bool {
	if len(q.Status) > 0 {
		found := false
		for _, s := range q.Status {
			if s == k.Status {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	switch {
	case q.Owner != "" && q.Owner != k.Owner,
		q.Group != "" && q.Group != k.Group,
		q.Service != "" && q.Service != k.Service,
		q.Priority != 0 && q.Priority != k.Priority,
		!q.CreatedFrom.IsZero() && k.Created.Before(q.CreatedFrom),
		!q.CreatedTo.IsZero() && !k.Created.Before(q.CreatedTo),
		!q.DueBefore.IsZero() && (k.Due.IsZero() || !k.Due.Before(q.DueBefore)),
		q.OrderBy == ByDue && k.Due.IsZero():
		return false
	}
	return true
}

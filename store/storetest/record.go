package storetest

import (
	"slices"
	"time"

	"github.com/servicekit/iso20000/store"
)

// record is the record type of the suite. Tags is a slice so that the suite
// can prove that a backend does not alias stored state.
type record struct {
	ID       string
	Status   string
	Owner    string
	Group    string
	Service  string
	Priority int
	Created  time.Time
	Due      time.Time
	Counter  int
	Tags     []string
}

func indexRecord(r *record) (string, store.Keys) {
	return r.ID, store.Keys{
		Status:   r.Status,
		Owner:    r.Owner,
		Group:    r.Group,
		Service:  r.Service,
		Priority: r.Priority,
		Created:  r.Created,
		Due:      r.Due,
	}
}

func cloneRecord(r record) record {
	r.Tags = slices.Clone(r.Tags)
	return r
}

// cloneRecordInto makes *dst a copy of *src in dst's storage (see
// store.Recycler).
func cloneRecordInto(dst, src *record) {
	tags := dst.Tags
	*dst = *src
	if src.Tags != nil {
		dst.Tags = append(tags[:0], src.Tags...)
	}
}

// Two kinds with the same Go type: IDs and lists must not leak between them.
// records recycles copies (store.Recycler), others does not.
var (
	records = store.NewCollection("storetest.record", indexRecord, store.WithClone(cloneRecord), store.WithCloneInto(cloneRecordInto))
	others  = store.NewCollection("storetest.other", indexRecord, store.WithClone(cloneRecord))
)

// base is the time the fixtures start at; it has nanoseconds so that a
// backend rounding to microseconds fails.
var base = time.Date(2026, 3, 4, 5, 6, 7, 123456789, time.UTC)

// elsewhere is a zone other than UTC, for checking that backends return UTC.
var elsewhere = time.FixedZone("UTC+5", 5*60*60)

// equalRecord compares records, times by instant.
func equalRecord(a, b record) bool {
	return a.ID == b.ID && a.Status == b.Status && a.Owner == b.Owner &&
		a.Group == b.Group && a.Service == b.Service && a.Priority == b.Priority &&
		a.Created.Equal(b.Created) && a.Due.Equal(b.Due) && a.Counter == b.Counter &&
		slices.Equal(a.Tags, b.Tags)
}

// equalKeys compares keys exactly: the same instants, in UTC.
func equalKeys(got, want store.Keys) bool {
	want = want.UTC()
	utc := got.Created.Location() == time.UTC && (got.Due.IsZero() || got.Due.Location() == time.UTC)
	return utc && got.Status == want.Status && got.Owner == want.Owner &&
		got.Group == want.Group && got.Service == want.Service &&
		got.Priority == want.Priority && got.Created.Equal(want.Created) &&
		got.Due.Equal(want.Due) && got.Due.IsZero() == want.Due.IsZero()
}

func keysOf(r record) store.Keys {
	_, k := indexRecord(&r)
	return k
}

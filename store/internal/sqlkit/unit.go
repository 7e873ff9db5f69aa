package sqlkit

import (
	"context"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/store"
)

// InsertData runs the checks that open [store.Tx.Insert] and returns the
// encoded value of d to store: writable is the transaction's answer to
// whether it may write (nil, or [store.ErrReadOnly] in a View), returned
// first; an empty ID gives an iso20000.ValidationError; then the codec's
// Marshal error, if any.
func InsertData(writable error, c store.Codec, d store.Doc) (string, error) {
	if writable != nil {
		return "", writable
	}
	if d.ID == "" {
		return "", &iso20000.ValidationError{Field: "id", Reason: "must not be empty"}
	}
	data, err := c.Marshal(d.Value)
	if err != nil {
		return "", err
	}
	return string(data), nil
}

// AppendUnit appends entries to the trail of s in a unit of work of their
// own, with [store.Tx.Append] inside [store.Store.Update], so that they are
// stored all or none; it returns the sealed entries, or nil and the error.
// It is [audit.Trail.Append] of a store whose trail is part of it.
func AppendUnit(ctx context.Context, s store.Store, entries []audit.Entry) ([]audit.Entry, error) {
	var out []audit.Entry
	err := s.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		var err error
		out, err = tx.Append(ctx, entries...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

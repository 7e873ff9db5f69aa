package sqlkit

import (
	"context"
	"fmt"

	"github.com/servicekit/iso20000/store"
)

// MapError maps the error err of a database call made under ctx, by the
// backend named prefix ("sqlite", "postgres"): nil stays nil; when ctx is
// done it is the context's error (drivers report an interrupted statement or
// a closed connection otherwise); when the store is closed it is
// [store.ErrClosed]; otherwise classify (when not nil) may replace err with
// a typed error that wraps it, and the result is wrapped with the prefix.
func MapError(ctx context.Context, closed bool, prefix string, err error, classify func(error) error) error {
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case closed:
		return store.ErrClosed
	}
	if classify != nil {
		err = classify(err)
	}
	return fmt.Errorf("%s: %w", prefix, err)
}

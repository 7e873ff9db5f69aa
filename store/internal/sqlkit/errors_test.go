package sqlkit_test

import (
	"context"
	"errors"
	"testing"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/internal/sqlkit"
)

func TestMapError(t *testing.T) {
	errDB := errors.New("disk on fire")
	done, cancel := context.WithCancel(context.Background())
	cancel()
	conflict := func(err error) error { return errors.Join(&iso20000.ConflictError{}, err) }
	tests := []struct {
		name     string
		ctx      context.Context
		closed   bool
		err      error
		classify func(error) error
		want     []error // errors.Is targets
		msg      string  // the message, when not empty
	}{
		{name: "nil", ctx: context.Background(), err: nil},
		{name: "nil when closed", ctx: context.Background(), closed: true, err: nil},
		{name: "context done", ctx: done, closed: true, err: errDB, want: []error{context.Canceled}, msg: "context canceled"},
		{name: "closed", ctx: context.Background(), closed: true, err: errDB, want: []error{store.ErrClosed}},
		{name: "wrapped", ctx: context.Background(), err: errDB, want: []error{errDB}, msg: "sqlite: disk on fire"},
		{name: "classified", ctx: context.Background(), err: errDB, classify: conflict,
			want: []error{errDB, iso20000.ErrConflict}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := sqlkit.MapError(tc.ctx, tc.closed, "sqlite", tc.err, tc.classify)
			if tc.want == nil {
				if got != nil {
					t.Fatalf("got %v, want nil", got)
				}
				return
			}
			for _, w := range tc.want {
				if !errors.Is(got, w) {
					t.Errorf("got %v, want one that is %v", got, w)
				}
			}
			if tc.msg != "" && got.Error() != tc.msg {
				t.Errorf("message %q, want %q", got.Error(), tc.msg)
			}
		})
	}
}

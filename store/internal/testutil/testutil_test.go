package testutil_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/internal/testutil"
	"github.com/servicekit/iso20000/store/memory"
)

func TestTampered(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	e := audit.Entry{Time: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), Actor: "alice", Action: "create", Kind: "ticket", EntityID: "T-1"}
	testutil.Update(t, st, func(ctx context.Context, tx store.Tx) error {
		_, err := tx.Append(ctx, e, e)
		return err
	})
	got, err := testutil.Tampered(ctx, st.Trail(), func(es []audit.Entry) []audit.Entry { return slices.Clip(es)[1:] })
	if err != nil || len(got) != 1 || got[0].Seq != 2 {
		t.Fatalf("Tampered = %+v, %v; want entry 2 alone", got, err)
	}
	st.Close()
	if _, err := testutil.Tampered(ctx, st.Trail(), nil); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("Tampered on a closed store: %v, want ErrClosed", err)
	}
}

func TestIndexedQueries(t *testing.T) {
	for _, iq := range testutil.IndexedQueries(time.Now()) {
		if _, _, err := iq.Query.Normalize(); err != nil {
			t.Errorf("%s: %v", iq.Name, err)
		}
	}
}

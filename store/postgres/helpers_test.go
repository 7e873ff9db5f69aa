package postgres_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/servicekit/iso20000/store"
)

// testTime is the time of the tests' records and audit entries.
var testTime = time.Date(2026, 5, 6, 7, 8, 9, 123456789, time.UTC)

// update runs fn in a unit of work that must commit.
func update(t testing.TB, st store.Store, fn func(ctx context.Context, tx store.Tx) error) {
	t.Helper()
	if err := st.Update(context.Background(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

// view runs fn in a read-only unit of work that must succeed.
func view(t testing.TB, st store.Store, fn func(ctx context.Context, tx store.Tx) error) {
	t.Helper()
	if err := st.View(context.Background(), fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// jsonOf returns v encoded as JSON.
func jsonOf(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

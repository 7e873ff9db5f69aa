package postgres_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/servicekit/iso20000/store/internal/testutil"
)

// testTime is the time of the tests' records and audit entries.
var testTime = time.Date(2026, 5, 6, 7, 8, 9, 123456789, time.UTC)

// update and view run a unit of work that must commit, or succeed.
var update, view = testutil.Update, testutil.View

// jsonOf returns v encoded as JSON.
func jsonOf(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

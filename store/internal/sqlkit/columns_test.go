package sqlkit_test

import (
	"testing"
	"time"

	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/internal/sqlkit"
)

func TestFromNanos(t *testing.T) {
	tests := []struct {
		name string
		t    time.Time
	}{
		{"zero time", time.Time{}},
		{"Unix epoch", time.Unix(0, 0).UTC()},
		{"with nanoseconds", time.Date(2026, 3, 1, 9, 0, 0, 123456789, time.UTC)},
		{"before 1970", time.Date(1901, 12, 14, 0, 0, 0, 1, time.UTC)},
	}
	for _, tc := range tests {
		if got := sqlkit.FromNanos(tc.t.UnixNano()); !got.Equal(tc.t) || got.Location() != time.UTC {
			t.Errorf("%s: FromNanos(%d) = %v, want %v in UTC", tc.name, tc.t.UnixNano(), got, tc.t)
		}
	}
	if got := sqlkit.FromNanos(sqlkit.ZeroNanos); !got.IsZero() {
		t.Errorf("FromNanos(ZeroNanos) = %v, want the zero time", got)
	}
}

func TestDueArg(t *testing.T) {
	due := time.Date(2026, 3, 1, 9, 0, 0, 5, time.UTC)
	if got := sqlkit.DueArg(time.Time{}); got != nil {
		t.Errorf("DueArg(zero) = %#v, want nil", got)
	}
	if got := sqlkit.DueArg(due); got != any(due.UnixNano()) {
		t.Errorf("DueArg(%v) = %#v, want int64 %d", due, got, due.UnixNano())
	}
}

func TestKeyArgs(t *testing.T) {
	created := time.Date(2026, 3, 1, 9, 0, 0, 7, time.UTC)
	k := store.Keys{Status: "open", Owner: "alice", Group: "desk", Service: "mail", Priority: 2, Created: created}
	want := [len(sqlkit.KeyColumns)]any{"open", "alice", "desk", "mail", int64(2), created.UnixNano(), nil}
	if got := sqlkit.KeyArgs(k); got != want {
		t.Errorf("KeyArgs without due = %#v, want %#v", got, want)
	}
	k.Due = created.Add(time.Hour)
	want[6] = k.Due.UnixNano()
	if got := sqlkit.KeyArgs(k); got != want {
		t.Errorf("KeyArgs with due = %#v, want %#v", got, want)
	}
}

func TestAuditColumnList(t *testing.T) {
	if len(sqlkit.AuditColumnList) != 13 || sqlkit.AuditColumnList[0] != "seq" || sqlkit.AuditColumnList[12] != "hash" {
		t.Errorf("AuditColumnList = %q", sqlkit.AuditColumnList)
	}
}

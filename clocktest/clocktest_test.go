package clocktest_test

import (
	"testing"
	"time"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/clocktest"
)

func TestClock(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	var c iso20000.Clock = clocktest.New(time.Date(2026, 1, 5, 9, 0, 0, 0, berlin))
	fake := c.(*clocktest.Clock)
	if got := c.Now(); !got.Equal(time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)) || got.Location() != time.UTC {
		t.Fatalf("Now() = %v, want 08:00 UTC", got)
	}
	if got := fake.Advance(90 * time.Minute); !got.Equal(time.Date(2026, 1, 5, 9, 30, 0, 0, time.UTC)) {
		t.Fatalf("Advance = %v", got)
	}
	fake.Set(time.Date(2027, 1, 1, 0, 0, 0, 0, berlin))
	if got := c.Now(); got.Year() != 2026 || got.Hour() != 23 {
		t.Fatalf("after Set: %v", got)
	}
}

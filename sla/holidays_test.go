package sla

import (
	"testing"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/gb"
	"github.com/rickar/cal/v2/us"
)

func TestPublicHolidays(t *testing.T) {
	got := PublicHolidays(2026, 2027, gb.Holidays...)
	want := map[Date]string{
		day(2026, 12, 25): "Christmas Day",
		day(2026, 12, 28): "Boxing Day",     // 26th is a Saturday: observed Monday
		day(2027, 12, 27): "Christmas Day",  // Saturday: observed Monday
		day(2027, 12, 28): "Boxing Day",     // Sunday: observed Tuesday
		day(2026, 4, 3):   "Good Friday",    // Easter 2026 is 5 April
		day(2027, 3, 29):  "Easter Monday",  // Easter 2027 is 28 March
		day(2026, 5, 4):   "Early May",      // first Monday of May
		day(2026, 1, 1):   "New Year's Day", // Thursday
	}
	byDate := map[Date]string{}
	for i, h := range got {
		if h.Date.IsZero() || !h.Yearly.IsZero() || !h.From.IsZero() {
			t.Fatalf("holiday %d is not a single date: %+v", i, h)
		}
		if i > 0 && h.Date.number() <= got[i-1].Date.number() {
			t.Fatalf("not sorted or duplicated at %d: %v after %v", i, h.Date, got[i-1].Date)
		}
		byDate[h.Date] = h.Name
	}
	for d, name := range want {
		if byDate[d] != name {
			t.Errorf("%s: got %q, want %q", d, byDate[d], name)
		}
	}
	if n := len(got); n != 16 {
		t.Errorf("got %d holidays in two years, want 16 (8 a year)", n)
	}
	// Holidays observed on the same date collapse; nil rules are skipped.
	dup := PublicHolidays(2026, 2026, us.NewYear, us.NewYear, nil)
	if len(dup) != 1 || dup[0].Date != day(2026, 1, 1) {
		t.Errorf("duplicates = %+v", dup)
	}
	// A rule not observed in a year gives nothing.
	once := &cal.Holiday{Name: "once", Month: time.May, Day: 8, Func: cal.CalcDayOfMonth, StartYear: 2030, EndYear: 2030}
	if got := PublicHolidays(2026, 2029, once); len(got) != 0 {
		t.Errorf("unobserved holiday gave %+v", got)
	}
}

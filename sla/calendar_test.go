package sla

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/servicekit/iso20000"
)

func hrs(start, end string) Hours {
	s, ok1 := parseClock(start)
	e, ok2 := parseClock(end)
	if !ok1 || !ok2 {
		panic("bad test hours " + start + "-" + end)
	}
	return Hours{Start: s, End: e}
}

func day(y int, m time.Month, d int) Date { return Date{y, m, d} }

// berlinOffice is Mon–Fri 08:00–12:00 and 13:00–17:00 in Europe/Berlin.
func berlinOffice() CalendarSpec {
	return CalendarSpec{TimeZone: "Europe/Berlin", Week: Weekdays(hrs("08:00", "12:00"), hrs("13:00", "17:00"))}
}

func TestCalendarSemantics(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	ny, _ := time.LoadLocation("America/New_York")
	lordHowe, _ := time.LoadLocation("Australia/Lord_Howe")
	at := func(loc *time.Location, y int, m time.Month, d, h, min int) time.Time {
		return time.Date(y, m, d, h, min, 0, 0, loc)
	}
	office := berlinOffice()
	withHolidays := berlinOffice()
	withHolidays.Holidays = []Holiday{
		SingleHoliday("one-off", day(2026, 6, 3)),
		YearlyHoliday("Christmas", time.December, 25),
		HolidayRange("closure", day(2026, 12, 28), day(2026, 12, 31)),
	}
	withHolidays.Overrides = []Override{
		{Date: day(2026, 12, 24), Hours: []Hours{hrs("09:00", "13:00")}},                      // half day
		{Date: day(2026, 12, 19), Hours: []Hours{hrs("10:00", "14:00")}},                      // extra Saturday
		{Date: day(2026, 12, 25), Hours: []Hours{hrs("10:00", "11:00")}},                      // override wins over holiday
		{Date: day(2027, 1, 4), Hours: []Hours{}},                                             // closed Monday
		{Date: day(2027, 1, 5), Hours: []Hours{hrs("07:00", "08:00"), hrs("08:00", "09:00")}}, // touching
	}
	night := CalendarSpec{TimeZone: "Europe/Berlin",
		Week:     Weekdays(hrs("22:00", "06:00")),
		Holidays: []Holiday{SingleHoliday("Saturday holiday", day(2026, 6, 6)), SingleHoliday("Wednesday", day(2026, 6, 10))}}
	nyNight := CalendarSpec{TimeZone: "America/New_York", Week: EveryDay(hrs("00:00", "04:00"), hrs("22:00", "24:00"))}

	tests := []struct {
		name  string
		spec  CalendarSpec
		start time.Time
		d     time.Duration
		want  time.Time
	}{
		{"zero duration is start", office, at(berlin, 2026, 6, 6, 3, 0), 0, at(berlin, 2026, 6, 6, 3, 0)},
		{"negative duration is start", office, at(berlin, 2026, 6, 1, 9, 0), -time.Hour, at(berlin, 2026, 6, 1, 9, 0)},
		{"within a morning", office, at(berlin, 2026, 6, 1, 9, 0), 2 * time.Hour, at(berlin, 2026, 6, 1, 11, 0)},
		{"over lunch", office, at(berlin, 2026, 6, 1, 11, 0), 2 * time.Hour, at(berlin, 2026, 6, 1, 14, 0)},
		{"due exactly at closing time", office, at(berlin, 2026, 6, 1, 16, 0), time.Hour, at(berlin, 2026, 6, 1, 17, 0)},
		{"due exactly at lunch", office, at(berlin, 2026, 6, 1, 8, 0), 4 * time.Hour, at(berlin, 2026, 6, 1, 12, 0)},
		{"closed start waits for opening", office, at(berlin, 2026, 6, 1, 6, 0), time.Minute, at(berlin, 2026, 6, 1, 8, 1)},
		{"over the weekend", office, at(berlin, 2026, 6, 5, 16, 0), 2 * time.Hour, at(berlin, 2026, 6, 8, 9, 0)},
		{"a week of 40 hours", office, at(berlin, 2026, 6, 1, 8, 0), 40 * time.Hour, at(berlin, 2026, 6, 5, 17, 0)},
		{"DST spring forward does not touch day hours", office, at(berlin, 2026, 3, 27, 16, 0), 2 * time.Hour, at(berlin, 2026, 3, 30, 9, 0)},
		{"single holiday skipped", withHolidays, at(berlin, 2026, 6, 2, 16, 0), 2 * time.Hour, at(berlin, 2026, 6, 4, 9, 0)},
		{"half day override", withHolidays, at(berlin, 2026, 12, 24, 12, 0), 2 * time.Hour, at(berlin, 2026, 12, 25, 11, 0)},
		{"override wins over holiday, then a range", withHolidays, at(berlin, 2026, 12, 25, 10, 30), time.Hour, at(berlin, 2027, 1, 1, 8, 30)},
		{"closed Monday override", withHolidays, at(berlin, 2027, 1, 1, 16, 30), time.Hour, at(berlin, 2027, 1, 5, 7, 30)},
		{"extra working Saturday", withHolidays, at(berlin, 2026, 12, 18, 16, 30), time.Hour, at(berlin, 2026, 12, 19, 10, 30)},
		{"touching intervals", withHolidays, at(berlin, 2027, 1, 5, 7, 30), time.Hour, at(berlin, 2027, 1, 5, 8, 30)},
		{"night shift crosses midnight", night, at(berlin, 2026, 6, 1, 23, 0), 2 * time.Hour, at(berlin, 2026, 6, 2, 1, 0)},
		{"Friday shift runs into a Saturday holiday", night, at(berlin, 2026, 6, 5, 22, 0), 8 * time.Hour, at(berlin, 2026, 6, 6, 6, 0)},
		{"holiday removes the shift starting on it, not the one ending on it", night, at(berlin, 2026, 6, 10, 3, 0), 4 * time.Hour, at(berlin, 2026, 6, 11, 23, 0)},
		{"spring forward: night shift an hour shorter", CalendarSpec{TimeZone: "Europe/Berlin", Week: EveryDay(hrs("22:00", "06:00"))},
			at(berlin, 2026, 3, 28, 22, 0), 7 * time.Hour, at(berlin, 2026, 3, 29, 6, 0)},
		{"spring forward: the lost hour moves the target", CalendarSpec{TimeZone: "Europe/Berlin", Week: EveryDay(hrs("22:00", "06:00"))},
			at(berlin, 2026, 3, 28, 22, 0), 8 * time.Hour, at(berlin, 2026, 3, 29, 23, 0)},
		{"fall back: 25-hour night", CalendarSpec{TimeZone: "Europe/Berlin", Week: Week{Sat: []Hours{hrs("22:00", "06:00")}}},
			at(berlin, 2026, 10, 24, 22, 0), 9 * time.Hour, at(berlin, 2026, 10, 25, 6, 0)},
		{"fall back: 24h-interval counts 25 hours", CalendarSpec{TimeZone: "Europe/Berlin", Week: Week{Sun: []Hours{hrs("00:00", "24:00")}}},
			at(berlin, 2026, 10, 25, 0, 0), 25 * time.Hour, at(berlin, 2026, 10, 26, 0, 0)},
		{"spring forward: 24h-interval counts 23 hours", CalendarSpec{TimeZone: "Europe/Berlin", Week: Week{Sun: []Hours{hrs("00:00", "24:00")}}},
			at(berlin, 2026, 3, 29, 0, 0), 23 * time.Hour, at(berlin, 2026, 3, 30, 0, 0)},
		{"Lord Howe: clocks back half an hour, a 24.5-hour Sunday", CalendarSpec{TimeZone: "Australia/Lord_Howe", Week: Week{Sun: []Hours{hrs("00:00", "24:00")}}},
			at(lordHowe, 2026, 4, 5, 0, 0), 24*time.Hour + 30*time.Minute, at(lordHowe, 2026, 4, 6, 0, 0)},
		{"Lord Howe: clocks forward half an hour, a 23.5-hour Sunday", CalendarSpec{TimeZone: "Australia/Lord_Howe", Week: Week{Sun: []Hours{hrs("00:00", "24:00")}}},
			at(lordHowe, 2026, 10, 4, 0, 0), 23*time.Hour + 30*time.Minute, at(lordHowe, 2026, 10, 5, 0, 0)},
		{"New York midnight hours across DST", nyNight, at(ny, 2026, 3, 7, 23, 0), 4 * time.Hour, at(ny, 2026, 3, 8, 4, 0)},
		{"New York next night", nyNight, at(ny, 2026, 3, 7, 23, 0), 6 * time.Hour, at(ny, 2026, 3, 9, 0, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustCalendar(t, tt.spec)
			got := c.Add(tt.start, tt.d)
			if !got.Equal(tt.want) {
				t.Fatalf("Add(%s, %s) = %s, want %s", tt.start, tt.d, got, tt.want)
			}
			if tt.d > 0 {
				if e := c.Elapsed(tt.start, got); e != tt.d {
					t.Fatalf("Elapsed(start, Add) = %s, want %s", e, tt.d)
				}
			}
			if got.Location() != tt.start.Location() {
				t.Fatalf("result in %s, want start's location %s", got.Location(), tt.start.Location())
			}
		})
	}
}

// TestCalendarDSTGap pins how wall times in the spring-forward gap resolve
// (as time.Date resolves them) and that overlapping resolved intervals count
// once. Europe/Berlin skips 02:00–03:00 on 2026-03-29 (01:00Z).
func TestCalendarDSTGap(t *testing.T) {
	sunday := func(hs ...Hours) CalendarSpec {
		return CalendarSpec{TimeZone: "Europe/Berlin", Week: Week{Sun: hs}}
	}
	tests := []struct {
		name string
		spec CalendarSpec
		want time.Duration
	}{
		{"interval across the gap", sunday(hrs("01:00", "04:00")), 2 * time.Hour},
		{"interval inside the gap resolves with the old offset", sunday(hrs("02:15", "02:45")), 30 * time.Minute},
		{"interval ending after the gap resolves empty", sunday(hrs("02:30", "03:00")), 0},
		// [00:00Z, 01:30Z) and [01:00Z, 02:00Z) overlap: the union is 2h.
		{"overlapping resolved intervals count once", sunday(hrs("01:00", "02:30"), hrs("03:00", "04:00")), 2 * time.Hour},
	}
	from := time.Date(2026, 3, 29, 0, 0, 0, 0, time.UTC).Add(-2 * time.Hour)
	to := from.Add(24 * time.Hour)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustCalendar(t, tt.spec)
			if got := c.Elapsed(from, to); got != tt.want {
				t.Fatalf("Elapsed over the day = %s, want %s", got, tt.want)
			}
			o := newOracle(t, tt.spec)
			if got := o.elapsed(from, to); got != tt.want {
				t.Fatalf("oracle = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestCalendarElapsedIsOpenNextOpen(t *testing.T) {
	c := mustCalendar(t, berlinOffice())
	berlin := c.Location()
	at := func(d, h, m int) time.Time { return time.Date(2026, 6, d, h, m, 0, 0, berlin) }
	if got := c.Elapsed(at(1, 7, 0), at(8, 7, 0)); got != 40*time.Hour {
		t.Errorf("Elapsed over a week = %s, want 40h", got)
	}
	if got := c.Elapsed(at(1, 11, 0), at(1, 14, 0)); got != 2*time.Hour {
		t.Errorf("Elapsed over lunch = %s, want 2h", got)
	}
	if got := c.Elapsed(at(1, 14, 0), at(1, 11, 0)); got != 0 {
		t.Errorf("Elapsed backwards = %s, want 0", got)
	}
	if got := c.Elapsed(at(1, 9, 0).UTC(), at(1, 10, 0).In(time.FixedZone("x", 3*3600))); got != time.Hour {
		t.Errorf("Elapsed across locations = %s, want 1h", got)
	}
	open := []struct {
		t    time.Time
		open bool
		next time.Time
	}{
		{at(1, 8, 0), true, at(1, 8, 0)},
		{at(1, 11, 59), true, at(1, 11, 59)},
		{at(1, 12, 0), false, at(1, 13, 0)},
		{at(1, 12, 0).Add(-time.Nanosecond), true, at(1, 12, 0).Add(-time.Nanosecond)},
		{at(1, 17, 0), false, at(2, 8, 0)},
		{at(6, 10, 0), false, at(8, 8, 0)},
	}
	for _, o := range open {
		if got := c.IsOpen(o.t); got != o.open {
			t.Errorf("IsOpen(%s) = %v, want %v", o.t, got, o.open)
		}
		if got := c.NextOpen(o.t); !got.Equal(o.next) {
			t.Errorf("NextOpen(%s) = %s, want %s", o.t, got, o.next)
		}
	}
}

func TestCalendarRange(t *testing.T) {
	c := mustCalendar(t, berlinOffice())
	loc := c.Location()
	before := time.Date(MinYear-1, 6, 1, 9, 0, 0, 0, loc)
	if c.IsOpen(before) {
		t.Error("open before MinYear")
	}
	if got, want := c.Add(before, time.Hour), time.Date(MinYear, 1, 1, 9, 0, 0, 0, loc); !got.Equal(want) {
		t.Errorf("Add from before the range = %s, want %s", got, want)
	}
	after := time.Date(MaxYear+1, 6, 1, 9, 0, 0, 0, loc)
	if c.IsOpen(after) || !c.NextOpen(after).IsZero() {
		t.Error("open after MaxYear")
	}
	if got := c.Add(after, time.Hour); !got.Equal(after) {
		t.Errorf("Add after the range = %s, want start", got)
	}
	lastEnd := time.Date(MaxYear, 12, 31, 17, 0, 0, 0, loc) // a Tuesday
	start := time.Date(MaxYear, 12, 31, 16, 0, 0, 0, loc)
	if got := c.Add(start, 2*time.Hour); !got.Equal(lastEnd) {
		t.Errorf("Add past the range = %s, want the last closing %s", got, lastEnd)
	}
	far := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	if got := c.Elapsed(far, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)); got <= 0 {
		t.Errorf("Elapsed over all time = %s", got)
	}
	if got := c.Add(far, time.Duration(1<<62)); got.Before(far) {
		t.Errorf("huge Add went backwards: %s", got)
	}
}

// TestCalendarRangeEndProperty: near the end of the range, Add either meets
// its target exactly or returns the end of the last working interval, after
// which nothing more elapses.
func TestCalendarRangeEndProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	p := randPicker(r)
	forever := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	for range 50 {
		spec := genSpec(p, MaxYear)
		c := mustCalendar(t, spec)
		start := time.Date(MaxYear, 12, 1+p(31), p(24), p(60), 0, 0, c.Location())
		d := time.Duration(p(60*24*60)) * time.Minute
		due := c.Add(start, d)
		got := c.Elapsed(start, due)
		switch {
		case got == d:
		case got < d && c.Elapsed(due, forever) == 0 && (due.Equal(start) || c.IsOpen(due.Add(-1))):
		default:
			t.Fatalf("Add(%s, %s) = %s with %s elapsed; spec %+v", start, d, due, got, spec)
		}
	}
}

func TestAlwaysOpen(t *testing.T) {
	c := AlwaysOpen(nil)
	s := time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC)
	if got := c.Add(s, 36*time.Hour); !got.Equal(s.Add(36 * time.Hour)) {
		t.Errorf("Add = %s", got)
	}
	if got := c.Elapsed(s, s.Add(90*time.Minute)); got != 90*time.Minute {
		t.Errorf("Elapsed = %s", got)
	}
	if !c.IsOpen(s) || !c.NextOpen(s).Equal(s) || !c.IsAlwaysOpen() {
		t.Error("24×7 calendar not open")
	}
	far := time.Date(2500, 1, 1, 0, 0, 0, 0, time.UTC)
	if got := c.Add(far, time.Hour); !got.Equal(far.Add(time.Hour)) {
		t.Errorf("24×7 has no range limit: %s", got)
	}
	fromJSON, err := ParseCalendar([]byte(`{"timezone":"Europe/London","always_open":true}`))
	if err != nil || !fromJSON.IsAlwaysOpen() || fromJSON.Location().String() != "Europe/London" {
		t.Fatalf("ParseCalendar always_open: %v", err)
	}
	var zero Calendar
	if zero.IsOpen(s) || zero.Elapsed(s, far) != 0 || !zero.Add(s, time.Hour).Equal(s) || !zero.NextOpen(s).IsZero() {
		t.Error("zero Calendar is not closed")
	}
}

func TestCalendarValidation(t *testing.T) {
	base := func(mod func(*CalendarSpec)) CalendarSpec {
		s := CalendarSpec{TimeZone: "Europe/London", Week: Weekdays(hrs("09:00", "17:00"))}
		mod(&s)
		return s
	}
	tests := []struct {
		name  string
		spec  CalendarSpec
		field string
		text  string
	}{
		{"missing zone", base(func(s *CalendarSpec) { s.TimeZone = "" }), "timezone", "required"},
		{"unknown zone", base(func(s *CalendarSpec) { s.TimeZone = "Mars/Olympus" }), "timezone", "unknown time zone"},
		{"Local zone", base(func(s *CalendarSpec) { s.TimeZone = "Local" }), "timezone", "machine"},
		{"no hours", base(func(s *CalendarSpec) { s.Week = Week{} }), "week", "no working hours"},
		{"start equals end", base(func(s *CalendarSpec) { s.Week.Tue = []Hours{hrs("09:00", "09:00")} }), "week.tue[0]", "end equals start"},
		{"start 24:00", base(func(s *CalendarSpec) { s.Week.Wed = []Hours{{24 * time.Hour, time.Hour}} }), "week.wed[0]", "start"},
		{"end beyond 24:00", base(func(s *CalendarSpec) { s.Week.Wed = []Hours{{time.Hour, 25 * time.Hour}} }), "week.wed[0]", "end"},
		{"negative start", base(func(s *CalendarSpec) { s.Week.Wed = []Hours{{-time.Hour, time.Hour}} }), "week.wed[0]", "start"},
		{"fractional seconds", base(func(s *CalendarSpec) { s.Week.Wed = []Hours{{time.Millisecond, time.Hour}} }), "week.wed[0]", "whole seconds"},
		{"overlap", base(func(s *CalendarSpec) { s.Week.Mon = []Hours{hrs("08:00", "12:00"), hrs("11:00", "13:00")} }), "week.mon[1]", "overlaps 08:00–12:00"},
		{"overlap listed out of order", base(func(s *CalendarSpec) { s.Week.Mon = []Hours{hrs("11:00", "13:00"), hrs("08:00", "12:00")} }), "week.mon[1]", "overlaps"},
		{"night overlaps next morning", base(func(s *CalendarSpec) { s.Week.Mon = []Hours{hrs("22:00", "10:00")} }), "week.tue[0]", "past midnight until 10:00"},
		{"Sunday night overlaps Monday", base(func(s *CalendarSpec) { s.Week.Sun = []Hours{hrs("20:00", "09:30")} }), "week.mon[0]", "sun"},
		{"night overlaps later part of the same day", base(func(s *CalendarSpec) { s.Week.Mon = []Hours{hrs("09:00", "17:00"), hrs("10:00", "08:00")} }), "week.mon[1]", "overlaps"},
		{"holiday without form", base(func(s *CalendarSpec) { s.Holidays = []Holiday{{Name: "x"}} }), "holidays[0]", "exactly one"},
		{"holiday with two forms", base(func(s *CalendarSpec) {
			s.Holidays = []Holiday{{Date: day(2026, 1, 1), Yearly: MonthDay{1, 1}}}
		}), "holidays[0]", "exactly one"},
		{"invalid date", base(func(s *CalendarSpec) { s.Holidays = []Holiday{SingleHoliday("x", day(2026, 2, 30))} }), "holidays[0].date", "valid"},
		{"invalid yearly", base(func(s *CalendarSpec) { s.Holidays = []Holiday{YearlyHoliday("x", 2, 30)} }), "holidays[0].yearly", "valid"},
		{"range without end", base(func(s *CalendarSpec) { s.Holidays = []Holiday{{From: day(2026, 1, 1)}} }), "holidays[0].to", "valid"},
		{"range ends before start", base(func(s *CalendarSpec) {
			s.Holidays = []Holiday{SingleHoliday("ok", day(2026, 1, 1)), HolidayRange("x", day(2026, 5, 2), day(2026, 5, 1))}
		}), "holidays[1].to", "before from"},
		{"override date", base(func(s *CalendarSpec) { s.Overrides = []Override{{Date: day(2026, 13, 1)}} }), "overrides[0].date", "valid"},
		{"duplicate override", base(func(s *CalendarSpec) {
			s.Overrides = []Override{{Date: day(2026, 1, 3)}, {Date: day(2026, 1, 3)}}
		}), "overrides[1].date", "another override"},
		{"override hours overlap", base(func(s *CalendarSpec) {
			s.Overrides = []Override{{Date: day(2026, 1, 3), Hours: []Hours{hrs("09:00", "12:00"), hrs("10:00", "11:00")}}}
		}), "overrides[0].hours[1]", "overlaps"},
		{"override night overlaps next day", base(func(s *CalendarSpec) {
			s.Overrides = []Override{{Date: day(2026, 1, 4), Hours: []Hours{hrs("20:00", "10:00")}}} // Sunday into Monday
		}), "overrides[0].hours", "2026-01-04"},
		{"weekly night overlaps override", base(func(s *CalendarSpec) {
			s.Week.Fri = []Hours{hrs("20:00", "02:00")}
			s.Overrides = []Override{{Date: day(2026, 1, 3), Hours: []Hours{hrs("01:00", "03:00")}}} // Saturday
		}), "overrides[0].hours[0]", "2026-01-02"},
		{"always open with hours", base(func(s *CalendarSpec) { s.AlwaysOpen = true }), "always_open", "24×7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewCalendar(tt.spec)
			var ve *iso20000.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, iso20000.ErrValidation) {
				t.Fatalf("err = %v, want a ValidationError", err)
			}
			if ve.Field != tt.field || !strings.Contains(ve.Reason, tt.text) {
				t.Fatalf("err = %q (field %q), want field %q containing %q", err, ve.Field, tt.field, tt.text)
			}
		})
	}
}

func TestCalendarValidAccepted(t *testing.T) {
	// A Friday night shift may run into a Saturday override when the Friday
	// is a holiday (the shift does not exist then).
	spec := CalendarSpec{TimeZone: "UTC", Week: Week{Fri: []Hours{hrs("20:00", "02:00")}},
		Holidays:  []Holiday{SingleHoliday("Friday off", day(2026, 1, 2))},
		Overrides: []Override{{Date: day(2026, 1, 3), Hours: []Hours{hrs("01:00", "03:00")}}}}
	c := mustCalendar(t, spec)
	if got := c.Elapsed(time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 4, 0, 0, 0, 0, time.UTC)); got != 2*time.Hour {
		t.Errorf("Elapsed = %s, want 2h (only the override)", got)
	}
	// A yearly 02-29 holiday applies in leap years only.
	leap := mustCalendar(t, CalendarSpec{TimeZone: "UTC", Week: EveryDay(hrs("00:00", "24:00")),
		Holidays: []Holiday{YearlyHoliday("leap", time.February, 29)}})
	for y, want := range map[int]time.Duration{2027: 72 * time.Hour, 2028: 48 * time.Hour} {
		from := time.Date(y, 2, 28, 0, 0, 0, 0, time.UTC)
		if got := leap.Elapsed(from, from.Add(72*time.Hour)); got != want {
			t.Errorf("%d: Elapsed = %s, want %s", y, got, want)
		}
	}
}

func TestCalendarSpecIsCopied(t *testing.T) {
	spec := berlinOffice()
	c := mustCalendar(t, spec)
	spec.Week.Mon[0] = hrs("00:00", "01:00")
	got := c.Spec()
	if got.Week.Mon[0] != hrs("08:00", "12:00") {
		t.Fatalf("calendar aliases the caller's spec: %v", got.Week.Mon)
	}
	got.Week.Tue[0] = hrs("00:00", "01:00")
	if c.Spec().Week.Tue[0] != hrs("08:00", "12:00") {
		t.Fatal("Spec returns an alias")
	}
}

const sampleJSON = `{
  "timezone": "Europe/London",
  "week": {
    "mon": [["09:00","12:30"],["13:30","17:00"]],
    "tue": [["09:00","17:00"]],
    "fri": [["09:00","17:00"]],
    "sat": [["22:00","06:00"]],
    "sun": [["10:00:30","24:00"]]
  },
  "holidays": [
    {"name": "Founders' day", "date": "2026-03-02"},
    {"name": "Christmas Day", "yearly": "12-25"},
    {"name": "Closed for the move", "from": "2026-07-27", "to": "2026-07-31"}
  ],
  "overrides": [
    {"date": "2026-12-24", "hours": [["09:00","13:00"]]},
    {"date": "2026-11-28", "hours": []}
  ]
}`

func TestCalendarJSON(t *testing.T) {
	c, err := ParseCalendar([]byte(sampleJSON))
	if err != nil {
		t.Fatal(err)
	}
	spec := c.Spec()
	want := CalendarSpec{TimeZone: "Europe/London",
		Week: Week{Mon: []Hours{hrs("09:00", "12:30"), hrs("13:30", "17:00")}, Tue: []Hours{hrs("09:00", "17:00")},
			Fri: []Hours{hrs("09:00", "17:00")}, Sat: []Hours{hrs("22:00", "06:00")}, Sun: []Hours{hrs("10:00:30", "24:00")}},
		Holidays: []Holiday{SingleHoliday("Founders' day", day(2026, 3, 2)), YearlyHoliday("Christmas Day", 12, 25),
			HolidayRange("Closed for the move", day(2026, 7, 27), day(2026, 7, 31))},
		Overrides: []Override{{Date: day(2026, 12, 24), Hours: []Hours{hrs("09:00", "13:00")}}, {Date: day(2026, 11, 28)}},
	}
	if !reflect.DeepEqual(spec, want) {
		t.Fatalf("decoded\n%+v\nwant\n%+v", spec, want)
	}
	out, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`"sun":[["10:00:30","24:00"]]`, `{"name":"Christmas Day","yearly":"12-25"}`, `"sat":[["22:00","06:00"]]`} {
		if !strings.Contains(string(out), s) {
			t.Errorf("encoded %s lacks %s", out, s)
		}
	}
	var again Calendar
	if err := json.Unmarshal(out, &again); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again.Spec(), spec) {
		t.Fatalf("round trip changed the spec:\n%+v\n%+v", again.Spec(), spec)
	}
	// A config struct holding a calendar.
	var cfg struct {
		Calendar *Calendar `json:"calendar"`
	}
	if err := json.Unmarshal([]byte(`{"calendar":`+sampleJSON+`}`), &cfg); err != nil || cfg.Calendar == nil {
		t.Fatalf("config decode: %v", err)
	}
	c2, err := ReadCalendar(strings.NewReader(sampleJSON))
	if err != nil || !reflect.DeepEqual(c2.Spec(), spec) {
		t.Fatalf("ReadCalendar: %v", err)
	}
}

func TestCalendarJSONErrors(t *testing.T) {
	tests := []struct {
		name, doc, field, text string
	}{
		{"syntax", `{"timezone":`, "calendar", "unexpected"},
		{"trailing data", `{"timezone":"UTC","week":{"mon":[["09:00","17:00"]]}} {}`, "calendar", "after"},
		{"unknown field", `{"timezone":"UTC","weeks":{}}`, "calendar", "unknown field"},
		{"unknown day", `{"timezone":"UTC","week":{"monday":[]}}`, "calendar", "unknown field"},
		{"wrong type", `{"timezone":5}`, "timezone", "string"},
		{"bad time", `{"timezone":"UTC","week":{"mon":[["9am","17:00"]]}}`, "week.mon[0]", `"9am"`},
		{"bad end", `{"timezone":"UTC","week":{"mon":[["09:00","17:60"]]}}`, "week.mon[0]", "end"},
		{"not a pair", `{"timezone":"UTC","week":{"mon":[["09:00"]]}}`, "week.mon[0]", "pair"},
		{"24:30", `{"timezone":"UTC","week":{"tue":[["09:00","24:30"]]}}`, "week.tue[0]", "end"},
		{"overlap", `{"timezone":"UTC","week":{"mon":[["08:00","12:00"],["11:00","13:00"]]}}`, "week.mon[1]", "overlaps"},
		{"end equals start", `{"timezone":"UTC","week":{"mon":[["08:00","08:00"]]}}`, "week.mon[0]", "equals"},
		{"unknown zone", `{"timezone":"Europe/Springfield","week":{"mon":[["08:00","12:00"]]}}`, "timezone", "unknown"},
		{"empty week", `{"timezone":"UTC","week":{}}`, "week", "no working hours"},
		{"bad holiday date", `{"timezone":"UTC","week":{"mon":[["08:00","12:00"]]},"holidays":[{"date":"2026-02-30"}]}`, "holidays[0].date", "not a date"},
		{"bad yearly", `{"timezone":"UTC","week":{"mon":[["08:00","12:00"]]},"holidays":[{"yearly":"13-01"}]}`, "holidays[0].yearly", "MM-DD"},
		{"bad range", `{"timezone":"UTC","week":{"mon":[["08:00","12:00"]]},"holidays":[{"from":"2026-01-02","to":"2026-01-01"}]}`, "holidays[0].to", "before"},
		{"override without date", `{"timezone":"UTC","week":{"mon":[["08:00","12:00"]]},"overrides":[{"hours":[]}]}`, "overrides[0].date", "required"},
		{"override bad hours", `{"timezone":"UTC","week":{"mon":[["08:00","12:00"]]},"overrides":[{"date":"2026-01-01","hours":[["x","y"]]}]}`, "overrides[0].hours[0]", "start"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCalendar([]byte(tt.doc))
			var ve *iso20000.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want a ValidationError", err)
			}
			if ve.Field != tt.field || !strings.Contains(ve.Reason, tt.text) {
				t.Fatalf("err = %q (field %q), want field %q containing %q", err, ve.Field, tt.field, tt.text)
			}
		})
	}
}

func TestCalendarConcurrent(t *testing.T) {
	c := mustCalendar(t, berlinOffice())
	start := time.Date(2026, 3, 20, 10, 0, 0, 0, c.Location())
	want := c.Add(start, 100*time.Hour)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				if got := c.Add(start, 100*time.Hour); !got.Equal(want) {
					t.Errorf("concurrent Add = %s, want %s", got, want)
					return
				}
				_ = c.Elapsed(start, want)
				_ = c.IsOpen(want)
			}
		})
	}
	wg.Wait()
}

func TestCalendarAllocations(t *testing.T) {
	c := mustCalendar(t, berlinOffice())
	start := time.Date(2026, 3, 20, 10, 0, 0, 0, c.Location())
	end := start.Add(5000 * time.Hour)
	allocs := testing.AllocsPerRun(100, func() {
		_ = c.Add(start, 2000*time.Hour)
		_ = c.Elapsed(start, end)
		_ = c.IsOpen(end)
		_ = c.NextOpen(end)
	})
	if allocs != 0 {
		t.Fatalf("allocations per run = %v, want 0", allocs)
	}
}

func TestHoursAndDates(t *testing.T) {
	if s := hrs("22:00", "06:00").String(); s != "22:00–06:00" {
		t.Errorf("String = %q", s)
	}
	var h Hours
	if err := json.Unmarshal([]byte(`["08:15:30","24:00"]`), &h); err != nil || h != (Hours{8*time.Hour + 15*time.Minute + 30*time.Second, 24 * time.Hour}) {
		t.Errorf("Hours JSON = %v, %v", h, err)
	}
	if err := json.Unmarshal([]byte(`["08:15"]`), &h); err == nil {
		t.Error("Hours JSON accepted a single time")
	}
	var d Date
	if err := d.UnmarshalText([]byte("2028-02-29")); err != nil || d.AddDays(1) != day(2028, 3, 1) {
		t.Errorf("Date = %v, %v", d, err)
	}
	if err := d.UnmarshalText([]byte("2027-02-29")); err == nil {
		t.Error("Date accepted 2027-02-29")
	}
	var md MonthDay
	if err := md.UnmarshalText([]byte("02-29")); err != nil || md.String() != "02-29" {
		t.Errorf("MonthDay = %v, %v", md, err)
	}
	if err := md.UnmarshalText([]byte("2-29")); err == nil {
		t.Error("MonthDay accepted 2-29")
	}
	w := Weekdays(hrs("09:00", "17:00")).WithDay(time.Saturday, hrs("10:00", "12:00"))
	if len(w.Day(time.Saturday)) != 1 || len(w.Day(time.Sunday)) != 0 || len(w.Day(time.Monday)) != 1 {
		t.Errorf("Week = %+v", w)
	}
}

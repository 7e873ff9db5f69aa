package sla

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/servicekit/iso20000"
)

func TestImportICSFixture(t *testing.T) {
	f, err := os.Open("testdata/holidays.ics")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := ImportICS(f)
	if err != nil {
		t.Fatal(err)
	}
	want := []Holiday{
		SingleHoliday("New Year's Day", day(2027, 1, 1)),
		YearlyHoliday("Christmas closure", time.December, 24),
		YearlyHoliday("Christmas closure", time.December, 25),
		YearlyHoliday("Christmas closure", time.December, 26),
		HolidayRange("Summer shutdown, all sites", day(2026, 7, 27), day(2026, 8, 2)),
		SingleHoliday("Founders' day", day(2026, 3, 2)),
		SingleHoliday("Founders' day", day(2027, 3, 2)),
		SingleHoliday("Founders' day", day(2028, 3, 2)),
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ImportICS =\n%+v\nwant\n%+v", got, want)
	}
	// The imported holidays make a valid calendar.
	spec := CalendarSpec{TimeZone: "Europe/London", Week: Weekdays(hrs("09:00", "17:00")), Holidays: got}
	c := mustCalendar(t, spec)
	if c.IsOpen(time.Date(2030, 12, 24, 10, 0, 0, 0, c.Location())) {
		t.Error("open on a yearly imported holiday")
	}
}

func icsEvent(lines ...string) string {
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTAMP:20260101T000000Z\r\n" +
		strings.Join(lines, "\r\n") + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
}

func TestImportICSEvents(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  []Holiday
	}{
		{"date without VALUE", []string{"DTSTART:20260501", "SUMMARY:May Day"}, []Holiday{SingleHoliday("May Day", day(2026, 5, 1))}},
		{"two days", []string{"DTSTART;VALUE=DATE:20260501", "DTEND;VALUE=DATE:20260503"}, []Holiday{HolidayRange("", day(2026, 5, 1), day(2026, 5, 2))}},
		{"duration in days", []string{"DTSTART;VALUE=DATE:20260501", "DURATION:P2D"}, []Holiday{HolidayRange("", day(2026, 5, 1), day(2026, 5, 2))}},
		{"yearly until", []string{"DTSTART;VALUE=DATE:20260501", "RRULE:FREQ=YEARLY;UNTIL=20280501"},
			[]Holiday{SingleHoliday("", day(2026, 5, 1)), SingleHoliday("", day(2027, 5, 1)), SingleHoliday("", day(2028, 5, 1))}},
		{"yearly count on 02-29 skips common years", []string{"DTSTART;VALUE=DATE:20280229", "RRULE:FREQ=YEARLY;COUNT=2"},
			[]Holiday{SingleHoliday("", day(2028, 2, 29)), SingleHoliday("", day(2032, 2, 29))}},
		{"cancelled", []string{"DTSTART;VALUE=DATE:20260501", "STATUS:CANCELLED"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ImportICS(strings.NewReader(icsEvent(tt.lines...)))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestImportICSErrors(t *testing.T) {
	tests := []struct {
		name, doc, field string
	}{
		{"not ics", "hello", "ics"},
		{"timed event", icsEvent("DTSTART:20260501T090000Z", "SUMMARY:Meeting"), "ics.events[0] (Meeting).DTSTART"},
		{"timed end", icsEvent("DTSTART;VALUE=DATE:20260501", "DTEND:20260501T170000"), "ics.events[0].DTEND"},
		{"no start", icsEvent("SUMMARY:x"), "ics.events[0] (x).DTSTART"},
		{"end before start", icsEvent("DTSTART;VALUE=DATE:20260501", "DTEND;VALUE=DATE:20260501"), "ics.events[0].DTEND"},
		{"weekly rule", icsEvent("DTSTART;VALUE=DATE:20260501", "RRULE:FREQ=WEEKLY"), "ics.events[0].RRULE"},
		{"interval", icsEvent("DTSTART;VALUE=DATE:20260501", "RRULE:FREQ=YEARLY;INTERVAL=2"), "ics.events[0].RRULE"},
		{"byday", icsEvent("DTSTART;VALUE=DATE:20260501", "RRULE:FREQ=YEARLY;BYDAY=1MO"), "ics.events[0].RRULE"},
		{"other month", icsEvent("DTSTART;VALUE=DATE:20260501", "RRULE:FREQ=YEARLY;BYMONTH=6"), "ics.events[0].RRULE"},
		{"exdate", icsEvent("DTSTART;VALUE=DATE:20260501", "RRULE:FREQ=YEARLY", "EXDATE;VALUE=DATE:20270501"), "ics.events[0].EXDATE"},
		{"hours duration", icsEvent("DTSTART;VALUE=DATE:20260501", "DURATION:PT4H"), "ics.events[0].DURATION"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ImportICS(strings.NewReader(tt.doc))
			var ve *iso20000.ValidationError
			if !errors.As(err, &ve) || ve.Field != tt.field {
				t.Fatalf("err = %v, want a ValidationError on %q", err, tt.field)
			}
		})
	}
}

// FuzzImportICS checks that importing never panics, that errors are
// ValidationErrors and that imported holidays always validate.
func FuzzImportICS(f *testing.F) {
	fixture, err := os.ReadFile("testdata/holidays.ics")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(fixture)
	f.Add([]byte(icsEvent("DTSTART;VALUE=DATE:20280229", "RRULE:FREQ=YEARLY;COUNT=2")))
	f.Add([]byte(icsEvent("DTSTART;VALUE=DATE:20260501", "DURATION:P2W", "RRULE:FREQ=YEARLY;UNTIL=20300101T000000Z")))
	f.Fuzz(func(t *testing.T, data []byte) {
		hs, err := ImportICS(strings.NewReader(string(data)))
		if err != nil {
			var ve *iso20000.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v (%T) is not a ValidationError", err, err)
			}
			return
		}
		for i, h := range hs {
			if field, reason := h.validate(); reason != "" {
				t.Fatalf("holiday %d %+v invalid: %s %s", i, h, field, reason)
			}
		}
	})
}

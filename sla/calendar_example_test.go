package sla_test

import (
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/rickar/cal/v2/gb"
	"github.com/servicekit/iso20000/sla"
)

// A 9–5 service desk in London that closes on UK bank holidays, taken from
// github.com/rickar/cal. A ticket opened on the Thursday before Easter with
// an 8-hour resolution target is due on the Tuesday after Easter Monday.
func ExampleNewCalendar() {
	office, err := sla.NewCalendar(sla.CalendarSpec{
		TimeZone: "Europe/London",
		Week:     sla.Weekdays(sla.Hours{Start: 9 * time.Hour, End: 17 * time.Hour}),
		Holidays: sla.PublicHolidays(2026, 2030, gb.Holidays...),
	})
	if err != nil {
		log.Fatal(err)
	}
	london := office.Location()
	opened := time.Date(2026, 4, 2, 15, 0, 0, 0, london) // Thursday 15:00
	due := office.Add(opened, 8*time.Hour)
	fmt.Println("due:", due.Format("Mon 2 Jan 15:04 MST"))

	// Friday 3 April (Good Friday) to Monday 6 April (Easter Monday) are
	// closed: only Thursday afternoon and Tuesday count.
	resolved := time.Date(2026, 4, 7, 12, 0, 0, 0, london)
	fmt.Println("business time used:", office.Elapsed(opened, resolved))
	fmt.Println("open on Easter Monday:", office.IsOpen(time.Date(2026, 4, 6, 10, 0, 0, 0, london)))
	fmt.Println("next opening:", office.NextOpen(time.Date(2026, 4, 3, 10, 0, 0, 0, london)).Format("Mon 2 Jan 15:04"))
	// Output:
	// due: Tue 7 Apr 15:00 BST
	// business time used: 5h0m0s
	// open on Easter Monday: false
	// next opening: Tue 7 Apr 09:00
}

// A round-the-clock service: business time is real time.
func ExampleAlwaysOpen() {
	cal := sla.AlwaysOpen(time.UTC)
	opened := time.Date(2026, 12, 24, 22, 0, 0, 0, time.UTC)
	fmt.Println(cal.Add(opened, 4*time.Hour))
	fmt.Println(cal.Elapsed(opened, opened.Add(90*time.Minute)))
	// Output:
	// 2026-12-25 02:00:00 +0000 UTC
	// 1h30m0s
}

// A calendar read from a configuration file: an operations team working a
// night shift, with a yearly holiday and a half day.
func ExampleParseCalendar() {
	cal, err := sla.ParseCalendar([]byte(`{
	  "timezone": "America/New_York",
	  "week": {
	    "mon": [["22:00","06:00"]], "tue": [["22:00","06:00"]], "wed": [["22:00","06:00"]],
	    "thu": [["22:00","06:00"]], "fri": [["22:00","06:00"]]
	  },
	  "holidays": [{"name": "Independence Day", "yearly": "07-04"}],
	  "overrides": [{"date": "2026-12-31", "hours": [["22:00","02:00"]]}]
	}`))
	if err != nil {
		log.Fatal(err)
	}
	ny := cal.Location()
	// The Friday shift runs into Saturday; the next one starts on Monday night.
	opened := time.Date(2026, 3, 6, 23, 0, 0, 0, ny)
	fmt.Println(cal.Add(opened, 10*time.Hour).Format("Mon 2 Jan 15:04 MST"))

	_, err = sla.ParseCalendar([]byte(`{"timezone":"UTC","week":{"mon":[["08:00","12:00"],["11:00","13:00"]]}}`))
	fmt.Println(err)
	// Output:
	// Tue 10 Mar 01:00 EDT
	// invalid week.mon[1]: 11:00–13:00 overlaps 08:00–12:00
}

// Holidays imported from an iCalendar feed, as exported by a calendar
// application or published by a government.
func ExampleImportICS() {
	feed := strings.Join([]string{
		"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//example//EN",
		"BEGIN:VEVENT", "UID:1", "DTSTAMP:20260101T000000Z",
		"DTSTART;VALUE=DATE:20261225", "DTEND;VALUE=DATE:20261227", "RRULE:FREQ=YEARLY",
		"SUMMARY:Christmas", "END:VEVENT",
		"BEGIN:VEVENT", "UID:2", "DTSTAMP:20260101T000000Z",
		"DTSTART;VALUE=DATE:20260817", "SUMMARY:Company day", "END:VEVENT",
		"END:VCALENDAR", ""}, "\r\n")
	holidays, err := sla.ImportICS(strings.NewReader(feed))
	if err != nil {
		log.Fatal(err)
	}
	for _, h := range holidays {
		if !h.Yearly.IsZero() {
			fmt.Printf("%s: every year on %v\n", h.Name, h.Yearly)
		} else {
			fmt.Printf("%s: on %v\n", h.Name, h.Date)
		}
	}
	cal, err := sla.NewCalendar(sla.CalendarSpec{
		TimeZone: "Europe/Paris",
		Week:     sla.Weekdays(sla.Hours{Start: 9 * time.Hour, End: 18 * time.Hour}),
		Holidays: holidays,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("open on Boxing Day 2029:", cal.IsOpen(time.Date(2029, 12, 26, 10, 0, 0, 0, cal.Location())))
	// Output:
	// Christmas: every year on 12-25
	// Christmas: every year on 12-26
	// Company day: on 2026-08-17
	// open on Boxing Day 2029: false
}

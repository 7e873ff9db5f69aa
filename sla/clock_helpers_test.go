package sla_test

import (
	"time"

	"github.com/servicekit/iso20000/sla"
)

// A *Calendar is the Schedule of production code.
var _ sla.Schedule = (*sla.Calendar)(nil)

// The schedules of the timer, policy and report tests.
var (
	// schedAlways is 24×7: business time is wall-clock time.
	schedAlways = sla.AlwaysOpen(time.UTC)
	// schedOffice is Monday to Friday, 09:00 to 17:00 UTC.
	schedOffice = mustCalendar(sla.CalendarSpec{TimeZone: "UTC",
		Week: sla.Weekdays(sla.Hours{Start: 9 * time.Hour, End: 17 * time.Hour})})
)

func mustCalendar(spec sla.CalendarSpec) *sla.Calendar {
	c, err := sla.NewCalendar(spec)
	if err != nil {
		panic(err)
	}
	return c
}

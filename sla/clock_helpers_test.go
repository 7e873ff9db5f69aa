package sla_test

import "time"

// Test schedules, independent of the calendar implementation, so that the
// timer tests check the timer and not the calendar.

// roundTheClock is a 24×7 schedule: business time is wall-clock time.
type roundTheClock struct{}

func (roundTheClock) Add(start time.Time, d time.Duration) time.Time { return start.Add(d) }

func (roundTheClock) Elapsed(from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	return to.Sub(from)
}

// officeHours is Monday to Friday, 09:00 to 17:00 UTC.
type officeHours struct{}

// window returns the business hours of the day of t.
func (officeHours) window(t time.Time) (open, close time.Time, ok bool) {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return day, day, false
	}
	return day.Add(9 * time.Hour), day.Add(17 * time.Hour), true
}

func (o officeHours) Elapsed(from, to time.Time) time.Duration {
	var total time.Duration
	for day := from; day.Before(to); {
		open, close, ok := o.window(day)
		if ok {
			a, b := maxTime(open, from), minTime(close, to)
			if b.After(a) {
				total += b.Sub(a)
			}
		}
		day = open.Truncate(24 * time.Hour).Add(24 * time.Hour)
	}
	return total
}

func (o officeHours) Add(start time.Time, d time.Duration) time.Time {
	for t := start.UTC(); ; {
		open, close, ok := o.window(t)
		if ok && t.Before(close) {
			from := maxTime(open, t)
			if left := close.Sub(from); d <= left {
				return from.Add(d)
			} else {
				d -= left
			}
		}
		t = open.Truncate(24 * time.Hour).Add(24 * time.Hour)
	}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

package sla

import (
	"fmt"
	"testing"
	"time"

	"github.com/rickar/cal/v2/de"
)

// dayStepper is the day-by-day baseline: the usual way to compute business
// time, walking local dates one by one and resolving each date's intervals
// with time.Date. Holidays are looked up in a precomputed set. It is exact for
// calendars whose resolved intervals do not overlap (all but some DST-gap
// edge cases), which covers the benchmark calendar.
type dayStepper struct {
	loc  *time.Location
	week Week
	hol  map[Date]bool
	ovr  map[Date][]Hours
}

func newDayStepper(spec CalendarSpec) *dayStepper {
	loc, _ := time.LoadLocation(spec.TimeZone)
	s := &dayStepper{loc: loc, week: spec.Week, hol: map[Date]bool{}, ovr: map[Date][]Hours{}}
	for _, h := range spec.Holidays {
		switch {
		case !h.Date.IsZero():
			s.hol[h.Date] = true
		case !h.Yearly.IsZero():
			for y := MinYear; y <= MaxYear; y++ {
				s.hol[Date{y, h.Yearly.Month, h.Yearly.Day}] = true
			}
		default:
			for d := h.From; d.number() <= h.To.number(); d = d.AddDays(1) {
				s.hol[d] = true
			}
		}
	}
	for _, o := range spec.Overrides {
		s.ovr[o.Date] = o.Hours
	}
	return s
}

// each calls fn with the resolved intervals of the dates from the day before
// t's local date on, until fn returns false.
func (s *dayStepper) each(t time.Time, fn func(a, b time.Time) bool) {
	y, m, d := t.In(s.loc).Date()
	for k := -1; ; k++ {
		date := time.Date(y, m, d+k, 12, 0, 0, 0, time.UTC)
		key := DateOf(date)
		hs, ok := s.ovr[key]
		if !ok && !s.hol[key] {
			hs = s.week.Day(date.Weekday())
		}
		for _, h := range hs {
			start, end := h.wall()
			a := time.Date(y, m, d+k, 0, 0, 0, int(start), s.loc)
			b := time.Date(y, m, d+k, 0, 0, 0, int(end), s.loc)
			if !fn(a, b) {
				return
			}
		}
	}
}

func (s *dayStepper) add(start time.Time, d time.Duration) time.Time {
	out := start
	if d <= 0 {
		return out
	}
	s.each(start, func(a, b time.Time) bool {
		if !b.After(start) {
			return true
		}
		if a.Before(start) {
			a = start
		}
		if l := b.Sub(a); l < d {
			d -= l
			return true
		}
		out = a.Add(d)
		return false
	})
	return out
}

func (s *dayStepper) elapsed(from, to time.Time) time.Duration {
	var n time.Duration
	s.each(from, func(a, b time.Time) bool {
		if !a.Before(to) {
			return false
		}
		if a.Before(from) {
			a = from
		}
		if b.After(to) {
			b = to
		}
		if b.After(a) {
			n += b.Sub(a)
		}
		return true
	})
	return n
}

// benchSpec is the benchmark calendar: Europe/Berlin, Mon–Fri 08:00–12:00
// and 13:00–17:00, German public holidays 2020–2040.
func benchSpec() CalendarSpec {
	spec := berlinOffice()
	spec.Holidays = PublicHolidays(2020, 2040, de.Holidays...)
	return spec
}

// benchStarts are 16 starts spread over 2026, several of them just before a
// DST change, so that runs, holidays and DST dates are all exercised.
func benchStarts(loc *time.Location) []time.Time {
	var out []time.Time
	for i := range 16 {
		out = append(out, time.Date(2026, time.Month(1+i*3%12), 1+i*7%27, 8+i%10, i*7%60, 0, 0, loc))
	}
	out[0] = time.Date(2026, 3, 26, 10, 0, 0, 0, loc)
	out[1] = time.Date(2026, 10, 22, 10, 0, 0, 0, loc)
	return out
}

var (
	sinkTime time.Time
	sinkDur  time.Duration
)

func TestDayStepperAgrees(t *testing.T) {
	spec := benchSpec()
	c, s := mustCalendar(t, spec), newDayStepper(spec)
	for _, start := range benchStarts(c.Location()) {
		for _, d := range []time.Duration{time.Minute, 40 * time.Hour, 2000 * time.Hour} {
			due := c.Add(start, d)
			if got := s.add(start, d); !got.Equal(due) {
				t.Fatalf("baseline Add(%s, %s) = %s, calendar %s", start, d, got, due)
			}
			if got := s.elapsed(start, due); got != d {
				t.Fatalf("baseline Elapsed = %s, want %s", got, d)
			}
		}
	}
}

// BenchmarkCalendar compares, in one run, the minute-stepping oracle, the
// day-by-day baseline and the compiled Calendar, for targets of 40 and 2,000
// business hours.
func BenchmarkCalendar(b *testing.B) {
	spec := benchSpec()
	c := mustCalendar(b, spec)
	starts := benchStarts(c.Location())
	o := newOracle(b, spec)
	s := newDayStepper(spec)
	ends40 := make([]time.Time, len(starts))
	ends2000 := make([]time.Time, len(starts))
	for i, st := range starts {
		ends40[i], ends2000[i] = c.Add(st, 40*time.Hour), c.Add(st, 2000*time.Hour)
	}
	b.Run("oracle-minutes/Add-40h", func(b *testing.B) {
		i := 0
		for b.Loop() {
			sinkTime, _ = o.add(starts[i%len(starts)], 40*time.Hour, 365*24*time.Hour)
			i++
		}
	})
	for _, h := range []int{40, 2000} {
		d := time.Duration(h) * time.Hour
		ends := ends40
		if h == 2000 {
			ends = ends2000
		}
		b.Run(fmt.Sprintf("day-steps/Add-%dh", h), func(b *testing.B) {
			i := 0
			for b.Loop() {
				sinkTime = s.add(starts[i%len(starts)], d)
				i++
			}
		})
		b.Run(fmt.Sprintf("day-steps/Elapsed-%dh", h), func(b *testing.B) {
			i := 0
			for b.Loop() {
				k := i % len(starts)
				sinkDur = s.elapsed(starts[k], ends[k])
				i++
			}
		})
		b.Run(fmt.Sprintf("Calendar/Add-%dh", h), func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				sinkTime = c.Add(starts[i%len(starts)], d)
				i++
			}
		})
		b.Run(fmt.Sprintf("Calendar/Elapsed-%dh", h), func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				k := i % len(starts)
				sinkDur = c.Elapsed(starts[k], ends[k])
				i++
			}
		})
	}
	b.Run("Calendar/IsOpen", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			_ = c.IsOpen(ends40[i%len(starts)])
			i++
		}
	})
}

// BenchmarkNewCalendar measures building a calendar's timeline (once per
// calendar, at configuration load).
func BenchmarkNewCalendar(b *testing.B) {
	spec := benchSpec()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewCalendar(spec); err != nil {
			b.Fatal(err)
		}
	}
}

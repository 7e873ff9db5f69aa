package sla

import (
	"fmt"
	"slices"
	"time"

	"github.com/servicekit/iso20000"
)

// span is a half-open interval [start, end) in nanoseconds: wall-clock
// offsets from local midnight in a dayPlan, Unix nanoseconds in a cluster.
type span struct{ start, end int64 }

// dayPlan is the compiled working hours of one date: sorted, non-overlapping
// spans relative to local midnight (the last may end after 24h).
type dayPlan struct {
	spans []span
	total int64 // sum of the span lengths
	spill int64 // how far the last span reaches into the next date (0 if not)
}

func invalid(field, format string, args ...any) error {
	return &iso20000.ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// compileDay validates the hours of one date and compiles them.
func compileDay(hs []Hours, path string) (dayPlan, error) {
	type item struct {
		span
		idx int
	}
	items := make([]item, 0, len(hs))
	for i, h := range hs {
		if reason := h.validate(); reason != "" {
			return dayPlan{}, invalid(fmt.Sprintf("%s[%d]", path, i), "%s: %s", h, reason)
		}
		s, e := h.wall()
		items = append(items, item{span{int64(s), int64(e)}, i})
	}
	slices.SortStableFunc(items, func(a, b item) int { return compareInt64(a.start, b.start) })
	var p dayPlan
	for k, it := range items {
		if k > 0 && it.start < items[k-1].end {
			later, earlier := it.idx, items[k-1].idx
			if later < earlier {
				later, earlier = earlier, later
			}
			return dayPlan{}, invalid(fmt.Sprintf("%s[%d]", path, later), "%s overlaps %s", hs[later], hs[earlier])
		}
		p.spans = append(p.spans, it.span)
		p.total += it.end - it.start
	}
	if n := len(p.spans); n > 0 && p.spans[n-1].end > dayNs {
		p.spill = p.spans[n-1].end - dayNs
	}
	return p, nil
}

// checkNight reports an error when the part of prev that runs past midnight
// overlaps the first hours of next, the plan of the following date.
func checkNight(prev, next dayPlan, nextPath, prevName string) error {
	if prev.spill == 0 || len(next.spans) == 0 || next.spans[0].start >= prev.spill {
		return nil
	}
	return invalid(nextPath, "overlaps the hours of %s running past midnight until %s",
		prevName, formatClock(time.Duration(prev.spill)))
}

// firstIndex returns the index in hs of the interval that starts first (for
// error messages).
func firstIndex(hs []Hours) int {
	best := 0
	for i, h := range hs {
		if h.Start < hs[best].Start {
			best = i
		}
	}
	return best
}

// compiled is the validated, compiled form of a CalendarSpec.
type compiled struct {
	loc       *time.Location
	week      [7]dayPlan // Monday first
	overrides map[int64]dayPlan
}

func compareInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compile validates spec, returning an *iso20000.ValidationError naming the
// first offending field.
func compile(spec CalendarSpec) (*compiled, error) {
	if spec.TimeZone == "" {
		return nil, invalid("timezone", "required (an IANA name such as \"Europe/London\" or \"UTC\")")
	}
	if spec.TimeZone == "Local" {
		return nil, invalid("timezone", "\"Local\" depends on the machine; name the zone")
	}
	loc, err := time.LoadLocation(spec.TimeZone)
	if err != nil {
		return nil, invalid("timezone", "unknown time zone %q", spec.TimeZone)
	}
	c := &compiled{loc: loc, overrides: map[int64]dayPlan{}}
	if spec.AlwaysOpen {
		if !spec.Week.IsZero() || len(spec.Holidays) > 0 || len(spec.Overrides) > 0 {
			return nil, invalid("always_open", "a 24×7 calendar has no week, holidays or overrides")
		}
		return c, nil
	}
	var weekTotal int64
	for i := range 7 {
		p, err := compileDay(spec.Week.Day(mondayFirst(i)), "week."+dayKeys[i])
		if err != nil {
			return nil, err
		}
		c.week[i] = p
		weekTotal += p.total
	}
	if weekTotal == 0 {
		return nil, invalid("week", "has no working hours")
	}
	for i := range 7 {
		next := (i + 1) % 7
		hs := spec.Week.Day(mondayFirst(next))
		path := fmt.Sprintf("week.%s[%d]", dayKeys[next], firstIndex(hs))
		if err := checkNight(c.week[i], c.week[next], path, dayKeys[i]); err != nil {
			return nil, err
		}
	}
	for i, h := range spec.Holidays {
		if field, reason := h.validate(); reason != "" {
			path := fmt.Sprintf("holidays[%d]", i)
			if field != "" {
				path += "." + field
			}
			return nil, invalid(path, "%s", reason)
		}
	}
	for i, o := range spec.Overrides {
		path := fmt.Sprintf("overrides[%d]", i)
		if !o.Date.valid() {
			return nil, invalid(path+".date", "not a valid date")
		}
		n := o.Date.number()
		if _, dup := c.overrides[n]; dup {
			return nil, invalid(path+".date", "%s has another override", o.Date)
		}
		p, err := compileDay(o.Hours, path+".hours")
		if err != nil {
			return nil, err
		}
		c.overrides[n] = p
	}
	// The night hours of the date before each override, and of each override,
	// must not overlap the following date.
	for i, o := range spec.Overrides {
		n := o.Date.number()
		path := fmt.Sprintf("overrides[%d].hours[%d]", i, firstIndex(o.Hours))
		if err := checkNight(c.effective(n-1, spec.Holidays), c.overrides[n], path, o.Date.AddDays(-1).String()); err != nil {
			return nil, err
		}
		next := c.effective(n+1, spec.Holidays)
		if err := checkNight(c.overrides[n], next, fmt.Sprintf("overrides[%d].hours", i), o.Date.String()); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// effective returns the plan of day number n: its override, nothing on a
// holiday, else the weekly hours. Used by validation only.
func (c *compiled) effective(n int64, holidays []Holiday) dayPlan {
	if p, ok := c.overrides[n]; ok {
		return p
	}
	d := dateOfNumber(n)
	for _, h := range holidays {
		if h.covers(d) {
			return dayPlan{}
		}
	}
	return c.week[weekdayIndex(n)]
}

// AddDays returns the date n days after d (before, when n is negative).
func (d Date) AddDays(n int) Date {
	return dateOfNumber(d.number() + int64(n))
}

// weekdayIndex returns the Monday-first weekday index of day number n
// (1970-01-01, day 0, was a Thursday).
func weekdayIndex(n int64) int {
	return int(floorMod(n+3, 7))
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }

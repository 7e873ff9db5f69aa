package sla

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// This file holds the reference definition of a calendar, independent of the
// compiled timeline: the intervals of each local date resolved with
// time.Date, IsOpen by looking at the dates around an instant, and Add and
// Elapsed by stepping minute by minute over real time and asking IsOpen.
// With wall-clock hours on whole minutes and zones whose offsets are whole
// minutes (all zones since 1970 but a few), open and closed change only on
// whole minutes, so minute stepping from a whole-minute start is exact.

type oracle struct {
	spec CalendarSpec
	loc  *time.Location
	memo map[Date][][2]time.Time
	// near holds the intervals isOpen looks at for the local date day: those
	// of the dates around it. Minute stepping asks about the same date some
	// 1,440 times in a row.
	day  Date
	near [][2]time.Time
}

func newOracle(t testing.TB, spec CalendarSpec) *oracle {
	t.Helper()
	loc, err := time.LoadLocation(spec.TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	return &oracle{spec: spec, loc: loc, memo: map[Date][][2]time.Time{}}
}

// hoursOn returns the hours that start on date d, by the rules of the spec.
func (o *oracle) hoursOn(d Date) []Hours {
	for _, ov := range o.spec.Overrides {
		if ov.Date == d {
			return ov.Hours
		}
	}
	for _, h := range o.spec.Holidays {
		if h.covers(d) {
			return nil
		}
	}
	return o.spec.Week.Day(time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday())
}

// intervals returns the resolved intervals that start on date d.
func (o *oracle) intervals(d Date) [][2]time.Time {
	if v, ok := o.memo[d]; ok {
		return v
	}
	var out [][2]time.Time
	if d.Year >= MinYear && d.Year <= MaxYear {
		at := func(off time.Duration) time.Time {
			return time.Date(d.Year, d.Month, d.Day, int(off/time.Hour), int(off%time.Hour/time.Minute),
				int(off%time.Minute/time.Second), 0, o.loc)
		}
		for _, h := range o.hoursOn(d) {
			end := h.End
			if end <= h.Start {
				end += 24 * time.Hour
			}
			out = append(out, [2]time.Time{at(h.Start), at(end)})
		}
	}
	o.memo[d] = out
	return out
}

func (o *oracle) isOpen(t time.Time) bool {
	if o.spec.AlwaysOpen {
		return true
	}
	if local := DateOf(t.In(o.loc)); local != o.day || o.near == nil {
		o.day, o.near = local, [][2]time.Time{}
		for k := -3; k <= 2; k++ {
			o.near = append(o.near, o.intervals(local.AddDays(k))...)
		}
	}
	for _, iv := range o.near {
		if !t.Before(iv[0]) && t.Before(iv[1]) {
			return true
		}
	}
	return false
}

// elapsed counts the open minutes in [from, to); from must be on a minute.
func (o *oracle) elapsed(from, to time.Time) time.Duration {
	var n time.Duration
	for t := from; t.Before(to); t = t.Add(time.Minute) {
		if o.isOpen(t) {
			n += time.Minute
		}
	}
	return n
}

// add steps minute by minute until d (whole minutes) has elapsed; ok is
// false when more than limit of real time would be needed.
func (o *oracle) add(start time.Time, d, limit time.Duration) (time.Time, bool) {
	if d <= 0 {
		return start, true
	}
	for t := start; t.Sub(start) < limit; t = t.Add(time.Minute) {
		if o.isOpen(t) {
			if d -= time.Minute; d == 0 {
				return t.Add(time.Minute), true
			}
		}
	}
	return time.Time{}, false
}

// The zones the property tests use: DST in both hemispheres, the 30-minute
// shift of Lord Howe Island, a 45-minute offset, a half-hour zone with DST,
// Samoa's skipped day (2011-12-30) and a zone without DST.
var testZones = []string{
	"Europe/London", "America/New_York", "Australia/Lord_Howe", "Europe/Berlin",
	"Asia/Kathmandu", "America/St_Johns", "Pacific/Apia", "UTC", "America/Sao_Paulo",
}

// picker draws small numbers from a random source or from fuzz bytes.
type picker func(n int) int

func randPicker(r *rand.Rand) picker { return func(n int) int { return r.IntN(n) } }

func bytesPicker(b []byte) picker {
	return func(n int) int {
		if len(b) == 0 {
			return 0
		}
		v := int(b[0])
		if len(b) > 1 {
			v = v<<8 | int(b[1])
			b = b[2:]
		} else {
			b = b[1:]
		}
		return v % n
	}
}

// genHours returns up to three sorted intervals on the minute grid (a coarse
// grid when coarse is set, to provoke coincidences), the last one possibly
// running past midnight by at most maxSpill minutes.
func genHours(p picker, maxSpill int) []Hours {
	n := p(4)
	grid := []int{1, 15, 30, 60}[p(4)]
	var pts []int
	for range 2 * n {
		pts = append(pts, p(1440/grid+1)*grid)
	}
	sortInts(pts)
	var hs []Hours
	for i := 0; i+1 < len(pts); i += 2 {
		s, e := pts[i], pts[i+1]
		if s == e || s == 1440 {
			continue
		}
		hs = append(hs, Hours{time.Duration(s) * time.Minute, time.Duration(e) * time.Minute})
	}
	if len(hs) > 0 && maxSpill > 0 && p(3) == 0 {
		last := &hs[len(hs)-1]
		if last.End == 24*time.Hour {
			spill := time.Duration(1+p(maxSpill)) * time.Minute
			if spill < last.Start {
				last.End = spill // crosses midnight
			}
		}
	}
	return hs
}

func sortInts(v []int) {
	for i := 1; i < len(v); i++ {
		for j := i; j > 0 && v[j] < v[j-1]; j-- {
			v[j], v[j-1] = v[j-1], v[j]
		}
	}
}

// genSpec returns a random valid calendar around the given year.
func genSpec(p picker, year int) CalendarSpec {
	spec := CalendarSpec{TimeZone: testZones[p(len(testZones))]}
	if p(20) == 0 {
		spec.AlwaysOpen = true
		return spec
	}
	for i := range 7 {
		*spec.Week.day(mondayFirst(i)) = genHours(p, 10*60)
	}
	if spec.Week.IsZero() {
		spec.Week.Mon = []Hours{{9 * time.Hour, 17 * time.Hour}}
	}
	date := func() Date {
		return Date{year, time.Month(1 + p(12)), 1 + p(28)}
	}
	for range p(5) {
		switch p(3) {
		case 0:
			spec.Holidays = append(spec.Holidays, SingleHoliday("h", date()))
		case 1:
			d := date()
			spec.Holidays = append(spec.Holidays, YearlyHoliday("y", d.Month, d.Day))
		default:
			d := date()
			spec.Holidays = append(spec.Holidays, HolidayRange("r", d, d.AddDays(p(10))))
		}
	}
	for range p(4) {
		spec.Overrides = append(spec.Overrides, Override{Date: date(), Hours: genHours(p, 6*60)})
	}
	// Drop whatever makes the spec invalid (overlapping night hours).
	for attempt := 0; ; attempt++ {
		if _, err := compile(spec); err == nil {
			return spec
		}
		if attempt > 10 {
			panic(fmt.Sprintf("genSpec: cannot make %+v valid", spec))
		}
		switch {
		case len(spec.Overrides) > 0:
			spec.Overrides = spec.Overrides[:len(spec.Overrides)-1]
		default:
			for i := range 7 {
				hs := spec.Week.day(mondayFirst(i))
				if n := len(*hs); n > 0 && (*hs)[n-1].End <= (*hs)[n-1].Start {
					(*hs)[n-1].End = 24 * time.Hour
				}
			}
		}
	}
}

// genStart returns a whole-minute instant in year, often close to a zone
// transition.
func genStart(p picker, loc *time.Location, year int) time.Time {
	t := time.Date(year, time.Month(1+p(12)), 1+p(28), p(24), p(60), 0, 0, loc)
	if p(2) == 0 {
		if _, end := t.ZoneBounds(); !end.IsZero() && end.Year() <= MaxYear {
			t = end.Add(time.Duration(p(6*24*60)-3*24*60) * time.Minute)
		}
	}
	return t.Truncate(time.Minute)
}

func mustCalendar(t testing.TB, spec CalendarSpec) *Calendar {
	t.Helper()
	c, err := NewCalendar(spec)
	if err != nil {
		t.Fatalf("NewCalendar: %v", err)
	}
	return c
}

// checkAgainstOracle compares Add, Elapsed, IsOpen and NextOpen of c with the
// oracle for one start, business duration d and real span.
func checkAgainstOracle(t *testing.T, c *Calendar, o *oracle, start time.Time, d, span time.Duration) {
	t.Helper()
	ctx := fmt.Sprintf("spec %+v, start %s", o.spec, start.Format(time.RFC3339))
	end := start.Add(span)
	if got, want := c.Elapsed(start, end), o.elapsed(start, end); got != want {
		t.Fatalf("Elapsed(%s, +%s) = %s, oracle %s; %s", start, span, got, want, ctx)
	}
	if want, ok := o.add(start, d, 40*24*time.Hour); ok {
		if got := c.Add(start, d); !got.Equal(want) {
			t.Fatalf("Add(%s, %s) = %s, oracle %s; %s", start, d, got, want, ctx)
		}
	}
	for _, at := range []time.Time{start, start.Add(span / 2), end} {
		if got, want := c.IsOpen(at), o.isOpen(at); got != want {
			t.Fatalf("IsOpen(%s) = %v, oracle %v; %s", at, got, want, ctx)
		}
	}
	if want, ok := o.add(start, time.Minute, 40*24*time.Hour); ok {
		if got := c.NextOpen(start); !got.Equal(want.Add(-time.Minute)) {
			t.Fatalf("NextOpen(%s) = %s, oracle %s; %s", start, got, want.Add(-time.Minute), ctx)
		}
	}
}

func TestCalendarMatchesOracle(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	p := randPicker(r)
	cases := 300
	if testing.Short() {
		cases = 60
	}
	for range cases {
		year := 1971 + p(MaxYear-1971)
		if p(3) > 0 {
			year = 2000 + p(40)
		}
		spec := genSpec(p, year)
		c := mustCalendar(t, spec)
		o := newOracle(t, spec)
		for range 5 {
			start := genStart(p, c.Location(), year)
			d := time.Duration(p(2*24*60)) * time.Minute
			span := time.Duration(p(3*24*60)) * time.Minute
			checkAgainstOracle(t, c, o, start, d, span)
		}
	}
}

// TestCalendarInverse checks the inverse property and the minimality of Add
// over large durations and nanosecond starts, where the oracle is too slow.
func TestCalendarInverse(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	p := randPicker(r)
	for range 400 {
		year := 1971 + p(MaxYear-1980)
		spec := genSpec(p, year)
		c := mustCalendar(t, spec)
		for range 20 {
			start := genStart(p, c.Location(), year).Add(time.Duration(r.Int64N(int64(time.Minute))))
			d := time.Duration(r.Int64N(int64(5000 * time.Hour)))
			due := c.Add(start, d)
			if got := c.Elapsed(start, due); got != d {
				t.Fatalf("Elapsed(s, Add(s, %s)) = %s; spec %+v start %s", d, got, spec, start)
			}
			if d > 0 && c.Elapsed(start, due.Add(-1)) >= d {
				t.Fatalf("Add(s, %s) = %s is not the earliest instant; spec %+v start %s", d, due, spec, start)
			}
			if d > 0 && !c.IsOpen(due.Add(-1)) {
				t.Fatalf("Add(s, %s) = %s: closed just before the due instant", d, due)
			}
			// Elapsed is additive.
			mid := start.Add(time.Duration(r.Int64N(int64(due.Sub(start)) + 1)))
			if c.Elapsed(start, mid)+c.Elapsed(mid, due) != d {
				t.Fatalf("Elapsed not additive at %s", mid)
			}
		}
	}
}

// TestCalendarIsOpenMatchesOracle compares IsOpen at many random instants,
// including nanoseconds just around interval bounds.
func TestCalendarIsOpenMatchesOracle(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	p := randPicker(r)
	for range 200 {
		year := 1971 + p(MaxYear-1971)
		spec := genSpec(p, year)
		c := mustCalendar(t, spec)
		o := newOracle(t, spec)
		for range 50 {
			at := genStart(p, c.Location(), year).Add(time.Duration(p(3)-1) * time.Nanosecond)
			if got, want := c.IsOpen(at), o.isOpen(at); got != want {
				t.Fatalf("IsOpen(%s) = %v, oracle %v; spec %+v", at, got, want, spec)
			}
		}
	}
}

package sla

import (
	"fmt"
	"math/bits"
	"slices"
	"time"
)

// The compiled timeline of a Calendar.
//
// The range [MinYear, MaxYear] of local dates is cut into segments, ordered
// in time, each of which ends before the next one starts:
//
//   - a run: consecutive "plain" dates [from, to) whose hours are the weekly
//     hours and whose wall clock has one constant UTC offset, with no zone
//     transition within two days. Business time in a run is pure arithmetic
//     on the weekly hours (whole weeks times the weekly total, plus a few
//     days), so a run of any length costs the same;
//   - a span: one explicit interval of real time, [key, key+total). Dates
//     that are not plain (holidays on working days, overrides, dates near a
//     zone transition) are resolved with time.Date when the calendar is
//     built; their intervals are merged (time.Date may map non-overlapping
//     wall-clock intervals to overlapping instants in a DST gap) and stored
//     as spans.
//
// keys[i] is the instant (Unix ns) segment i starts working, cumEnd[i] the
// business time from the start of the range to the end of segment i. Add and
// Elapsed then cost two binary searches plus constant work, whatever the
// distance.

const (
	daySec = 86400
	dayNs  = daySec * int64(time.Second)
)

// segment is a run when from < to, a span when from == to.
type segment struct {
	from, to int32 // day numbers of a run
	off      int32 // UTC offset of a run, seconds
}

// bitset is a fixed-size set of small non-negative integers.
type bitset []uint64

func newBitset(n int64) bitset    { return make(bitset, (n+63)/64) }
func (b bitset) set(i int64)      { b[i/64] |= 1 << (uint(i) % 64) }
func (b bitset) has(i int64) bool { return b[i/64]&(1<<(uint(i)%64)) != 0 }
func (b bitset) setRange(lo, hi int64) {
	for i := lo; i <= hi; i++ {
		b.set(i)
	}
}

// next returns the first i >= from (and < n) whose membership equals want,
// or n.
func (b bitset) next(from, n int64, want bool) int64 {
	for i := from; i < n; {
		w := b[i/64]
		if !want {
			w = ^w
		}
		w >>= uint(i) % 64
		if w != 0 {
			if j := i + int64(bits.TrailingZeros64(w)); j < n {
				return j
			}
			return n
		}
		i = (i/64 + 1) * 64
	}
	return n
}

// build compiles the timeline of c from its validated plans.
func (c *Calendar) build(cp *compiled, holidays []Holiday) error {
	c.week = cp.week
	for i := range 7 {
		c.weekTotal += c.week[i].total
	}
	for w := range 7 {
		for k := range 7 {
			c.cyc[w][k+1] = c.cyc[w][k] + c.week[(w+k)%7].total
		}
	}
	d0 := Date{MinYear, time.January, 1}.number()
	d1 := Date{MaxYear + 1, time.January, 1}.number()
	n := d1 - d0
	c.lowSec, c.highSec = (d0-2)*daySec, (d1+2)*daySec

	hol := newBitset(n)
	mark := func(d int64) {
		if d >= d0 && d < d1 {
			hol.set(d - d0)
		}
	}
	for _, h := range holidays {
		switch {
		case !h.Date.IsZero():
			mark(h.Date.number())
		case !h.Yearly.IsZero():
			for y := MinYear; y <= MaxYear; y++ {
				if d := (Date{y, h.Yearly.Month, h.Yearly.Day}); d.valid() {
					mark(d.number())
				}
			}
		default:
			for d := max(h.From.number(), d0); d <= min(h.To.number(), d1-1); d++ {
				mark(d)
			}
		}
	}
	special := newBitset(n)
	for k := hol.next(0, n, true); k < n; k = hol.next(k+1, n, true) {
		if c.week[weekdayIndex(d0+k)].total > 0 {
			special.set(k)
		}
	}
	for d := range cp.overrides {
		if d >= d0 && d < d1 {
			special.set(d - d0)
		}
	}
	// Dates near a zone transition.
	trs, margin := zoneTransitions(c.loc, (d0-3)*daySec, (d1+3)*daySec)
	for _, tr := range trs {
		lo := floorDiv(tr-margin+daySec-1, daySec) - 2
		hi := floorDiv(tr+margin, daySec)
		special.setRange(max(lo, d0)-d0, min(hi, d1-1)-d0)
	}

	plan := func(d int64) dayPlan {
		if p, ok := cp.overrides[d]; ok {
			return p
		}
		if hol.has(d - d0) {
			return dayPlan{}
		}
		return c.week[weekdayIndex(d)]
	}
	var tmp []span
	for k := int64(0); k < n; {
		if !special.has(k) {
			e := special.next(k, n, true)
			if err := c.addRun(d0+k, d0+e); err != nil {
				return err
			}
			k = e
			continue
		}
		e := special.next(k, n, false)
		tmp = tmp[:0]
		for d := d0 + k; d < d0+e; d++ {
			dt := dateOfNumber(d)
			for _, s := range plan(d).spans {
				a := time.Date(dt.Year, dt.Month, dt.Day, 0, 0, 0, int(s.start), c.loc).UnixNano()
				b := time.Date(dt.Year, dt.Month, dt.Day, 0, 0, 0, int(s.end), c.loc).UnixNano()
				if b > a {
					tmp = append(tmp, span{a, b})
				}
			}
		}
		slices.SortFunc(tmp, func(x, y span) int { return compareInt64(x.start, y.start) })
		for j := 0; j < len(tmp); {
			s := tmp[j]
			for j++; j < len(tmp) && tmp[j].start <= s.end; j++ {
				s.end = max(s.end, tmp[j].end)
			}
			if err := c.push(segment{}, s.start, s.end, s.end-s.start); err != nil {
				return err
			}
		}
		k = e
	}
	c.segs, c.keys, c.cumEnd = slices.Clip(slices.Clone(c.segs)), slices.Clone(c.keys), slices.Clone(c.cumEnd)
	return nil
}

// zoneTransitions returns the instants (Unix seconds) in [from, to] at which
// loc's UTC offset changes, and the margin around them within which wall
// times may not resolve to wall time minus one constant offset: the largest
// absolute offset plus the largest change, plus an hour to spare. A date D is
// resolved explicitly when a transition lies within the margin of its wall
// times [D 00:00, D+2 00:00); any other date resolves as wall time minus the
// offset, time.Date's two zone lookups both landing in one zone period.
func zoneTransitions(loc *time.Location, from, to int64) (trs []int64, margin int64) {
	t := time.Unix(from, 0).In(loc)
	_, off := t.Zone()
	maxOff, maxDelta := abs(int64(off)), int64(0)
	for {
		_, end := t.ZoneBounds()
		if end.IsZero() || end.Unix() > to {
			break
		}
		if !end.After(t) {
			// In the years governed by the zone's TZ rule, ZoneBounds may
			// report a bound at or before t (it misplaces the end of leap
			// years). Step a day ahead, bisecting if the offset changes.
			next := t.Add(25 * time.Hour)
			_, o1 := t.Zone()
			if _, o2 := next.Zone(); o1 == o2 {
				t = next
				continue
			}
			lo, hi := t.Unix(), next.Unix()
			for hi-lo > 1 {
				mid := lo + (hi-lo)/2
				if _, om := time.Unix(mid, 0).In(loc).Zone(); om == o1 {
					lo = mid
				} else {
					hi = mid
				}
			}
			end = time.Unix(hi, 0).In(loc)
		}
		_, before := end.Add(-time.Second).Zone()
		_, after := end.Zone()
		if before != after {
			trs = append(trs, end.Unix())
			maxOff = max(maxOff, abs(int64(after)))
			maxDelta = max(maxDelta, abs(int64(after-before)))
		}
		t = end
	}
	return trs, maxOff + maxDelta + 3600
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// addRun adds the run of plain dates [from, to).
func (c *Calendar) addRun(from, to int64) error {
	_, offSec := time.Unix(from*daySec, 0).In(c.loc).Zone()
	off := int64(offSec) * int64(time.Second)
	first := int64(-1)
	for d := from; d < to && d < from+7; d++ {
		if c.week[weekdayIndex(d)].total > 0 {
			first = d
			break
		}
	}
	if first < 0 {
		return nil // no working hours in this short run
	}
	last := to - 1
	for c.week[weekdayIndex(last)].total == 0 {
		last--
	}
	fp, lp := c.week[weekdayIndex(first)], c.week[weekdayIndex(last)]
	start := first*dayNs + fp.spans[0].start - off
	end := last*dayNs + lp.spans[len(lp.spans)-1].end - off
	seg := segment{from: int32(from), to: int32(to), off: int32(offSec)}
	return c.push(seg, start, end, c.daysTotal(from, to-from))
}

// push appends a segment working from start to end with the given business
// time, checking that segments stay in order.
func (c *Calendar) push(seg segment, start, end, total int64) error {
	if len(c.keys) > 0 && start < c.lastEnd {
		return fmt.Errorf("sla: internal error: calendar segments out of order at %s",
			time.Unix(0, start).In(c.loc).Format(time.RFC3339))
	}
	var cum int64
	if n := len(c.cumEnd); n > 0 {
		cum = c.cumEnd[n-1]
	}
	c.segs = append(c.segs, seg)
	c.keys = append(c.keys, start)
	c.cumEnd = append(c.cumEnd, cum+total)
	c.lastEnd = end
	return nil
}

// daysTotal returns the weekly business time of n dates starting at day from.
func (c *Calendar) daysTotal(from, n int64) int64 {
	return n/7*c.weekTotal + c.cyc[weekdayIndex(from)][n%7]
}

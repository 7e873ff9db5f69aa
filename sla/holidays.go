package sla

import (
	"slices"

	"github.com/rickar/cal/v2"
)

// PublicHolidays expands holiday rules of github.com/rickar/cal/v2 into the
// dated holidays of the years fromYear to toYear (inclusive), sorted by date,
// for [CalendarSpec.Holidays]. Country packages of rickar/cal provide the
// rules, for example gb.Holidays for the United Kingdom or us.Holidays for
// the United States:
//
//	spec.Holidays = append(spec.Holidays, sla.PublicHolidays(2025, 2035, gb.Holidays...)...)
//
// Each holiday counts on its observed date, the day off (Christmas Day on a
// Saturday is observed on the following Monday in the United Kingdom).
// Holidays not observed in a year are skipped; two holidays observed on the
// same date give one entry, named after the first.
func PublicHolidays(fromYear, toYear int, hs ...*cal.Holiday) []Holiday {
	var out []Holiday
	for y := fromYear; y <= toYear; y++ {
		for _, h := range hs {
			if h == nil {
				continue
			}
			if _, observed := h.Calc(y); !observed.IsZero() {
				out = append(out, SingleHoliday(h.Name, DateOf(observed)))
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Holiday) int { return compareInt64(a.Date.number(), b.Date.number()) })
	return slices.CompactFunc(out, func(a, b Holiday) bool { return a.Date == b.Date })
}

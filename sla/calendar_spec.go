package sla

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Hours is one working-hours interval of a local date, as wall-clock offsets
// from local midnight: Hours{Start: 8 * time.Hour, End: 12 * time.Hour} is
// 08:00–12:00.
//
// Start is in [0, 24h) and End in (0, 24h], both whole seconds. An interval
// whose End is before its Start crosses midnight and ends on the next date
// (22:00–06:00 is a night shift of 8 hours); End 24h means midnight at the end
// of the date. Start equal to End is invalid (write 00:00–24:00 for a whole day).
//
// In JSON an Hours is a pair of strings: ["08:00","12:00"] ("HH:MM", or
// "HH:MM:SS" when seconds are not zero; "24:00" only as an end).
type Hours struct {
	Start time.Duration
	End   time.Duration
}

// wall returns the interval as offsets from the start of its date; end may
// exceed 24h for an interval that crosses midnight.
func (h Hours) wall() (start, end time.Duration) {
	if h.End <= h.Start {
		return h.Start, h.End + 24*time.Hour
	}
	return h.Start, h.End
}

// String formats h as "08:00–12:00".
func (h Hours) String() string {
	return formatClock(h.Start) + "–" + formatClock(h.End)
}

func (h Hours) validate() string {
	switch {
	case h.Start < 0 || h.Start >= 24*time.Hour:
		return "start must be from 00:00 to before 24:00"
	case h.End <= 0 || h.End > 24*time.Hour:
		return "end must be after 00:00 and at most 24:00"
	case h.Start%time.Second != 0 || h.End%time.Second != 0:
		return "times must be whole seconds"
	case h.Start == h.End:
		return "end equals start (use 00:00–24:00 for a whole day)"
	}
	return ""
}

// MarshalJSON encodes h as ["HH:MM","HH:MM"].
func (h Hours) MarshalJSON() ([]byte, error) {
	return []byte(`["` + formatClock(h.Start) + `","` + formatClock(h.End) + `"]`), nil
}

// UnmarshalJSON decodes ["HH:MM","HH:MM"]. It checks the syntax of each time;
// [NewCalendar] checks the interval itself.
func (h *Hours) UnmarshalJSON(b []byte) error {
	var pair []string
	if err := json.Unmarshal(b, &pair); err != nil {
		return err
	}
	v, reason := parseHoursPair(pair)
	if reason != "" {
		return fmt.Errorf("sla: %s", reason)
	}
	*h = v
	return nil
}

func parseHoursPair(pair []string) (Hours, string) {
	if len(pair) != 2 {
		return Hours{}, `must be a pair ["HH:MM","HH:MM"]`
	}
	s, ok1 := parseClock(pair[0])
	e, ok2 := parseClock(pair[1])
	if !ok1 {
		return Hours{}, fmt.Sprintf("start %q is not a time HH:MM", pair[0])
	}
	if !ok2 {
		return Hours{}, fmt.Sprintf("end %q is not a time HH:MM", pair[1])
	}
	return Hours{Start: s, End: e}, ""
}

// parseClock parses "HH:MM" or "HH:MM:SS" from 00:00 to 24:00.
func parseClock(s string) (time.Duration, bool) {
	parts := strings.Split(s, ":")
	if len(parts) != 2 && len(parts) != 3 {
		return 0, false
	}
	var v [3]int
	for i, p := range parts {
		if len(p) != 2 || p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9' {
			return 0, false
		}
		v[i], _ = strconv.Atoi(p)
	}
	if v[0] > 24 || v[1] > 59 || v[2] > 59 || (v[0] == 24 && (v[1] != 0 || v[2] != 0)) {
		return 0, false
	}
	return time.Duration(v[0])*time.Hour + time.Duration(v[1])*time.Minute + time.Duration(v[2])*time.Second, true
}

func formatClock(d time.Duration) string {
	if d < 0 || d > 24*time.Hour || d%time.Second != 0 {
		return d.String()
	}
	sec := int(d / time.Second)
	if sec%60 != 0 {
		return fmt.Sprintf("%02d:%02d:%02d", sec/3600, sec/60%60, sec%60)
	}
	return fmt.Sprintf("%02d:%02d", sec/3600, sec/60%60)
}

// Week is the weekly working hours of a [Calendar], one list of [Hours] per
// weekday. In JSON: {"mon":[["08:00","12:00"],["13:00","17:00"]],"tue":...};
// days without hours may be omitted.
type Week struct {
	Mon []Hours `json:"mon,omitempty"`
	Tue []Hours `json:"tue,omitempty"`
	Wed []Hours `json:"wed,omitempty"`
	Thu []Hours `json:"thu,omitempty"`
	Fri []Hours `json:"fri,omitempty"`
	Sat []Hours `json:"sat,omitempty"`
	Sun []Hours `json:"sun,omitempty"`
}

// Weekdays returns a Week with the same hours Monday to Friday and none at
// the weekend.
func Weekdays(h ...Hours) Week {
	return Week{Mon: h, Tue: h, Wed: h, Thu: h, Fri: h}
}

// EveryDay returns a Week with the same hours on all seven days.
func EveryDay(h ...Hours) Week {
	return Week{Mon: h, Tue: h, Wed: h, Thu: h, Fri: h, Sat: h, Sun: h}
}

// Day returns the hours of weekday wd.
func (w Week) Day(wd time.Weekday) []Hours {
	return *w.day(wd)
}

// WithDay returns a copy of w with the hours of weekday wd replaced by h.
func (w Week) WithDay(wd time.Weekday, h ...Hours) Week {
	*w.day(wd) = h
	return w
}

func (w *Week) day(wd time.Weekday) *[]Hours {
	switch wd {
	case time.Monday:
		return &w.Mon
	case time.Tuesday:
		return &w.Tue
	case time.Wednesday:
		return &w.Wed
	case time.Thursday:
		return &w.Thu
	case time.Friday:
		return &w.Fri
	case time.Saturday:
		return &w.Sat
	default:
		return &w.Sun
	}
}

// dayKeys are the JSON names of the weekdays, Monday first (the index used
// throughout the package: 0 = Monday ... 6 = Sunday).
var dayKeys = [7]string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// mondayFirst converts a Monday-first index to a time.Weekday.
func mondayFirst(i int) time.Weekday { return time.Weekday((i + 1) % 7) }

// Date is a civil date without a time zone, such as 2026-12-25. In JSON and
// text it is "YYYY-MM-DD". The zero Date means "not set".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate parses "YYYY-MM-DD".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("sla: %q is not a date YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// String formats d as "YYYY-MM-DD".
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// MarshalText implements encoding.TextMarshaler.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// valid reports whether d is a real calendar date.
func (d Date) valid() bool {
	return d.Month >= 1 && d.Month <= 12 && d.Day >= 1 && d.Year >= 1 && d.Year <= 9999 &&
		time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Day() == d.Day
}

// number returns the day number of d: days since 1970-01-01.
func (d Date) number() int64 {
	return floorDiv(time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Unix(), daySec)
}

// dateOfNumber is the inverse of Date.number.
func dateOfNumber(n int64) Date {
	return DateOf(time.Unix(n*daySec, 0).UTC())
}

// MonthDay is a day of the year without a year, such as 12-25, used for
// holidays that recur every year. In JSON and text it is "MM-DD". A yearly
// holiday on 02-29 occurs in leap years only.
type MonthDay struct {
	Month time.Month
	Day   int
}

// IsZero reports whether md is the zero MonthDay.
func (md MonthDay) IsZero() bool { return md == MonthDay{} }

// String formats md as "MM-DD".
func (md MonthDay) String() string { return fmt.Sprintf("%02d-%02d", int(md.Month), md.Day) }

// MarshalText implements encoding.TextMarshaler.
func (md MonthDay) MarshalText() ([]byte, error) { return []byte(md.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (md *MonthDay) UnmarshalText(b []byte) error {
	v, ok := parseMonthDay(string(b))
	if !ok {
		return fmt.Errorf("sla: %q is not a day of the year MM-DD", b)
	}
	*md = v
	return nil
}

func parseMonthDay(s string) (MonthDay, bool) {
	if len(s) != 5 || s[2] != '-' {
		return MonthDay{}, false
	}
	m, err1 := strconv.Atoi(s[:2])
	d, err2 := strconv.Atoi(s[3:])
	md := MonthDay{time.Month(m), d}
	if err1 != nil || err2 != nil || !md.valid() {
		return MonthDay{}, false
	}
	return md, true
}

func (md MonthDay) valid() bool {
	// 2000 is a leap year, so 02-29 is accepted.
	return md.Month >= 1 && md.Month <= 12 && md.Day >= 1 &&
		time.Date(2000, md.Month, md.Day, 0, 0, 0, 0, time.UTC).Day() == md.Day
}

// Holiday is a day or days on which a [Calendar] has no working hours (unless
// an [Override] for the date gives some). Exactly one form is set: a single
// Date, a Yearly recurring day, or an inclusive range From–To.
//
// In JSON: {"date":"2026-12-25"}, {"yearly":"12-25"} or
// {"from":"2026-12-24","to":"2027-01-01"}, each with an optional "name".
type Holiday struct {
	// Name describes the holiday; it is informational only.
	Name string `json:"name,omitempty"`
	// Date is a single holiday.
	Date Date `json:"date,omitzero"`
	// Yearly is a holiday on the same day every year.
	Yearly MonthDay `json:"yearly,omitzero"`
	// From and To are the first and last day of a range of holidays.
	From Date `json:"from,omitzero"`
	To   Date `json:"to,omitzero"`
}

// SingleHoliday returns a Holiday on date d.
func SingleHoliday(name string, d Date) Holiday { return Holiday{Name: name, Date: d} }

// YearlyHoliday returns a Holiday on the same day every year.
func YearlyHoliday(name string, m time.Month, day int) Holiday {
	return Holiday{Name: name, Yearly: MonthDay{m, day}}
}

// HolidayRange returns a Holiday covering the dates from through to, inclusive.
func HolidayRange(name string, from, to Date) Holiday {
	return Holiday{Name: name, From: from, To: to}
}

// covers reports whether the holiday falls on date d.
func (h Holiday) covers(d Date) bool {
	switch {
	case !h.Date.IsZero():
		return h.Date == d
	case !h.Yearly.IsZero():
		return h.Yearly.Month == d.Month && h.Yearly.Day == d.Day
	default:
		n := d.number()
		return n >= h.From.number() && n <= h.To.number()
	}
}

// validate returns the field (relative to the holiday) and reason of the first
// problem, or "" when h is valid.
func (h Holiday) validate() (field, reason string) {
	forms := 0
	for _, set := range []bool{!h.Date.IsZero(), !h.Yearly.IsZero(), !h.From.IsZero() || !h.To.IsZero()} {
		if set {
			forms++
		}
	}
	switch {
	case forms != 1:
		return "", `needs exactly one of "date", "yearly" or "from"/"to"`
	case !h.Date.IsZero() && !h.Date.valid():
		return "date", "not a valid date"
	case !h.Yearly.IsZero() && !h.Yearly.valid():
		return "yearly", "not a valid day of the year"
	case h.Date.IsZero() && h.Yearly.IsZero() && (h.From.IsZero() || !h.From.valid()):
		return "from", "not a valid date"
	case h.Date.IsZero() && h.Yearly.IsZero() && (h.To.IsZero() || !h.To.valid()):
		return "to", "not a valid date"
	case h.Date.IsZero() && h.Yearly.IsZero() && h.To.number() < h.From.number():
		return "to", "is before from"
	}
	return "", ""
}

// Override replaces the working hours of one local date: a half day before
// Christmas, an extra working Saturday. Empty Hours close the date. An
// override wins over a holiday on the same date.
//
// In JSON: {"date":"2026-12-24","hours":[["09:00","13:00"]]}.
type Override struct {
	Date  Date    `json:"date"`
	Hours []Hours `json:"hours"`
}

// CalendarSpec is the declarative form of a [Calendar], and its JSON
// document (see the package documentation for the schema). Build a Calendar
// from it with [NewCalendar]; get it back with [Calendar.Spec].
type CalendarSpec struct {
	// TimeZone is an IANA time zone name such as "Europe/London" or "UTC".
	// Required.
	TimeZone string `json:"timezone"`
	// AlwaysOpen makes a 24×7 calendar; Week, Holidays and Overrides must
	// then be empty.
	AlwaysOpen bool `json:"always_open,omitempty"`
	// Week holds the normal weekly working hours; it must have some.
	Week Week `json:"week,omitzero"`
	// Holidays remove the working hours of dates.
	Holidays []Holiday `json:"holidays,omitempty"`
	// Overrides replace the working hours of dates.
	Overrides []Override `json:"overrides,omitempty"`
}

// IsZero reports whether w has no hours on any day.
func (w Week) IsZero() bool {
	for i := range 7 {
		if len(w.Day(mondayFirst(i))) > 0 {
			return false
		}
	}
	return true
}

// clone returns a deep copy of s, so that a Calendar never aliases its caller.
func (s CalendarSpec) clone() CalendarSpec {
	out := s
	for i := range 7 {
		wd := mondayFirst(i)
		*out.Week.day(wd) = cloneHours(s.Week.Day(wd))
	}
	out.Holidays = append([]Holiday(nil), s.Holidays...)
	if s.Overrides != nil {
		out.Overrides = make([]Override, len(s.Overrides))
		for i, o := range s.Overrides {
			out.Overrides[i] = Override{Date: o.Date, Hours: cloneHours(o.Hours)}
		}
	}
	return out
}

func cloneHours(h []Hours) []Hours {
	if h == nil {
		return nil
	}
	return append([]Hours{}, h...)
}

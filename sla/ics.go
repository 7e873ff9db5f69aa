package sla

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/servicekit/iso20000"
)

// ImportICS reads the holidays of an iCalendar (RFC 5545) feed, as Jira
// Service Management and Zammad import them: the feeds of public holidays
// that Google, Microsoft and government sites publish, or a company's own
// calendar exported from any calendar application.
//
// Each VEVENT must be an all-day event: DTSTART a date (VALUE=DATE, such as
// 20261225). It lasts until DTEND (exclusive, a date) or for a DURATION of
// whole days or weeks (P1D, P2W), else one day; an event of several days
// becomes a range. An RRULE with FREQ=YEARLY (INTERVAL=1; BYMONTH and
// BYMONTHDAY only if they repeat DTSTART's) makes a yearly holiday for each
// day of the event, or, with COUNT or UNTIL, as many dated holidays. The
// SUMMARY becomes the holiday's name.
//
// Ignored: events with STATUS:CANCELLED, and properties that do not affect
// the dates (TRANSP, DESCRIPTION, categories, alarms and the like). Refused
// with an *iso20000.ValidationError naming the event, such as
// "ics.events[3].DTSTART": timed events, other recurrence rules, RDATE,
// EXDATE, EXRULE and RECURRENCE-ID, and end dates not after the start.
func ImportICS(r io.Reader) ([]Holiday, error) {
	feed, err := ics.ParseCalendar(r)
	if err != nil {
		return nil, &iso20000.ValidationError{Field: "ics", Reason: "not an iCalendar feed: " + err.Error()}
	}
	var out []Holiday
	for i, ev := range feed.Events() {
		path := fmt.Sprintf("ics.events[%d]", i)
		hs, err := eventHolidays(ev, path)
		if err != nil {
			return nil, err
		}
		for _, h := range hs {
			if _, reason := h.validate(); reason != "" {
				return nil, invalid(path, "dates out of range: %s", reason)
			}
		}
		out = append(out, hs...)
	}
	return out, nil
}

func eventHolidays(ev *ics.VEvent, path string) ([]Holiday, error) {
	prop := func(p ics.ComponentProperty) string {
		if v := ev.GetProperty(p); v != nil {
			return v.Value
		}
		return ""
	}
	name := icsText(prop(ics.ComponentPropertySummary))
	if name != "" {
		path += " (" + name + ")"
	}
	if strings.EqualFold(prop(ics.ComponentPropertyStatus), "CANCELLED") {
		return nil, nil
	}
	for _, p := range []ics.ComponentProperty{ics.ComponentPropertyRdate, ics.ComponentPropertyExdate,
		ics.ComponentPropertyExrule, ics.ComponentPropertyRecurrenceId} {
		if ev.HasProperty(p) {
			return nil, invalid(path+"."+string(p), "not supported")
		}
	}
	startProp := ev.GetProperty(ics.ComponentPropertyDtStart)
	if startProp == nil {
		return nil, invalid(path+".DTSTART", "required")
	}
	start, ok := icsDate(startProp)
	if !ok {
		return nil, invalid(path+".DTSTART", "%q is not a date: only all-day events are imported", startProp.Value)
	}
	days := int64(1)
	if endProp := ev.GetProperty(ics.ComponentPropertyDtEnd); endProp != nil {
		end, ok := icsDate(endProp)
		if !ok {
			return nil, invalid(path+".DTEND", "%q is not a date: only all-day events are imported", endProp.Value)
		}
		days = end.number() - start.number()
	} else if dur := prop(ics.ComponentPropertyDuration); dur != "" {
		n, ok := icsDays(dur)
		if !ok {
			return nil, invalid(path+".DURATION", "%q is not a whole number of days or weeks", dur)
		}
		days = n
	}
	if days < 1 {
		return nil, invalid(path+".DTEND", "must be after DTSTART")
	}
	rrule := prop(ics.ComponentPropertyRrule)
	if rrule == "" {
		return []Holiday{dateSpan(name, start, days)}, nil
	}
	count, until, err := yearlyRule(rrule, start)
	if err != nil {
		return nil, invalid(path+".RRULE", "%s", err)
	}
	if count == 0 && until.IsZero() {
		hs := make([]Holiday, 0, days)
		for k := range days {
			d := start.AddDays(int(k))
			hs = append(hs, YearlyHoliday(name, d.Month, d.Day))
		}
		return hs, nil
	}
	var hs []Holiday
	for y := start.Year; y <= 9999; y++ {
		d := Date{y, start.Month, start.Day}
		if !d.valid() {
			continue // 02-29 in a common year: no occurrence (RFC 5545 3.3.10)
		}
		if (count > 0 && len(hs) == count) || (!until.IsZero() && d.number() > until.number()) {
			break
		}
		hs = append(hs, dateSpan(name, d, days))
	}
	return hs, nil
}

func dateSpan(name string, start Date, days int64) Holiday {
	if days == 1 {
		return SingleHoliday(name, start)
	}
	return HolidayRange(name, start, start.AddDays(int(days-1)))
}

// yearlyRule parses a simple yearly RRULE, returning its COUNT or UNTIL.
func yearlyRule(rule string, start Date) (count int, until Date, err error) {
	freq := false
	for _, part := range strings.Split(rule, ";") {
		k, v, _ := strings.Cut(part, "=")
		switch strings.ToUpper(k) {
		case "FREQ":
			if !strings.EqualFold(v, "YEARLY") {
				return 0, Date{}, fmt.Errorf("FREQ=%s is not supported, only FREQ=YEARLY", v)
			}
			freq = true
		case "INTERVAL":
			if v != "1" {
				return 0, Date{}, fmt.Errorf("INTERVAL=%s is not supported", v)
			}
		case "BYMONTH":
			if v != strconv.Itoa(int(start.Month)) && v != fmt.Sprintf("%02d", int(start.Month)) {
				return 0, Date{}, fmt.Errorf("BYMONTH=%s differs from DTSTART and is not supported", v)
			}
		case "BYMONTHDAY":
			if v != strconv.Itoa(start.Day) && v != fmt.Sprintf("%02d", start.Day) {
				return 0, Date{}, fmt.Errorf("BYMONTHDAY=%s differs from DTSTART and is not supported", v)
			}
		case "COUNT":
			n, convErr := strconv.Atoi(v)
			if convErr != nil || n < 1 {
				return 0, Date{}, fmt.Errorf("COUNT=%s is not a positive number", v)
			}
			count = n
		case "UNTIL":
			d, ok := parseICSDate(v[:min(len(v), 8)])
			if !ok {
				return 0, Date{}, fmt.Errorf("UNTIL=%s is not a date", v)
			}
			until = d
		default:
			return 0, Date{}, fmt.Errorf("%s is not supported", k)
		}
	}
	if !freq {
		return 0, Date{}, fmt.Errorf("FREQ is required")
	}
	return count, until, nil
}

// icsDate returns the date of an all-day DTSTART or DTEND.
func icsDate(p *ics.IANAProperty) (Date, bool) {
	if v := p.ICalParameters[string(ics.ParameterValue)]; len(v) > 0 && !slices.Contains(v, "DATE") {
		return Date{}, false
	}
	return parseICSDate(p.Value)
}

func parseICSDate(s string) (Date, bool) {
	if len(s) != 8 {
		return Date{}, false
	}
	t, err := time.Parse("20060102", s)
	if err != nil {
		return Date{}, false
	}
	d := DateOf(t)
	return d, d.valid()
}

// icsDays parses a DURATION of whole days or weeks: P3D, P2W.
func icsDays(s string) (int64, bool) {
	if len(s) < 3 || s[0] != 'P' {
		return 0, false
	}
	n, err := strconv.ParseInt(s[1:len(s)-1], 10, 32)
	if err != nil || n < 1 {
		return 0, false
	}
	switch s[len(s)-1] {
	case 'D':
		return n, true
	case 'W':
		return 7 * n, true
	}
	return 0, false
}

// icsText undoes the escaping of an iCalendar TEXT value.
func icsText(s string) string {
	return strings.NewReplacer(`\,`, ",", `\;`, ";", `\n`, " ", `\N`, " ", `\\`, `\`).Replace(s)
}

package sla

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/servicekit/iso20000"
)

// The JSON form of a CalendarSpec, decoded field by field so that errors
// name their path.
type (
	rawSpec struct {
		TimeZone   string        `json:"timezone"`
		AlwaysOpen bool          `json:"always_open"`
		Week       rawWeek       `json:"week"`
		Holidays   []rawHoliday  `json:"holidays"`
		Overrides  []rawOverride `json:"overrides"`
	}
	rawWeek struct {
		Mon [][]string `json:"mon"`
		Tue [][]string `json:"tue"`
		Wed [][]string `json:"wed"`
		Thu [][]string `json:"thu"`
		Fri [][]string `json:"fri"`
		Sat [][]string `json:"sat"`
		Sun [][]string `json:"sun"`
	}
	rawHoliday struct {
		Name   string `json:"name"`
		Date   string `json:"date"`
		Yearly string `json:"yearly"`
		From   string `json:"from"`
		To     string `json:"to"`
	}
	rawOverride struct {
		Date  *string    `json:"date"`
		Hours [][]string `json:"hours"`
	}
)

// UnmarshalJSON decodes the JSON document of a calendar (see the package
// documentation for the schema). Unknown fields and malformed values give an
// *iso20000.ValidationError naming the field path; the spec as a whole is
// validated by [NewCalendar].
func (s *CalendarSpec) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var raw rawSpec
	if err := dec.Decode(&raw); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return invalid("calendar", "unexpected data after the JSON object")
	}
	out := CalendarSpec{TimeZone: raw.TimeZone, AlwaysOpen: raw.AlwaysOpen}
	days := [7][][]string{raw.Week.Mon, raw.Week.Tue, raw.Week.Wed, raw.Week.Thu, raw.Week.Fri, raw.Week.Sat, raw.Week.Sun}
	for i, pairs := range days {
		hs, err := decodeHours(pairs, "week."+dayKeys[i])
		if err != nil {
			return err
		}
		*out.Week.day(mondayFirst(i)) = hs
	}
	for i, rh := range raw.Holidays {
		path := fmt.Sprintf("holidays[%d].", i)
		h := Holiday{Name: rh.Name}
		for _, f := range []struct {
			name, v string
			dst     *Date
		}{{"date", rh.Date, &h.Date}, {"from", rh.From, &h.From}, {"to", rh.To, &h.To}} {
			if f.v == "" {
				continue
			}
			d, err := ParseDate(f.v)
			if err != nil {
				return invalid(path+f.name, "%q is not a date YYYY-MM-DD", f.v)
			}
			*f.dst = d
		}
		if rh.Yearly != "" {
			md, ok := parseMonthDay(rh.Yearly)
			if !ok {
				return invalid(path+"yearly", "%q is not a day of the year MM-DD", rh.Yearly)
			}
			h.Yearly = md
		}
		out.Holidays = append(out.Holidays, h)
	}
	for i, ro := range raw.Overrides {
		path := fmt.Sprintf("overrides[%d].", i)
		if ro.Date == nil {
			return invalid(path+"date", "required")
		}
		d, err := ParseDate(*ro.Date)
		if err != nil {
			return invalid(path+"date", "%q is not a date YYYY-MM-DD", *ro.Date)
		}
		hs, err := decodeHours(ro.Hours, path+"hours")
		if err != nil {
			return err
		}
		out.Overrides = append(out.Overrides, Override{Date: d, Hours: hs})
	}
	*s = out
	return nil
}

func decodeHours(pairs [][]string, path string) ([]Hours, error) {
	var hs []Hours
	for j, pair := range pairs {
		h, reason := parseHoursPair(pair)
		if reason != "" {
			return nil, invalid(fmt.Sprintf("%s[%d]", path, j), "%s", reason)
		}
		hs = append(hs, h)
	}
	return hs, nil
}

// jsonError converts an encoding/json error to a ValidationError.
func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if field == "" {
			field = "calendar"
		}
		return &iso20000.ValidationError{Field: field, Reason: fmt.Sprintf("must be %s, not a JSON %s", te.Type, te.Value)}
	}
	return &iso20000.ValidationError{Field: "calendar", Reason: err.Error()}
}

// ParseCalendar decodes a calendar from its JSON document and validates it
// with [NewCalendar]. All errors are *iso20000.ValidationError values naming
// the field path.
func ParseCalendar(data []byte) (*Calendar, error) {
	var spec CalendarSpec
	if err := json.Unmarshal(data, &spec); err != nil {
		var ve *iso20000.ValidationError
		if errors.As(err, &ve) {
			return nil, ve
		}
		return nil, jsonError(err)
	}
	return NewCalendar(spec)
}

// ReadCalendar reads a calendar's JSON document from r (a configuration file,
// say) and decodes it with [ParseCalendar].
func ReadCalendar(r io.Reader) (*Calendar, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return ParseCalendar(data)
}

// MarshalJSON encodes the calendar's [CalendarSpec]; [ParseCalendar] reads it
// back to an equal calendar.
func (c *Calendar) MarshalJSON() ([]byte, error) {
	return json.Marshal(c.spec)
}

// UnmarshalJSON decodes and validates a calendar, so that a *Calendar field
// of a configuration struct can be read with encoding/json. It replaces the
// whole receiver: use it only on a Calendar no other goroutine uses.
func (c *Calendar) UnmarshalJSON(data []byte) error {
	v, err := ParseCalendar(data)
	if err != nil {
		return err
	}
	*c = *v
	return nil
}

package sla

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/servicekit/iso20000"
)

// Period is the half-open interval of time [Start, End).
type Period struct {
	// Start is the first instant of the period.
	Start time.Time `json:"start"`
	// End is the first instant after the period.
	End time.Time `json:"end"`
}

// Validate reports a *[iso20000.ValidationError] for the field
// "period.start" when Start is zero, and "period.end" when End is not after
// Start.
func (p Period) Validate() error {
	switch {
	case p.Start.IsZero():
		return &iso20000.ValidationError{Field: "period.start", Reason: "must not be zero"}
	case !p.End.After(p.Start):
		return &iso20000.ValidationError{Field: "period.end", Reason: "must be after the start"}
	}
	return nil
}

// Contains reports whether t is in the period.
func (p Period) Contains(t time.Time) bool { return !t.Before(p.Start) && t.Before(p.End) }

// clip returns p cut to within q; it is empty (End not after Start) when they
// do not overlap.
func (p Period) clip(q Period) Period {
	if p.Start.Before(q.Start) {
		p.Start = q.Start
	}
	if p.End.After(q.End) {
		p.End = q.End
	}
	return p
}

func (p Period) empty() bool { return !p.End.After(p.Start) }

// MergePeriods returns the union of ps as periods sorted by start, disjoint
// and not touching each other (overlapping and adjacent periods are merged),
// in UTC. Empty periods (End not after Start) are dropped. Merging is
// idempotent: MergePeriods(MergePeriods(ps)) equals MergePeriods(ps).
func MergePeriods(ps []Period) []Period {
	out := make([]Period, 0, len(ps))
	for _, p := range ps {
		if !p.empty() {
			out = append(out, Period{Start: p.Start.UTC(), End: p.End.UTC()})
		}
	}
	slices.SortFunc(out, func(a, b Period) int { return a.Start.Compare(b.Start) })
	merged := out[:0]
	for _, p := range out {
		if n := len(merged); n > 0 && !p.Start.After(merged[n-1].End) {
			if p.End.After(merged[n-1].End) {
				merged[n-1].End = p.End
			}
			continue
		}
		merged = append(merged, p)
	}
	return merged
}

// subtract returns the parts of the merged periods ps outside the merged
// periods cut.
func subtract(ps, cut []Period) []Period {
	var out []Period
	j := 0
	for _, p := range ps {
		for j < len(cut) && !cut[j].End.After(p.Start) {
			j++
		}
		for k := j; k < len(cut) && cut[k].Start.Before(p.End); k++ {
			if cut[k].Start.After(p.Start) {
				out = append(out, Period{Start: p.Start, End: cut[k].Start})
			}
			p.Start = cut[k].End
		}
		if !p.empty() {
			out = append(out, p)
		}
	}
	return out
}

// Outage is an interval during which a service was unavailable.
type Outage struct {
	// Start is when the service became unavailable.
	Start time.Time `json:"start"`
	// End is when it became available again.
	End time.Time `json:"end"`
	// Planned marks agreed maintenance: it is not downtime, and its time is
	// not part of the agreed service time either.
	Planned bool `json:"planned,omitempty"`
}

// ServiceAvailability is the availability of a service over a period
// (ISO/IEC 20000-1:2018, 8.7.1 service availability management).
type ServiceAvailability struct {
	// Service names the service (set by [Report.AddAvailability]).
	Service string `json:"service,omitempty"`
	// Period is the period measured.
	Period Period `json:"period"`
	// ServiceTime is the agreed service time: the business time of the
	// service hours within the period, less planned maintenance. JSON
	// encodes it in seconds as "service_time_s".
	ServiceTime time.Duration `json:"-"`
	// Downtime is the business time of unplanned outages within the
	// period, outside planned maintenance, overlaps counted once. JSON
	// encodes it in seconds as "downtime_s".
	Downtime time.Duration `json:"-"`
	// Outages is the number of distinct unplanned outage intervals that
	// remain after merging overlaps and removing planned maintenance,
	// whether or not they fall within service hours.
	Outages int `json:"outages"`
	// Percent is the availability, 100 × (ServiceTime − Downtime) / ServiceTime;
	// 100 when ServiceTime is zero (no service was agreed, none was lost).
	Percent float64 `json:"percent"`
}

// availabilityJSON is the JSON form of a ServiceAvailability.
type availabilityJSON struct {
	serviceAvailabilityFields
	ServiceTime float64 `json:"service_time_s"`
	Downtime    float64 `json:"downtime_s"`
}

// serviceAvailabilityFields has the fields of a ServiceAvailability without
// its methods, so that they encode as they are.
type serviceAvailabilityFields ServiceAvailability

// MarshalJSON encodes a with its durations in seconds.
func (a ServiceAvailability) MarshalJSON() ([]byte, error) {
	return json.Marshal(availabilityJSON{serviceAvailabilityFields(a), a.ServiceTime.Seconds(), a.Downtime.Seconds()})
}

// UnmarshalJSON decodes what MarshalJSON produced.
func (a *ServiceAvailability) UnmarshalJSON(b []byte) error {
	var j availabilityJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*a = ServiceAvailability(j.serviceAvailabilityFields)
	a.ServiceTime, a.Downtime = seconds(j.ServiceTime), seconds(j.Downtime)
	return nil
}

// seconds converts seconds to a Duration, rounded to the nanosecond.
func seconds(s float64) time.Duration { return time.Duration(math.Round(s * float64(time.Second))) }

// Availability returns the availability over period of a service whose
// service hours are the schedule hours, given its outages. Outages are cut to
// the period and merged where they overlap; planned maintenance is removed
// both from the downtime and from the service time. Only business time of
// the schedule counts, so an outage at night does not lower the availability
// of a 9–5 service. An invalid period or an outage that ends before it starts
// gives a *[iso20000.ValidationError].
func Availability(hours Schedule, period Period, outages []Outage) (ServiceAvailability, error) {
	if err := period.Validate(); err != nil {
		return ServiceAvailability{}, err
	}
	var planned, unplanned []Period
	for i, o := range outages {
		if o.End.Before(o.Start) {
			return ServiceAvailability{}, &iso20000.ValidationError{Field: fmt.Sprintf("outages[%d].end", i), Reason: "is before the start"}
		}
		p := Period{Start: o.Start, End: o.End}.clip(period)
		if o.Planned {
			planned = append(planned, p)
		} else {
			unplanned = append(unplanned, p)
		}
	}
	planned = MergePeriods(planned)
	down := subtract(MergePeriods(unplanned), planned)
	a := ServiceAvailability{Period: Period{Start: period.Start.UTC(), End: period.End.UTC()}, Outages: len(down)}
	a.ServiceTime = hours.Elapsed(period.Start, period.End) - businessTime(hours, planned)
	a.Downtime = businessTime(hours, down)
	a.Percent = 100
	if a.ServiceTime > 0 {
		a.Percent = min(100, max(0, 100*float64(a.ServiceTime-a.Downtime)/float64(a.ServiceTime)))
	}
	return a, nil
}

// businessTime returns the business time of the disjoint periods ps.
func businessTime(s Schedule, ps []Period) time.Duration {
	var d time.Duration
	for _, p := range ps {
		d += s.Elapsed(p.Start, p.End)
	}
	return d
}

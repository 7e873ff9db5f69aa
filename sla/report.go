package sla

import (
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/servicekit/iso20000"
)

// Measurement is what a report needs to know about one record (an incident
// or a service request): its grouping keys, its milestones and its SLA
// verdicts. Process packages fill it from their records and timers.
type Measurement struct {
	// ID identifies the record.
	ID string `json:"id"`
	// Service, Priority and Agreement are the keys the report groups by;
	// Agreement is the ID of the agreement the record falls under.
	Service   string `json:"service,omitempty"`
	Priority  int    `json:"priority,omitempty"`
	Agreement string `json:"agreement,omitempty"`
	// Opened, Acknowledged and Resolved are the milestones; zero when not
	// reached.
	Opened       time.Time `json:"opened"`
	Acknowledged time.Time `json:"acknowledged,omitzero"`
	Resolved     time.Time `json:"resolved,omitzero"`
	// ResponseBreached and ResolutionBreached are the verdicts of the
	// record's timers ([Timer.Breached]); a target breached while the
	// record is still open counts as breached.
	ResponseBreached   bool `json:"response_breached,omitempty"`
	ResolutionBreached bool `json:"resolution_breached,omitempty"`
	// ResponseTime and ResolutionTime are the business times used until
	// acknowledgement and resolution ([Timer.Elapsed] of the stopped timers).
	ResponseTime   time.Duration `json:"response_time,omitempty"`
	ResolutionTime time.Duration `json:"resolution_time,omitempty"`
}

// Dimensions of a report [Row].
const (
	DimensionTotal     = "total"
	DimensionService   = "service"
	DimensionPriority  = "priority"
	DimensionAgreement = "agreement"
)

// Row is one line of a [Report]: the figures of the records sharing one
// service, one priority or one agreement, or of all records.
type Row struct {
	// Dimension is [DimensionTotal], [DimensionService],
	// [DimensionPriority] or [DimensionAgreement].
	Dimension string
	// Key is the service name, the priority in decimal or the agreement ID;
	// empty for the total.
	Key string
	// Records is the number of records opened in the period.
	Records int
	// ResponseMet and ResponseBreached count the records with a response
	// verdict: acknowledged (met unless breached) or breached while open.
	ResponseMet, ResponseBreached int
	// ResponseAttainment is ResponseMet in percent of the verdicts; 100
	// when there are none.
	ResponseAttainment float64
	// ResolutionMet, ResolutionBreached and ResolutionAttainment are the
	// same for resolution.
	ResolutionMet, ResolutionBreached int
	ResolutionAttainment              float64
	// Breaches is ResponseBreached + ResolutionBreached.
	Breaches int
	// MeanAcknowledge and MeanAcknowledgeBusiness are the mean times from
	// opening to acknowledgement of the acknowledged records, on the wall
	// clock and in business time; zero when none.
	MeanAcknowledge, MeanAcknowledgeBusiness time.Duration
	// MeanResolve and MeanResolveBusiness are the same for resolution.
	MeanResolve, MeanResolveBusiness time.Duration
}

// rowJSON is the JSON form of a Row: durations in seconds.
type rowJSON struct {
	Dimension                      string  `json:"dimension"`
	Key                            string  `json:"key"`
	Records                        int     `json:"records"`
	ResponseMet                    int     `json:"response_met"`
	ResponseBreached               int     `json:"response_breached"`
	ResponseAttainment             float64 `json:"response_attainment_pct"`
	ResolutionMet                  int     `json:"resolution_met"`
	ResolutionBreached             int     `json:"resolution_breached"`
	ResolutionAttainment           float64 `json:"resolution_attainment_pct"`
	Breaches                       int     `json:"breaches"`
	MeanAcknowledgeSeconds         float64 `json:"mean_acknowledge_s"`
	MeanAcknowledgeBusinessSeconds float64 `json:"mean_acknowledge_business_s"`
	MeanResolveSeconds             float64 `json:"mean_resolve_s"`
	MeanResolveBusinessSeconds     float64 `json:"mean_resolve_business_s"`
}

// MarshalJSON encodes the row with snake_case names and durations in seconds
// (the names are the CSV columns of [Report.WriteCSV]).
func (r Row) MarshalJSON() ([]byte, error) {
	return json.Marshal(rowJSON{r.Dimension, r.Key, r.Records,
		r.ResponseMet, r.ResponseBreached, r.ResponseAttainment,
		r.ResolutionMet, r.ResolutionBreached, r.ResolutionAttainment, r.Breaches,
		r.MeanAcknowledge.Seconds(), r.MeanAcknowledgeBusiness.Seconds(),
		r.MeanResolve.Seconds(), r.MeanResolveBusiness.Seconds()})
}

// UnmarshalJSON decodes what MarshalJSON produced.
func (r *Row) UnmarshalJSON(b []byte) error {
	var j rowJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	sec := seconds
	*r = Row{j.Dimension, j.Key, j.Records, j.ResponseMet, j.ResponseBreached, j.ResponseAttainment,
		j.ResolutionMet, j.ResolutionBreached, j.ResolutionAttainment, j.Breaches,
		sec(j.MeanAcknowledgeSeconds), sec(j.MeanAcknowledgeBusinessSeconds),
		sec(j.MeanResolveSeconds), sec(j.MeanResolveBusinessSeconds)}
	return nil
}

// Report is the service level report of a period (ISO/IEC 20000-1:2018,
// 8.3.3: performance against service level targets, reviewed at planned
// intervals): attainment, breaches and mean times per service, priority and
// agreement, and the availability of services.
type Report struct {
	// Period is the period reported on.
	Period Period `json:"period"`
	// Rows are the total, then one row per service, per priority and per
	// agreement, each group sorted by key (priorities numerically).
	Rows []Row `json:"rows"`
	// Availability lists the services added with [Report.AddAvailability],
	// in the order added.
	Availability []ServiceAvailability `json:"availability,omitempty"`
}

// NewReport returns the report over period of the records opened in it
// (Opened in [period.Start, period.End)); the others are ignored. An invalid
// period, or a measurement without an opening time or with a milestone before
// it, gives a *[iso20000.ValidationError] naming the field, such as
// "measurements[3].resolved".
func NewReport(period Period, ms []Measurement) (*Report, error) {
	if err := period.Validate(); err != nil {
		return nil, err
	}
	type group struct {
		dim, key string
		prio     int
		acc      rowAcc
	}
	groups := map[[2]string]*group{}
	var order []*group
	add := func(dim, key string, prio int, m *Measurement) {
		g := groups[[2]string{dim, key}]
		if g == nil {
			g = &group{dim: dim, key: key, prio: prio}
			groups[[2]string{dim, key}] = g
			order = append(order, g)
		}
		g.acc.add(m)
	}
	var total rowAcc
	for i := range ms {
		m := &ms[i]
		if err := m.validate(i); err != nil {
			return nil, err
		}
		if !period.Contains(m.Opened) {
			continue
		}
		total.add(m)
		add(DimensionService, m.Service, 0, m)
		add(DimensionPriority, strconv.Itoa(m.Priority), m.Priority, m)
		add(DimensionAgreement, m.Agreement, 0, m)
	}
	rank := map[string]int{DimensionService: 1, DimensionPriority: 2, DimensionAgreement: 3}
	slices.SortFunc(order, func(a, b *group) int {
		return cmp.Or(cmp.Compare(rank[a.dim], rank[b.dim]), cmp.Compare(a.prio, b.prio), cmp.Compare(a.key, b.key))
	})
	r := &Report{Period: Period{Start: period.Start.UTC(), End: period.End.UTC()}}
	r.Rows = append(r.Rows, total.row(DimensionTotal, ""))
	for _, g := range order {
		r.Rows = append(r.Rows, g.acc.row(g.dim, g.key))
	}
	return r, nil
}

func (m *Measurement) validate(i int) error {
	field := func(name string) string { return fmt.Sprintf("measurements[%d].%s", i, name) }
	switch {
	case m.Opened.IsZero():
		return &iso20000.ValidationError{Field: field("opened"), Reason: "must not be zero"}
	case !m.Acknowledged.IsZero() && m.Acknowledged.Before(m.Opened):
		return &iso20000.ValidationError{Field: field("acknowledged"), Reason: "is before the opening"}
	case !m.Resolved.IsZero() && m.Resolved.Before(m.Opened):
		return &iso20000.ValidationError{Field: field("resolved"), Reason: "is before the opening"}
	case m.ResponseTime < 0:
		return &iso20000.ValidationError{Field: field("response_time"), Reason: "must not be negative"}
	case m.ResolutionTime < 0:
		return &iso20000.ValidationError{Field: field("resolution_time"), Reason: "must not be negative"}
	}
	return nil
}

// rowAcc accumulates the figures of one row.
type rowAcc struct {
	records, respMet, respBreached, resMet, resBreached int
	acked, resolved                                     int
	ack, ackBiz, res, resBiz                            time.Duration
}

func (a *rowAcc) add(m *Measurement) {
	a.records++
	switch {
	case m.ResponseBreached:
		a.respBreached++
	case !m.Acknowledged.IsZero():
		a.respMet++
	}
	switch {
	case m.ResolutionBreached:
		a.resBreached++
	case !m.Resolved.IsZero():
		a.resMet++
	}
	if !m.Acknowledged.IsZero() {
		a.acked++
		a.ack += m.Acknowledged.Sub(m.Opened)
		a.ackBiz += m.ResponseTime
	}
	if !m.Resolved.IsZero() {
		a.resolved++
		a.res += m.Resolved.Sub(m.Opened)
		a.resBiz += m.ResolutionTime
	}
}

func (a *rowAcc) row(dim, key string) Row {
	mean := func(d time.Duration, n int) time.Duration {
		if n == 0 {
			return 0
		}
		return d / time.Duration(n)
	}
	attain := func(met, breached int) float64 {
		if met+breached == 0 {
			return 100
		}
		return 100 * float64(met) / float64(met+breached)
	}
	return Row{Dimension: dim, Key: key, Records: a.records,
		ResponseMet: a.respMet, ResponseBreached: a.respBreached, ResponseAttainment: attain(a.respMet, a.respBreached),
		ResolutionMet: a.resMet, ResolutionBreached: a.resBreached, ResolutionAttainment: attain(a.resMet, a.resBreached),
		Breaches:        a.respBreached + a.resBreached,
		MeanAcknowledge: mean(a.ack, a.acked), MeanAcknowledgeBusiness: mean(a.ackBiz, a.acked),
		MeanResolve: mean(a.res, a.resolved), MeanResolveBusiness: mean(a.resBiz, a.resolved)}
}

// AddAvailability computes the availability of service over the report's
// period ([Availability]) and appends it to r.Availability.
func (r *Report) AddAvailability(service string, hours Schedule, outages []Outage) (ServiceAvailability, error) {
	a, err := Availability(hours, r.Period, outages)
	if err != nil {
		return a, err
	}
	a.Service = service
	r.Availability = append(r.Availability, a)
	return a, nil
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// CSVColumns returns the header line of [Report.WriteCSV], in its stable
// column order.
func CSVColumns() []string { return slices.Clone(csvColumns) }

var csvColumns = []string{"dimension", "key", "records",
	"response_met", "response_breached", "response_attainment_pct",
	"resolution_met", "resolution_breached", "resolution_attainment_pct", "breaches",
	"mean_acknowledge_s", "mean_acknowledge_business_s", "mean_resolve_s", "mean_resolve_business_s"}

// AvailabilityCSVColumns returns the header line of
// [Report.WriteAvailabilityCSV], in its stable column order.
func AvailabilityCSVColumns() []string { return slices.Clone(availabilityCSVColumns) }

var availabilityCSVColumns = []string{"service", "period_start", "period_end",
	"service_time_s", "downtime_s", "outages", "availability_pct"}

func pct(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }

func secs(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) }

// WriteCSV writes the rows of the report as CSV with the header [CSVColumns]:
// percentages with two decimals, durations in seconds.
func (r *Report) WriteCSV(w io.Writer) error {
	records := [][]string{csvColumns}
	for _, x := range r.Rows {
		records = append(records, []string{x.Dimension, x.Key, strconv.Itoa(x.Records),
			strconv.Itoa(x.ResponseMet), strconv.Itoa(x.ResponseBreached), pct(x.ResponseAttainment),
			strconv.Itoa(x.ResolutionMet), strconv.Itoa(x.ResolutionBreached), pct(x.ResolutionAttainment),
			strconv.Itoa(x.Breaches),
			secs(x.MeanAcknowledge), secs(x.MeanAcknowledgeBusiness), secs(x.MeanResolve), secs(x.MeanResolveBusiness)})
	}
	return csv.NewWriter(w).WriteAll(records)
}

// WriteAvailabilityCSV writes the availability of the report as CSV with the
// header [AvailabilityCSVColumns]: times in RFC 3339, durations in seconds,
// the percentage with three decimals.
func (r *Report) WriteAvailabilityCSV(w io.Writer) error {
	records := [][]string{availabilityCSVColumns}
	for _, a := range r.Availability {
		records = append(records, []string{a.Service,
			a.Period.Start.Format(time.RFC3339), a.Period.End.Format(time.RFC3339),
			secs(a.ServiceTime), secs(a.Downtime), strconv.Itoa(a.Outages),
			strconv.FormatFloat(a.Percent, 'f', 3, 64)})
	}
	return csv.NewWriter(w).WriteAll(records)
}

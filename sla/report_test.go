package sla_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/sla"
)

func period(from, to float64) sla.Period { return sla.Period{Start: at(from), End: at(to)} }

func TestMergePeriods(t *testing.T) {
	tests := []struct {
		name string
		in   []sla.Period
		want []sla.Period
	}{
		{"none", nil, []sla.Period{}},
		{"empty dropped", []sla.Period{period(1, 1), period(3, 2)}, []sla.Period{}},
		{"disjoint sorted", []sla.Period{period(5, 6), period(1, 2)}, []sla.Period{period(1, 2), period(5, 6)}},
		{"overlap", []sla.Period{period(1, 3), period(2, 4)}, []sla.Period{period(1, 4)}},
		{"contained", []sla.Period{period(1, 10), period(2, 3)}, []sla.Period{period(1, 10)}},
		{"adjacent", []sla.Period{period(1, 2), period(2, 3)}, []sla.Period{period(1, 3)}},
		{"chain", []sla.Period{period(4, 6), period(1, 2), period(5, 7), period(1.5, 4)}, []sla.Period{period(1, 7)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sla.MergePeriods(tt.in)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("MergePeriods = %v, want %v", got, tt.want)
			}
			if again := sla.MergePeriods(got); !reflect.DeepEqual(again, got) {
				t.Errorf("not idempotent: %v then %v", got, again)
			}
		})
	}
}

func TestAvailability(t *testing.T) {
	week := sla.Period{Start: monday.Add(-9 * time.Hour), End: monday.Add(7*24*time.Hour - 9*time.Hour)} // Mon 00:00 to Mon 00:00
	out := func(from, to float64, planned bool) sla.Outage {
		return sla.Outage{Start: at(from), End: at(to), Planned: planned}
	}
	tests := []struct {
		name     string
		hours    sla.Schedule
		outages  []sla.Outage
		service  time.Duration
		down     time.Duration
		outageN  int
		percent  float64
		errField string
	}{
		{name: "no outage 24x7", hours: schedAlways, service: 168 * time.Hour, percent: 100},
		{name: "no outage office", hours: schedOffice, service: 40 * time.Hour, percent: 100},
		{name: "overlaps counted once", hours: schedAlways, service: 168 * time.Hour,
			outages: []sla.Outage{out(1, 3, false), out(2, 4.8, false)}, down: hours(3.8), outageN: 1,
			percent: 100 * (168 - 3.8) / 168},
		{name: "night outage does not count in office hours", hours: schedOffice, service: 40 * time.Hour,
			outages: []sla.Outage{out(10, 20, false)}, // Monday 19:00 to Tuesday 05:00
			outageN: 1, percent: 100},
		{name: "office outage across the evening", hours: schedOffice, service: 40 * time.Hour,
			outages: []sla.Outage{out(6, 26, false)}, // Monday 15:00 to Tuesday 11:00: 2h + 2h
			down:    4 * time.Hour, outageN: 1, percent: 90},
		{name: "planned maintenance excluded", hours: schedOffice, service: 38 * time.Hour,
			outages: []sla.Outage{out(1, 3, true), out(2, 4, false)}, // 2h planned, 1h of unplanned outside it
			down:    time.Hour, outageN: 1, percent: 100 * 37.0 / 38},
		{name: "outage inside maintenance is not downtime", hours: schedAlways, service: 166 * time.Hour,
			outages: []sla.Outage{out(1, 3, true), out(1.5, 2.5, false)}, outageN: 0, percent: 100},
		{name: "outage split by maintenance", hours: schedAlways, service: 167 * time.Hour,
			outages: []sla.Outage{out(2, 3, true), out(1, 4, false)}, down: 2 * time.Hour, outageN: 2,
			percent: 100 * 165.0 / 167},
		{name: "clipped to the period", hours: schedAlways, service: 168 * time.Hour,
			outages: []sla.Outage{out(-20, -8, false), out(-100, -90, false)}, down: time.Hour, outageN: 1,
			percent: 100 * 167.0 / 168},
		{name: "all maintenance", hours: schedAlways, service: 0,
			outages: []sla.Outage{out(-9, 159, true), out(1, 2, false)}, percent: 100},
		{name: "outage ends before start", hours: schedAlways, outages: []sla.Outage{out(1, 3, false), out(2, 1, false)},
			errField: "outages[1].end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := sla.Availability(tt.hours, week, tt.outages)
			if tt.errField != "" {
				var ve *iso20000.ValidationError
				if !errors.As(err, &ve) || ve.Field != tt.errField {
					t.Fatalf("err = %v, want a validation error for %s", err, tt.errField)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.ServiceTime != tt.service || a.Downtime != tt.down || a.Outages != tt.outageN || a.Percent != tt.percent {
				t.Errorf("Availability = service %v, down %v, %d outages, %v %%; want %v, %v, %d, %v %%",
					a.ServiceTime, a.Downtime, a.Outages, a.Percent, tt.service, tt.down, tt.outageN, tt.percent)
			}
		})
	}
	if _, err := sla.Availability(schedAlways, period(2, 1), nil); !errors.Is(err, iso20000.ErrValidation) {
		t.Errorf("reversed period: %v", err)
	}
	if _, err := sla.Availability(schedAlways, sla.Period{End: at(1)}, nil); !errors.Is(err, iso20000.ErrValidation) {
		t.Errorf("period without start: %v", err)
	}
}

// reportInput: four records in March 2026 and one in April, hand-computed below.
func reportInput() []sla.Measurement {
	return []sla.Measurement{
		{ID: "1", Service: "email", Priority: 1, Agreement: "SLA-A", Opened: at(0), Acknowledged: at(0.25), Resolved: at(3),
			ResponseTime: 15 * time.Minute, ResolutionTime: 3 * time.Hour},
		{ID: "2", Service: "email", Priority: 2, Agreement: "SLA-A", Opened: at(1), Acknowledged: at(2), Resolved: at(13),
			ResponseBreached: true, ResolutionBreached: true, ResponseTime: time.Hour, ResolutionTime: 5 * time.Hour},
		{ID: "3", Service: "payroll", Priority: 1, Agreement: "SLA-B", Opened: at(2), Acknowledged: at(2.5),
			ResponseTime: 30 * time.Minute},
		{ID: "4", Service: "payroll", Priority: 2, Opened: at(3), ResolutionBreached: true},
		{ID: "5", Service: "email", Priority: 1, Agreement: "SLA-A", Opened: at(31 * 24)}, // April: outside
	}
}

func TestNewReport(t *testing.T) {
	march := sla.Period{Start: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)}
	r, err := sla.NewReport(march, reportInput())
	if err != nil {
		t.Fatal(err)
	}
	row := func(dim, key string, n, rm, rb int, ra float64, sm, sb int, sa float64, ack, ackB, res, resB time.Duration) sla.Row {
		return sla.Row{Dimension: dim, Key: key, Records: n, ResponseMet: rm, ResponseBreached: rb, ResponseAttainment: ra,
			ResolutionMet: sm, ResolutionBreached: sb, ResolutionAttainment: sa, Breaches: rb + sb,
			MeanAcknowledge: ack, MeanAcknowledgeBusiness: ackB, MeanResolve: res, MeanResolveBusiness: resB}
	}
	want := []sla.Row{
		// acknowledged 1, 2, 3: wall (15m + 60m + 30m)/3 = 35m, business the same;
		// resolved 1, 2: wall (3h + 12h)/2 = 7h30m, business (3h + 5h)/2 = 4h.
		row("total", "", 4, 2, 1, 200.0/3, 1, 2, 100.0/3, 35*time.Minute, 35*time.Minute, 450*time.Minute, 4*time.Hour),
		row("service", "email", 2, 1, 1, 50, 1, 1, 50, 37*time.Minute+30*time.Second, 37*time.Minute+30*time.Second, 450*time.Minute, 4*time.Hour),
		row("service", "payroll", 2, 1, 0, 100, 0, 1, 0, 30*time.Minute, 30*time.Minute, 0, 0),
		row("priority", "1", 2, 2, 0, 100, 1, 0, 100, 22*time.Minute+30*time.Second, 22*time.Minute+30*time.Second, 3*time.Hour, 3*time.Hour),
		row("priority", "2", 2, 0, 1, 0, 0, 2, 0, time.Hour, time.Hour, 12*time.Hour, 5*time.Hour),
		row("agreement", "", 1, 0, 0, 100, 0, 1, 0, 0, 0, 0, 0),
		row("agreement", "SLA-A", 2, 1, 1, 50, 1, 1, 50, 37*time.Minute+30*time.Second, 37*time.Minute+30*time.Second, 450*time.Minute, 4*time.Hour),
		row("agreement", "SLA-B", 1, 1, 0, 100, 0, 0, 100, 30*time.Minute, 30*time.Minute, 0, 0),
	}
	if !reflect.DeepEqual(r.Rows, want) {
		for i := range max(len(r.Rows), len(want)) {
			var g, w sla.Row
			if i < len(r.Rows) {
				g = r.Rows[i]
			}
			if i < len(want) {
				w = want[i]
			}
			if g != w {
				t.Errorf("row %d:\n got %+v\nwant %+v", i, g, w)
			}
		}
	}
	if _, err := r.AddAvailability("email", schedAlways, []sla.Outage{{Start: at(0), End: at(7.44)}}); err != nil {
		t.Fatal(err)
	}

	var csvOut bytes.Buffer
	if err := r.WriteCSV(&csvOut); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(csvOut.String()), "\n")
	if lines[0] != strings.Join(sla.CSVColumns(), ",") || len(lines) != 1+len(want) {
		t.Errorf("CSV header/lines: %q", lines)
	}
	if want := "total,,4,2,1,66.67,1,2,33.33,3,2100,2100,27000,14400"; lines[1] != want {
		t.Errorf("CSV total = %q, want %q", lines[1], want)
	}
	var avOut bytes.Buffer
	if err := r.WriteAvailabilityCSV(&avOut); err != nil {
		t.Fatal(err)
	}
	// March 2026 has 744 hours; 7.44h down is 1 %.
	if want := "service,period_start,period_end,service_time_s,downtime_s,outages,availability_pct\n" +
		"email,2026-03-01T00:00:00Z,2026-04-01T00:00:00Z,2678400,26784,1,99.000\n"; avOut.String() != want {
		t.Errorf("availability CSV =\n%s\nwant\n%s", avOut.String(), want)
	}

	var js bytes.Buffer
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	for _, frag := range []string{`"dimension": "total"`, `"mean_resolve_business_s": 14400`, `"downtime_s": 26784`, `"percent": 99`} {
		if !strings.Contains(js.String(), frag) {
			t.Errorf("JSON lacks %s:\n%s", frag, js.String())
		}
	}
	var back sla.Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, r) {
		t.Errorf("JSON round trip:\n got %+v\nwant %+v", back, *r)
	}
}

func TestNewReportValidates(t *testing.T) {
	p := period(0, 10)
	tests := []struct {
		m     sla.Measurement
		field string
	}{
		{sla.Measurement{}, "measurements[0].opened"},
		{sla.Measurement{Opened: at(1), Acknowledged: at(0)}, "measurements[0].acknowledged"},
		{sla.Measurement{Opened: at(1), Resolved: at(0)}, "measurements[0].resolved"},
		{sla.Measurement{Opened: at(1), ResponseTime: -1}, "measurements[0].response_time"},
		{sla.Measurement{Opened: at(1), ResolutionTime: -1}, "measurements[0].resolution_time"},
	}
	for _, tt := range tests {
		_, err := sla.NewReport(p, []sla.Measurement{tt.m})
		var ve *iso20000.ValidationError
		if !errors.As(err, &ve) || ve.Field != tt.field {
			t.Errorf("NewReport(%+v) = %v, want a validation error for %s", tt.m, err, tt.field)
		}
	}
	if _, err := sla.NewReport(period(1, 0), nil); !errors.Is(err, iso20000.ErrValidation) {
		t.Errorf("reversed period: %v", err)
	}
	r, err := sla.NewReport(p, nil)
	if err != nil || len(r.Rows) != 1 || r.Rows[0].ResponseAttainment != 100 {
		t.Errorf("empty report = %+v, %v", r, err)
	}
}

func FuzzAvailability(f *testing.F) {
	f.Add([]byte{0, 10, 1, 5, 20, 0, 30, 2, 1})
	f.Add([]byte{200, 255, 0, 0, 1, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		base := monday.Add(-9 * time.Hour)
		p := sla.Period{Start: base, End: base.Add(7 * 24 * time.Hour)}
		var outages []sla.Outage
		var periods []sla.Period
		for i := 0; i+2 < len(data); i += 3 {
			// start and length in hours, spilling over the period's edges
			start := base.Add(time.Duration(int(data[i])-20) * time.Hour)
			end := start.Add(time.Duration(int(data[i+1])-10) * time.Hour)
			outages = append(outages, sla.Outage{Start: start, End: end, Planned: data[i+2]%3 == 0})
			periods = append(periods, sla.Period{Start: start, End: end})
		}
		merged := sla.MergePeriods(periods)
		if again := sla.MergePeriods(merged); !reflect.DeepEqual(again, merged) {
			t.Fatalf("merge not idempotent: %v then %v", merged, again)
		}
		for i := 1; i < len(merged); i++ {
			if !merged[i].Start.After(merged[i-1].End) {
				t.Fatalf("merged periods overlap or touch: %v", merged)
			}
		}
		for _, s := range []sla.Schedule{schedAlways, schedOffice} {
			a, err := sla.Availability(s, p, outages)
			if err != nil {
				var ve *iso20000.ValidationError
				if !errors.As(err, &ve) || !strings.HasPrefix(ve.Field, "outages[") {
					t.Fatalf("unexpected error %v", err)
				}
				continue
			}
			if a.Percent < 0 || a.Percent > 100 || a.Downtime < 0 || a.Downtime > a.ServiceTime {
				t.Fatalf("availability out of range: %+v", a)
			}
		}
	})
}

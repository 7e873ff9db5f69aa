package sla

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/servicekit/iso20000"
)

// FuzzCalendarAddElapsed builds a calendar, a start and durations from the
// fuzz bytes and compares Add, Elapsed, IsOpen and NextOpen with the
// minute-stepping oracle (bounded spans), then checks the inverse property
// with nanosecond starts and large durations. Seeds: testdata/fuzz.
func FuzzCalendarAddElapsed(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("Europe/London night shift across the clocks going back"))
	f.Add([]byte{0, 2, 0, 1, 0, 3, 1, 200, 0, 5, 7, 7, 9, 100, 3, 3, 3, 250, 1, 1, 0, 0, 0, 9, 99, 2, 40})
	f.Fuzz(func(t *testing.T, data []byte) {
		p := bytesPicker(data)
		year := 1971 + p(MaxYear-1971)
		spec := genSpec(p, year)
		c, err := NewCalendar(spec)
		if err != nil {
			t.Fatalf("NewCalendar(%+v): %v", spec, err)
		}
		o := newOracle(t, spec)
		start := genStart(p, c.Location(), year)
		d := time.Duration(p(2*24*60)) * time.Minute
		span := time.Duration(p(3*24*60)) * time.Minute
		checkAgainstOracle(t, c, o, start, d, span)

		s2 := start.Add(time.Duration(p(1_000_000_000)))
		big := time.Duration(p(1<<16)) * time.Hour / 7
		due := c.Add(s2, big)
		// Up to the end of MaxYear the calendar may have less business
		// time left than big: Add then returns the end of its last working
		// interval (or s2 when that is earlier), as documented.
		if left := c.Elapsed(s2, time.Date(MaxYear+2, time.January, 1, 0, 0, 0, 0, time.UTC)); left < big {
			want := s2
			if end := time.Unix(0, c.lastEnd); len(c.keys) > 0 && end.After(s2) {
				want = end
			}
			if !due.Equal(want) || c.Elapsed(s2, due) != left {
				t.Fatalf("Add(s, %s) past the range = %s, want %s with all %s left; spec %+v start %s", big, due, want, left, spec, s2)
			}
			return
		}
		if got := c.Elapsed(s2, due); got != big {
			t.Fatalf("Elapsed(s, Add(s, %s)) = %s; spec %+v start %s", big, got, spec, s2)
		}
		if big > 0 && c.Elapsed(s2, due.Add(-1)) >= big {
			t.Fatalf("Add(s, %s) = %s is not the earliest instant", big, due)
		}
	})
}

// FuzzCalendarJSON checks that decoding never panics, that every error is a
// ValidationError, and that a valid document survives a round trip.
func FuzzCalendarJSON(f *testing.F) {
	f.Add([]byte(sampleJSON))
	f.Add([]byte(`{"timezone":"UTC","always_open":true}`))
	f.Add([]byte(`{"timezone":"Australia/Lord_Howe","week":{"sun":[["01:30","02:30"],["23:00","01:00"]]}}`))
	f.Add([]byte(`{"timezone":"UTC","week":{"mon":[["08:00","08:00"]]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCalendar(data)
		if err != nil {
			var ve *iso20000.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, iso20000.ErrValidation) {
				t.Fatalf("error %v (%T) is not a ValidationError", err, err)
			}
			return
		}
		out, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		c2, err := ParseCalendar(out)
		if err != nil {
			t.Fatalf("re-decoding %s: %v", out, err)
		}
		if !reflect.DeepEqual(c.Spec(), c2.Spec()) {
			t.Fatalf("round trip changed the spec:\n%+v\n%+v", c.Spec(), c2.Spec())
		}
		start := time.Date(2026, 3, 27, 9, 0, 0, 0, time.UTC)
		if !c.Add(start, 30*time.Hour).Equal(c2.Add(start, 30*time.Hour)) {
			t.Fatal("round trip changed Add")
		}
	})
}

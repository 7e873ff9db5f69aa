package workflow

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/store"
)

type rec struct {
	Name  string
	Level int
	When  time.Time
	Tags  []string
	Notes []string
}

var spec = &Spec[rec]{
	Fields: []Field[rec]{
		{Name: "name", Get: func(r *rec) string { return r.Name }},
		{Name: "level", Get: func(r *rec) string { return Int(r.Level) }},
		TimeField("when", func(r *rec) *time.Time { return &r.When }),
		ListField("tags", func(r *rec) *[]string { return &r.Tags }),
	},
	Logs: []Log[rec]{{Name: "notes", Len: func(r *rec) int { return len(r.Notes) }, Text: func(r *rec, i int) string { return r.Notes[i] }}},
}

func TestAppendDiff(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	base := rec{Name: "a", Level: 1, When: t0, Tags: []string{"x"}, Notes: []string{"n1"}}
	tests := []struct {
		name   string
		change func(r *rec)
		want   []audit.Change
	}{
		{"nothing", func(*rec) {}, nil},
		{"scalars", func(r *rec) { r.Name, r.Level = "b", 2 }, []audit.Change{{Field: "name", Old: "a", New: "b"}, {Field: "level", Old: "1", New: "2"}}},
		{"same instant in another zone", func(r *rec) { r.When = t0.In(time.FixedZone("X", 3600)) }, nil},
		{"time", func(r *rec) { r.When = time.Time{} }, []audit.Change{{Field: "when", Old: "2026-01-02T03:04:05.000000006Z"}}},
		{"list", func(r *rec) { r.Tags = append(slices.Clone(r.Tags), "y") }, []audit.Change{{Field: "tags", Old: "x", New: "x,y"}}},
		{"log appends", func(r *rec) { r.Notes = append(slices.Clone(r.Notes), "n2", "n3") }, []audit.Change{{Field: "notes", New: "n2"}, {Field: "notes", New: "n3"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			after := base
			tt.change(&after)
			got := spec.AppendDiff(nil, &base, &after)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestDetails(t *testing.T) {
	d := Details{}
	if d.data() != nil {
		t.Fatal("empty details give non-nil entry data")
	}
	d.Add("sla.response", "stop")
	d.Add("sla.response", "restart")
	d.Add("reason", "x")
	if d["sla.response"] != "stop,restart" || d["reason"] != "x" || len(d) != 2 {
		t.Fatalf("details %v", d)
	}
	if got := d.data(); len(got) != 2 {
		t.Fatalf("entry data %v", got)
	}
}

func TestRenderers(t *testing.T) {
	if Int(42) != "42" || Bool(true) != "true" || Time(time.Time{}) != "" || List([]string{"a", "b"}) != "a,b" || List[string](nil) != "" {
		t.Fatal("renderers are wrong")
	}
	if got := Time(time.Date(2026, 1, 1, 1, 0, 0, 0, time.FixedZone("X", 3600))); got != "2026-01-01T00:00:00Z" {
		t.Fatalf("Time renders %q, want UTC", got)
	}
}

func TestListFunc(t *testing.T) {
	type task struct {
		name string
		done bool
	}
	done := func(t task) (string, bool) { return t.name, t.done }
	tests := []struct {
		tasks []task
		want  string
	}{
		{nil, ""},
		{[]task{{"a", false}}, ""},
		{[]task{{"a", true}}, "a"},
		{[]task{{"a", true}, {"b", false}, {"c", true}}, "a,c"},
		{[]task{{"a", true}, {"b", true}, {"c", true}}, "a,b,c"},
		{[]task{{"", true}, {"b", true}}, ",b"}, // as List renders an empty name
	}
	for _, tt := range tests {
		if got := ListFunc(tt.tasks, done); got != tt.want {
			t.Errorf("ListFunc(%v) = %q, want %q", tt.tasks, got, tt.want)
		}
	}
	if List([]string{"", "b"}) != ",b" || List([]string{"x"}) != "x" || List([]string{"x", "y", "z"}) != "x,y,z" {
		t.Error("List disagrees with ListFunc")
	}
	one := []task{{"b", false}, {"only", true}}
	if n := testing.AllocsPerRun(100, func() { ListFunc(one, done) }); n != 0 {
		t.Errorf("ListFunc of one name: %v allocations, want 0", n)
	}
}

// TestFreeCallClearsEverything fills every field a call uses, frees it and
// checks that only the engine and the bound unit survive, so that the pool
// keeps no record, entry or actor alive (a field added to call and forgotten
// by freeCall fails here). The zero record, never written, is checked too.
func TestFreeCallClearsEverything(t *testing.T) {
	e := &Engine[rec]{}
	c := e.newCall()
	c.actor = iso20000.Actor{ID: "ann", Roles: []string{"agent"}}
	c.id, c.version, c.action = "id", 3, "rec.edit"
	c.apply = func(*rec, time.Time, Details) error { return nil }
	c.build = func(context.Context, store.Tx, time.Time, Details) (rec, error) { return rec{}, nil }
	c.details.Add("reason", "x")
	c.work = rec{Name: "n", Tags: []string{"t"}, Notes: []string{"x"}}
	c.out = &c.work
	c.denied = errors.New("denied")
	for i := range c.changes {
		c.changes[i] = audit.Change{Field: "f", Old: "o", New: "n"}
	}
	c.used = len(c.changes) + 5 // an attempt appended past the array
	c.entry[0] = audit.Entry{Actor: "ann", Changes: c.changes[:], Data: map[string]string{"k": "v"}}
	e.freeCall(c)
	v := reflect.ValueOf(c).Elem()
	for i := range v.NumField() {
		name := v.Type().Field(i).Name
		switch name {
		case "e", "unit", "createUnit":
			continue
		case "details": // kept for the next call, empty
			if c.details == nil || len(c.details) != 0 {
				t.Errorf("freeCall left details %v, want an empty map", c.details)
			}
			continue
		}
		if !v.Field(i).IsZero() {
			t.Errorf("freeCall left field %s set: %v", name, v.Field(i))
		}
	}
	if c.e != e || c.unit == nil || c.createUnit == nil {
		t.Error("freeCall dropped the engine or a bound unit")
	}
}

func TestNumber(t *testing.T) {
	for _, n := range []int64{0, 1, 123, 999999, 1000000, 1234567890123, -5} {
		if got, want := Number("INC", n), fmt.Sprintf("INC-%06d", n); got != want {
			t.Errorf("Number(%d) = %q, want %q", n, got, want)
		}
	}
}

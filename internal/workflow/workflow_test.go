package workflow

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/servicekit/iso20000/audit"
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

// TestFreeCallReleases checks what a pooled call keeps: the working copy is
// cleared, or only released by Spec.Release when the spec has one (the rest
// is overwritten by the next use), the result and the denial are dropped, and
// the engine and the bound units survive.
func TestFreeCallReleases(t *testing.T) {
	fill := func(e *Engine[rec]) *call[rec] {
		c := e.newCall()
		c.work = rec{Name: "n", Tags: []string{"t"}, Notes: []string{"x"}}
		c.out = &c.work
		c.denied = errors.New("denied")
		return c
	}
	check := func(t *testing.T, e *Engine[rec], c *call[rec], want rec) {
		t.Helper()
		if !reflect.DeepEqual(c.work, want) {
			t.Errorf("pooled working copy %+v, want %+v", c.work, want)
		}
		if c.out != nil || c.denied != nil {
			t.Error("freeCall kept the result or the denial")
		}
		if c.e != e || c.unit == nil || c.createUnit == nil || c.details == nil {
			t.Error("freeCall dropped the engine, a bound unit or the details map")
		}
	}
	t.Run("clear", func(t *testing.T) {
		e := &Engine[rec]{Spec: &Spec[rec]{}}
		c := fill(e)
		e.freeCall(c)
		check(t, e, c, rec{})
	})
	t.Run("release", func(t *testing.T) {
		e := &Engine[rec]{Spec: &Spec[rec]{Release: func(r *rec) { r.Tags, r.Notes = nil, nil }}}
		c := fill(e)
		e.freeCall(c)
		check(t, e, c, rec{Name: "n"})
	})
}

func TestNumber(t *testing.T) {
	for _, n := range []int64{0, 1, 123, 999999, 1000000, 1234567890123, -5} {
		if got, want := Number("INC", n), fmt.Sprintf("INC-%06d", n); got != want {
			t.Errorf("Number(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestAction checks that each verb gets its action "<kind>.<verb>", from
// goroutines at once (run with -race), and that the engine keeps the first
// maxActions it builds (a kept action is the same string every time) and
// still builds the others right.
func TestAction(t *testing.T) {
	e := &Engine[rec]{Spec: &Spec[rec]{Kind: "rec"}}
	verbs := make([]string, maxActions+8)
	for i := range verbs {
		verbs[i] = fmt.Sprintf("verb%d", i)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for _, v := range verbs {
				if got := e.action(v); got != "rec."+v {
					t.Errorf("action(%q) = %q", v, got)
				}
			}
		})
	}
	wg.Wait()
	kept := *e.actions.Load()
	if len(kept) != maxActions {
		t.Fatalf("the engine keeps %d actions, want %d", len(kept), maxActions)
	}
	for _, a := range kept {
		if got := e.action(a.verb); unsafe.StringData(got) != unsafe.StringData(a.name) {
			t.Errorf("action(%q) was built again", a.verb)
		}
	}
}

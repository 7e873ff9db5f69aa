package incident

import (
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/servicekit/iso20000/sla"
)

// fullIncident returns an incident with every slice and timer set, its
// strings prefixed with p.
func fullIncident(p string) Incident {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	timer := func(target string) *sla.Timer {
		return &sla.Timer{Target: target, Service: p + "svc", Duration: time.Hour, Thresholds: []int{50, 75},
			Cycles: []sla.Cycle{{Start: at, Stop: at.Add(time.Hour), Pauses: []sla.Pause{{Start: at, End: at.Add(time.Minute), Reason: p + "wait"}}}, {Start: at.Add(2 * time.Hour)}}}
	}
	note := Note{At: at, Author: p + "alice", Text: p + "note"}
	return Incident{ID: uuid.New(), Number: p + "INC-1", Title: p + "title", ConfigItems: []string{p + "ci1", p + "ci2"},
		Problems: []string{p + "p"}, Changes: []string{p + "c"}, WorkNotes: []Note{note, note}, Communications: []Note{note},
		Escalations: []Escalation{{Target: "resolution", Percent: 50, At: at}}, Response: timer("response"), Resolution: timer("resolution")}
}

// assertDeepCopy fails when got differs from want or shares a slice array or
// pointed-to value with it, field by field (and inside SLA timers), so that
// a field added to a record type without a deep copy is caught.
func assertDeepCopy[T any](t *testing.T, got, want *T) {
	t.Helper()
	if !reflect.DeepEqual(*got, *want) {
		t.Fatalf("copy = %+v\nwant %+v", *got, *want)
	}
	g, w := reflect.ValueOf(got).Elem(), reflect.ValueOf(want).Elem()
	for i := range g.NumField() {
		gf, wf := g.Field(i), w.Field(i)
		switch gf.Kind() {
		case reflect.Slice, reflect.Pointer, reflect.Map:
			if !wf.IsNil() && gf.Pointer() == wf.Pointer() && (gf.Kind() != reflect.Slice || gf.Len() > 0) {
				t.Errorf("field %s shares memory with the original", g.Type().Field(i).Name)
			}
		}
		gt, ok := gf.Interface().(*sla.Timer)
		if !ok || gt == nil {
			continue
		}
		wt := wf.Interface().(*sla.Timer)
		if len(gt.Thresholds) > 0 && &gt.Thresholds[0] == &wt.Thresholds[0] {
			t.Errorf("timer %s: thresholds share memory with the original", g.Type().Field(i).Name)
		}
		for c := range gt.Cycles {
			if &gt.Cycles[c] == &wt.Cycles[c] || len(gt.Cycles[c].Pauses) > 0 && &gt.Cycles[c].Pauses[0] == &wt.Cycles[c].Pauses[0] {
				t.Errorf("timer %s: cycle %d shares memory with the original", g.Type().Field(i).Name, c)
			}
		}
	}
}

func TestCloneIsDeep(t *testing.T) {
	src := fullIncident("")
	c := src.Clone()
	assertDeepCopy(t, &c, &src)
}

func TestCloneIntoIsDeepAndReusesTheSpare(t *testing.T) {
	src := fullIncident("")
	for name, spare := range map[string]Incident{
		"empty spare":     {},
		"larger spare":    fullIncident("old-"),
		"spare, no timer": {WorkNotes: make([]Note, 5)},
	} {
		t.Run(name, func(t *testing.T) {
			notes := spare.WorkNotes
			cloneInto(&spare, &src)
			assertDeepCopy(t, &spare, &src)
			if cap(notes) >= len(src.WorkNotes) && &spare.WorkNotes[0] != &notes[:1][0] {
				t.Error("the spare's work notes were not reused")
			}
		})
	}
	t.Run("to nil slices and timers", func(t *testing.T) {
		spare, empty := fullIncident("old-"), Incident{}
		cloneInto(&spare, &empty)
		if !reflect.DeepEqual(spare, empty) {
			t.Fatalf("cloneInto from the zero incident = %+v", spare)
		}
	})
}

func fullRequest(p string) Request {
	inc := fullIncident(p)
	return Request{ID: uuid.New(), Number: p + "REQ-1", ItemID: p + "laptop", Tasks: []Task{{Name: p + "order"}, {Name: p + "ship"}},
		WorkNotes: inc.WorkNotes, Fulfilment: inc.Resolution}
}

func TestRequestCopiesAreDeep(t *testing.T) {
	src := fullRequest("")
	c := src.Clone()
	assertDeepCopy(t, &c, &src)
	for name, spare := range map[string]Request{"empty spare": {}, "larger spare": fullRequest("old-")} {
		t.Run(name, func(t *testing.T) {
			cloneRequestInto(&spare, &src)
			assertDeepCopy(t, &spare, &src)
		})
	}
}

func TestCatalogItemCopiesAreDeep(t *testing.T) {
	src := CatalogItem{ID: "laptop", Name: "Laptop", Tasks: []string{"order", "ship"}}
	c := src.Clone()
	assertDeepCopy(t, &c, &src)
	spare := CatalogItem{Tasks: make([]string, 1, 8)}
	cloneItemInto(&spare, &src)
	assertDeepCopy(t, &spare, &src)
}

// assertReleased fails when a reference field (slice, map or pointer) of r
// is still set after release, so that a field added to a record type and
// forgotten by its release function is caught: the workflow engine keeps
// the rest of a released working copy, and a later copy into it would write
// into memory the caller's record still uses.
func assertReleased[T any](t *testing.T, r *T) {
	t.Helper()
	v := reflect.ValueOf(r).Elem()
	for i := range v.NumField() {
		switch f := v.Field(i); f.Kind() {
		case reflect.Slice, reflect.Pointer, reflect.Map:
			if !f.IsNil() {
				t.Errorf("release left field %s set", v.Type().Field(i).Name)
			}
		}
	}
}

// TestReleaseKeepsReturnedRecords plays what the workflow engine does with
// its working copy: the caller receives a plain copy of it, the engine
// releases it and later copies another record into it. The caller's record
// must stay as it was.
func TestReleaseKeepsReturnedRecords(t *testing.T) {
	t.Run("incident", func(t *testing.T) {
		assertReleaseKeeps(t, fullIncident("a-"), fullIncident("b-"), Incident.Clone, release, cloneInto)
	})
	t.Run("request", func(t *testing.T) {
		assertReleaseKeeps(t, fullRequest("a-"), fullRequest("b-"), Request.Clone, releaseRequest, cloneRequestInto)
	})
	t.Run("catalog item", func(t *testing.T) {
		assertReleaseKeeps(t, CatalogItem{ID: "a", Tasks: []string{"a-order", "a-ship"}}, CatalogItem{ID: "b", Tasks: []string{"b-order", "b-ship"}},
			CatalogItem.Clone, releaseItem, cloneItemInto)
	})
}

// assertReleaseKeeps returns work to a caller (a plain copy), releases it,
// copies next into it, and checks what the caller holds.
func assertReleaseKeeps[T any](t *testing.T, work, next T, clone func(T) T, release func(*T), cloneInto func(dst, src *T)) {
	t.Helper()
	returned, want := work, clone(work)
	release(&work)
	assertReleased(t, &work)
	cloneInto(&work, &next)
	assertDeepCopy(t, &returned, &want)
}

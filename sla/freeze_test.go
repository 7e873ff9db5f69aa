package sla_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/sla"
)

// TestTimerFreeze checks that a frozen timer refuses every event with
// ErrFrozen and stays as it was, that its copies are not frozen and change
// alone, and that Thaw replaces a frozen timer by such a copy.
func TestTimerFreeze(t *testing.T) {
	p := testPolicy(t)
	newFrozen := func(t *testing.T) (*sla.Timer, sla.Timer) {
		t.Helper()
		tm, err := p.NewTimer(sla.TargetResolution, 1, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := tm.Start(at(0)); err != nil {
			t.Fatal(err)
		}
		before := tm.Clone()
		if tm.Frozen() {
			t.Fatal("a new timer is frozen")
		}
		tm.Freeze()
		if !tm.Frozen() {
			t.Fatal("Freeze did not freeze")
		}
		return &tm, before
	}
	events := []struct {
		name string
		do   func(tm *sla.Timer) error
	}{
		{"start", func(tm *sla.Timer) error { return tm.Start(at(1)) }},
		{"pause", func(tm *sla.Timer) error { return tm.Pause(at(1), "pending customer") }},
		{"resume", func(tm *sla.Timer) error { return tm.Resume(at(1)) }},
		{"stop", func(tm *sla.Timer) error { return tm.Stop(at(1)) }},
		{"restart", func(tm *sla.Timer) error { return tm.Restart(at(1)) }},
		{"retarget", func(tm *sla.Timer) error {
			return tm.Retarget(sla.Target{Name: sla.TargetResolution, Priority: 3, Duration: time.Hour})
		}},
		{"policy retarget", func(tm *sla.Timer) error { return p.Retarget(tm, 3, "payroll") }},
		{"policy on state", func(tm *sla.Timer) error { _, err := p.OnState(tm, "resolved", at(1)); return err }},
	}
	for _, ev := range events {
		t.Run(ev.name, func(t *testing.T) {
			tm, before := newFrozen(t)
			if err := ev.do(tm); !errors.Is(err, sla.ErrFrozen) {
				t.Fatalf("%s of a frozen timer: %v, want ErrFrozen", ev.name, err)
			}
			if got := tm.Clone(); !reflect.DeepEqual(got, before) || !tm.Frozen() {
				t.Fatalf("%s changed a frozen timer:\n%+v\nwas\n%+v", ev.name, got, before)
			}
		})
	}
	t.Run("a state without events is no change", func(t *testing.T) {
		tm, _ := newFrozen(t)
		if evs, err := p.OnState(tm, "in progress", at(1)); err != nil || len(evs) != 0 {
			t.Fatalf("OnState of a running state: %v, %v", evs, err)
		}
	})
	t.Run("copies are not frozen and change alone", func(t *testing.T) {
		tm, before := newFrozen(t)
		clone := tm.Clone()
		var into sla.Timer
		tm.CloneInto(&into)
		for name, c := range map[string]*sla.Timer{"Clone": &clone, "CloneNew": tm.CloneNew(), "CloneInto": &into} {
			if c.Frozen() {
				t.Errorf("%s gave a frozen timer", name)
			}
			if err := c.Stop(at(2)); err != nil {
				t.Errorf("stopping a copy made by %s: %v", name, err)
			}
		}
		if got := tm.Clone(); !reflect.DeepEqual(got, before) {
			t.Fatal("changing a copy changed the frozen timer")
		}
	})
	t.Run("Thaw", func(t *testing.T) {
		tm, before := newFrozen(t)
		slot := tm
		own := sla.Thaw(&slot)
		if own == tm || slot != own || own.Frozen() {
			t.Fatalf("Thaw of a frozen timer: %p (slot %p), want a new unfrozen copy of %p", own, slot, tm)
		}
		if err := own.Stop(at(2)); err != nil {
			t.Fatal(err)
		}
		if got := tm.Clone(); !reflect.DeepEqual(got, before) || !tm.Frozen() {
			t.Fatal("changing the thawed copy changed the frozen timer")
		}
		if again := sla.Thaw(&slot); again != own {
			t.Fatal("Thaw of an unfrozen timer did not return it")
		}
	})
	t.Run("AppendOnStateThaw refused", func(t *testing.T) {
		tm, before := newFrozen(t)
		slot := tm
		var iv *iso20000.ValidationError
		if _, err := p.AppendOnStateThaw(nil, &slot, "resolved", at(-1)); !errors.As(err, &iv) { // before the start
			t.Fatalf("a stop before the start: %v, want a ValidationError", err)
		}
		if slot != tm || !tm.Frozen() || !reflect.DeepEqual(tm.Clone(), before) {
			t.Fatal("a refused event replaced or changed the frozen timer")
		}
	})
	t.Run("CloneInto a frozen timer panics", func(t *testing.T) {
		tm, _ := newFrozen(t)
		src := tm.Clone()
		defer func() {
			if recover() == nil {
				t.Fatal("CloneInto a frozen timer did not panic")
			}
		}()
		src.CloneInto(tm)
	})
	t.Run("nil", func(t *testing.T) {
		var none *sla.Timer
		none.Freeze() // does nothing, as records without a timer are frozen too
		if none.Frozen() {
			t.Fatal("a nil timer is frozen")
		}
	})
	t.Run("frozen is not encoded", func(t *testing.T) {
		tm, before := newFrozen(t)
		a, _ := json.Marshal(tm)
		b, _ := json.Marshal(before)
		if string(a) != string(b) {
			t.Fatalf("a frozen timer encodes as %s, unfrozen as %s", a, b)
		}
	})
	// Freezing a frozen timer again writes nothing, so it runs beside
	// readers: go test -race fails here if it writes.
	t.Run("freezing again beside readers", func(t *testing.T) {
		tm, _ := newFrozen(t)
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for range 100 {
					tm.Freeze()
					_ = tm.Status()
					_ = tm.Frozen()
				}
			})
		}
		wg.Wait()
	})
}

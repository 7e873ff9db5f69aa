package sla_test

import (
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/sla"
)

func testPolicy(t *testing.T) *sla.Policy {
	t.Helper()
	always, office := schedAlways, schedOffice
	p, err := sla.NewPolicy(
		sla.WithTargets(
			sla.Target{Name: sla.TargetResponse, Priority: 1, Duration: 15 * time.Minute, Schedule: always},
			sla.Target{Name: sla.TargetResolution, Priority: 1, Duration: 4 * time.Hour, Schedule: always},
			sla.Target{Name: sla.TargetResolution, Priority: 3, Duration: 16 * time.Hour, Schedule: office},
			sla.Target{Name: sla.TargetResolution, Priority: 3, Service: "payroll", Duration: 8 * time.Hour, Schedule: office},
		),
		sla.WithPauseStates("pending customer", "pending supplier"),
		sla.WithStopStates(sla.TargetResponse, "in progress", "resolved", "closed"),
		sla.WithStopStates(sla.TargetResolution, "resolved", "closed"),
	)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestNewPolicyValidates(t *testing.T) {
	ok := sla.Target{Name: "response", Priority: 1, Duration: time.Hour, Schedule: schedAlways}
	with := func(f func(*sla.Target)) sla.Target { t := ok; f(&t); return t }
	tests := []struct {
		name  string
		opts  []sla.PolicyOption
		field string
	}{
		{"no targets", nil, "targets"},
		{"no name", []sla.PolicyOption{sla.WithTargets(ok, with(func(t *sla.Target) { t.Name = "" }))}, "targets[1].name"},
		{"no priority", []sla.PolicyOption{sla.WithTargets(with(func(t *sla.Target) { t.Priority = 0 }))}, "targets[0].priority"},
		{"no duration", []sla.PolicyOption{sla.WithTargets(with(func(t *sla.Target) { t.Duration = -time.Second }))}, "targets[0].duration"},
		{"no schedule", []sla.PolicyOption{sla.WithTargets(with(func(t *sla.Target) { t.Schedule = nil }))}, "targets[0].schedule"},
		{"duplicate", []sla.PolicyOption{sla.WithTargets(ok, ok)}, "targets[1]"},
		{"threshold 100", []sla.PolicyOption{sla.WithTargets(ok), sla.WithThresholds(50, 100)}, "thresholds"},
		{"thresholds not ascending", []sla.PolicyOption{sla.WithTargets(ok), sla.WithThresholds(75, 50)}, "thresholds"},
		{"threshold 0", []sla.PolicyOption{sla.WithTargets(ok), sla.WithThresholds(0)}, "thresholds"},
		{"empty pause state", []sla.PolicyOption{sla.WithTargets(ok), sla.WithPauseStates("")}, "pause_states"},
		{"empty stop state", []sla.PolicyOption{sla.WithTargets(ok), sla.WithStopStates("response", "")}, "stop_states"},
		{"pause and stop", []sla.PolicyOption{sla.WithTargets(ok), sla.WithPauseStates("held"), sla.WithStopStates("response", "held")}, "stop_states"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := sla.NewPolicy(tt.opts...)
			var ve *iso20000.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, iso20000.ErrValidation) || ve.Field != tt.field {
				t.Fatalf("NewPolicy = %v, %v; want a validation error for %q", p, err, tt.field)
			}
		})
	}
}

func TestPolicyAccessors(t *testing.T) {
	p := testPolicy(t)
	if got := p.Thresholds(); !reflect.DeepEqual(got, []int{50, 75, 90}) {
		t.Errorf("Thresholds = %v, want the defaults", got)
	}
	if got := p.PauseStates(); !reflect.DeepEqual(got, []string{"pending customer", "pending supplier"}) {
		t.Errorf("PauseStates = %v", got)
	}
	if got := p.StopStates(sla.TargetResolution); !reflect.DeepEqual(got, []string{"closed", "resolved"}) {
		t.Errorf("StopStates = %v", got)
	}
	if got := p.Targets(); len(got) != 4 || got[3].Service != "payroll" {
		t.Errorf("Targets = %v", got)
	}
	p2, err := sla.NewPolicy(sla.WithTargets(p.Targets()[0]), sla.WithThresholds())
	if err != nil || len(p2.Thresholds()) != 0 {
		t.Errorf("WithThresholds() = %v, %v; want no warnings", p2.Thresholds(), err)
	}
}

func TestPolicyTargetLookup(t *testing.T) {
	p := testPolicy(t)
	tests := []struct {
		name     string
		priority int
		service  string
		want     time.Duration
	}{
		{sla.TargetResolution, 3, "payroll", 8 * time.Hour},  // service override
		{sla.TargetResolution, 3, "email", 16 * time.Hour},   // default
		{sla.TargetResolution, 3, "", 16 * time.Hour},        // default
		{sla.TargetResponse, 1, "payroll", 15 * time.Minute}, // default
	}
	for _, tt := range tests {
		got, err := p.Target(tt.name, tt.priority, tt.service)
		if err != nil || got.Duration != tt.want {
			t.Errorf("Target(%s, %d, %q) = %v, %v; want %v", tt.name, tt.priority, tt.service, got.Duration, err, tt.want)
		}
	}
	_, err := p.Target(sla.TargetResponse, 3, "payroll")
	var nf *iso20000.NotFoundError
	if !errors.Is(err, iso20000.ErrNotFound) || !errors.As(err, &nf) || nf.Kind != "sla target" || nf.ID != "response/P3/payroll" {
		t.Errorf("missing target: err = %v", err)
	}
	if _, err := p.NewTimer(sla.TargetResponse, 3, "payroll"); !errors.Is(err, iso20000.ErrNotFound) {
		t.Errorf("NewTimer for a missing target: err = %v", err)
	}
	// A priority that only a service has a target for: other services, and
	// records without a service, have none.
	own, err := sla.NewPolicy(sla.WithTargets(
		sla.Target{Name: sla.TargetResponse, Priority: 2, Service: "payroll", Duration: time.Hour, Schedule: schedAlways},
		sla.Target{Name: sla.TargetResponse, Priority: 2, Service: "email", Duration: 2 * time.Hour, Schedule: schedAlways},
	))
	if err != nil {
		t.Fatal(err)
	}
	for service, want := range map[string]time.Duration{"payroll": time.Hour, "email": 2 * time.Hour, "hr": 0, "": 0} {
		got, err := own.Target(sla.TargetResponse, 2, service)
		if want == 0 && !errors.Is(err, iso20000.ErrNotFound) || want != 0 && (err != nil || got.Duration != want) {
			t.Errorf("service-only target for %q = %v, %v; want %v", service, got.Duration, err, want)
		}
	}
}

func TestPolicyNewTimerAndRetarget(t *testing.T) {
	p := testPolicy(t)
	tm, err := p.NewTimer(sla.TargetResolution, 3, "email")
	if err != nil {
		t.Fatal(err)
	}
	want := sla.Timer{Target: sla.TargetResolution, Priority: 3, Service: "email", Duration: 16 * time.Hour, Thresholds: []int{50, 75, 90}}
	if !reflect.DeepEqual(tm, want) {
		t.Fatalf("NewTimer = %+v, want %+v", tm, want)
	}
	if err := tm.Start(monday); err != nil {
		t.Fatal(err)
	}
	// Two office hours used, then raised to P1 (4h, 24×7): re-measured on the
	// 24×7 schedule, 2h are used and 2h remain.
	if err := p.Retarget(&tm, 1, "email"); err != nil {
		t.Fatal(err)
	}
	r, err := p.Measure(&tm, monday.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if r.Duration != 4*time.Hour || r.Remaining != 2*time.Hour || !r.Due.Equal(monday.Add(4*time.Hour)) {
		t.Errorf("after retarget: %+v", r)
	}
	// No P2 target: nothing changes.
	before := tm.Clone()
	if err := p.Retarget(&tm, 2, "email"); !errors.Is(err, iso20000.ErrNotFound) || !reflect.DeepEqual(tm, before) {
		t.Errorf("Retarget to a missing target: %v, timer %+v", err, tm)
	}
	// The service moves to payroll at P3: its own 8h target applies.
	if err := p.Retarget(&tm, 3, "payroll"); err != nil || tm.Duration != 8*time.Hour || tm.Service != "payroll" {
		t.Errorf("Retarget to payroll: %v, %+v", err, tm)
	}
	orphan := sla.Timer{Target: "fix", Priority: 1}
	if _, err := p.Measure(&orphan, monday); !errors.Is(err, iso20000.ErrNotFound) {
		t.Errorf("Measure without a target: %v", err)
	}
}

func TestPolicyNewTimerPair(t *testing.T) {
	p := testPolicy(t)
	same := func(got *sla.Timer, name string, priority int, service string) {
		t.Helper()
		want, err := p.NewTimer(name, priority, service)
		if err != nil {
			t.Fatal(err)
		}
		if got == nil {
			t.Fatalf("%s: nil timer, want %+v", name, want)
		}
		// Equal to NewTimer's but for the room of its (empty) cycles.
		if len(got.Cycles) != 0 || cap(got.Cycles) == 0 {
			t.Errorf("%s: cycles %v (cap %d), want none with room for one", name, got.Cycles, cap(got.Cycles))
		}
		c := *got
		c.Cycles = nil
		if !reflect.DeepEqual(c, want) {
			t.Errorf("%s = %+v, want %+v", name, c, want)
		}
	}
	resp, res, err := p.NewTimerPair(sla.TargetResponse, sla.TargetResolution, 1, "email")
	if err != nil {
		t.Fatal(err)
	}
	same(resp, sla.TargetResponse, 1, "email")
	same(res, sla.TargetResolution, 1, "email")
	// The timers share nothing: starting and changing one leaves the other.
	if err := resp.Start(monday); err != nil {
		t.Fatal(err)
	}
	resp.Thresholds[0] = 1
	if len(res.Cycles) != 0 || res.Thresholds[0] != 50 {
		t.Errorf("the resolution timer changed with the response timer: %+v", res)
	}
	if th := p.Thresholds(); th[0] != 50 {
		t.Errorf("the policy's thresholds changed with a timer's: %v", th)
	}

	// A target the policy does not set, or no name, gives nil.
	resp, res, err = p.NewTimerPair(sla.TargetResponse, sla.TargetResolution, 3, "payroll")
	if err != nil || resp != nil {
		t.Fatalf("P3 pair = %v, %v, %v; want no response timer", resp, res, err)
	}
	same(res, sla.TargetResolution, 3, "payroll")
	one, none, err := p.NewTimerPair(sla.TargetResolution, "", 3, "")
	if err != nil || none != nil {
		t.Fatalf("one timer = %v, %v, %v", one, none, err)
	}
	same(one, sla.TargetResolution, 3, "")
	if a, b, err := p.NewTimerPair(sla.TargetResponse, "", 2, ""); a != nil || b != nil || err != nil {
		t.Errorf("no target = %v, %v, %v; want nil, nil, nil", a, b, err)
	}

	// More thresholds than a block has room for are copied all the same.
	many, err := sla.NewPolicy(sla.WithTargets(sla.Target{Name: sla.TargetResponse, Priority: 1, Duration: time.Hour, Schedule: schedAlways}),
		sla.WithThresholds(10, 20, 30, 40, 50))
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := many.NewTimerPair(sla.TargetResponse, "", 1, "")
	if err != nil || !slices.Equal(got.Thresholds, []int{10, 20, 30, 40, 50}) {
		t.Errorf("five thresholds: %+v, %v", got, err)
	}

	// Making both timers and starting them takes one allocation.
	allocs := testing.AllocsPerRun(100, func() {
		a, b, _ := p.NewTimerPair(sla.TargetResponse, sla.TargetResolution, 1, "email")
		_ = a.Start(monday)
		_ = b.Start(monday)
	})
	if allocs != 1 {
		t.Errorf("NewTimerPair and two starts: %v allocations, want 1", allocs)
	}
}

func TestPolicyOnState(t *testing.T) {
	p := testPolicy(t)
	type move struct {
		state  string
		events []sla.TimerEvent
		status sla.TimerStatus
	}
	tests := []struct {
		name   string
		target string
		moves  []move
	}{
		{"resolution through its life", sla.TargetResolution, []move{
			{"new", []sla.TimerEvent{sla.EventStart}, sla.TimerRunning},
			{"in progress", nil, sla.TimerRunning},
			{"pending customer", []sla.TimerEvent{sla.EventPause}, sla.TimerPaused},
			{"pending supplier", nil, sla.TimerPaused},
			{"in progress", []sla.TimerEvent{sla.EventResume}, sla.TimerRunning},
			{"resolved", []sla.TimerEvent{sla.EventStop}, sla.TimerStopped},
			{"in progress", nil, sla.TimerStopped}, // a reopen restarts explicitly
			{"closed", nil, sla.TimerStopped},
		}},
		{"response stops on work", sla.TargetResponse, []move{
			{"new", []sla.TimerEvent{sla.EventStart}, sla.TimerRunning},
			{"in progress", []sla.TimerEvent{sla.EventStop}, sla.TimerStopped},
			{"pending customer", nil, sla.TimerStopped},
		}},
		{"created pending", sla.TargetResolution, []move{
			{"pending customer", []sla.TimerEvent{sla.EventStart, sla.EventPause}, sla.TimerPaused},
			{"closed", []sla.TimerEvent{sla.EventStop}, sla.TimerStopped},
		}},
		{"created resolved", sla.TargetResolution, []move{
			{"resolved", nil, sla.TimerIdle},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tm, err := p.NewTimer(tt.target, 1, "")
			if err != nil {
				t.Fatal(err)
			}
			// tm2 takes the same moves through AppendOnState, after an
			// event already in its buffer.
			tm2 := tm.Clone()
			for i, m := range tt.moves {
				// A frozen copy refuses exactly the moves that change it, and
				// stays as it was; AppendOnStateThaw makes those moves on a
				// thawed copy, which replaces it.
				frozen := tm.Clone()
				frozen.Freeze()
				if _, err := p.OnState(&frozen, m.state, at(float64(i))); (err != nil) != (len(m.events) > 0) ||
					(err != nil && !errors.Is(err, sla.ErrFrozen)) || !reflect.DeepEqual(frozen.Clone(), tm.Clone()) {
					t.Errorf("move %d to %q of a frozen timer: %v, timer %+v", i, m.state, err, frozen)
				}
				slot := &frozen
				thawed, err := p.AppendOnStateThaw(nil, &slot, m.state, at(float64(i)))
				if err != nil || !slices.Equal(thawed, m.events) || (slot != &frozen) != (len(m.events) > 0) || slot.Frozen() != (len(m.events) == 0) {
					t.Errorf("move %d to %q, thawing: events %v, %v; timer replaced %t, frozen %t", i, m.state, thawed, err, slot != &frozen, slot.Frozen())
				}
				events, err := p.OnState(&tm, m.state, at(float64(i)))
				if err != nil {
					t.Fatalf("move %d to %q: %v", i, m.state, err)
				}
				if !reflect.DeepEqual(events, m.events) || tm.Status() != m.status {
					t.Errorf("move %d to %q: events %v, status %s; want %v, %s", i, m.state, events, tm.Status(), m.events, m.status)
				}
				var buf [3]sla.TimerEvent
				appended, err := p.AppendOnState(append(buf[:0], sla.EventRestart), &tm2, m.state, at(float64(i)))
				if err != nil || !slices.Equal(appended, append([]sla.TimerEvent{sla.EventRestart}, m.events...)) || !reflect.DeepEqual(tm2, tm) {
					t.Errorf("move %d to %q: AppendOnState gave %v, %v and timer %+v; OnState gave %v and %+v", i, m.state, appended, err, tm2, events, tm)
				}
				if got := slot.Clone(); !reflect.DeepEqual(got, tm.Clone()) {
					t.Errorf("move %d to %q: the thawed timer is %+v, OnState made %+v", i, m.state, got, tm)
				}
			}
		})
	}
	t.Run("AppendOnState allocates nothing with room for two events", func(t *testing.T) {
		tm, _ := p.NewTimer(sla.TargetResolution, 1, "")
		tm.Cycles = make([]sla.Cycle, 0, 1)
		var buf [2]sla.TimerEvent
		states := []string{"new", "resolved"}
		i := 0
		allocs := testing.AllocsPerRun(1, func() {
			if _, err := p.AppendOnState(buf[:0], &tm, states[i], at(float64(i))); err != nil {
				t.Fatal(err)
			}
			i++
		})
		if allocs != 0 || tm.Status() != sla.TimerStopped {
			t.Errorf("start then stop: %v allocations, status %s", allocs, tm.Status())
		}
	})
	t.Run("pause reason is the state", func(t *testing.T) {
		tm, _ := p.NewTimer(sla.TargetResolution, 1, "")
		if _, err := p.OnState(&tm, "pending supplier", at(0)); err != nil {
			t.Fatal(err)
		}
		if got := tm.Cycles[0].Pauses[0].Reason; got != "pending supplier" {
			t.Errorf("reason = %q", got)
		}
	})
	t.Run("error changes nothing", func(t *testing.T) {
		tm, _ := p.NewTimer(sla.TargetResolution, 1, "")
		if _, err := p.OnState(&tm, "new", at(2)); err != nil {
			t.Fatal(err)
		}
		before := tm.Clone()
		events, err := p.OnState(&tm, "pending customer", at(1))
		if !errors.Is(err, iso20000.ErrValidation) || events != nil || !reflect.DeepEqual(tm, before) {
			t.Errorf("OnState back in time = %v, %v; timer %+v", events, err, tm)
		}
		// Two events (start, then pause) of which the first fails.
		idle := sla.Timer{Target: sla.TargetResolution, Thresholds: []int{50}}
		before = idle.Clone()
		events, err = p.OnState(&idle, "pending customer", at(1))
		if !errors.Is(err, iso20000.ErrValidation) || events != nil || !reflect.DeepEqual(idle, before) {
			t.Errorf("OnState starting a timer without duration = %v, %v; timer %+v", events, err, idle)
		}
	})
}

package sla_test

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/sla"
)

// monday is Monday 2 March 2026, 09:00 UTC.
var monday = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// timerEvent applies to tm, at now, the event numbered op modulo 5: start,
// pause (for reason), resume, stop or restart.
func timerEvent(tm *sla.Timer, op int, now time.Time, reason string) error {
	switch op % 5 {
	case 0:
		return tm.Start(now)
	case 1:
		return tm.Pause(now, reason)
	case 2:
		return tm.Resume(now)
	case 3:
		return tm.Stop(now)
	}
	return tm.Restart(now)
}

func at(h float64) time.Time { return monday.Add(time.Duration(h * float64(time.Hour))) }

func hours(h float64) time.Duration { return time.Duration(h * float64(time.Hour)) }

// step is one timer event of a test scenario.
type step struct {
	ev  sla.TimerEvent
	at  time.Time
	why string
}

func apply(t *testing.T, tm *sla.Timer, steps []step) {
	t.Helper()
	for _, s := range steps {
		var err error
		switch s.ev {
		case sla.EventStart:
			err = tm.Start(s.at)
		case sla.EventPause:
			err = tm.Pause(s.at, s.why)
		case sla.EventResume:
			err = tm.Resume(s.at)
		case sla.EventStop:
			err = tm.Stop(s.at)
		case sla.EventRestart:
			err = tm.Restart(s.at)
		}
		if err != nil {
			t.Fatalf("%s at %s: %v", s.ev, s.at, err)
		}
	}
}

func TestTimerLifecycle(t *testing.T) {
	tests := []struct {
		name      string
		steps     []step
		now       time.Time
		status    sla.TimerStatus
		elapsed   time.Duration
		due       time.Time // zero: undefined
		breached  bool
		crossed   []int
		cycles    int
		remaining time.Duration
	}{
		{name: "idle", now: at(1), status: sla.TimerIdle, remaining: hours(4)},
		{name: "running", steps: []step{{sla.EventStart, at(0), ""}}, now: at(1),
			status: sla.TimerRunning, elapsed: hours(1), due: at(4), cycles: 1, remaining: hours(3)},
		{name: "half used crosses 50", steps: []step{{sla.EventStart, at(0), ""}}, now: at(2),
			status: sla.TimerRunning, elapsed: hours(2), due: at(4), crossed: []int{50}, cycles: 1, remaining: hours(2)},
		{name: "paused keeps elapsed, due undefined",
			steps: []step{{sla.EventStart, at(0), ""}, {sla.EventPause, at(1), "pending customer"}},
			now:   at(10), status: sla.TimerPaused, elapsed: hours(1), cycles: 1, remaining: hours(3)},
		{name: "resumed shifts due by the pause",
			steps: []step{{sla.EventStart, at(0), ""}, {sla.EventPause, at(1), "pending customer"}, {sla.EventResume, at(3), ""}},
			now:   at(4), status: sla.TimerRunning, elapsed: hours(2), due: at(6), crossed: []int{50}, cycles: 1, remaining: hours(2)},
		{name: "breached while running",
			steps: []step{{sla.EventStart, at(0), ""}},
			now:   at(5), status: sla.TimerRunning, elapsed: hours(5), due: at(4), breached: true,
			crossed: []int{50, 75, 90, 100}, cycles: 1, remaining: hours(-1)},
		{name: "paused after breach keeps its due time",
			steps: []step{{sla.EventStart, at(0), ""}, {sla.EventPause, at(5), "pending supplier"}},
			now:   at(9), status: sla.TimerPaused, elapsed: hours(5), due: at(4), breached: true,
			crossed: []int{50, 75, 90, 100}, cycles: 1, remaining: hours(-1)},
		{name: "stopped exactly at due met the target",
			steps: []step{{sla.EventStart, at(0), ""}, {sla.EventStop, at(4), ""}},
			now:   at(9), status: sla.TimerStopped, elapsed: hours(4), due: at(4),
			crossed: []int{50, 75, 90}, cycles: 1},
		{name: "stopped while paused ends the pause",
			steps: []step{{sla.EventStart, at(0), ""}, {sla.EventPause, at(1), "x"}, {sla.EventStop, at(2), ""}},
			now:   at(9), status: sla.TimerStopped, elapsed: hours(1), cycles: 1, remaining: hours(3)},
		{name: "restart is a new cycle with no time used",
			steps: []step{{sla.EventStart, at(0), ""}, {sla.EventStop, at(3), ""}, {sla.EventRestart, at(10), ""}},
			now:   at(11), status: sla.TimerRunning, elapsed: hours(1), due: at(14), cycles: 2, remaining: hours(3)},
		{name: "query before the last event measures up to now",
			steps: []step{{sla.EventStart, at(0), ""}, {sla.EventPause, at(3), "x"}},
			now:   at(1), status: sla.TimerPaused, elapsed: hours(1), cycles: 1, remaining: hours(3)},
	}
	s := schedAlways
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tm := sla.Timer{Target: sla.TargetResolution, Duration: hours(4), Thresholds: []int{50, 75, 90}}
			apply(t, &tm, tt.steps)
			if got := tm.Status(); got != tt.status {
				t.Errorf("Status = %s, want %s", got, tt.status)
			}
			if got := tm.Elapsed(s, tt.now); got != tt.elapsed {
				t.Errorf("Elapsed = %v, want %v", got, tt.elapsed)
			}
			if got := tm.Remaining(s, tt.now); got != tt.remaining {
				t.Errorf("Remaining = %v, want %v", got, tt.remaining)
			}
			if got, want := tm.PercentUsed(s, tt.now), 100*float64(tt.elapsed)/float64(hours(4)); got != want {
				t.Errorf("PercentUsed = %v, want %v", got, want)
			}
			due, ok := tm.Due(s)
			if !due.Equal(tt.due) || ok == tt.due.IsZero() {
				t.Errorf("Due = %v, %v; want %v", due, ok, tt.due)
			}
			if got := tm.Breached(s, tt.now); got != tt.breached {
				t.Errorf("Breached = %v, want %v", got, tt.breached)
			}
			var crossed []int
			for _, a := range tm.Crossed(s, tt.now) {
				crossed = append(crossed, a.Percent)
				if a.At.After(tt.now) {
					t.Errorf("crossed %d%% at %v, after now %v", a.Percent, a.At, tt.now)
				}
			}
			if !reflect.DeepEqual(crossed, tt.crossed) {
				t.Errorf("Crossed = %v, want %v", crossed, tt.crossed)
			}
			if len(tm.Cycles) != tt.cycles {
				t.Errorf("%d cycles, want %d", len(tm.Cycles), tt.cycles)
			}
			r := tm.Measure(s, tt.now)
			if r.Status != tt.status || r.Elapsed != tt.elapsed || r.Remaining != tt.remaining ||
				r.Breached != tt.breached || !r.Due.Equal(tt.due) || len(r.Crossed) != len(tt.crossed) || r.Cycle != tt.cycles {
				t.Errorf("Measure = %+v, inconsistent with the single queries", r)
			}
		})
	}
}

func TestTimerRefusesInvalidEvents(t *testing.T) {
	started := func() sla.Timer {
		tm := sla.Timer{Target: "response", Duration: time.Hour}
		apply(t, &tm, []step{{sla.EventStart, at(0), ""}})
		return tm
	}
	paused := func() sla.Timer {
		tm := started()
		apply(t, &tm, []step{{sla.EventPause, at(1), "pending customer"}})
		return tm
	}
	stopped := func() sla.Timer {
		tm := started()
		apply(t, &tm, []step{{sla.EventStop, at(1), ""}})
		return tm
	}
	idle := func() sla.Timer { return sla.Timer{Target: "response", Duration: time.Hour} }
	tests := []struct {
		name  string
		timer func() sla.Timer
		do    func(*sla.Timer) error
		from  sla.TimerStatus // for transition errors
		field string          // for validation errors
	}{
		{"start twice", started, func(tm *sla.Timer) error { return tm.Start(at(2)) }, sla.TimerRunning, ""},
		{"start stopped", stopped, func(tm *sla.Timer) error { return tm.Start(at(2)) }, sla.TimerStopped, ""},
		{"pause idle", idle, func(tm *sla.Timer) error { return tm.Pause(at(2), "x") }, sla.TimerIdle, ""},
		{"pause paused", paused, func(tm *sla.Timer) error { return tm.Pause(at(2), "x") }, sla.TimerPaused, ""},
		{"pause stopped", stopped, func(tm *sla.Timer) error { return tm.Pause(at(2), "x") }, sla.TimerStopped, ""},
		{"resume running", started, func(tm *sla.Timer) error { return tm.Resume(at(2)) }, sla.TimerRunning, ""},
		{"resume idle", idle, func(tm *sla.Timer) error { return tm.Resume(at(2)) }, sla.TimerIdle, ""},
		{"stop idle", idle, func(tm *sla.Timer) error { return tm.Stop(at(2)) }, sla.TimerIdle, ""},
		{"stop stopped", stopped, func(tm *sla.Timer) error { return tm.Stop(at(2)) }, sla.TimerStopped, ""},
		{"restart running", started, func(tm *sla.Timer) error { return tm.Restart(at(2)) }, sla.TimerRunning, ""},
		{"restart paused", paused, func(tm *sla.Timer) error { return tm.Restart(at(2)) }, sla.TimerPaused, ""},
		{"restart idle", idle, func(tm *sla.Timer) error { return tm.Restart(at(2)) }, sla.TimerIdle, ""},
		{"time goes backwards", paused, func(tm *sla.Timer) error { return tm.Resume(at(0.5)) }, "", "at"},
		{"zero instant", idle, func(tm *sla.Timer) error { return tm.Start(time.Time{}) }, "", "at"},
		{"no duration", func() sla.Timer { return sla.Timer{Target: "response"} },
			func(tm *sla.Timer) error { return tm.Start(at(0)) }, "", "duration"},
		{"retarget to another name", started,
			func(tm *sla.Timer) error { return tm.Retarget(sla.Target{Name: "resolution", Duration: time.Hour}) }, "", "target.name"},
		{"retarget to no duration", started,
			func(tm *sla.Timer) error { return tm.Retarget(sla.Target{Name: "response"}) }, "", "target.duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tm := tt.timer()
			before := tm.Clone()
			err := tt.do(&tm)
			if tt.field == "" {
				var te *iso20000.TransitionError
				if !errors.Is(err, iso20000.ErrInvalidTransition) || !errors.As(err, &te) {
					t.Fatalf("err = %v, want an invalid transition", err)
				}
				if te.From != string(tt.from) || te.Kind != "sla timer" {
					t.Errorf("TransitionError = %+v, want From %s", te, tt.from)
				}
			} else {
				var ve *iso20000.ValidationError
				if !errors.Is(err, iso20000.ErrValidation) || !errors.As(err, &ve) || ve.Field != tt.field {
					t.Fatalf("err = %v, want a validation error for %q", err, tt.field)
				}
			}
			if !reflect.DeepEqual(tm, before) {
				t.Errorf("timer changed by a refused event:\n got %+v\nwant %+v", tm, before)
			}
		})
	}
}

func TestTimerBusinessHours(t *testing.T) {
	s := schedOffice
	friday := time.Date(2026, 3, 6, 16, 0, 0, 0, time.UTC)
	tm := sla.Timer{Target: "resolution", Duration: hours(4), Thresholds: []int{50}}
	if err := tm.Start(friday); err != nil {
		t.Fatal(err)
	}
	// 1h on Friday, 3h on Monday: due Monday 12:00.
	due, ok := tm.Due(s)
	if want := time.Date(2026, 3, 9, 12, 0, 0, 0, time.UTC); !ok || !due.Equal(want) {
		t.Errorf("Due = %v, want %v", due, want)
	}
	saturday := time.Date(2026, 3, 7, 12, 0, 0, 0, time.UTC)
	if got := tm.Elapsed(s, saturday); got != time.Hour {
		t.Errorf("Elapsed on Saturday = %v, want 1h", got)
	}
	// The 50 % warning falls at Monday 10:00.
	next, ok := tm.NextDeadline(s, saturday)
	if want := time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC); !ok || next.Percent != 50 || !next.At.Equal(want) {
		t.Errorf("NextDeadline = %+v, want 50%% at %v", next, want)
	}
	// Paused Monday 09:30 to Tuesday 09:30: 0.5h used Monday, due moves to Tuesday 12:00.
	if err := tm.Pause(time.Date(2026, 3, 9, 9, 30, 0, 0, time.UTC), "pending customer"); err != nil {
		t.Fatal(err)
	}
	if err := tm.Resume(time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	due, _ = tm.Due(s)
	if want := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC); !due.Equal(want) {
		t.Errorf("Due after pause = %v, want %v", due, want)
	}
	crossed := tm.Crossed(s, time.Date(2026, 3, 10, 11, 0, 0, 0, time.UTC))
	// 1.5h used before the pause: the 50 % (2h) mark falls half an hour after it.
	if want := time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC); len(crossed) != 1 || !crossed[0].At.Equal(want) {
		t.Errorf("Crossed = %+v, want 50%% at %v", crossed, want)
	}
}

func TestTimerRetargetAppliesToTimeUsed(t *testing.T) {
	s := schedAlways
	tests := []struct {
		name      string
		duration  time.Duration
		remaining time.Duration
		breached  bool
		due       time.Time
	}{
		{"longer target", hours(8), hours(5), false, at(8)},
		{"shorter target leaves 1h", hours(4), hours(1), false, at(4)},
		{"shorter than used breaches at once", hours(2), hours(-1), true, at(2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tm := sla.Timer{Target: "resolution", Priority: 3, Duration: hours(24)}
			apply(t, &tm, []step{{sla.EventStart, at(0), ""}})
			if err := tm.Retarget(sla.Target{Name: "resolution", Priority: 1, Duration: tt.duration}); err != nil {
				t.Fatal(err)
			}
			if tm.Priority != 1 || tm.Duration != tt.duration {
				t.Errorf("retargeted timer = %+v", tm)
			}
			if got := tm.Remaining(s, at(3)); got != tt.remaining {
				t.Errorf("Remaining = %v, want %v", got, tt.remaining)
			}
			if got := tm.Breached(s, at(3)); got != tt.breached {
				t.Errorf("Breached = %v, want %v", got, tt.breached)
			}
			if due, _ := tm.Due(s); !due.Equal(tt.due) {
				t.Errorf("Due = %v, want %v", due, tt.due)
			}
		})
	}
}

func TestTimerAlerts(t *testing.T) {
	s := schedAlways
	tm := sla.Timer{Target: "response", Duration: hours(10), Thresholds: []int{90, 50, 50, 0, 150, 75}}
	if got := tm.Alerts(s, at(0)); got != nil {
		t.Errorf("idle timer has alerts %v", got)
	}
	apply(t, &tm, []step{{sla.EventStart, at(0), ""}})
	want := []sla.Alert{
		{Target: "response", Percent: 75, At: at(7.5)},
		{Target: "response", Percent: 90, At: at(9)},
		{Target: "response", Percent: 100, At: at(10)},
	}
	if got := tm.Alerts(s, at(5)); !reflect.DeepEqual(got, want) {
		t.Errorf("Alerts after 5h =\n%v\nwant (invalid thresholds ignored, 50%% passed)\n%v", got, want)
	}
	prefix := sla.Alert{Target: "other", Percent: 1}
	var buf [8]sla.Alert
	got := tm.AppendAlerts(append(buf[:0], prefix), s, at(5))
	if !reflect.DeepEqual(got, append([]sla.Alert{prefix}, want...)) || &got[0] != &buf[0] {
		t.Errorf("AppendAlerts after 5h = %v, want the prefix, then %v, in buf", got, want)
	}
	if n := testing.AllocsPerRun(100, func() { tm.AppendAlerts(buf[:0], s, at(5)) }); n != 0 {
		t.Errorf("AppendAlerts into room enough: %v allocations, want 0", n)
	}
	if got := tm.AppendAlerts(buf[:1], s, at(10)); len(got) != 1 {
		t.Errorf("AppendAlerts after the breach added %v", got[1:])
	}
	if next, ok := tm.NextDeadline(s, at(7.5)); !ok || next != want[1] {
		t.Errorf("NextDeadline at 7.5h = %v, want %v", next, want[1])
	}
	if _, ok := tm.NextDeadline(s, at(10)); ok {
		t.Error("NextDeadline after the breach should be none")
	}
	apply(t, &tm, []step{{sla.EventPause, at(6), "x"}})
	if got := tm.Alerts(s, at(6)); got != nil {
		t.Errorf("paused timer has alerts %v", got)
	}
	if !want[2].Breach() || want[1].Breach() {
		t.Error("Breach() wrong")
	}
}

// TestTimerFirstAlert checks FirstAlert against Alerts on random timers
// (started, paused, resumed, restarted, stopped, under 24×7 and office
// hours, with unsorted and invalid thresholds) and random sets of skipped
// levels: it must return the first alert of Alerts (with a zero after)
// whose level is not skipped, and be asked only about levels.
func TestTimerFirstAlert(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 20000))
	levels := []int{0, 10, 25, 50, 75, 90, 99, 100, 150}
	for i := range 2000 {
		s := sla.Schedule(schedAlways)
		if r.IntN(2) == 0 {
			s = schedOffice
		}
		tm := sla.Timer{Target: "resolution", Duration: time.Duration(1 + r.Int64N(int64(hours(30))))}
		for range r.IntN(4) {
			tm.Thresholds = append(tm.Thresholds, levels[r.IntN(len(levels))])
		}
		now := at(r.Float64() * 10)
		for range r.IntN(7) {
			now = now.Add(time.Duration(r.Int64N(int64(hours(20)))))
			_ = timerEvent(&tm, r.IntN(5), now, "wait") // a refused event leaves the timer as it was
		}
		skipped := map[int]bool{}
		for _, p := range levels {
			skipped[p] = r.IntN(3) == 0
		}
		var want sla.Alert
		found := false
		for _, a := range tm.Alerts(s, time.Time{}) {
			if !skipped[a.Percent] {
				want, found = a, true
				break
			}
		}
		got, ok := tm.FirstAlert(s, func(p int) bool {
			if !slices.Contains(levels, p) {
				t.Fatalf("timer %d: asked about level %d", i, p)
			}
			return skipped[p]
		})
		if ok != found || got != want {
			t.Fatalf("timer %d %+v: FirstAlert = %v, %v; want %v, %v", i, tm, got, ok, want, found)
		}
		if len(tm.Alerts(s, time.Time{})) > 0 {
			first, ok := tm.FirstAlert(s, nil)
			if !ok || first != tm.Alerts(s, time.Time{})[0] {
				t.Fatalf("timer %d: FirstAlert with no skip = %v, %v; want the first alert", i, first, ok)
			}
		}
	}
	running := sla.Timer{Target: "response", Duration: hours(8), Thresholds: []int{50, 75}}
	apply(t, &running, []step{{sla.EventStart, at(0), ""}})
	if n := testing.AllocsPerRun(100, func() { running.FirstAlert(schedOffice, func(p int) bool { return p < 75 }) }); n != 0 {
		t.Errorf("FirstAlert: %v allocations, want 0", n)
	}
}

func TestTimerJSON(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	tm := sla.Timer{Target: "resolution", Priority: 2, Service: "email", Duration: hours(8), Thresholds: []int{50, 75, 90}}
	apply(t, &tm, []step{
		{sla.EventStart, at(0).In(paris), ""},
		{sla.EventPause, at(1), "pending customer"},
		{sla.EventResume, at(2), ""},
		{sla.EventStop, at(3), ""},
		{sla.EventRestart, at(5), ""},
	})
	b, err := json.Marshal(tm)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"target":"resolution","priority":2,"service":"email","duration":28800000000000,"thresholds":[50,75,90],` +
		`"cycles":[{"start":"2026-03-02T09:00:00Z","stop":"2026-03-02T12:00:00Z","pauses":[{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T11:00:00Z","reason":"pending customer"}]},` +
		`{"start":"2026-03-02T14:00:00Z"}]}`
	if string(b) != want {
		t.Errorf("JSON =\n%s\nwant\n%s", b, want)
	}
	var back sla.Timer
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, tm) {
		t.Errorf("round trip =\n%+v\nwant\n%+v", back, tm)
	}
	if back.Status() != sla.TimerRunning || back.Elapsed(schedAlways, at(6)) != time.Hour {
		t.Errorf("decoded timer reads %s, %v", back.Status(), back.Elapsed(schedAlways, at(6)))
	}
	// Previous cycles stay measurable.
	if got := back.Cycles[0].Elapsed(schedAlways, at(9)); got != hours(2) {
		t.Errorf("first cycle elapsed %v, want 2h", got)
	}
}

func TestTimerCloneIsDeep(t *testing.T) {
	tm := sla.Timer{Target: "response", Duration: time.Hour, Thresholds: []int{50}}
	apply(t, &tm, []step{{sla.EventStart, at(0), ""}, {sla.EventPause, at(0.1), "x"}})
	c := tm.Clone()
	c.Thresholds[0] = 60
	c.Cycles[0].Pauses[0].Reason = "changed"
	if tm.Thresholds[0] != 50 || tm.Cycles[0].Pauses[0].Reason != "x" {
		t.Error("Clone shares memory with the original")
	}
}

func TestTimerCloneNewIsDeep(t *testing.T) {
	for _, cycles := range []int{0, 1, 2, 3} { // 2 cycles or more do not fit the block
		tm := sla.Timer{Target: "resolution", Duration: time.Hour, Thresholds: []int{50, 75}}
		var steps []step
		for i := range cycles {
			ev := sla.EventRestart
			if i == 0 {
				ev = sla.EventStart
			}
			h := float64(i)
			steps = append(steps, step{ev, at(h), ""}, step{sla.EventPause, at(h + 0.1), "x"}, step{sla.EventStop, at(h + 0.5), ""})
		}
		apply(t, &tm, steps)
		c := tm.CloneNew()
		if !reflect.DeepEqual(*c, tm) {
			t.Fatalf("%d cycles: CloneNew = %+v, want %+v", cycles, *c, tm)
		}
		c.Thresholds[0] = 60
		for i := range c.Cycles {
			c.Cycles[i].Start = at(9)
			c.Cycles[i].Pauses[0].Reason = "changed"
		}
		if tm.Thresholds[0] != 50 || cycles > 0 && (!tm.Cycles[0].Start.Equal(at(0)) || tm.Cycles[cycles-1].Pauses[0].Reason != "x") {
			t.Errorf("%d cycles: CloneNew shares memory with the original", cycles)
		}
	}
	tm := sla.Timer{Target: "response", Duration: time.Hour, Thresholds: []int{50}}
	apply(t, &tm, []step{{sla.EventStart, at(0), ""}})
	if n := testing.AllocsPerRun(100, func() { tm.CloneNew() }); n != 1 {
		t.Errorf("CloneNew of a running timer: %v allocations, want 1", n)
	}
	apply(t, &tm, []step{{sla.EventPause, at(1), "awaiting approval"}})
	if n := testing.AllocsPerRun(100, func() { tm.CloneNew() }); n != 1 {
		t.Errorf("CloneNew of a timer paused once: %v allocations, want 1", n)
	}
	apply(t, &tm, []step{{sla.EventResume, at(2), ""}, {sla.EventPause, at(3), "again"}})
	if c := tm.CloneNew(); !reflect.DeepEqual(*c, tm) {
		t.Errorf("CloneNew of a timer paused twice = %+v, want %+v", *c, tm)
	}
}

func TestTimerCloneNewPairIsDeep(t *testing.T) {
	resp := sla.Timer{Target: "response", Duration: time.Hour, Thresholds: []int{50}}
	apply(t, &resp, []step{{sla.EventStart, at(0), ""}})
	res := sla.Timer{Target: "resolution", Duration: 8 * time.Hour, Thresholds: []int{50, 75}}
	apply(t, &res, []step{{sla.EventStart, at(0), ""}, {sla.EventPause, at(1), "x"}, {sla.EventStop, at(2), ""}, {sla.EventRestart, at(3), ""}})
	a, b := sla.CloneNewPair(&resp, &res)
	if !reflect.DeepEqual(*a, resp) || !reflect.DeepEqual(*b, res) {
		t.Fatalf("CloneNewPair = %+v, %+v; want %+v, %+v", *a, *b, resp, res)
	}
	for _, c := range []*sla.Timer{a, b} {
		c.Thresholds[0] = 60
		for i := range c.Cycles {
			c.Cycles[i].Start = at(9)
			if len(c.Cycles[i].Pauses) > 0 {
				c.Cycles[i].Pauses[0].Reason = "changed"
			}
		}
	}
	if resp.Thresholds[0] != 50 || !resp.Cycles[0].Start.Equal(at(0)) || res.Thresholds[0] != 50 ||
		!res.Cycles[0].Start.Equal(at(0)) || res.Cycles[0].Pauses[0].Reason != "x" {
		t.Error("CloneNewPair shares memory with the originals")
	}
	if a2, b2 := sla.CloneNewPair(nil, &resp); a2 != nil || !reflect.DeepEqual(*b2, resp) {
		t.Errorf("CloneNewPair(nil, t) = %v, %+v", a2, b2)
	}
	if a2, b2 := sla.CloneNewPair(&resp, nil); b2 != nil || !reflect.DeepEqual(*a2, resp) {
		t.Errorf("CloneNewPair(t, nil) = %+v, %v", a2, b2)
	}
	if a2, b2 := sla.CloneNewPair(nil, nil); a2 != nil || b2 != nil {
		t.Errorf("CloneNewPair(nil, nil) = %v, %v", a2, b2)
	}
	fresh := sla.Timer{Target: "resolution", Duration: time.Hour, Thresholds: []int{50}}
	apply(t, &fresh, []step{{sla.EventStart, at(0), ""}})
	if n := testing.AllocsPerRun(100, func() { sla.CloneNewPair(&resp, &fresh) }); n != 1 {
		t.Errorf("CloneNewPair of two running timers: %v allocations, want 1", n)
	}
	apply(t, &fresh, []step{{sla.EventPause, at(1), "awaiting caller"}})
	if n := testing.AllocsPerRun(100, func() { sla.CloneNewPair(&resp, &fresh) }); n != 1 {
		t.Errorf("CloneNewPair of a running timer and one paused once: %v allocations, want 1", n)
	}
	a, b = sla.CloneNewPair(&resp, &fresh)
	b.Cycles[0].Pauses[0].Reason = "changed"
	if !reflect.DeepEqual(*a, resp) || fresh.Cycles[0].Pauses[0].Reason != "awaiting caller" {
		t.Errorf("CloneNewPair with a paused timer: %+v, and the original's pause %+v", *a, fresh.Cycles[0].Pauses[0])
	}
}

func TestTimerCloneIntoIsDeepAndReuses(t *testing.T) {
	tm := sla.Timer{Target: "resolution", Duration: time.Hour, Thresholds: []int{50, 75}}
	apply(t, &tm, []step{{sla.EventStart, at(0), ""}, {sla.EventPause, at(0.1), "x"}, {sla.EventStop, at(0.5), ""},
		{sla.EventRestart, at(1), ""}})
	// A spare with other contents and room for the copy.
	spare := sla.Timer{Target: "response", Service: "old", Thresholds: make([]int, 3, 4), Cycles: make([]sla.Cycle, 3)}
	spare.Cycles[0].Pauses = []sla.Pause{{Reason: "old"}}
	thresholds, cycles, pauses := &spare.Thresholds[0], &spare.Cycles[0], &spare.Cycles[0].Pauses[0]
	tm.CloneInto(&spare)
	if !reflect.DeepEqual(spare, tm) {
		t.Fatalf("CloneInto = %+v, want %+v", spare, tm)
	}
	if &spare.Thresholds[0] != thresholds || &spare.Cycles[0] != cycles || &spare.Cycles[0].Pauses[0] != pauses {
		t.Error("CloneInto did not reuse the spare's thresholds, cycles and pauses")
	}
	if n := testing.AllocsPerRun(100, func() { tm.CloneInto(&spare) }); n != 0 {
		t.Errorf("CloneInto into a spare with room: %v allocations, want 0", n)
	}
	spare.Thresholds[0] = 60
	spare.Cycles[0].Pauses[0].Reason = "changed"
	spare.Cycles[1].Start = at(9)
	if tm.Thresholds[0] != 50 || tm.Cycles[0].Pauses[0].Reason != "x" || !tm.Cycles[1].Start.Equal(at(1)) {
		t.Error("CloneInto shares memory with the original")
	}
	var idle sla.Timer
	idle.CloneInto(&spare)
	if !reflect.DeepEqual(spare, idle) {
		t.Errorf("CloneInto of an idle timer = %+v", spare)
	}
}

func TestTimerValidate(t *testing.T) {
	valid := func() sla.Timer {
		tm := sla.Timer{Target: "resolution", Duration: time.Hour, Thresholds: []int{50}}
		apply(t, &tm, []step{{sla.EventStart, at(0), ""}, {sla.EventPause, at(1), "x"}, {sla.EventStop, at(2), ""},
			{sla.EventRestart, at(3), ""}, {sla.EventPause, at(4), "y"}})
		return tm
	}
	tests := []struct {
		name  string
		edit  func(*sla.Timer)
		field string
	}{
		{"valid", func(*sla.Timer) {}, ""},
		{"idle", func(tm *sla.Timer) { tm.Cycles = nil }, ""},
		{"no target", func(tm *sla.Timer) { tm.Target = "" }, "target"},
		{"no duration", func(tm *sla.Timer) { tm.Duration = 0 }, "duration"},
		{"threshold 100", func(tm *sla.Timer) { tm.Thresholds = []int{50, 100} }, "thresholds[1]"},
		{"cycle without start", func(tm *sla.Timer) { tm.Cycles[0].Start = time.Time{} }, "cycles[0].start"},
		{"cycle before the previous", func(tm *sla.Timer) { tm.Cycles[1].Start = at(1.5) }, "cycles[1].start"},
		{"pause before the start", func(tm *sla.Timer) { tm.Cycles[0].Pauses[0].Start = at(-1) }, "cycles[0].pauses[0].start"},
		{"pause ends before it starts", func(tm *sla.Timer) { tm.Cycles[0].Pauses[0].End = at(0.5) }, "cycles[0].pauses[0].end"},
		{"open pause in a stopped cycle", func(tm *sla.Timer) { tm.Cycles[0].Pauses[0].End = time.Time{} }, "cycles[0].pauses[0].end"},
		{"open cycle before the last", func(tm *sla.Timer) { tm.Cycles[0].Stop = time.Time{} }, "cycles[0].stop"},
		{"stop before the pause", func(tm *sla.Timer) { tm.Cycles[0].Stop = at(0.5) }, "cycles[0].stop"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tm := valid()
			tt.edit(&tm)
			err := tm.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate = %v", err)
				}
				return
			}
			var ve *iso20000.ValidationError
			if !errors.As(err, &ve) || ve.Field != tt.field {
				t.Fatalf("Validate = %v, want a validation error for %q", err, tt.field)
			}
		})
	}
}

// FuzzTimer applies random event sequences and checks the timer's
// invariants on the 24×7 and the office schedule: refused events change
// nothing, the history stays valid and survives JSON, elapsed time never
// decreases and never exceeds wall-clock time, and a running timer's due
// time is exactly where its elapsed time reaches the target.
func FuzzTimer(f *testing.F) {
	f.Add([]byte{0, 10, 1, 5, 2, 30, 3, 7, 4, 90, 1, 3})
	f.Add([]byte{0, 0, 0, 0, 3, 0, 4, 0, 2, 0})
	f.Add([]byte{128, 10, 129, 5, 130, 30, 131, 7, 132, 90}) // each event tried on a frozen copy first
	f.Fuzz(func(t *testing.T, data []byte) {
		tm := sla.Timer{Target: "resolution", Duration: 5 * time.Hour, Thresholds: []int{50, 75, 90}}
		now := monday.Add(-3 * time.Hour)
		for i := 0; i+1 < len(data); i += 2 {
			now = now.Add(time.Duration(data[i+1]) * 7 * time.Minute)
			if data[i]&0x80 != 0 { // first the same event on a frozen copy: refused, and no change
				frozen := tm.Clone()
				frozen.Freeze()
				if err := timerEvent(&frozen, int(data[i]), now, "pending customer"); !errors.Is(err, sla.ErrFrozen) ||
					!reflect.DeepEqual(frozen.Clone(), tm.Clone()) {
					t.Fatalf("event %d of a frozen timer: %v, timer %+v", data[i]%5, err, frozen)
				}
			}
			before := tm.Clone()
			err := timerEvent(&tm, int(data[i]), now, "pending customer")
			if err != nil && !reflect.DeepEqual(tm, before) {
				t.Fatalf("refused event %d changed the timer", data[i]%5)
			}
			if err := tm.Validate(); err != nil && len(tm.Cycles) > 0 {
				t.Fatalf("invalid history after event %d: %v", data[i]%5, err)
			}
		}
		b, err := json.Marshal(tm)
		if err != nil {
			t.Fatal(err)
		}
		var back sla.Timer
		if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, tm) {
			t.Fatalf("JSON round trip: %v\n%+v\n%+v", err, back, tm)
		}
		if !tm.Started() {
			return
		}
		start := tm.Cycles[len(tm.Cycles)-1].Start
		for _, s := range []sla.Schedule{schedAlways, schedOffice} {
			var prev time.Duration
			for h := range 48 {
				at := start.Add(time.Duration(h) * 97 * time.Minute)
				e := tm.Elapsed(s, at)
				if e < prev || e > at.Sub(start) {
					t.Fatalf("Elapsed at %v = %v after %v (wall %v)", at, e, prev, at.Sub(start))
				}
				prev = e
				r := tm.Measure(s, at)
				if r.Elapsed != e || r.Breached != tm.Breached(s, at) || len(r.Crossed) != len(tm.Crossed(s, at)) {
					t.Fatalf("Measure %+v disagrees with the single queries", r)
				}
			}
			if due, ok := tm.Due(s); ok && tm.Status() == sla.TimerRunning {
				if got := tm.Elapsed(s, due); got != tm.Duration {
					t.Fatalf("Elapsed at the due time %v = %v, want %v", due, got, tm.Duration)
				}
			}
			// FirstAlert, skipping the levels the last byte's bits name, is
			// the first such alert of Alerts.
			skip := func(p int) bool { return data[len(data)-1]>>(p%8)&1 == 1 }
			want, found := sla.Alert{}, false
			for _, a := range tm.Alerts(s, time.Time{}) {
				if !skip(a.Percent) {
					want, found = a, true
					break
				}
			}
			if got, ok := tm.FirstAlert(s, skip); ok != found || got != want {
				t.Fatalf("FirstAlert = %v, %v; want %v, %v", got, ok, want, found)
			}
		}
	})
}

func TestTimerInstantsAreUTC(t *testing.T) {
	london := mustCalendar(sla.CalendarSpec{TimeZone: "Europe/London",
		Week: sla.Weekdays(sla.Hours{Start: 9 * time.Hour, End: 17 * time.Hour})})
	tm := sla.Timer{Target: "response", Duration: time.Hour, Thresholds: []int{50}}
	apply(t, &tm, []step{{sla.EventStart, at(0), ""}})
	due, _ := tm.Due(london)
	r := tm.Measure(london, at(2))
	for _, x := range append([]time.Time{due, r.Due}, r.Crossed[0].At, r.Crossed[1].At) {
		if x.Location() != time.UTC {
			t.Errorf("instant %v is not in UTC", x)
		}
	}
}

package iso20000_test

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/looplab/fsm"
	"github.com/servicekit/iso20000"
)

var door = iso20000.NewLifecycle("door", "closed", fsm.Events{
	{Name: "open", Src: []string{"closed"}, Dst: "open"},
	{Name: "close", Src: []string{"open"}, Dst: "closed"},
	{Name: "lock", Src: []string{"closed"}, Dst: "locked"},
	{Name: "touch", Src: []string{"open"}, Dst: "open"},
})

func TestLifecycleTransition(t *testing.T) {
	tests := []struct {
		from, event, to string
		ok              bool
	}{
		{"closed", "open", "open", true},
		{"open", "close", "closed", true},
		{"closed", "lock", "locked", true},
		{"open", "touch", "open", true}, // self-transition is allowed
		{"open", "lock", "", false},
		{"locked", "open", "", false},
		{"closed", "fly", "", false}, // unknown event
	}
	for _, tt := range tests {
		to, err := door.Transition(tt.from, tt.event)
		if tt.ok {
			if err != nil || to != tt.to {
				t.Errorf("%s --%s--> got %q, %v; want %q", tt.from, tt.event, to, err, tt.to)
			}
			if !door.Can(tt.from, tt.event) {
				t.Errorf("Can(%s, %s) = false", tt.from, tt.event)
			}
			continue
		}
		var te *iso20000.TransitionError
		if !errors.Is(err, iso20000.ErrInvalidTransition) || !errors.As(err, &te) {
			t.Fatalf("%s --%s-->: want ErrInvalidTransition, got %v", tt.from, tt.event, err)
		}
		if te.Kind != "door" || te.From != tt.from || te.Event != tt.event {
			t.Errorf("error carries %+v", te)
		}
		if door.Can(tt.from, tt.event) {
			t.Errorf("Can(%s, %s) = true", tt.from, tt.event)
		}
	}
}

// TestLifecycleAgreesWithFSM checks Transition against a new looplab/fsm
// machine firing the event, for every state and event of tables with
// self-transitions, several sources and an event defined twice for the same
// source (the later entry wins, as in fsm.NewFSM).
func TestLifecycleAgreesWithFSM(t *testing.T) {
	tables := map[string]fsm.Events{
		"door": door.Events(),
		"overlapping": {
			{Name: "go", Src: []string{"a", "b"}, Dst: "c"},
			{Name: "go", Src: []string{"b"}, Dst: "d"},
			{Name: "stay", Src: []string{"a", "c", "d"}, Dst: "c"},
			{Name: "back", Src: []string{"c", "d"}, Dst: "a"},
		},
	}
	for name, events := range tables {
		l := iso20000.NewLifecycle(name, events[0].Src[0], events)
		for _, from := range append(l.States(), "unknown") {
			for _, e := range append(events, fsm.EventDesc{Name: "unknown"}) {
				to, err := l.Transition(from, e.Name)
				f := fsm.NewFSM(from, events, nil)
				ferr := f.Event(t.Context(), e.Name)
				var none fsm.NoTransitionError
				want, allowed := f.Current(), ferr == nil || errors.As(ferr, &none)
				if allowed != (err == nil) || allowed && to != want {
					t.Errorf("%s: %s --%s--> %q, %v; looplab/fsm says %q, %v", name, from, e.Name, to, err, want, ferr)
				}
			}
		}
	}
}

func TestLifecycleIntrospection(t *testing.T) {
	if got := door.Available("closed"); !slices.Equal(got, []string{"lock", "open"}) {
		t.Errorf("Available(closed) = %v", got)
	}
	if !door.Terminal("locked") || door.Terminal("open") || !door.Terminal("unknown") || door.Available("unknown") != nil {
		t.Error("Terminal is wrong")
	}
	if got := door.States(); !slices.Equal(got, []string{"closed", "open", "locked"}) {
		t.Errorf("States() = %v", got)
	}
	if door.Initial() != "closed" || door.Kind() != "door" || len(door.Events()) != 4 {
		t.Error("accessors are wrong")
	}
	if m := door.Mermaid(); !strings.Contains(m, "closed --> locked: lock") {
		t.Errorf("Mermaid:\n%s", m)
	}
	if d := door.DOT(); !strings.Contains(d, `"closed" -> "locked" [ label = "lock" ];`) {
		t.Errorf("DOT:\n%s", d)
	}
}

func TestLifecycleConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 500 {
				if to, err := door.Transition("closed", "open"); err != nil || to != "open" {
					t.Errorf("got %q, %v", to, err)
					return
				}
				if _, err := door.Transition("open", "lock"); err == nil {
					t.Error("open --lock--> allowed")
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestNewLifecyclePanicsOnBadTable(t *testing.T) {
	for name, events := range map[string]fsm.Events{
		"empty":      nil,
		"no way out": {{Name: "x", Src: []string{"a"}, Dst: "b"}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			iso20000.NewLifecycle("k", "start", events)
		}()
	}
}

func BenchmarkLifecycleTransition(b *testing.B) {
	b.Run("lifecycle", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := door.Transition("closed", "open"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("bare-fsm-new+event", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			f := fsm.NewFSM("closed", door.Events(), nil)
			if err := f.Event(b.Context(), "open"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

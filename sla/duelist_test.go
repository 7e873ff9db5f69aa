package sla_test

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/servicekit/iso20000/sla"
)

func runningTimer(t testing.TB, start time.Time, d time.Duration) *sla.Timer {
	tm := sla.Timer{Target: sla.TargetResolution, Duration: d, Thresholds: []int{50, 75, 90}}
	if err := tm.Start(start); err != nil {
		t.Fatal(err)
	}
	return &tm
}

func keys(as []sla.Alert) []string {
	var out []string
	for _, a := range as {
		out = append(out, fmt.Sprintf("%s@%d", a.Key, a.Percent))
	}
	return out
}

func TestDueListOrder(t *testing.T) {
	s := schedAlways
	var dl sla.DueList                                        // the zero value is ready
	dl.Track("A", runningTimer(t, at(0), hours(4)), s, at(0)) // 2, 3, 3.6, 4
	dl.Track("B", runningTimer(t, at(1), hours(2)), s, at(0)) // 2, 2.5, 2.8, 3
	dl.Track("C", runningTimer(t, at(0), hours(100)), s, at(0))
	if dl.Len() != 3 {
		t.Fatalf("Len = %d", dl.Len())
	}
	if next, ok := dl.Next(); !ok || next.Key != "A" || next.Percent != 50 || !next.At.Equal(at(2)) {
		t.Errorf("Next = %+v", next)
	}
	tests := []struct {
		t    time.Time
		want []string
	}{
		{at(1.9), nil},
		{at(2), []string{"A@50", "B@50"}}, // same instant: by key
		{at(2), nil},                      // handed out once only
		{at(3.7), []string{"B@75", "B@90", "A@75", "B@100", "A@90"}},
		{at(10), []string{"A@100"}},
	}
	for i, tt := range tests {
		if got := keys(dl.Due(tt.t)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("step %d: Due(%v) = %v, want %v", i, tt.t, got, tt.want)
		}
	}
	if dl.Len() != 1 {
		t.Errorf("Len after A and B breached = %d, want 1 (C)", dl.Len())
	}
}

func TestDueListUpdates(t *testing.T) {
	s := schedAlways
	dl := sla.NewDueList()
	tm := runningTimer(t, at(0), hours(4))
	dl.Track("A", tm, s, at(0))
	dl.Track("B", runningTimer(t, at(0), hours(8)), s, at(0))
	// A pauses: it leaves the list.
	if err := tm.Pause(at(1), "pending customer"); err != nil {
		t.Fatal(err)
	}
	dl.Track("A", tm, s, at(1))
	if got := keys(dl.Due(at(5))); !reflect.DeepEqual(got, []string{"B@50"}) {
		t.Errorf("Due after A paused = %v", got)
	}
	// A resumes at 5h with 3h left: its alerts move (50 % at 6h).
	if err := tm.Resume(at(5)); err != nil {
		t.Fatal(err)
	}
	dl.Track("A", tm, s, at(5))
	if got := keys(dl.Due(at(6))); !reflect.DeepEqual(got, []string{"A@50", "B@75"}) {
		t.Errorf("Due after A resumed = %v", got)
	}
	// Rebuilding after a restart with the last sweep instant does not repeat alerts.
	dl.Track("A", tm, s, at(6))
	if got := keys(dl.Due(at(6))); got != nil {
		t.Errorf("re-tracked A repeated %v", got)
	}
	if !dl.Remove("B") || dl.Remove("B") {
		t.Error("Remove should report presence once")
	}
	dl.Set("A", nil)
	if dl.Len() != 0 {
		t.Errorf("Len = %d after removing all", dl.Len())
	}
	if _, ok := dl.Next(); ok {
		t.Error("Next on an empty list")
	}
	// Set sorts alerts and sets their key.
	dl.Set("X", []sla.Alert{{Percent: 100, At: at(2)}, {Percent: 50, At: at(1)}})
	if got := dl.Due(at(3)); len(got) != 2 || got[0].Key != "X" || got[0].Percent != 50 {
		t.Errorf("Set: Due = %+v", got)
	}
}

func TestDueListConcurrent(t *testing.T) {
	s := schedAlways
	dl := sla.NewDueList()
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := map[string]int{}
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				dl.Track(fmt.Sprintf("%d-%d", w, i), runningTimer(t, at(0), hours(float64(1+i%7))), s, at(0))
				for _, a := range dl.Due(at(float64(i % 3))) {
					mu.Lock()
					seen[fmt.Sprintf("%s@%d", a.Key, a.Percent)]++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	rest := dl.Due(at(1000))
	for _, a := range rest {
		seen[fmt.Sprintf("%s@%d", a.Key, a.Percent)]++
	}
	if len(seen) != 4*100*4 {
		t.Errorf("%d distinct alerts, want %d", len(seen), 4*100*4)
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("alert %s handed out %d times", k, n)
		}
	}
}

// naiveDue is the baseline of BenchmarkDueList: every call scans every timer's
// pending alerts.
type naiveDue struct {
	timers map[string][]sla.Alert
}

func (n *naiveDue) due(t time.Time) []sla.Alert {
	var out []sla.Alert
	for k, as := range n.timers {
		i := 0
		for i < len(as) && !as[i].At.After(t) {
			out = append(out, as[i])
			i++
		}
		if i > 0 {
			n.timers[k] = as[i:]
		}
	}
	slices.SortFunc(out, func(a, b sla.Alert) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		if c := strings.Compare(a.Key, b.Key); c != 0 {
			return c
		}
		return a.Percent - b.Percent
	})
	return out
}

// BenchmarkDueList measures a scheduler's per-minute sweep over 100k running
// timers (8h targets, 50/75/90 % warnings) whose starts spread over 30 days:
// the heap of DueList against a scan of every timer. Each breached timer is
// replaced by a new one starting 30 days later, so the number of timers and
// the alert rate (about 9 a minute) stay steady however long the run.
func BenchmarkDueList(b *testing.B) {
	const n = 100_000
	const window = 30 * 24 * time.Hour
	s := schedAlways
	base := make(map[string][]sla.Alert, n)
	for i := range n {
		key := fmt.Sprint(i)
		tm := runningTimer(b, at(0).Add(time.Duration(i)*window/n), 8*time.Hour)
		as := tm.Alerts(s, at(0))
		for j := range as {
			as[j].Key = key
		}
		base[key] = as
	}
	// renewal returns the alerts of the timer replacing the one that breached in a.
	renewal := func(a sla.Alert) []sla.Alert {
		as := slices.Clone(base[a.Key])
		off := a.At.Sub(as[len(as)-1].At) + window
		for j := range as {
			as[j].At = as[j].At.Add(off)
		}
		return as
	}
	b.Run("heap", func(b *testing.B) {
		dl := sla.NewDueList()
		for k, as := range base {
			dl.Set(k, as)
		}
		now := at(0)
		for b.Loop() {
			now = now.Add(time.Minute)
			for _, a := range dl.Due(now) {
				if a.Breach() {
					dl.Set(a.Key, renewal(a))
				}
			}
		}
	})
	b.Run("naive-scan", func(b *testing.B) {
		nd := &naiveDue{timers: maps.Clone(base)}
		now := at(0)
		for b.Loop() {
			now = now.Add(time.Minute)
			for _, a := range nd.due(now) {
				if a.Breach() {
					nd.timers[a.Key] = renewal(a)
				}
			}
		}
	})
}

package sla

import (
	"cmp"
	"container/heap"
	"slices"
	"sync"
	"time"
)

// Alert is an instant at which a [Timer] crosses a warning threshold or
// breaches its target.
type Alert struct {
	// Key identifies the timer in a [DueList], such as "INC-42/resolution";
	// empty in the alerts a Timer returns itself.
	Key string `json:"key,omitempty"`
	// Target names the timer's target, such as "resolution".
	Target string `json:"target"`
	// Percent is the threshold in percent of the target; 100 is the breach.
	Percent int `json:"percent"`
	// At is the instant the threshold is (or was) reached.
	At time.Time `json:"at"`
}

// Breach reports whether the alert is the breach of the target rather than a
// warning.
func (a Alert) Breach() bool { return a.Percent >= 100 }

// compareAlerts orders alerts by instant, then key, then percent.
func compareAlerts(a, b Alert) int {
	if c := a.At.Compare(b.At); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Key, b.Key); c != 0 {
		return c
	}
	return cmp.Compare(a.Percent, b.Percent)
}

// DueList holds the pending alerts of many timers and hands out, in order,
// those that fall due. It is what a scheduler in the user's program calls
// every minute:
//
//	for _, a := range dl.Due(clock.Now()) { notify(a) }
//
// It is a binary min-heap of timers keyed on each timer's next alert, with a
// map from key to heap position for updates. [DueList.Due] costs
// O(k log n) for k alerts due among n timers, never a scan of all timers;
// [DueList.Set], [DueList.Track] and [DueList.Remove] cost O(log n).
//
// Keep it up to date: call [DueList.Track] after every event or retarget of
// a timer (a paused or stopped timer has no pending alerts, so Track removes
// it). After a restart of the program, rebuild it from the stored records with
// Track(key, timer, schedule, lastSweep), lastSweep being the instant up to
// which alerts were already handed out.
//
// The zero DueList is empty and ready to use. A DueList is safe for
// concurrent use.
type DueList struct {
	mu    sync.Mutex
	heap  dueHeap
	byKey map[string]*dueEntry
}

// dueEntry is one timer's pending alerts; alerts[next] is its heap key.
type dueEntry struct {
	key    string
	alerts []Alert
	next   int
	index  int // position in the heap
}

func (e *dueEntry) head() Alert { return e.alerts[e.next] }

type dueHeap []*dueEntry

func (h dueHeap) Len() int           { return len(h) }
func (h dueHeap) Less(i, j int) bool { return compareAlerts(h[i].head(), h[j].head()) < 0 }
func (h dueHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *dueHeap) Push(x any) {
	e := x.(*dueEntry)
	e.index = len(*h)
	*h = append(*h, e)
}
func (h *dueHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return e
}

// NewDueList returns an empty DueList.
func NewDueList() *DueList { return &DueList{} }

// Set replaces the pending alerts of the timer called key with alerts (their
// Key is set to key; they need not be sorted). Empty alerts remove the key.
func (l *DueList) Set(key string, alerts []Alert) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.remove(key)
	if len(alerts) == 0 {
		return
	}
	as := slices.Clone(alerts)
	for i := range as {
		as[i].Key = key
	}
	slices.SortFunc(as, compareAlerts)
	e := &dueEntry{key: key, alerts: as}
	if l.byKey == nil {
		l.byKey = make(map[string]*dueEntry)
	}
	l.byKey[key] = e
	heap.Push(&l.heap, e)
}

// Track sets the pending alerts of the timer called key to those t has after
// the instant after under schedule s ([Timer.Alerts]): all its future
// warnings and breach while it runs, none (the key is removed) while it is
// idle, paused or stopped.
func (l *DueList) Track(key string, t *Timer, s Schedule, after time.Time) {
	l.Set(key, t.Alerts(s, after))
}

// Remove forgets the timer called key and reports whether it was there.
func (l *DueList) Remove(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.remove(key)
}

func (l *DueList) remove(key string) bool {
	e, ok := l.byKey[key]
	if !ok {
		return false
	}
	heap.Remove(&l.heap, e.index)
	delete(l.byKey, key)
	return true
}

// Len returns the number of timers with pending alerts.
func (l *DueList) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.heap)
}

// Next returns the earliest pending alert without removing it, and false when
// there is none. A scheduler may sleep until its instant.
func (l *DueList) Next() (Alert, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.heap) == 0 {
		return Alert{}, false
	}
	return l.heap[0].head(), true
}

// Due removes and returns every pending alert with an instant at or before t,
// ordered by instant, then key, then percent. A timer whose last alert (its
// breach) was handed out leaves the list.
func (l *DueList) Due(t time.Time) []Alert {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Alert
	for len(l.heap) > 0 {
		e := l.heap[0]
		a := e.head()
		if a.At.After(t) {
			break
		}
		out = append(out, a)
		e.next++
		if e.next == len(e.alerts) {
			heap.Pop(&l.heap)
			delete(l.byKey, e.key)
		} else {
			heap.Fix(&l.heap, 0)
		}
	}
	return out
}

package incident

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/servicekit/iso20000/sla"
	"github.com/servicekit/iso20000/store"
)

// FuzzDecodeRecords feeds arbitrary bytes to the decoders the SQL backends
// read incidents and requests with (the collections' Unmarshal, which
// freezes the timers of what it decodes). Whatever decodes must have frozen
// timers, encode again to what decodes to the same record, and copy
// (Clone, and CloneInto a released working copy) to an equal record.
func FuzzDecodeRecords(f *testing.F) {
	for _, v := range []any{fullIncident(""), fullRequest(""), Incident{}, Request{}} {
		b, err := json.Marshal(v)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"response":{"cycles":[{"start":"2026-03-02T09:00:00Z","pauses":[{"start":"2026-03-02T09:00:00Z"}]}]}}`))
	f.Add([]byte(`{"fulfilment":{"thresholds":[50,50,-1],"cycles":[{},{}]},"tasks":[{"name":""}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecoded(t, records, data, func(i *Incident) []*sla.Timer { return []*sla.Timer{i.Response, i.Resolution} },
			release, cloneInto)
		checkDecoded(t, requests, data, func(r *Request) []*sla.Timer { return []*sla.Timer{r.Fulfilment} },
			releaseRequest, cloneRequestInto)
	})
}

// checkDecoded checks what c decodes of data (see FuzzDecodeRecords).
func checkDecoded[T any](t *testing.T, c *store.Collection[T], data []byte, timers func(*T) []*sla.Timer,
	release func(*T), cloneInto func(dst, src *T)) {
	t.Helper()
	v, err := c.Unmarshal(data)
	if err != nil {
		return
	}
	r := v.(*T)
	for _, tm := range timers(r) {
		if tm != nil && !tm.Frozen() {
			t.Fatalf("%s: a decoded timer is not frozen", c.Kind())
		}
	}
	once, err := c.Marshal(r)
	if err != nil {
		t.Fatalf("%s: encoding what was decoded: %v", c.Kind(), err)
	}
	v2, err := c.Unmarshal(once)
	if err != nil {
		t.Fatalf("%s: decoding %s: %v", c.Kind(), once, err)
	}
	twice, err := c.Marshal(v2)
	if err != nil || !bytes.Equal(once, twice) {
		t.Fatalf("%s: encoding is not stable (%v):\n%s\n%s", c.Kind(), err, once, twice)
	}
	if cl := c.Clone(r).(*T); !reflect.DeepEqual(cl, r) {
		t.Fatalf("%s: Clone = %+v, want %+v", c.Kind(), *cl, *r)
	}
	// A working copy as the engine pools it (here the record decoded
	// again), released, then copied into: nothing of it may be left over.
	work := *v2.(*T)
	release(&work)
	cloneInto(&work, r)
	if got, _ := c.Marshal(&work); !bytes.Equal(got, once) {
		t.Fatalf("%s: CloneInto gives\n%s\nwant\n%s", c.Kind(), got, once)
	}
}

package memory

import (
	"encoding/binary"
	"time"

	"github.com/google/uuid"

	"github.com/servicekit/iso20000/audit"
)

// slot is a stored audit entry: its fixed fields, and the bounds of its
// strings, changes and data packed into the text of its log segment, a
// buffer shared by the segment's slots. Neither slots nor text hold
// pointers (the time is kept as Unix seconds and nanoseconds, and read back
// in UTC, as sealed entries are), so the garbage collector need not scan
// them, and storing an entry makes no allocation of its own, however many
// changes and data it has.
//
// The text of a slot, text[off:end], holds, each string as a uvarint length
// and its bytes: Actor, Action, Kind, EntityID, From, To; the number of
// changes plus one (0 when Changes is nil), then Field, Old and New of each;
// the number of data pairs plus one (0 when Data is nil), then each key and
// value.
type slot struct {
	seq            uint64
	id             uuid.UUID
	unix           int64 // e.Time.Unix()
	nsec           int32 // e.Time.Nanosecond()
	prevHash, hash audit.Hash
	off, end       int
}

// add stores a copy of e in a new slot of seg, its text appended to
// seg.text, which it grows at most once (see [segment.reserve]). It shares
// nothing with e; seg must have room for a slot.
func (seg *segment) add(e *audit.Entry) {
	cc, cd := count(len(e.Changes), e.Changes == nil), count(len(e.Data), e.Data == nil)
	strs := [...]string{e.Actor, e.Action, e.Kind, e.EntityID, e.From, e.To}
	size := uvarintSize(cc) + uvarintSize(cd)
	for _, s := range strs {
		size += textSize(s)
	}
	for _, c := range e.Changes {
		size += textSize(c.Field) + textSize(c.Old) + textSize(c.New)
	}
	var pairs [16][2]string // Data read once; small maps stay on the stack
	kv := pairs[:0]
	for k, v := range e.Data {
		kv = append(kv, [2]string{k, v})
		size += textSize(k) + textSize(v)
	}
	seg.reserve(size)
	b := seg.text
	sl := slot{
		seq: e.Seq, id: e.ID, prevHash: e.PrevHash, hash: e.Hash,
		unix: e.Time.Unix(), nsec: int32(e.Time.Nanosecond()),
		off: len(b),
	}
	for _, s := range strs {
		b = appendText(b, s)
	}
	b = binary.AppendUvarint(b, cc)
	for _, c := range e.Changes {
		b = appendText(appendText(appendText(b, c.Field), c.Old), c.New)
	}
	b = binary.AppendUvarint(b, cd)
	for _, p := range kv {
		b = appendText(appendText(b, p[0]), p[1])
	}
	sl.end = len(b)
	seg.text = b
	seg.slots = append(seg.slots, sl)
}

// count encodes a length: 0 for nil, else the length plus one.
func count(n int, isNil bool) uint64 {
	if isNil {
		return 0
	}
	return uint64(n) + 1
}

func textSize(s string) int { return uvarintSize(uint64(len(s))) + len(s) }

func uvarintSize(x uint64) int {
	n := 1
	for ; x >= 0x80; x >>= 7 {
		n++
	}
	return n
}

func appendText(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// entry returns a copy of the stored entry, whose text is text[sl.off:sl.end].
// Its strings share one allocation.
func (sl *slot) entry(text []byte) audit.Entry {
	r := textReader{s: string(text[sl.off:sl.end])}
	e := audit.Entry{Seq: sl.seq, ID: sl.id, Time: time.Unix(sl.unix, int64(sl.nsec)).UTC(), PrevHash: sl.prevHash, Hash: sl.hash}
	e.Actor = r.str()
	e.Action = r.str()
	e.Kind = r.str()
	e.EntityID = r.str()
	e.From = r.str()
	e.To = r.str()
	if n := r.uvarint(); n > 0 {
		e.Changes = make([]audit.Change, n-1)
		for i := range e.Changes {
			c := &e.Changes[i]
			c.Field = r.str()
			c.Old = r.str()
			c.New = r.str()
		}
	}
	if n := r.uvarint(); n > 0 {
		e.Data = make(map[string]string, n-1)
		for range n - 1 {
			k := r.str()
			e.Data[k] = r.str()
		}
	}
	return e
}

// textReader reads what [slot.set] packed.
type textReader struct {
	s string
	i int
}

func (r *textReader) uvarint() int {
	var x uint64
	for shift := 0; ; shift += 7 {
		b := r.s[r.i]
		r.i++
		x |= uint64(b&0x7f) << shift
		if b < 0x80 {
			return int(x)
		}
	}
}

func (r *textReader) str() string {
	n := r.uvarint()
	s := r.s[r.i : r.i+n]
	r.i += n
	return s
}

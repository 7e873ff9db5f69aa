package memory

import (
	"math"
	"time"

	"github.com/google/uuid"

	"github.com/servicekit/iso20000/audit"
)

// slot is a stored audit entry: its fixed fields, and the bounds of its
// strings, changes and data in a block of the text of its log segment, a
// buffer shared by the segment's slots. Neither slots nor text hold pointers (the time is
// kept as Unix seconds and nanoseconds, and read back in UTC, as sealed
// entries are), so the garbage collector need not scan them, and storing an
// entry makes no allocation of its own, however many changes and data it has.
// An entry's previous hash is, in a chained trail, the hash of the slot
// before (or the zero hash for the first): only the entries for which it is
// not (a rewritten trail's, in tests) keep theirs, in the log's prev map
// (flag ownPrev). A slot takes 80 bytes.
//
// The text of a slot, text[blk][off:end], is the part of the entry's canonical
// encoding (see the audit package doc) between the fixed header (domain, seq,
// ID, time) and the previous hash: Actor, Action, Kind, EntityID, From and
// To, each as a uint32 length and its bytes; the number of changes, then
// Field, Old and New of each; the number of data pairs, then each key and
// value in key order. As that encoding has no nil slice or map, flags says
// which of Changes and Data were nil.
type slot struct {
	seq      uint64
	id       uuid.UUID
	unix     int64  // e.Time.Unix()
	nsec     int32  // e.Time.Nanosecond()
	flags    uint8  // nilChanges | nilData | ownPrev
	blk      uint16 // the block of the text: a segment has one per slot at most
	hash     audit.Hash
	off, end uint32 // a block holds at most maxText bytes
}

// Flags of [slot].
const (
	nilChanges = 1 << iota
	nilData
	ownPrev // the previous hash is not the hash of the slot before: see log.prev
)

// maxText is the most text one block of a segment holds (the bounds of a
// slot's text are uint32): an entry of more text than that is refused.
const maxText = math.MaxUint32

// Sizes of the parts of a canonical encoding around a slot's text.
const (
	canonicalHeader  = 1 + 8 + 16 + 8 // domain, seq, ID, time
	canonicalTrailer = len(audit.Hash{})
)

// add stores e in a new slot of seg; canonical is e's canonical encoding
// (see [audit.Entry.AppendCanonical]), of which it copies the text to the
// last block of seg.text, starting a new one when it must (see
// [segment.reserve]). It shares nothing with e or canonical; seg must have
// room for a slot, and the text must be at most maxText bytes. The caller
// sets the flag ownPrev.
func (seg *segment) add(e *audit.Entry, canonical []byte) {
	text := canonical[canonicalHeader : len(canonical)-canonicalTrailer]
	seg.reserve(len(text))
	blk := len(seg.text) - 1
	sl := slot{
		seq: e.Seq, id: e.ID, hash: e.Hash,
		unix: e.Time.Unix(), nsec: int32(e.Time.Nanosecond()),
		blk: uint16(blk), off: uint32(len(seg.text[blk])),
	}
	if e.Changes == nil {
		sl.flags |= nilChanges
	}
	if e.Data == nil {
		sl.flags |= nilData
	}
	seg.text[blk] = append(seg.text[blk], text...)
	sl.end = uint32(len(seg.text[blk]))
	seg.slots = append(seg.slots, sl)
}

// entry returns a copy of the stored entry, whose text is
// block[sl.off:sl.end] and whose previous hash is prev. Its strings share
// one allocation.
func (sl *slot) entry(block []byte, prev audit.Hash) audit.Entry {
	r := textReader{s: string(block[sl.off:sl.end])}
	e := audit.Entry{Seq: sl.seq, ID: sl.id, Time: time.Unix(sl.unix, int64(sl.nsec)).UTC(), PrevHash: prev, Hash: sl.hash}
	e.Actor = r.str()
	e.Action = r.str()
	e.Kind = r.str()
	e.EntityID = r.str()
	e.From = r.str()
	e.To = r.str()
	if n := r.uint32(); n > 0 || sl.flags&nilChanges == 0 {
		e.Changes = make([]audit.Change, n)
		for i := range e.Changes {
			c := &e.Changes[i]
			c.Field = r.str()
			c.Old = r.str()
			c.New = r.str()
		}
	}
	if n := r.uint32(); n > 0 || sl.flags&nilData == 0 {
		e.Data = make(map[string]string, n)
		for range n {
			k := r.str()
			e.Data[k] = r.str()
		}
	}
	return e
}

// textReader reads the text of a slot.
type textReader struct {
	s string
	i int
}

func (r *textReader) uint32() int {
	s := r.s[r.i : r.i+4]
	r.i += 4
	return int(s[0])<<24 | int(s[1])<<16 | int(s[2])<<8 | int(s[3])
}

func (r *textReader) str() string {
	n := r.uint32()
	s := r.s[r.i : r.i+n]
	r.i += n
	return s
}

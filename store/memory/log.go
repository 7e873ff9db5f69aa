package memory

import "github.com/servicekit/iso20000/audit"

// logChunk is the number of entries in one chunk of a log.
const logChunk = 1024

// log is the stored audit trail: sealed entries in fixed-size chunks, so
// that appending never copies the entries already stored.
type log struct {
	chunks []segment
	n      int
}

// segment is one chunk of a log: up to logChunk slots, and the text they
// pack, one after the other (see [slot]). Appending to text may move it, but
// never copies the slots; the slots hold offsets into it, not pointers.
type segment struct {
	slots []slot
	text  []byte
}

// maxReserve bounds what [segment.reserve] adds beyond the text an entry
// needs: the text of a segment of large entries grows entry by entry.
const maxReserve = 1 << 20

// reserve makes room in seg.text for size more bytes. When it must grow the
// text, it makes room for the rest of the segment as well, at the mean size
// of its entries so far (this one included), but at least a quarter more,
// so that a segment's text grows a few times at most and ends nearly full.
func (seg *segment) reserve(size int) {
	if cap(seg.text)-len(seg.text) >= size {
		return
	}
	n := len(seg.slots) + 1 // entries with this one
	rest := (len(seg.text) + size) / n * (logChunk - n)
	more := size + min(max(rest, len(seg.text)/4), maxReserve)
	text := make([]byte, len(seg.text), len(seg.text)+more)
	copy(text, seg.text)
	seg.text = text
}

// len returns the number of entries.
func (l *log) len() int { return l.n }

// at returns the slot at position i (0-based), which must exist.
func (l *log) at(i int) *slot { return &l.chunks[i/logChunk].slots[i%logChunk] }

// entry returns a copy of the entry at position i (0-based), which must
// exist; it shares nothing with the log.
func (l *log) entry(i int) audit.Entry {
	seg := &l.chunks[i/logChunk]
	return seg.slots[i%logChunk].entry(seg.text)
}

// last returns the last slot, or nil when the log is empty.
func (l *log) last() *slot {
	if l.n == 0 {
		return nil
	}
	return l.at(l.n - 1)
}

// append adds a copy of e, which need not be sealed.
func (l *log) append(e *audit.Entry) {
	var buf [512]byte
	l.appendCanonical(e, e.AppendCanonical(buf[:0]))
}

// appendCanonical adds a copy of e, whose canonical encoding is canonical
// (see [audit.SealAppend]).
func (l *log) appendCanonical(e *audit.Entry, canonical []byte) {
	if l.n == len(l.chunks)*logChunk {
		l.chunks = append(l.chunks, segment{slots: make([]slot, 0, logChunk)})
	}
	l.chunks[len(l.chunks)-1].add(e, canonical)
	l.n++
}

// truncate keeps the first n entries, and the text of those only.
func (l *log) truncate(n int) {
	for l.n > n {
		seg := &l.chunks[len(l.chunks)-1]
		keep := max(len(seg.slots)-(l.n-n), 0)
		l.n -= len(seg.slots) - keep
		if keep == 0 {
			l.chunks[len(l.chunks)-1] = segment{}
			l.chunks = l.chunks[:len(l.chunks)-1]
			continue
		}
		seg.text = seg.text[:seg.slots[keep].off]
		clear(seg.slots[keep:])
		seg.slots = seg.slots[:keep]
	}
}

package memory

import "github.com/servicekit/iso20000/audit"

// logChunk is the number of entries in one chunk of a log.
const logChunk = 1024

// log is the stored audit trail: sealed entries in fixed-size chunks, so
// that appending never copies the entries already stored.
type log struct {
	chunks []segment
	n      int
	// prev holds the previous hash of the entries (by position) whose
	// previous hash is not the hash of the entry before them (see [slot]):
	// none in a trail the store sealed, but for the first entry of a trail
	// that starts elsewhere than at the zero hash.
	prev map[int]audit.Hash
}

// segment is one chunk of a log: up to logChunk slots, and the text they
// pack, one after the other (see [slot]), in blocks of textBlock bytes.
// Stored text never moves: when the last block has no room for an entry's
// text, a new block is started, so that each byte of text is written once,
// into memory touched once (a copy would move it to new memory to fault in).
type segment struct {
	slots []slot
	text  [][]byte
}

// textBlock is the size of a block of text: small enough that the room left
// unused (half a block at the end of a segment, on average, and the end of a
// block too short for the next entry) is a few percent of a segment's text
// of common entries; large enough that a segment has some tens of blocks.
// An entry of more text has a block of its own size.
const textBlock = 16 << 10

// reserve makes room in the last block of seg.text for size more bytes.
func (seg *segment) reserve(size int) {
	if n := len(seg.text); n > 0 && cap(seg.text[n-1])-len(seg.text[n-1]) >= size {
		return
	}
	seg.text = append(seg.text, make([]byte, 0, max(size, textBlock)))
}

// len returns the number of entries.
func (l *log) len() int { return l.n }

// at returns the slot at position i (0-based), which must exist.
func (l *log) at(i int) *slot { return &l.chunks[i/logChunk].slots[i%logChunk] }

// entry returns a copy of the entry at position i (0-based), which must
// exist; it shares nothing with the log.
func (l *log) entry(i int) audit.Entry {
	seg := &l.chunks[i/logChunk]
	sl := &seg.slots[i%logChunk]
	return sl.entry(seg.text[sl.blk], l.prevHash(i))
}

// prevHash returns the previous hash of the entry at position i.
func (l *log) prevHash(i int) audit.Hash {
	switch {
	case l.at(i).flags&ownPrev != 0:
		return l.prev[i]
	case i == 0:
		return audit.Hash{}
	}
	return l.at(i - 1).hash
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
	if uint64(len(canonical)-canonicalHeader-canonicalTrailer) > maxText {
		panic("memory: an audit entry of more than 4 GiB of text")
	}
	if l.n == len(l.chunks)*logChunk {
		l.chunks = append(l.chunks, segment{slots: make([]slot, 0, logChunk)})
	}
	var chained audit.Hash // the previous hash of a chained entry
	if l.n > 0 {
		chained = l.at(l.n - 1).hash
	}
	seg := &l.chunks[len(l.chunks)-1]
	seg.add(e, canonical)
	if e.PrevHash != chained {
		seg.slots[len(seg.slots)-1].flags |= ownPrev
		if l.prev == nil {
			l.prev = make(map[int]audit.Hash)
		}
		l.prev[l.n] = e.PrevHash
	}
	l.n++
}

// truncate keeps the first n entries, and the text of those only.
func (l *log) truncate(n int) {
	for i := range l.prev {
		if i >= n {
			delete(l.prev, i)
		}
	}
	for l.n > n {
		seg := &l.chunks[len(l.chunks)-1]
		keep := max(len(seg.slots)-(l.n-n), 0)
		l.n -= len(seg.slots) - keep
		if keep == 0 {
			l.chunks[len(l.chunks)-1] = segment{}
			l.chunks = l.chunks[:len(l.chunks)-1]
			continue
		}
		first := &seg.slots[keep] // the first slot dropped
		seg.text[first.blk] = seg.text[first.blk][:first.off]
		clear(seg.text[first.blk+1:])
		seg.text = seg.text[:first.blk+1]
		clear(seg.slots[keep:])
		seg.slots = seg.slots[:keep]
	}
}

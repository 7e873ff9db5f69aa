package memory

import "github.com/servicekit/iso20000/audit"

// logChunk is the number of entries in one chunk of a log.
const logChunk = 1024

// log is the stored audit trail: sealed entries in fixed-size chunks, so
// that appending never copies the entries already stored.
type log struct {
	chunks [][]slot
	n      int
}

// slot is a stored entry: the entry without its Changes and Data, which are
// kept flat in text (field, old and new of each change, then key and value
// of each datum), so that storing an entry costs one allocation, not one
// per slice and map, and gives the garbage collector one object to scan.
type slot struct {
	e       audit.Entry
	text    []string
	changes int32 // the number of changes; -1 when Changes is nil
	data    int32 // the number of data pairs; -1 when Data is nil
}

// set makes sl the slot of e, sharing nothing with e.
func (sl *slot) set(e audit.Entry) {
	sl.e, sl.text, sl.changes, sl.data = e, nil, -1, -1
	sl.e.Changes, sl.e.Data = nil, nil
	if e.Changes != nil {
		sl.changes = int32(len(e.Changes))
	}
	if e.Data != nil {
		sl.data = int32(len(e.Data))
	}
	if n := 3*len(e.Changes) + 2*len(e.Data); n > 0 {
		sl.text = make([]string, 0, n)
		for _, c := range e.Changes {
			sl.text = append(sl.text, c.Field, c.Old, c.New)
		}
		for k, v := range e.Data {
			sl.text = append(sl.text, k, v)
		}
	}
}

// entry returns a copy of the stored entry.
func (sl *slot) entry() audit.Entry {
	e := sl.e
	text := sl.text
	if sl.changes >= 0 {
		e.Changes = make([]audit.Change, sl.changes)
		for i := range e.Changes {
			e.Changes[i] = audit.Change{Field: text[0], Old: text[1], New: text[2]}
			text = text[3:]
		}
	}
	if sl.data >= 0 {
		e.Data = make(map[string]string, sl.data)
		for ; len(text) > 0; text = text[2:] {
			e.Data[text[0]] = text[1]
		}
	}
	return e
}

// len returns the number of entries.
func (l *log) len() int { return l.n }

// at returns the slot at position i (0-based), which must exist.
func (l *log) at(i int) *slot { return &l.chunks[i/logChunk][i%logChunk] }

// last returns the last slot, or nil when the log is empty.
func (l *log) last() *slot {
	if l.n == 0 {
		return nil
	}
	return l.at(l.n - 1)
}

// append adds a copy of e.
func (l *log) append(e audit.Entry) {
	if l.n == len(l.chunks)*logChunk {
		l.chunks = append(l.chunks, make([]slot, 0, logChunk))
	}
	c := &l.chunks[len(l.chunks)-1]
	*c = (*c)[:len(*c)+1]
	(*c)[len(*c)-1].set(e)
	l.n++
}

// truncate keeps the first n entries.
func (l *log) truncate(n int) {
	for l.n > n {
		c := &l.chunks[len(l.chunks)-1]
		drop := min(l.n-n, len(*c))
		clear((*c)[len(*c)-drop:])
		*c = (*c)[:len(*c)-drop]
		l.n -= drop
		if len(*c) == 0 {
			l.chunks = l.chunks[:len(l.chunks)-1]
		}
	}
}

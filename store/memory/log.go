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
func (l *log) append(e *audit.Entry) {
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

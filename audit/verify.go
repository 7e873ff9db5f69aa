package audit

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
)

// Problem classifies what is wrong with a trail, as found by [Verify],
// [VerifyEntries] and [VerifyCheckpoint]. It encodes as its String in JSON.
type Problem uint8

// The problems a verification reports. The classification is a diagnosis
// from the stored bytes alone: the chain proves that something changed at
// [Report.FirstBad], and the Problem says what most likely happened there.
const (
	// NoProblem: the trail verified.
	NoProblem Problem = iota
	// Edited: an entry's content does not match its hash (a field, its
	// sequence number or its previous hash was changed after sealing).
	Edited
	// Missing: an entry is gone, either leaving a gap in the sequence
	// numbers or with the later entries renumbered to close it.
	Missing
	// Reordered: entries are stored out of the order they were sealed in.
	Reordered
	// Inserted: an entry that was never sealed into the chain was inserted,
	// with or without the later entries renumbered.
	Inserted
	// BrokenLink: an entry's own hash is right but its previous hash is not
	// the hash of the entry before it: the entry was forged, or the entry
	// before it was edited and re-sealed.
	BrokenLink
	// Truncated: entries at the tail that a signed [Checkpoint] covers are gone.
	Truncated
	// Rewritten: the chain is consistent but differs from a signed
	// [Checkpoint]: entries up to the checkpoint were changed and re-sealed.
	Rewritten
)

var problemNames = [...]string{
	NoProblem:  "none",
	Edited:     "edited",
	Missing:    "missing",
	Reordered:  "reordered",
	Inserted:   "inserted",
	BrokenLink: "broken-link",
	Truncated:  "truncated",
	Rewritten:  "rewritten",
}

// String returns the problem's lowercase name, such as "edited".
func (p Problem) String() string {
	if int(p) < len(problemNames) {
		return problemNames[p]
	}
	return fmt.Sprintf("problem(%d)", uint8(p))
}

// MarshalText encodes the problem as its String.
func (p Problem) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText decodes a name produced by String.
func (p *Problem) UnmarshalText(b []byte) error {
	for i, name := range problemNames {
		if name == string(b) {
			*p = Problem(i)
			return nil
		}
	}
	return fmt.Errorf("audit: unknown problem %q", b)
}

// Report is the result of verifying a trail.
type Report struct {
	// OK reports whether every check passed.
	OK bool `json:"ok"`
	// Checked is the number of entries read.
	Checked uint64 `json:"checked"`
	// Head is the last entry that verified before the first problem, or the
	// verified head of the trail when OK. It is zero for [Rewritten], where
	// the chain verified but disagrees with the checkpoint.
	Head Head `json:"head"`
	// FirstBad is the sequence number of the first entry found wrong (for a
	// Missing entry, the number that is missing); 0 when OK.
	FirstBad uint64 `json:"first_bad,omitempty"`
	// Problem says what is wrong at FirstBad.
	Problem Problem `json:"problem,omitempty"`
	// Detail explains the problem in a sentence.
	Detail string `json:"detail,omitempty"`
}

// Err returns nil when the report is OK and otherwise a *[ChainError] that
// matches [ErrBroken].
func (r Report) Err() error {
	if r.OK {
		return nil
	}
	return &ChainError{Seq: r.FirstBad, Problem: r.Problem, Detail: r.Detail}
}

// ErrBroken reports a trail that failed verification. Find the details with
// errors.As and a *[ChainError].
var ErrBroken = errors.New("audit: trail verification failed")

// ChainError is an [ErrBroken] naming the first bad entry.
type ChainError struct {
	// Seq is the sequence number of the first bad entry.
	Seq uint64
	// Problem says what is wrong with it.
	Problem Problem
	// Detail explains the problem in a sentence.
	Detail string
}

// Error implements error.
func (e *ChainError) Error() string {
	return fmt.Sprintf("audit: trail broken at entry %d (%s): %s", e.Seq, e.Problem, e.Detail)
}

// Is reports whether target is [ErrBroken].
func (e *ChainError) Is(target error) bool { return target == ErrBroken }

// Verify reads the whole trail and checks that it is one unbroken chain:
// sequence numbers 1, 2, 3... without gaps, every entry's Hash equal to
// SHA-256 of its canonical encoding, and every PrevHash equal to the Hash of
// the entry before (all zero for entry 1). It also checks that the trail's
// Head is the last entry read.
//
// A broken chain is reported in the Report (see [Report.Err]), not as the
// error; the error is for failures to read the trail. A chain alone does not
// detect a truncated tail or a trail rewritten and re-sealed from some entry
// on: anchor the head with a signed [Checkpoint] and use [VerifyCheckpoint].
func Verify(ctx context.Context, t Trail) (Report, error) {
	_, rep, err := verifyTrail(ctx, t, 0)
	return rep, err
}

// verifyTrail verifies t, remembering the hash of entry watch in the verifier.
func verifyTrail(ctx context.Context, t Trail, watch uint64) (*verifier, Report, error) {
	v := newVerifier(watch)
	head, err := t.Head(ctx)
	if err != nil {
		return v, Report{}, err
	}
	rep, err := v.run(t.Entries(ctx, 1, 0))
	if err != nil || !rep.OK {
		return v, rep, err
	}
	// Entries read after Head may include later appends, never fewer.
	switch {
	case rep.Head.Seq < head.Seq:
		v.fail(rep.Head.Seq+1, Missing, v.prev, fmt.Sprintf(
			"the trail's head is entry %d but its entries end at %d", head.Seq, rep.Head.Seq))
	case rep.Head.Seq == head.Seq && rep.Head.Hash != head.Hash:
		v.fail(head.Seq, Edited, v.before, fmt.Sprintf(
			"the trail's head hash %s differs from the hash of entry %d", head.Hash, head.Seq))
	default:
		return v, rep, nil
	}
	v.report.Checked = rep.Checked
	return v, v.report, nil
}

// VerifyEntries checks entries, in the order given, as [Verify] checks a
// trail: they must start at sequence number 1. It reads one entry past the
// first problem to classify it, and stops there. The error is the first
// error entries yields, returned with the report of what was checked so far.
func VerifyEntries(entries iter.Seq2[Entry, error]) (Report, error) {
	return newVerifier(0).run(entries)
}

// VerifySlice is [VerifyEntries] over a slice.
func VerifySlice(entries []Entry) Report {
	rep, _ := VerifyEntries(func(yield func(Entry, error) bool) {
		for _, e := range entries {
			if !yield(e, nil) {
				return
			}
		}
	})
	return rep
}

// verifier checks a stream of entries with one reused encoding buffer.
type verifier struct {
	buf     []byte
	next    uint64 // expected sequence number of the next entry
	prev    Head   // the last entry that verified
	before  Head   // the entry before prev
	checked uint64
	pending *Entry // the first bad entry, waiting for its successor
	done    bool
	report  Report

	watch   uint64 // a sequence number whose hash to remember (0: none)
	watched Hash
}

func newVerifier(watch uint64) *verifier {
	return &verifier{buf: make([]byte, 0, 1024), next: 1, watch: watch}
}

func (v *verifier) run(entries iter.Seq2[Entry, error]) (Report, error) {
	for e, err := range entries {
		if err != nil {
			return v.finish(), err
		}
		if !v.add(&e) {
			break
		}
	}
	return v.finish(), nil
}

// add checks e and reports whether to continue.
func (v *verifier) add(e *Entry) bool {
	v.checked++
	if v.pending != nil {
		v.classify(v.pending, e)
		return false
	}
	if e.Seq == v.next && e.PrevHash == v.prev.Hash {
		v.buf = e.AppendCanonical(v.buf[:0])
		if sha256.Sum256(v.buf) == e.Hash {
			if e.Seq == v.watch {
				v.watched = e.Hash
			}
			v.before, v.prev = v.prev, Head{Seq: e.Seq, Hash: e.Hash}
			v.next++
			return true
		}
	}
	bad := *e
	v.pending = &bad
	return true
}

func (v *verifier) finish() Report {
	if v.pending != nil {
		v.classify(v.pending, nil)
	}
	if !v.done {
		v.report = Report{OK: true, Head: v.prev}
	}
	v.report.Checked = v.checked
	return v.report
}

func (v *verifier) fail(seq uint64, p Problem, head Head, detail string) {
	v.report = Report{Head: head, FirstBad: seq, Problem: p, Detail: detail, Checked: v.checked}
	v.pending = nil
	v.done = true
}

// hashAs returns the hash e would have with sequence number seq.
func (v *verifier) hashAs(e *Entry, seq uint64) Hash {
	v.buf = e.AppendCanonical(v.buf[:0])
	binary.BigEndian.PutUint64(v.buf[1:9], seq)
	return sha256.Sum256(v.buf)
}

// sealedAs reports whether e, stored as seq+1, was sealed as seq.
func (v *verifier) sealedAs(e *Entry, seq uint64) bool {
	return e != nil && e.Seq == seq+1 && v.hashAs(e, seq) == e.Hash
}

// classify names the problem of cur, the first entry that failed, using the
// entry after it (nil at the end).
func (v *verifier) classify(cur, next *Entry) {
	s, want := cur.Seq, v.next
	switch {
	case s != want && cur.PrevHash == v.prev.Hash && v.hashAs(cur, want) == cur.Hash:
		v.fail(want, Edited, v.prev, fmt.Sprintf("entry %d was renumbered to %d", want, s))
	case s > want:
		if next != nil && next.Seq == want {
			v.fail(want, Reordered, v.prev, fmt.Sprintf("entry %d is stored after entry %d", want, s))
		} else if s == want+1 {
			v.fail(want, Missing, v.prev, fmt.Sprintf("entry %d is missing (the next stored entry is %d)", want, s))
		} else {
			v.fail(want, Missing, v.prev, fmt.Sprintf("entries %d to %d are missing", want, s-1))
		}
	case s < want && cur.Hash == v.prev.Hash:
		v.fail(want, Inserted, v.prev, fmt.Sprintf("entry %d is stored twice", s))
	case s < want:
		v.fail(want, Edited, v.prev, fmt.Sprintf("the entry after entry %d is numbered %d", want-1, s))
	case v.hashAs(cur, s) == cur.Hash: // self-consistent, so the link is wrong
		if v.sealedAs(next, s) {
			v.fail(s, Inserted, v.prev, fmt.Sprintf(
				"entry %d was inserted and the later entries renumbered (entry %d was sealed as %d)", s, s+1, s))
		} else {
			v.fail(s, BrokenLink, v.prev, fmt.Sprintf(
				"entry %d has a valid hash but its prev_hash is not the hash of entry %d: it was forged, or entry %d was edited and re-sealed",
				s, s-1, s-1))
		}
	case v.hashAs(cur, s+1) == cur.Hash: // sealed one place later
		if next != nil && next.Seq == s+1 && (next.Hash == cur.PrevHash || v.sealedAs(next, s)) {
			v.fail(s, Reordered, v.prev, fmt.Sprintf("entries %d and %d are swapped", s, s+1))
		} else {
			v.fail(s, Missing, v.prev, fmt.Sprintf(
				"entry %d was deleted and the later entries renumbered (entry %d was sealed as %d)", s, s, s+1))
		}
	case s > 1 && v.hashAs(cur, s-1) == cur.Hash: // sealed one place earlier
		v.fail(s-1, Inserted, v.before, fmt.Sprintf(
			"entry %d was inserted and the later entries renumbered (entry %d was sealed as %d)", s-1, s, s-1))
	case v.sealedAs(next, s):
		v.fail(s, Inserted, v.prev, fmt.Sprintf(
			"entry %d was inserted and the later entries renumbered (entry %d was sealed as %d)", s, s+1, s))
	default:
		v.fail(s, Edited, v.prev, fmt.Sprintf("entry %d was edited: its content does not match its hash", s))
	}
}

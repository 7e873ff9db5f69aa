package audit_test

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"strings"
	"testing"
	"time"

	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/audit/audittest"
)

// chain returns n sealed entries.
func chain(t testing.TB, n int) []audit.Entry {
	t.Helper()
	var out []audit.Entry
	var h audit.Head
	for i := 1; i <= n; i++ {
		e := audittest.Entry(i)
		var err error
		if h, err = audit.Seal(h, &e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func TestProblemText(t *testing.T) {
	for p := audit.NoProblem; p <= audit.Rewritten; p++ {
		b, err := p.MarshalText()
		if err != nil || strings.HasPrefix(string(b), "problem(") {
			t.Fatalf("MarshalText(%d) = %s, %v", p, b, err)
		}
		var back audit.Problem
		if err := back.UnmarshalText(b); err != nil || back != p {
			t.Fatalf("UnmarshalText(%s) = %v, %v; want %v", b, back, err, p)
		}
	}
	if s := audit.Problem(200).String(); s != "problem(200)" {
		t.Fatalf("String of an unknown problem = %q", s)
	}
	var p audit.Problem
	if err := p.UnmarshalText([]byte("gone")); err == nil {
		t.Fatal("UnmarshalText accepted an unknown name")
	}
}

func TestReportJSON(t *testing.T) {
	rep := audit.VerifySlice(chain(t, 3)[1:])
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"problem":"missing"`) || !strings.Contains(string(b), `"first_bad":1`) {
		t.Fatalf("report JSON = %s", b)
	}
	var back audit.Report
	if err := json.Unmarshal(b, &back); err != nil || back != rep {
		t.Fatalf("JSON round trip = %+v, %v; want %+v", back, err, rep)
	}
}

// TestVerifySliceCases covers orders that a trail reading by Seq cannot
// produce, but a file or a slice can.
func TestVerifySliceCases(t *testing.T) {
	es := chain(t, 6)
	tests := []struct {
		name    string
		entries []audit.Entry
		seq     uint64
		problem audit.Problem
	}{
		{"intact", es, 0, audit.NoProblem},
		{"empty", nil, 0, audit.NoProblem},
		{"duplicate", []audit.Entry{es[0], es[1], es[2], es[2], es[3]}, 4, audit.Inserted},
		{"numbered back", []audit.Entry{es[0], es[1], es[2], func() audit.Entry { e := es[3]; e.Seq = 1; return e }()}, 4, audit.Edited},
		{"numbered ahead", []audit.Entry{es[0], es[1], func() audit.Entry { e := es[2]; e.Seq = 9; return e }()}, 3, audit.Edited},
		{"out of order, not renumbered", []audit.Entry{es[0], es[2], es[1], es[3]}, 2, audit.Reordered},
		{"several missing", []audit.Entry{es[0], es[4], es[5]}, 2, audit.Missing},
		{"starts late", es[2:], 1, audit.Missing},
		{"last missing gap at end is not visible", es[:5], 0, audit.NoProblem},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := audit.VerifySlice(tt.entries)
			if rep.OK != (tt.seq == 0) || rep.FirstBad != tt.seq || rep.Problem != tt.problem {
				t.Fatalf("VerifySlice = %+v, want first bad %d %s", rep, tt.seq, tt.problem)
			}
			if rep.Checked > uint64(len(tt.entries)) {
				t.Fatalf("Checked = %d of %d entries", rep.Checked, len(tt.entries))
			}
			if (rep.Err() == nil) != rep.OK {
				t.Fatalf("Err() = %v with OK %v", rep.Err(), rep.OK)
			}
			if !rep.OK && !strings.Contains(rep.Err().Error(), tt.problem.String()) {
				t.Fatalf("error %q does not name the problem", rep.Err())
			}
		})
	}
}

func TestVerifyEntriesReadError(t *testing.T) {
	es := chain(t, 3)
	boom := errors.New("disk on fire")
	rep, err := audit.VerifyEntries(func(yield func(audit.Entry, error) bool) {
		for _, e := range es {
			if !yield(e, nil) {
				return
			}
		}
		yield(audit.Entry{}, boom)
	})
	if !errors.Is(err, boom) || rep.Head.Seq != 3 || rep.Checked != 3 {
		t.Fatalf("VerifyEntries = %+v, %v; want the read error after 3 entries", rep, err)
	}
}

// headTrail is a Trail whose Head is given, to test Verify's head check.
type headTrail struct {
	audit.Trail
	head audit.Head
	err  error
}

func (h headTrail) Head(context.Context) (audit.Head, error) { return h.head, h.err }

func TestVerifyChecksTheHead(t *testing.T) {
	tr := audittest.NewSliceTrail()
	es, err := tr.Append(context.Background(), chain(t, 4)...)
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("no connection")
	tests := []struct {
		name    string
		head    audit.Head
		err     error
		seq     uint64
		problem audit.Problem
	}{
		{"head is the last entry", audit.Head{Seq: 4, Hash: es[3].Hash}, nil, 0, audit.NoProblem},
		{"head from before a later append", audit.Head{Seq: 3, Hash: es[2].Hash}, nil, 0, audit.NoProblem},
		{"head beyond the entries", audit.Head{Seq: 6, Hash: es[3].Hash}, nil, 5, audit.Missing},
		{"head hash differs", audit.Head{Seq: 4, Hash: es[2].Hash}, nil, 4, audit.Edited},
		{"head fails", audit.Head{}, boom, 0, audit.NoProblem},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := audit.Verify(context.Background(), headTrail{tr, tt.head, tt.err})
			if !errors.Is(err, tt.err) {
				t.Fatalf("Verify error = %v, want %v", err, tt.err)
			}
			if tt.err == nil && (rep.OK != (tt.seq == 0) || rep.FirstBad != tt.seq || rep.Problem != tt.problem) {
				t.Fatalf("Verify = %+v, want first bad %d %s", rep, tt.seq, tt.problem)
			}
		})
	}
}

// sliceSeq yields entries from a slice.
func sliceSeq(es []audit.Entry) iter.Seq2[audit.Entry, error] {
	return func(yield func(audit.Entry, error) bool) {
		for _, e := range es {
			if !yield(e, nil) {
				return
			}
		}
	}
}

func TestVerifyAllocatesNothingPerEntry(t *testing.T) {
	es := chain(t, 1000)
	small, large := sliceSeq(es[:10]), sliceSeq(es)
	// The verifier's state and one encoding buffer, whatever the number of entries.
	nSmall := testing.AllocsPerRun(10, func() { audit.VerifyEntries(small) })
	nLarge := testing.AllocsPerRun(10, func() { audit.VerifyEntries(large) })
	if nLarge != nSmall || nLarge > 8 {
		t.Fatalf("VerifyEntries allocates %v times for 10 entries and %v for 1000, want the same few", nSmall, nLarge)
	}
}

// FuzzVerify tampers with one byte of one field of a chain and checks that
// verification either fails or the tampering left the entries unchanged.
func FuzzVerify(f *testing.F) {
	f.Add(uint8(3), uint8(0), uint8(1), uint8(0x01))
	f.Add(uint8(0), uint8(5), uint8(0), uint8(0xff))
	f.Add(uint8(7), uint8(8), uint8(3), uint8(0x80))
	base := chain(f, 8)
	f.Fuzz(func(t *testing.T, which, field, pos, xor uint8) {
		es := make([]audit.Entry, len(base))
		for i, e := range base {
			es[i] = e.Clone()
		}
		e := &es[int(which)%len(es)]
		flip := func(b []byte) { b[int(pos)%len(b)] ^= xor }
		switch field % 9 {
		case 0:
			e.Seq ^= uint64(xor)
		case 1:
			flip(e.ID[:])
		case 2:
			e.Time = e.Time.Add(time.Duration(xor))
		case 3:
			b := []byte(e.Actor)
			flip(b)
			e.Actor = string(b)
		case 4:
			flip(e.PrevHash[:])
		case 5:
			flip(e.Hash[:])
		case 6:
			b := []byte(e.Changes[0].New)
			flip(b)
			e.Changes[0].New = string(b)
		case 7:
			e.Data["ref"] += string(rune(xor))
		case 8:
			es = append(es[:int(which)%len(es)], es[int(which)%len(es)+1:]...)
		}
		rep := audit.VerifySlice(es)
		changed := xor != 0 || field%9 == 7 || field%9 == 8
		if changed && field%9 == 8 && int(which)%len(base) == len(base)-1 {
			changed = false // dropping the last entry is a truncation, invisible without a checkpoint
		}
		if rep.OK == changed {
			t.Fatalf("tampering field %d of entry %d: report %+v", field%9, int(which)%len(base)+1, rep)
		}
		if rep.OK {
			return
		}
		// One entry changed (or removed): it is the first bad one, and the
		// problem is an edit (or a missing entry).
		want := audit.Edited
		if field%9 == 8 {
			want = audit.Missing
		}
		if k := uint64(int(which)%len(base)) + 1; rep.FirstBad != k || rep.Problem != want || rep.Detail == "" {
			t.Fatalf("tampering field %d of entry %d: report %+v, want entry %d %s", field%9, k, rep, k, want)
		}
	})
}

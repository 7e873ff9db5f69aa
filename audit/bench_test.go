package audit_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"testing"
	"time"

	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/audit/audittest"
)

// The Seal benchmarks compare sealing a typical entry (about 300 bytes in
// its canonical encoding) with the raw SHA-256 of the same bytes and with the
// naive way, SHA-256 over encoding/json.

func BenchmarkSeal(b *testing.B) {
	e := audittest.Entry(1)
	b.SetBytes(int64(len(e.AppendCanonical(nil))))
	var h audit.Head
	for b.Loop() {
		var err error
		if h, err = audit.Seal(h, &e); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSealBaselineRawSHA256(b *testing.B) {
	e := audittest.Entry(1)
	buf := e.AppendCanonical(nil)
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		sha256.Sum256(buf)
	}
}

func BenchmarkSealBaselineJSONSHA256(b *testing.B) {
	e := audittest.Entry(1)
	b.SetBytes(int64(len(e.AppendCanonical(nil))))
	for b.Loop() {
		j, err := json.Marshal(&e)
		if err != nil {
			b.Fatal(err)
		}
		sha256.Sum256(j)
	}
}

// The Verify benchmarks check a chain of 10,000 entries; SetBytes is the size
// of their canonical encodings, so MB/s compares directly with the raw
// SHA-256 of the same bytes.

const verifyN = 10_000

func benchChain(b *testing.B) ([]audit.Entry, int64) {
	es := chain(b, verifyN)
	var size int64
	for i := range es {
		size += int64(len(es[i].AppendCanonical(nil)))
	}
	return es, size
}

func BenchmarkVerify10k(b *testing.B) {
	es, size := benchChain(b)
	seq := sliceSeq(es)
	b.SetBytes(size)
	for b.Loop() {
		if rep, err := audit.VerifyEntries(seq); err != nil || !rep.OK {
			b.Fatal(rep, err)
		}
	}
}

func BenchmarkVerify10kBaselineRawSHA256(b *testing.B) {
	es, size := benchChain(b)
	bufs := make([][]byte, len(es))
	for i := range es {
		bufs[i] = es[i].AppendCanonical(nil)
	}
	b.SetBytes(size)
	for b.Loop() {
		for _, buf := range bufs {
			sha256.Sum256(buf)
		}
	}
}

// BenchmarkVerify10kSliceTrail includes the reference trail's copying of
// every entry it yields, as a backend's iterator does.
func BenchmarkVerify10kSliceTrail(b *testing.B) {
	es, size := benchChain(b)
	tr := audittest.NewSliceTrail()
	if _, err := tr.Append(context.Background(), es...); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	for b.Loop() {
		if rep, err := audit.Verify(context.Background(), tr); err != nil || !rep.OK {
			b.Fatal(rep, err)
		}
	}
}

// The Interleaved benchmarks run the contenders in alternation within each
// iteration, so that all of them see the same load of a shared machine, and
// report each one's cost and the ratios: they are the figures to compare.

func BenchmarkSealInterleaved(b *testing.B) {
	const chunk = 1000
	e := audittest.Entry(1)
	buf := e.AppendCanonical(nil)
	var seal, raw, js time.Duration
	var h audit.Head
	for b.Loop() {
		t0 := time.Now()
		for range chunk {
			h, _ = audit.Seal(h, &e)
		}
		t1 := time.Now()
		for range chunk {
			sha256.Sum256(buf)
		}
		t2 := time.Now()
		for range chunk {
			j, _ := json.Marshal(&e)
			sha256.Sum256(j)
		}
		t3 := time.Now()
		seal, raw, js = seal+t1.Sub(t0), raw+t2.Sub(t1), js+t3.Sub(t2)
	}
	ops := float64(b.N * chunk)
	b.ReportMetric(float64(seal.Nanoseconds())/ops, "ns/seal")
	b.ReportMetric(float64(raw.Nanoseconds())/ops, "ns/raw-sha256")
	b.ReportMetric(float64(js.Nanoseconds())/ops, "ns/json+sha256")
	b.ReportMetric(0, "ns/op")
}

func BenchmarkVerify10kInterleaved(b *testing.B) {
	es, size := benchChain(b)
	seq := sliceSeq(es)
	bufs := make([][]byte, len(es))
	for i := range es {
		bufs[i] = es[i].AppendCanonical(nil)
	}
	var verify, raw time.Duration
	for b.Loop() {
		t0 := time.Now()
		if rep, err := audit.VerifyEntries(seq); err != nil || !rep.OK {
			b.Fatal(rep, err)
		}
		t1 := time.Now()
		for _, buf := range bufs {
			sha256.Sum256(buf)
		}
		t2 := time.Now()
		verify, raw = verify+t1.Sub(t0), raw+t2.Sub(t1)
	}
	mb := float64(size) * float64(b.N) / 1e6
	b.ReportMetric(mb/verify.Seconds(), "verify-MB/s")
	b.ReportMetric(mb/raw.Seconds(), "raw-sha256-MB/s")
	b.ReportMetric(100*raw.Seconds()/verify.Seconds(), "%-of-raw")
	b.ReportMetric(0, "ns/op")
}

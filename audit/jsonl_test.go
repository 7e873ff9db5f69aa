package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"iter"
	"strings"
	"testing"

	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/audit/audittest"
)

// exported returns the JSON Lines export of a chain of n entries.
func exported(t testing.TB, n int) []byte {
	t.Helper()
	tr := audittest.NewSliceTrail()
	if _, err := tr.Append(context.Background(), chain(t, n)...); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := audit.Export(context.Background(), tr, &buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestImportStrict(t *testing.T) {
	lines := strings.SplitAfter(string(exported(t, 3)), "\n")[:3]
	replace := func(i int, old, new string) string {
		l := append([]string(nil), lines...)
		l[i] = strings.Replace(l[i], old, new, 1)
		return strings.Join(l, "")
	}
	tests := []struct {
		name    string
		input   string
		n       int    // entries expected on success
		errLine string // "" for success
	}{
		{"all", strings.Join(lines, ""), 3, ""},
		{"empty", "", 0, ""},
		{"no final newline", strings.TrimSuffix(strings.Join(lines, ""), "\n"), 3, ""},
		{"CRLF", strings.ReplaceAll(strings.Join(lines, ""), "\n", "\r\n"), 3, ""},
		{"unknown field", replace(1, `"seq"`, `"extra":1,"seq"`), 0, "line 2"},
		{"trailing data", replace(2, "}\n", "} {}\n"), 0, "line 3"},
		{"blank line", lines[0] + "\n" + lines[1], 0, "line 2"},
		{"null", "null\n", 0, "line 1"},
		{"array", "[]\n", 0, "line 1"},
		{"bad hash", replace(0, `"hash":"`, `"hash":"zz`), 0, "line 1"},
		{"bad time", replace(1, `"time":"2026`, `"time":"yesterday`), 0, "line 2"},
		{"bad id", replace(2, `"id":"`, `"id":"x`), 0, "line 3"},
		{"seq as string", replace(0, `"seq":1`, `"seq":"1"`), 0, "line 1"},
		{"truncated JSON", lines[0][:40], 0, "line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := audit.Import(strings.NewReader(tt.input))
			if tt.errLine == "" {
				if err != nil || len(got) != tt.n {
					t.Fatalf("Import = %d entries, %v; want %d entries", len(got), err, tt.n)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.errLine+":") || errors.Is(err, audit.ErrBroken) {
				t.Fatalf("Import error = %v, want a decoding error naming %s", err, tt.errLine)
			}
		})
	}
}

func TestImportLineTooLong(t *testing.T) {
	long := `{"actor":"` + strings.Repeat("a", audit.MaxLineSize) + `"}` + "\n"
	_, err := audit.Import(strings.NewReader(string(exported(t, 1)) + long))
	if err == nil || !strings.Contains(err.Error(), "longer than") {
		t.Fatalf("Import of an over-long line: %v", err)
	}
}

func TestImportBrokenChain(t *testing.T) {
	lines := strings.SplitAfter(string(exported(t, 4)), "\n")
	got, err := audit.Import(strings.NewReader(lines[0] + lines[2] + lines[3]))
	var ce *audit.ChainError
	if !errors.As(err, &ce) || !errors.Is(err, audit.ErrBroken) || ce.Seq != 2 || ce.Problem != audit.Missing {
		t.Fatalf("Import without line 2: error %v, want entry 2 missing", err)
	}
	if len(got) != 3 {
		t.Fatalf("Import returned %d entries, want the 3 read", len(got))
	}
}

func TestReadEntriesStops(t *testing.T) {
	n := 0
	for _, err := range audit.ReadEntries(bytes.NewReader(exported(t, 5))) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 2 {
			break
		}
	}
	rep, err := audit.VerifyEntries(audit.ReadEntries(bytes.NewReader(exported(t, 5))))
	if err != nil || !rep.OK || rep.Head.Seq != 5 {
		t.Fatalf("VerifyEntries(ReadEntries(export)) = %+v, %v", rep, err)
	}
}

// failingTrail fails to read after its first entry.
type failingTrail struct{ audit.Trail }

var errRead = errors.New("read failed")

func (f failingTrail) Entries(ctx context.Context, from, to uint64) iter.Seq2[audit.Entry, error] {
	return func(yield func(audit.Entry, error) bool) {
		for e, err := range f.Trail.Entries(ctx, from, to) {
			if !yield(e, err) || err != nil {
				break
			}
			yield(audit.Entry{}, errRead)
			return
		}
	}
}

type failingWriter struct{}

var errWrite = errors.New("write failed")

func (failingWriter) Write([]byte) (int, error) { return 0, errWrite }

func TestExportErrors(t *testing.T) {
	tr := audittest.NewSliceTrail()
	if _, err := tr.Append(context.Background(), chain(t, 2)...); err != nil {
		t.Fatal(err)
	}
	if err := audit.Export(context.Background(), failingTrail{tr}, new(bytes.Buffer)); !errors.Is(err, errRead) {
		t.Fatalf("Export from a failing trail = %v, want the read error", err)
	}
	if err := audit.Export(context.Background(), tr, failingWriter{}); !errors.Is(err, errWrite) {
		t.Fatalf("Export to a failing writer = %v, want the write error", err)
	}
}

// FuzzImport feeds arbitrary input to the JSON Lines decoder: it must not
// panic, every decoded entry must survive a JSON round trip with the same
// canonical encoding, and an accepted import must verify.
func FuzzImport(f *testing.F) {
	good := exported(f, 3)
	f.Add(good)
	f.Add([]byte{})
	f.Add([]byte("{}\n"))
	f.Add(bytes.ReplaceAll(good, []byte("\n"), []byte("\r\n")))
	f.Add([]byte(`{"seq":1,"time":"2026-01-01T00:00:00+01:00","data":{"b":"\u00e9","a":"\ud800"}}`))
	f.Fuzz(func(t *testing.T, input []byte) {
		entries, err := audit.Import(bytes.NewReader(input))
		if err == nil && !audit.VerifySlice(entries).OK {
			t.Fatal("Import accepted a chain that does not verify")
		}
		for _, e := range entries {
			b, err := json.Marshal(e)
			if err != nil {
				return // times beyond year 9999 cannot be encoded
			}
			var back audit.Entry
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatalf("re-decoding %s: %v", b, err)
			}
			if !bytes.Equal(back.AppendCanonical(nil), e.AppendCanonical(nil)) {
				t.Fatalf("canonical encoding changed in a JSON round trip of %s", b)
			}
		}
	})
}

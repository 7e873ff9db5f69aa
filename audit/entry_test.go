package audit_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/audit/audittest"
)

// workedExample is the entry of the package doc's worked example.
func workedExample() audit.Entry {
	return audit.Entry{
		ID:       uuid.MustParse("6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
		Time:     time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC),
		Actor:    "alice",
		Action:   "incident.resolve",
		Kind:     "incident",
		EntityID: "INC-1",
		From:     "in-progress",
		To:       "resolved",
		Changes:  []audit.Change{{Field: "resolution", New: "fixed"}},
		Data:     map[string]string{"ref": "KB-7"},
	}
}

// TestWorkedExample checks the bytes, hash and JSON line the package doc shows.
func TestWorkedExample(t *testing.T) {
	e := workedExample()
	if _, err := audit.Seal(audit.Head{}, &e); err != nil {
		t.Fatal(err)
	}
	const canonical = "00" + "0000000000000001" + "6ba7b8109dad11d180b400c04fd430c8" + "1886caf21c963206" +
		"00000005" + "616c696365" + "00000010" + "696e636964656e742e7265736f6c7665" +
		"00000008" + "696e636964656e74" + "00000005" + "494e432d31" +
		"0000000b" + "696e2d70726f6772657373" + "00000008" + "7265736f6c766564" +
		"00000001" + "0000000a" + "7265736f6c7574696f6e" + "00000000" + "00000005" + "6669786564" +
		"00000001" + "00000003" + "726566" + "00000004" + "4b422d37" +
		"0000000000000000000000000000000000000000000000000000000000000000"
	const hash = "53e34b2b97ad436ce7894df502a977ca373b6a5732a9f330b83ac086a333acef"
	const line = `{"seq":1,"id":"6ba7b810-9dad-11d1-80b4-00c04fd430c8","time":"2026-01-02T03:04:05.000000006Z",` +
		`"actor":"alice","action":"incident.resolve","kind":"incident","entity_id":"INC-1",` +
		`"from":"in-progress","to":"resolved","changes":[{"field":"resolution","new":"fixed"}],"data":{"ref":"KB-7"},` +
		`"prev_hash":"0000000000000000000000000000000000000000000000000000000000000000",` +
		`"hash":"53e34b2b97ad436ce7894df502a977ca373b6a5732a9f330b83ac086a333acef"}`
	b := e.AppendCanonical(nil)
	if got := hex.EncodeToString(b); got != canonical || len(b) != 192 {
		t.Fatalf("canonical encoding (%d bytes) = %s, want the doc's 192 bytes %s", len(b), got, canonical)
	}
	if e.Hash.String() != hash {
		t.Fatalf("hash = %s, want %s", e.Hash, hash)
	}
	var buf bytes.Buffer
	tr := audittest.NewSliceTrail()
	if _, err := tr.Append(t.Context(), workedExample()); err != nil {
		t.Fatal(err)
	}
	if err := audit.Export(t.Context(), tr, &buf); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSuffix(buf.String(), "\n"); got != line {
		t.Fatalf("export line =\n%s\nwant\n%s", got, line)
	}
	if got, _, err := audittest.RecomputeHash(buf.Bytes()); err != nil || got != hash {
		t.Fatalf("RecomputeHash = %s, %v; want %s", got, err, hash)
	}
}

func TestCanonicalEncodingIgnoresNilVersusEmpty(t *testing.T) {
	a, b := workedExample(), workedExample()
	a.Changes, a.Data = nil, nil
	b.Changes, b.Data = []audit.Change{}, map[string]string{}
	if a.ComputeHash() != b.ComputeHash() {
		t.Fatal("nil and empty Changes/Data hash differently")
	}
}

func TestCanonicalEncodingSortsDataKeys(t *testing.T) {
	keys := strings.Fields("q w e r t y u i o p a s d f g h j k l z x c v b n m Z É é 1")
	// Every size: the few pairs sorted in a buffer on the stack, more in
	// one that grows, and past 12 by the standard sort.
	for n := 2; n <= len(keys); n++ {
		e := workedExample()
		e.Data = map[string]string{}
		for _, k := range keys[:n] {
			e.Data[k] = k + k
		}
		first := e.AppendCanonical(nil)
		for range 20 { // map iteration order varies between runs
			if got := e.AppendCanonical(nil); !bytes.Equal(got, first) {
				t.Fatalf("the encoding of a map with %d keys is not deterministic", n)
			}
		}
	}
}

func TestComputeHashDoesNotAllocate(t *testing.T) {
	e := audittest.Entry(1) // three data pairs, two changes
	if n := testing.AllocsPerRun(100, func() { e.ComputeHash() }); n != 0 {
		t.Fatalf("ComputeHash allocates %v times per call, want 0", n)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(e *audit.Entry)
		field string // "" when valid
	}{
		{"valid", func(e *audit.Entry) {}, ""},
		{"minimal", func(e *audit.Entry) { *e = audit.Entry{Time: e.Time, Actor: "a", Action: "b"} }, ""},
		{"earliest time", func(e *audit.Entry) { e.Time = time.Unix(0, -1<<63) }, ""},
		{"zero time", func(e *audit.Entry) { e.Time = time.Time{} }, "time"},
		{"before 1678", func(e *audit.Entry) { e.Time = time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC) }, "time"},
		{"after 2262", func(e *audit.Entry) { e.Time = time.Date(2263, 1, 1, 0, 0, 0, 0, time.UTC) }, "time"},
		{"no actor", func(e *audit.Entry) { e.Actor = "" }, "actor"},
		{"no action", func(e *audit.Entry) { e.Action = "" }, "action"},
		{"actor not UTF-8", func(e *audit.Entry) { e.Actor = "\xff" }, "actor"},
		{"to not UTF-8", func(e *audit.Entry) { e.To = "\xfe" }, "to"},
		{"change not UTF-8", func(e *audit.Entry) { e.Changes[0].Old = "\xc0" }, "changes[0]"},
		{"data key not UTF-8", func(e *audit.Entry) { e.Data["\xff"] = "" }, "data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := workedExample()
			tt.edit(&e)
			err := e.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			var ve *iso20000.ValidationError
			if !errors.Is(err, audit.ErrInvalidEntry) || !errors.As(err, &ve) || ve.Field != tt.field {
				t.Fatalf("Validate = %v, want ErrInvalidEntry with a ValidationError for %q", err, tt.field)
			}
			if _, serr := audit.Seal(audit.Head{}, &e); !errors.Is(serr, iso20000.ErrValidation) || e.Seq != 0 {
				t.Fatalf("Seal = %v (Seq %d), want ErrValidation and nothing set", serr, e.Seq)
			}
		})
	}
}

func TestSeal(t *testing.T) {
	prev := audit.Head{Seq: 41, Hash: audit.Hash{1, 2, 3}}
	e := workedExample()
	e.ID = uuid.Nil
	e.Time = e.Time.In(time.FixedZone("X", -7*3600))
	h, err := audit.Seal(prev, &e)
	if err != nil {
		t.Fatal(err)
	}
	if e.Seq != 42 || e.PrevHash != prev.Hash || e.ID == uuid.Nil || e.Time.Location() != time.UTC ||
		e.Hash != e.ComputeHash() || h != (audit.Head{Seq: 42, Hash: e.Hash}) {
		t.Fatalf("Seal(%+v) = %+v, entry %+v", prev, h, e)
	}
}

func TestHashText(t *testing.T) {
	e := workedExample()
	h := e.ComputeHash()
	b, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	var back audit.Hash
	if err := json.Unmarshal(b, &back); err != nil || back != h {
		t.Fatalf("JSON round trip of %s: %s, %v", h, back, err)
	}
	if _, err := audit.ParseHash(strings.ToUpper(h.String())); err != nil {
		t.Fatalf("ParseHash of upper-case hex: %v", err)
	}
	for _, bad := range []string{"", "00", strings.Repeat("g", 64), strings.Repeat("0", 66)} {
		if _, err := audit.ParseHash(bad); err == nil {
			t.Errorf("ParseHash(%q) succeeded", bad)
		}
	}
	if !(audit.Hash{}).IsZero() || h.IsZero() {
		t.Fatal("IsZero is wrong")
	}
}

// TestSealFindsInvalidUTF8Anywhere puts one invalid byte at every position of
// the text, around the word boundaries of Seal's fast ASCII check.
func TestSealFindsInvalidUTF8Anywhere(t *testing.T) {
	setters := map[string]func(e *audit.Entry, s string){
		"actor": func(e *audit.Entry, s string) { e.Actor = s },
		"to":    func(e *audit.Entry, s string) { e.To = s },
		"data":  func(e *audit.Entry, s string) { e.Data["ref"] = s },
	}
	for field, set := range setters {
		for i := range 21 {
			s := []byte(strings.Repeat("x", 21))
			s[i] = 0xff
			e := workedExample()
			set(&e, string(s))
			if _, err := audit.Seal(audit.Head{}, &e); !errors.Is(err, audit.ErrInvalidEntry) || e.Seq != 0 {
				t.Fatalf("%s with 0xff at %d: Seal error = %v", field, i, err)
			}
			s[i] = 0xc3 // with the next byte, a valid two-byte sequence
			if i < 20 {
				s[i+1] = 0xa9
			} else {
				s[i] = 'y'
			}
			set(&e, string(s))
			if _, err := audit.Seal(audit.Head{}, &e); err != nil || e.Hash != e.ComputeHash() {
				t.Fatalf("valid %s: Seal error = %v", field, err)
			}
		}
	}
}

func TestSealDoesNotAllocate(t *testing.T) {
	for _, tc := range []struct {
		name string
		id   uuid.UUID
	}{
		{"with an ID", uuid.MustParse("6ba7b810-9dad-11d1-80b4-00c04fd430c8")},
		{"assigning an ID", uuid.Nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var h audit.Head
			n := testing.AllocsPerRun(100, func() {
				e := audittest.Entry(1)
				e.ID = tc.id
				h, _ = audit.Seal(h, &e)
			})
			if base := testing.AllocsPerRun(100, func() { _ = audittest.Entry(1) }); n != base {
				t.Fatalf("Seal allocates %v times per call, want 0", n-base)
			}
		})
	}
}

// TestSealAssignsUniqueV4IDs seals many entries without an ID: each gets a
// distinct random UUID of version 4 and variant RFC 9562, and an entry that
// has an ID keeps it.
func TestSealAssignsUniqueV4IDs(t *testing.T) {
	const n = 100_000
	seen := make(map[uuid.UUID]bool, n)
	var h audit.Head
	for i := range n {
		e := workedExample()
		e.ID = uuid.Nil
		var err error
		if h, err = audit.Seal(h, &e); err != nil {
			t.Fatal(err)
		}
		if e.ID.Version() != 4 || e.ID.Variant() != uuid.RFC4122 {
			t.Fatalf("entry %d: ID %s has version %d and variant %s, want 4 and RFC 4122", i, e.ID, e.ID.Version(), e.ID.Variant())
		}
		if seen[e.ID] {
			t.Fatalf("entry %d: ID %s assigned twice", i, e.ID)
		}
		seen[e.ID] = true
		if back, err := uuid.Parse(e.ID.String()); err != nil || back != e.ID {
			t.Fatalf("entry %d: ID %s does not parse back: %v", i, e.ID, err)
		}
	}
	e := workedExample()
	id := e.ID
	if _, err := audit.Seal(h, &e); err != nil || e.ID != id {
		t.Fatalf("Seal changed the ID %s to %s (%v)", id, e.ID, err)
	}
}

// TestSealAppend checks that SealAppend seals as Seal does and appends the
// bytes it hashed, after what dst holds, for small and large entries, and
// leaves dst and the entry alone when the entry is invalid.
func TestSealAppend(t *testing.T) {
	large := workedExample()
	large.Data = map[string]string{"note": strings.Repeat("x", 2000)}
	invalid := workedExample()
	invalid.Actor = "\xff"
	tests := []struct {
		name    string
		e       audit.Entry
		dst     []byte
		wantErr bool
	}{
		{"into nil", workedExample(), nil, false},
		{"after a prefix", workedExample(), []byte("prefix"), false},
		{"larger than dst's room", large, make([]byte, 3, 8), false},
		{"invalid", invalid, []byte("prefix"), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prev := audit.Head{Seq: 7, Hash: audit.Hash{7}}
			want := tc.e
			wantHead, wantErr := audit.Seal(prev, &want)
			e := tc.e
			prefix := bytes.Clone(tc.dst)
			head, b, err := audit.SealAppend(tc.dst, prev, &e)
			if tc.wantErr {
				if !errors.Is(err, audit.ErrInvalidEntry) || !errors.Is(wantErr, audit.ErrInvalidEntry) ||
					!bytes.Equal(b, prefix) || len(b) != len(tc.dst) || e.Seq != 0 || head != prev {
					t.Fatalf("SealAppend = %v, %q, %v; want ErrInvalidEntry, dst unchanged", head, b, err)
				}
				return
			}
			if err != nil || head != wantHead || head != (audit.Head{Seq: 8, Hash: e.Hash}) {
				t.Fatalf("SealAppend = %v, %v; Seal = %v", head, err, wantHead)
			}
			want.ID = e.ID // the IDs are random
			if !bytes.Equal(b[:len(prefix)], prefix) || !bytes.Equal(b[len(prefix):], e.AppendCanonical(nil)) ||
				e.Hash != e.ComputeHash() || e.Hash != want.ComputeHash() {
				t.Fatalf("SealAppend appended %x, want %q then %x", b, prefix, e.AppendCanonical(nil))
			}
		})
	}
}

// A backend keeps the canonical bytes that Seal hashed, without encoding the
// entry again.
func ExampleSealAppend() {
	e := audit.Entry{
		ID:     uuid.MustParse("6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
		Time:   time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Actor:  "alice",
		Action: "incident.resolve",
	}
	var buf [512]byte
	head, canonical, err := audit.SealAppend(buf[:0], audit.Head{}, &e)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(head.Seq, len(canonical), e.Hash == audit.Hash(sha256.Sum256(canonical)))
	// Output: 1 118 true
}

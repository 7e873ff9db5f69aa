package audit_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/audit/audittest"
)

// hashFromBody is the hash a backend computes where the chain head lives:
// SHA-256 over 0x00, seq as 8 bytes big-endian, the body and prev.
func hashFromBody(seq uint64, body []byte, prev audit.Hash) audit.Hash {
	b := append([]byte{0x00}, binary.BigEndian.AppendUint64(nil, seq)...)
	b = append(b, body...)
	return sha256.Sum256(append(b, prev[:]...))
}

// TestAppendBody checks that the body is the canonical encoding without its
// first 9 bytes (domain and seq) and last 32 (prev_hash), that it does not
// depend on Seq, PrevHash or Hash, and that SHA-256 over 0x00, seq, body and
// prev_hash is the entry's hash, for entries with and without optional
// fields, sealed after various heads.
func TestAppendBody(t *testing.T) {
	bare := audit.Entry{Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Actor: "a", Action: "x"}
	many := audittest.Entry(3)
	many.Data = map[string]string{"z": "1", "a": "2", "m": "", "ü": "ß"}
	many.Changes = append(many.Changes, audit.Change{Field: "f"}, audit.Change{Old: "o", New: "n"})
	tests := []struct {
		name  string
		entry audit.Entry
		head  audit.Head
	}{
		{"worked example, first entry", workedExample(), audit.Head{}},
		{"only required fields", bare, audit.Head{Seq: 41, Hash: audit.Hash{1, 2, 3}}},
		{"typical entry", audittest.Entry(7), audit.Head{Seq: 1 << 40, Hash: sha256.Sum256([]byte("prev"))}},
		{"many changes and data pairs", many, audit.Head{Seq: 2, Hash: audit.Hash{31: 0xff}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := tt.entry.Clone()
			if _, err := audit.Seal(tt.head, &e); err != nil {
				t.Fatal(err)
			}
			body := e.AppendBody(nil)
			canonical := e.AppendCanonical(nil)
			if !bytes.Equal(canonical[9:len(canonical)-32], body) {
				t.Fatalf("body %x is not the canonical encoding %x without domain, seq and prev_hash", body, canonical)
			}
			if got := hashFromBody(e.Seq, body, e.PrevHash); got != e.ComputeHash() || got != e.Hash {
				t.Fatalf("sha256(0x00 ‖ seq ‖ body ‖ prev) = %s, ComputeHash %s, Hash %s", got, e.ComputeHash(), e.Hash)
			}
			other := e.Clone()
			other.Seq, other.PrevHash, other.Hash = 99, audit.Hash{9}, audit.Hash{8}
			if got := other.AppendBody(nil); !bytes.Equal(got, body) {
				t.Fatalf("body depends on Seq, PrevHash or Hash: %x, want %x", got, body)
			}
			prefix := []byte("prefix")
			if got := e.AppendBody(bytes.Clone(prefix)); !bytes.Equal(got, append(prefix, body...)) {
				t.Fatalf("AppendBody(prefix) = %x, want the prefix then %x", got, body)
			}
		})
	}
}

// A backend that keeps the chain head in a database can send the body of an
// entry (with its ID assigned) and compute the hash there, after the head it
// reads: SHA-256 over 0x00, seq, body and the previous hash.
func ExampleEntry_AppendBody() {
	e := workedExample()
	body := e.AppendBody(nil)

	var prev audit.Hash // the head of an empty trail
	seq := uint64(1)
	b := append([]byte{0x00}, binary.BigEndian.AppendUint64(nil, seq)...)
	b = append(append(b, body...), prev[:]...)
	fmt.Printf("%d-byte body\n%x\n", len(body), sha256.Sum256(b))

	if _, err := audit.Seal(audit.Head{}, &e); err != nil {
		fmt.Println(err)
	}
	fmt.Println(e.Hash)
	// Output:
	// 151-byte body
	// 53e34b2b97ad436ce7894df502a977ca373b6a5732a9f330b83ac086a333acef
	// 53e34b2b97ad436ce7894df502a977ca373b6a5732a9f330b83ac086a333acef
}

package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/servicekit/iso20000"
)

// Hash is a SHA-256 digest. It encodes as lowercase hex in JSON and text.
type Hash [sha256.Size]byte

// String returns the hash in lowercase hex.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// IsZero reports whether h is all zero bytes (the previous hash of entry 1).
func (h Hash) IsZero() bool { return h == Hash{} }

// MarshalText encodes the hash as lowercase hex.
func (h Hash) MarshalText() ([]byte, error) {
	b := make([]byte, hex.EncodedLen(len(h)))
	hex.Encode(b, h[:])
	return b, nil
}

// UnmarshalText decodes a hex hash of exactly 64 characters.
func (h *Hash) UnmarshalText(b []byte) error {
	if len(b) != hex.EncodedLen(len(h)) {
		return fmt.Errorf("audit: hash must be %d hex characters, got %d", hex.EncodedLen(len(h)), len(b))
	}
	_, err := hex.Decode(h[:], b)
	return err
}

// ParseHash decodes a hash from lowercase or uppercase hex.
func ParseHash(s string) (Hash, error) {
	var h Hash
	err := h.UnmarshalText([]byte(s))
	return h, err
}

// Change records one changed field of a record: its name and its old and new
// values, rendered as text by the process package that made the change.
type Change struct {
	Field string `json:"field"`
	Old   string `json:"old,omitempty"`
	New   string `json:"new,omitempty"`
}

// Entry is one entry of the audit trail: who did what to which record, when,
// and what changed. Seq, PrevHash and Hash are set when the entry is sealed
// into the chain (see [Seal]); the other fields are set by the caller.
type Entry struct {
	// Seq is the entry's position in the trail, starting at 1, without gaps.
	Seq uint64 `json:"seq"`
	// ID identifies the entry; [Seal] assigns a random (version 4) UUID when
	// it is zero. Such IDs are unique, not secret: see [Seal].
	ID uuid.UUID `json:"id"`
	// Time is when the audited action happened, in UTC.
	Time time.Time `json:"time"`
	// Actor is the ID of the actor who acted.
	Actor string `json:"actor"`
	// Action names what happened, such as "incident.resolve" or
	// "denied:incident.resolve" for an attempt the Authorizer refused.
	Action string `json:"action"`
	// Kind is the kind of the record acted on, such as "incident".
	Kind string `json:"kind,omitempty"`
	// EntityID is the ID of the record acted on.
	EntityID string `json:"entity_id,omitempty"`
	// From and To are the record's lifecycle states before and after.
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// Changes lists the changed fields, in the order the caller gives.
	Changes []Change `json:"changes,omitempty"`
	// Data carries free key/value details (a reason, a reference).
	Data map[string]string `json:"data,omitempty"`
	// PrevHash is the Hash of the entry before (all zero for entry 1).
	PrevHash Hash `json:"prev_hash"`
	// Hash is SHA-256 over the canonical encoding of this entry; see the package doc.
	Hash Hash `json:"hash"`
}

// Head identifies the last entry of a trail: its sequence number and hash.
// The head of an empty trail is the zero Head.
type Head struct {
	Seq  uint64 `json:"seq"`
	Hash Hash   `json:"hash"`
}

// ErrInvalidEntry reports an entry that cannot be sealed (no time, actor or
// action, a time outside the encodable range, or text that is not UTF-8).
// Errors of [Entry.Validate] match both ErrInvalidEntry and
// iso20000.ErrValidation, and carry an *iso20000.ValidationError naming the field.
var ErrInvalidEntry = errors.New("audit: invalid entry")

// The range of times the canonical encoding can hold (int64 nanoseconds since
// the Unix epoch, years 1678 to 2262).
var (
	minTime = time.Unix(0, math.MinInt64).UTC()
	maxTime = time.Unix(0, math.MaxInt64).UTC()
)

// Validate reports whether the caller-set fields needed for sealing are
// present and encodable: Time must be non-zero and within the years 1678 to
// 2262 (int64 nanoseconds), Actor and Action non-empty, and every string valid
// UTF-8 so that the JSON export reproduces it byte for byte.
func (e *Entry) Validate() error {
	if err := e.validateRequired(); err != nil {
		return err
	}
	return e.validateUTF8()
}

// validateRequired checks the fields that must be set, and the time's range.
func (e *Entry) validateRequired() error {
	switch {
	case e.Time.IsZero():
		return invalid("time", "must not be zero")
	case e.Time.Before(minTime) || e.Time.After(maxTime):
		return invalid("time", "must be within the years 1678 to 2262")
	case e.Actor == "":
		return invalid("actor", "must not be empty")
	case e.Action == "":
		return invalid("action", "must not be empty")
	}
	return nil
}

// validateUTF8 checks that every string is valid UTF-8.
func (e *Entry) validateUTF8() error {
	for _, f := range [...]struct{ name, s string }{
		{"actor", e.Actor}, {"action", e.Action}, {"kind", e.Kind},
		{"entity_id", e.EntityID}, {"from", e.From}, {"to", e.To},
	} {
		if !utf8.ValidString(f.s) {
			return invalid(f.name, "must be valid UTF-8")
		}
	}
	for i, c := range e.Changes {
		if !utf8.ValidString(c.Field) || !utf8.ValidString(c.Old) || !utf8.ValidString(c.New) {
			return invalid(fmt.Sprintf("changes[%d]", i), "must be valid UTF-8")
		}
	}
	for k, v := range e.Data {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return invalid("data", "keys and values must be valid UTF-8")
		}
	}
	return nil
}

func invalid(field, reason string) error {
	return fmt.Errorf("%w: %w", ErrInvalidEntry, &iso20000.ValidationError{Field: field, Reason: reason})
}

// Seal makes e the entry after head: it sets e.Seq to head.Seq+1, e.PrevHash to
// head.Hash, converts e.Time to UTC, assigns e.ID when zero, computes e.Hash,
// and returns the new head. Backends call Seal inside the unit of work that
// stores the entry, while holding the chain head.
//
// Seal validates e as [Entry.Validate] does and leaves e unchanged when it is
// invalid. It does not allocate.
//
// The ID Seal assigns is a version 4 (random) UUID drawn from math/rand/v2's
// generator (ChaCha8, seeded from the operating system), not from
// crypto/rand: its 122 random bits make a collision as unlikely as with
// [uuid.New], and drawing them costs a fraction of a system random read. The
// ID identifies an entry; it is no secret, and the hash chain, not the ID,
// protects the trail against forgery.
func Seal(head Head, e *Entry) (Head, error) {
	var buf [512]byte
	head, _, err := SealAppend(buf[:0], head, e)
	return head, err
}

// SealAppend is [Seal] that also appends the canonical encoding of the
// sealed entry (the bytes its Hash is computed over; see
// [Entry.AppendCanonical]) to dst and returns it, so that a backend can keep
// those bytes without encoding the entry again. When e is invalid it returns
// dst unchanged (with, in its spare capacity, bytes to ignore). It allocates
// only when dst must grow.
func SealAppend(dst []byte, head Head, e *Entry) (Head, []byte, error) {
	if err := e.validateRequired(); err != nil {
		return head, dst, err
	}
	// Encode the entry as sealed after head (the body does not depend on the
	// sequence number, the previous hash or the time's location), and change
	// e only once it is known valid: no copy of the entry is needed.
	seq := head.Seq + 1
	b := e.appendCanonical(dst, seq, &head.Hash)
	enc := b[len(dst):]
	// The strings lie between the fixed header and the previous hash; when
	// those bytes are all ASCII, every string is valid UTF-8.
	if !isASCII(enc[canonicalHeaderSize : len(enc)-len(head.Hash)]) {
		if err := e.validateUTF8(); err != nil {
			return head, dst, err
		}
	}
	id := e.ID
	if id == uuid.Nil {
		id = newID()
		copy(enc[1+8:], id[:])
	}
	hash := sha256.Sum256(enc)
	e.Seq, e.PrevHash, e.Time, e.ID, e.Hash = seq, head.Hash, e.Time.UTC(), id, hash
	return Head{Seq: seq, Hash: hash}, b, nil
}

// newID returns a random version 4 UUID (RFC 9562, section 5.4) from
// math/rand/v2: see [Seal] for why not crypto/rand.
func newID() uuid.UUID {
	var id uuid.UUID
	binary.LittleEndian.PutUint64(id[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(id[8:], rand.Uint64())
	id[6] = id[6]&0x0f | 0x40 // version 4
	id[8] = id[8]&0x3f | 0x80 // variant 10 (RFC 9562)
	return id
}

// canonicalHeaderSize is the size of the fixed fields that start the
// canonical encoding: domain, seq, ID and time.
const canonicalHeaderSize = 1 + 8 + 16 + 8

// isASCII reports whether every byte of b is below 0x80.
func isASCII(b []byte) bool {
	var bits uint64
	for ; len(b) >= 32; b = b[32:] {
		bits |= binary.LittleEndian.Uint64(b) | binary.LittleEndian.Uint64(b[8:]) |
			binary.LittleEndian.Uint64(b[16:]) | binary.LittleEndian.Uint64(b[24:])
	}
	for ; len(b) >= 8; b = b[8:] {
		bits |= binary.LittleEndian.Uint64(b)
	}
	for _, c := range b {
		bits |= uint64(c)
	}
	return bits&0x8080808080808080 == 0
}

// ComputeHash returns SHA-256 over the entry's canonical encoding
// (see [Entry.AppendCanonical]); it ignores e.Hash.
func (e *Entry) ComputeHash() Hash {
	var buf [512]byte
	return sha256.Sum256(e.AppendCanonical(buf[:0]))
}

// Domain-separation prefixes of the hashed encodings.
const (
	entryDomain      = 0x00
	checkpointDomain = 0x01
)

// AppendCanonical appends the canonical encoding of e to b and returns it.
// The encoding is what [Entry.ComputeHash] hashes; the package doc specifies it
// byte by byte so that a third party can recompute hashes from an export.
func (e *Entry) AppendCanonical(b []byte) []byte {
	return e.appendCanonical(b, e.Seq, &e.PrevHash)
}

// appendCanonical appends the canonical encoding of e as if its Seq and
// PrevHash were seq and prev.
func (e *Entry) appendCanonical(b []byte, seq uint64, prev *Hash) []byte {
	b = append(b, entryDomain)
	b = binary.BigEndian.AppendUint64(b, seq)
	b = e.AppendBody(b)
	return append(b, prev[:]...)
}

// AppendBody appends the body of e's canonical encoding to b and returns it:
// the fields between seq and prev_hash (id, time, the strings, changes and
// data; see the package doc). The canonical encoding is the byte 0x00, seq
// as 8 bytes big-endian, the body and prev_hash, so that
//
//	e.ComputeHash() == sha256(0x00 ‖ seq ‖ body ‖ prev_hash)
//
// A backend that seals entries where the chain head lives (in a database,
// say) sends the body and computes the hash there. The body does not depend
// on Seq, PrevHash or Hash; assign the ID (when zero) before taking it.
func (e *Entry) AppendBody(b []byte) []byte {
	b = append(b, e.ID[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(e.Time.UnixNano()))
	b = appendString(b, e.Actor)
	b = appendString(b, e.Action)
	b = appendString(b, e.Kind)
	b = appendString(b, e.EntityID)
	b = appendString(b, e.From)
	b = appendString(b, e.To)
	b = binary.BigEndian.AppendUint32(b, uint32(len(e.Changes)))
	for i := range e.Changes {
		c := &e.Changes[i]
		b = appendString(b, c.Field)
		b = appendString(b, c.Old)
		b = appendString(b, c.New)
	}
	b = binary.BigEndian.AppendUint32(b, uint32(len(e.Data)))
	if len(e.Data) > 0 {
		var small [4]pair // no allocation for the few pairs most entries have
		pairs := small[:0]
		for k, v := range e.Data {
			pairs = append(pairs, pair{k, v})
		}
		sortPairs(pairs)
		for _, p := range pairs {
			b = appendString(b, p.key)
			b = appendString(b, p.value)
		}
	}
	return b
}

// pair is a key and value of Entry.Data.
type pair struct{ key, value string }

// sortPairs sorts pairs by key in byte order: by insertion for the few keys
// entries usually have, with the standard sort beyond.
func sortPairs(pairs []pair) {
	if len(pairs) > 12 {
		slices.SortFunc(pairs, func(a, b pair) int { return strings.Compare(a.key, b.key) })
		return
	}
	for i := 1; i < len(pairs); i++ {
		for j := i; j > 0 && pairs[j].key < pairs[j-1].key; j-- {
			pairs[j], pairs[j-1] = pairs[j-1], pairs[j]
		}
	}
}

func appendString(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// Clone returns a deep copy of e, so that a caller holding it cannot change
// what a store keeps.
func (e Entry) Clone() Entry {
	e.Changes = slices.Clone(e.Changes)
	if e.Data != nil {
		d := make(map[string]string, len(e.Data))
		for k, v := range e.Data {
			d[k] = v
		}
		e.Data = d
	}
	return e
}

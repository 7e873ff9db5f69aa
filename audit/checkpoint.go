package audit

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Checkpoint is a signed statement that a trail had the head (Seq, Hash) at
// Time. Keep checkpoints outside the trail's storage (another database, a
// ticket, a write-once bucket, an e-mail to the auditor): [VerifyCheckpoint]
// then detects what a chain alone cannot, a truncated tail or a trail
// rewritten and re-sealed up to the checkpoint.
//
// The signature is Ed25519 over the checkpoint encoding described in the
// package doc. The JSON form is an object; [Checkpoint.String] and
// [ParseCheckpoint] give a one-line text form.
type Checkpoint struct {
	// Seq and Hash are the head that was signed.
	Seq  uint64 `json:"seq"`
	Hash Hash   `json:"hash"`
	// Time is when the checkpoint was signed, in UTC.
	Time time.Time `json:"time"`
	// KeyID identifies the signing key (see [KeyID]); it is not signed, as
	// it is derived from the public key.
	KeyID string `json:"key_id,omitempty"`
	// Signature is the Ed25519 signature (base64 in JSON).
	Signature []byte `json:"signature"`
}

// ErrBadCheckpoint reports a checkpoint whose signature does not verify with
// the given public key, or that names another key.
var ErrBadCheckpoint = errors.New("audit: invalid checkpoint")

// KeyID returns the identifier of an Ed25519 public key: the first 8 bytes of
// SHA-256 of the key, in hex.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// SignCheckpoint signs head at time t (converted to UTC) with key.
func SignCheckpoint(head Head, t time.Time, key ed25519.PrivateKey) Checkpoint {
	cp := Checkpoint{Seq: head.Seq, Hash: head.Hash, Time: t.UTC(),
		KeyID: KeyID(key.Public().(ed25519.PublicKey))}
	cp.Signature = ed25519.Sign(key, cp.AppendCanonical(nil))
	return cp
}

// AppendCanonical appends the signed encoding of the checkpoint to b: the
// byte 0x01, Seq as uint64 big-endian, the 32 bytes of Hash and Time as int64
// nanoseconds since the Unix epoch, uint64 big-endian (49 bytes).
func (cp *Checkpoint) AppendCanonical(b []byte) []byte {
	b = append(b, checkpointDomain)
	b = binary.BigEndian.AppendUint64(b, cp.Seq)
	b = append(b, cp.Hash[:]...)
	return binary.BigEndian.AppendUint64(b, uint64(cp.Time.UnixNano()))
}

// Verify checks the checkpoint's signature with pub. It returns an error
// wrapping [ErrBadCheckpoint] when the signature does not verify or the
// checkpoint names another key.
func (cp *Checkpoint) Verify(pub ed25519.PublicKey) error {
	if len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("%w: public key has %d bytes, want %d", ErrBadCheckpoint, len(pub), ed25519.PublicKeySize)
	}
	if id := KeyID(pub); cp.KeyID != "" && cp.KeyID != id {
		return fmt.Errorf("%w: signed by key %s, not %s", ErrBadCheckpoint, cp.KeyID, id)
	}
	if !ed25519.Verify(pub, cp.AppendCanonical(nil), cp.Signature) {
		return fmt.Errorf("%w: signature does not verify", ErrBadCheckpoint)
	}
	return nil
}

// VerifyCheckpoint checks cp's signature with pub and then the trail against
// it: the whole chain must verify (see [Verify]), the trail must still hold
// entry cp.Seq, and that entry's hash must be cp.Hash. A trail that ends
// before cp.Seq is reported as [Truncated]; one whose entry cp.Seq has another
// hash as [Rewritten]. Entries appended after the checkpoint are verified as
// part of the chain.
//
// An invalid checkpoint gives an error wrapping [ErrBadCheckpoint] and an
// empty Report; a read failure gives the error as it is.
func VerifyCheckpoint(ctx context.Context, t Trail, cp Checkpoint, pub ed25519.PublicKey) (Report, error) {
	if err := cp.Verify(pub); err != nil {
		return Report{}, err
	}
	v, rep, err := verifyTrail(ctx, t, cp.Seq)
	if err != nil || !rep.OK || cp.Seq == 0 {
		return rep, err
	}
	switch {
	case rep.Head.Seq < cp.Seq:
		v.fail(rep.Head.Seq+1, Truncated, rep.Head, fmt.Sprintf(
			"the trail ends at entry %d but the checkpoint of %s covers entries up to %d",
			rep.Head.Seq, cp.Time.Format(time.RFC3339), cp.Seq))
	case v.watched != cp.Hash:
		v.fail(cp.Seq, Rewritten, Head{}, fmt.Sprintf(
			"entry %d has hash %s but the checkpoint of %s signed %s: the trail was rewritten and re-sealed",
			cp.Seq, v.watched, cp.Time.Format(time.RFC3339), cp.Hash))
	default:
		return rep, nil
	}
	v.report.Checked = rep.Checked
	return v.report, nil
}

// checkpointPrefix starts the text form of a checkpoint.
const checkpointPrefix = "audit-checkpoint/v1"

// String returns the one-line text form of the checkpoint:
//
//	audit-checkpoint/v1 <seq> <hash hex> <time RFC 3339 UTC> <key id or -> <signature base64>
func (cp Checkpoint) String() string {
	keyID := cp.KeyID
	if keyID == "" {
		keyID = "-"
	}
	return strings.Join([]string{checkpointPrefix, strconv.FormatUint(cp.Seq, 10), cp.Hash.String(),
		cp.Time.UTC().Format(time.RFC3339Nano), keyID, base64.StdEncoding.EncodeToString(cp.Signature)}, " ")
}

// ParseCheckpoint decodes the text form produced by [Checkpoint.String]. It
// does not verify the signature; see [Checkpoint.Verify].
func ParseCheckpoint(s string) (Checkpoint, error) {
	var cp Checkpoint
	f := strings.Fields(s)
	if len(f) != 6 || f[0] != checkpointPrefix {
		return cp, fmt.Errorf("audit: checkpoint must be %q and 5 fields", checkpointPrefix)
	}
	var err error
	if cp.Seq, err = strconv.ParseUint(f[1], 10, 64); err != nil {
		return cp, fmt.Errorf("audit: checkpoint seq: %w", err)
	}
	if cp.Hash, err = ParseHash(f[2]); err != nil {
		return cp, fmt.Errorf("audit: checkpoint hash: %w", err)
	}
	if cp.Time, err = time.Parse(time.RFC3339Nano, f[3]); err != nil {
		return cp, fmt.Errorf("audit: checkpoint time: %w", err)
	}
	cp.Time = cp.Time.UTC()
	if f[4] != "-" {
		cp.KeyID = f[4]
	}
	if cp.Signature, err = base64.StdEncoding.DecodeString(f[5]); err != nil {
		return cp, fmt.Errorf("audit: checkpoint signature: %w", err)
	}
	return cp, nil
}

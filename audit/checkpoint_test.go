package audit_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/servicekit/iso20000/audit"
)

var signingKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{42}, ed25519.SeedSize))

func testCheckpoint(t *testing.T) audit.Checkpoint {
	t.Helper()
	h, err := audit.ParseHash(strings.Repeat("ab", 32))
	if err != nil {
		t.Fatal(err)
	}
	return audit.SignCheckpoint(audit.Head{Seq: 7, Hash: h},
		time.Date(2026, 5, 6, 7, 8, 9, 123456789, time.FixedZone("X", 7200)), signingKey)
}

func TestCheckpointEncoding(t *testing.T) {
	cp := testCheckpoint(t)
	want := "01" + "0000000000000007" + strings.Repeat("ab", 32) + hex.EncodeToString(
		[]byte{0x18, 0xac, 0xe1, 0xad, 0xb7, 0x2f, 0xc7, 0x15})
	if got := hex.EncodeToString(cp.AppendCanonical(nil)); got != want || len(cp.AppendCanonical(nil)) != 49 {
		t.Fatalf("checkpoint encoding = %s, want %s", got, want)
	}
	if cp.Time.Location() != time.UTC || cp.Time.UnixNano() != 0x18ace1adb72fc715 {
		t.Fatalf("checkpoint time = %v (%d ns)", cp.Time, cp.Time.UnixNano())
	}
	if !ed25519.Verify(signingKey.Public().(ed25519.PublicKey), cp.AppendCanonical(nil), cp.Signature) {
		t.Fatal("the signature is not over the documented encoding")
	}
	if cp.KeyID != audit.KeyID(signingKey.Public().(ed25519.PublicKey)) || len(cp.KeyID) != 16 {
		t.Fatalf("KeyID = %q", cp.KeyID)
	}
}

func TestCheckpointTextAndJSON(t *testing.T) {
	cp := testCheckpoint(t)
	pub := signingKey.Public().(ed25519.PublicKey)
	s := cp.String()
	if !strings.HasPrefix(s, "audit-checkpoint/v1 7 abab") || strings.Contains(s, "\n") {
		t.Fatalf("String() = %q", s)
	}
	back, err := audit.ParseCheckpoint(s)
	if err != nil {
		t.Fatal(err)
	}
	if back.String() != s || !back.Time.Equal(cp.Time) || back.Verify(pub) != nil {
		t.Fatalf("text round trip: %+v, want %+v", back, cp)
	}
	noKey := cp
	noKey.KeyID = ""
	if back, err := audit.ParseCheckpoint(noKey.String()); err != nil || back.KeyID != "" || back.Verify(pub) != nil {
		t.Fatalf("text round trip without key ID: %+v, %v", back, err)
	}

	b, err := json.Marshal(cp)
	if err != nil {
		t.Fatal(err)
	}
	var fromJSON audit.Checkpoint
	if err := json.Unmarshal(b, &fromJSON); err != nil || fromJSON.String() != s || fromJSON.Verify(pub) != nil {
		t.Fatalf("JSON round trip of %s: %+v, %v", b, fromJSON, err)
	}
}

func TestParseCheckpointErrors(t *testing.T) {
	good := strings.Fields(testCheckpoint(t).String())
	with := func(i int, v string) string {
		f := append([]string(nil), good...)
		f[i] = v
		return strings.Join(f, " ")
	}
	for name, s := range map[string]string{
		"empty":          "",
		"too few fields": strings.Join(good[:5], " "),
		"other prefix":   with(0, "audit-checkpoint/v2"),
		"bad seq":        with(1, "-1"),
		"bad hash":       with(2, "abc"),
		"bad time":       with(3, "yesterday"),
		"bad signature":  with(5, "!!"),
	} {
		if _, err := audit.ParseCheckpoint(s); err == nil {
			t.Errorf("%s: ParseCheckpoint(%q) succeeded", name, s)
		}
	}
}

func TestCheckpointVerifyRejects(t *testing.T) {
	cp := testCheckpoint(t)
	pub := signingKey.Public().(ed25519.PublicKey)
	for name, key := range map[string]ed25519.PublicKey{"short key": pub[:31], "nil key": nil} {
		if err := cp.Verify(key); !errors.Is(err, audit.ErrBadCheckpoint) {
			t.Errorf("%s: Verify = %v, want ErrBadCheckpoint", name, err)
		}
	}
	rep, err := audit.VerifyCheckpoint(context.Background(), nil, cp, pub[:5])
	if !errors.Is(err, audit.ErrBadCheckpoint) || rep != (audit.Report{}) {
		t.Fatalf("VerifyCheckpoint with a bad key = %+v, %v; want ErrBadCheckpoint before reading the trail", rep, err)
	}
}

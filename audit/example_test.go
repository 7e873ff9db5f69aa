package audit_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/audit/audittest"
)

// exampleEntry returns the i-th entry of the examples, with a fixed ID and
// time so that the hashes are the same on every run.
func exampleEntry(i int) audit.Entry {
	return audit.Entry{
		ID:       uuid.MustParse(fmt.Sprintf("00000000-0000-4000-8000-%012d", i)),
		Time:     time.Date(2026, 1, 2, 9, i, 0, 0, time.UTC),
		Actor:    "alice",
		Action:   "incident.update",
		Kind:     "incident",
		EntityID: fmt.Sprintf("INC-%d", i),
		From:     "new",
		To:       "in-progress",
		Data:     map[string]string{"note": fmt.Sprintf("step %d", i)},
	}
}

// exampleTrail returns a trail of n example entries.
func exampleTrail(n int) *audittest.SliceTrail {
	tr := audittest.NewSliceTrail()
	for i := 1; i <= n; i++ {
		if _, err := tr.Append(context.Background(), exampleEntry(i)); err != nil {
			panic(err)
		}
	}
	return tr
}

// Seal links entries into a chain; VerifySlice checks the chain.
func ExampleSeal() {
	var head audit.Head // the zero head: an empty chain
	var chain []audit.Entry
	for i := 1; i <= 3; i++ {
		e := exampleEntry(i)
		var err error
		if head, err = audit.Seal(head, &e); err != nil {
			panic(err)
		}
		chain = append(chain, e)
		fmt.Printf("entry %d prev %.8s hash %.8s\n", e.Seq, e.PrevHash, e.Hash)
	}
	fmt.Println("verified:", audit.VerifySlice(chain).OK)

	chain[1].To = "closed" // an edit after sealing
	fmt.Println(audit.VerifySlice(chain).Err())
	// Output:
	// entry 1 prev 00000000 hash f5420d4f
	// entry 2 prev f5420d4f hash 93611b30
	// entry 3 prev 93611b30 hash bf9595b1
	// verified: true
	// audit: trail broken at entry 2 (edited): entry 2 was edited: its content does not match its hash
}

// Verify names the first bad entry and what happened to it.
func ExampleVerify() {
	tr := exampleTrail(5)
	rep, err := audit.Verify(context.Background(), tr)
	if err != nil {
		panic(err)
	}
	fmt.Printf("ok=%v checked=%d head=%d\n", rep.OK, rep.Checked, rep.Head.Seq)

	// A tamperer with database access deletes entry 3 and renumbers 4 and 5.
	_ = tr.Rewrite(context.Background(), func(es []audit.Entry) []audit.Entry {
		es = append(es[:2], es[3:]...)
		es[2].Seq, es[3].Seq = 3, 4
		return es
	})
	rep, _ = audit.Verify(context.Background(), tr)
	fmt.Printf("ok=%v first bad=%d problem=%s\n%s\n", rep.OK, rep.FirstBad, rep.Problem, rep.Detail)
	// Output:
	// ok=true checked=5 head=5
	// ok=false first bad=3 problem=missing
	// entry 3 was deleted and the later entries renumbered (entry 3 was sealed as 4)
}

// A signed checkpoint, kept away from the trail, detects a truncated tail,
// which the chain alone cannot.
func ExampleVerifyCheckpoint() {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize))
	pub := key.Public().(ed25519.PublicKey)
	tr := exampleTrail(5)

	head, _ := tr.Head(context.Background())
	cp := audit.SignCheckpoint(head, time.Date(2026, 1, 2, 18, 0, 0, 0, time.UTC), key)
	fmt.Println(cp.String()[:40] + "...")

	// The last two entries disappear.
	_ = tr.Rewrite(context.Background(), func(es []audit.Entry) []audit.Entry { return es[:3] })

	rep, _ := audit.Verify(context.Background(), tr)
	fmt.Println("chain alone ok:", rep.OK)
	rep, err := audit.VerifyCheckpoint(context.Background(), tr, cp, pub)
	if err != nil {
		panic(err) // a bad signature or a read failure
	}
	fmt.Printf("with checkpoint ok=%v first bad=%d problem=%s\n", rep.OK, rep.FirstBad, rep.Problem)
	// Output:
	// audit-checkpoint/v1 5 bf500d37b38315c492...
	// chain alone ok: true
	// with checkpoint ok=false first bad=4 problem=truncated
}

// Export writes JSON Lines that anyone can verify; Import reads them back.
func ExampleExport() {
	tr := exampleTrail(2)
	var buf bytes.Buffer
	if err := audit.Export(context.Background(), tr, &buf); err != nil {
		panic(err)
	}
	line, _, _ := strings.Cut(buf.String(), "\n")
	os.Stdout.WriteString(line[:strings.Index(line, `,"prev_hash"`)] + ",...}\n")

	entries, err := audit.Import(&buf)
	fmt.Println(len(entries), "entries imported, error:", err)
	// Output:
	// {"seq":1,"id":"00000000-0000-4000-8000-000000000001","time":"2026-01-02T09:01:00Z","actor":"alice","action":"incident.update","kind":"incident","entity_id":"INC-1","from":"new","to":"in-progress","data":{"note":"step 1"},...}
	// 2 entries imported, error: <nil>
}

// A checkpoint travels as one line of text (or as JSON) to wherever it is
// kept, and is parsed and verified there.
func ExampleParseCheckpoint() {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize))
	tr := exampleTrail(2)
	head, _ := tr.Head(context.Background())
	line := audit.SignCheckpoint(head, time.Date(2026, 1, 2, 18, 0, 0, 0, time.UTC), key).String()

	cp, err := audit.ParseCheckpoint(line)
	if err != nil {
		panic(err)
	}
	fmt.Println("seq", cp.Seq, "signed at", cp.Time.Format(time.RFC3339), "by key", cp.KeyID)
	fmt.Println("signature valid:", cp.Verify(key.Public().(ed25519.PublicKey)) == nil)
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{2}, ed25519.SeedSize))
	fmt.Println(cp.Verify(other.Public().(ed25519.PublicKey)))
	// Output:
	// seq 2 signed at 2026-01-02T18:00:00Z by key 34750f98bd59fcfc
	// signature valid: true
	// audit: invalid checkpoint: signed by key 34750f98bd59fcfc, not 6a3803d5f059902a
}

// VerifyEntries checks an export as it is read, without holding it in memory.
func ExampleVerifyEntries() {
	var buf bytes.Buffer
	if err := audit.Export(context.Background(), exampleTrail(3), &buf); err != nil {
		panic(err)
	}
	lines := strings.SplitAfter(buf.String(), "\n")
	swapped := lines[0] + lines[2] + lines[1] // entries 1, 3, 2

	rep, err := audit.VerifyEntries(audit.ReadEntries(strings.NewReader(swapped)))
	if err != nil {
		panic(err) // the file could not be read or decoded
	}
	fmt.Println(rep.Err())
	// Output:
	// audit: trail broken at entry 2 (reordered): entry 2 is stored after entry 3
}

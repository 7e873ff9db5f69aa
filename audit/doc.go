// Package audit is the tamper-evident audit trail of the iso20000 SDK: who did
// what to which record, when, and what changed, as a hash chain that anyone
// can verify, export and check without this code.
//
// # Why, in terms of ISO/IEC 20000-1:2018
//
// The audit trail is documented information (clause 7.5) that the service
// management system keeps as evidence: its integrity must be protected
// (7.5.4, control of documented information). Internal audits (9.2) sample it
// to decide whether the processes are followed, and a nonconformity (10.1,
// nonconformity and corrective action) is traced through it to its cause. An
// auditor can only rely on evidence they can check: [Verify] proves that no
// entry was edited, removed, reordered or inserted since it was written,
// [SignCheckpoint] and [VerifyCheckpoint] prove that nothing was cut from the
// end or re-sealed, and [Export] hands the trail over as JSON Lines that a
// third party verifies with the encoding below.
//
// # The chain
//
// Every [Entry] has a sequence number Seq (1, 2, 3... without gaps), the Hash
// of the entry before it in PrevHash (all zero bytes for entry 1), and its own
// Hash: SHA-256 over its canonical encoding, which includes Seq and PrevHash.
// [Seal] sets these three fields; storage backends call it while holding the
// head of the chain, inside the unit of work that stores the entry, so that
// concurrent writers form one linear chain ([SealAppend] also hands back the
// bytes it hashed, for backends that keep them). A [Trail] is such a chain in a
// store; [Verify] reads it and reports the first bad entry and what is wrong
// with it as a [Report] with a [Problem]: [Edited], [Missing], [Reordered],
// [Inserted] or [BrokenLink].
//
// # Canonical encoding of an entry
//
// The hash of an entry is SHA-256 over these bytes, in this order
// ([Entry.AppendCanonical] writes them). Integers are unsigned big-endian;
// a "string" is its length in bytes as a 4-byte integer followed by its bytes
// (UTF-8, as they are, without any normalisation).
//
//	size  field
//	1     the byte 0x00 (domain separation: an entry, not a checkpoint)
//	8     seq
//	16    id: the 16 bytes of the UUID, in the order of its text form
//	8     time: nanoseconds since 1970-01-01T00:00:00Z as a signed 64-bit
//	      integer, written as its two's-complement 8 bytes
//	4+n   actor      (string)
//	4+n   action     (string)
//	4+n   kind       (string; empty when absent)
//	4+n   entity_id  (string; empty when absent)
//	4+n   from       (string; empty when absent)
//	4+n   to         (string; empty when absent)
//	4     number of changes, then for each change in the order stored:
//	      field, old, new (three strings; empty when absent)
//	4     number of data pairs, then for each pair, sorted by key in
//	      byte order: key, value (two strings)
//	32    prev_hash (all zero for entry 1)
//
// A JSON field that is absent, null or empty encodes the same way: "changes"
// and "data" as a count of 0, strings as a length of 0. The fields "seq",
// "id", "time", "prev_hash" and "hash" are always present in an export.
//
// # Worked example
//
// This line of an export (wrapped here) is entry 1 of a trail:
//
//	{"seq":1,"id":"6ba7b810-9dad-11d1-80b4-00c04fd430c8",
//	 "time":"2026-01-02T03:04:05.000000006Z","actor":"alice",
//	 "action":"incident.resolve","kind":"incident","entity_id":"INC-1",
//	 "from":"in-progress","to":"resolved",
//	 "changes":[{"field":"resolution","new":"fixed"}],"data":{"ref":"KB-7"},
//	 "prev_hash":"0000000000000000000000000000000000000000000000000000000000000000",
//	 "hash":"53e34b2b97ad436ce7894df502a977ca373b6a5732a9f330b83ac086a333acef"}
//
// Its canonical encoding is these 192 bytes, in hex:
//
//	00                                        domain 0x00
//	00 00 00 00 00 00 00 01                   seq 1
//	6b a7 b8 10 9d ad 11 d1 80 b4 00 c0 4f d4 30 c8
//	                                          id
//	18 86 ca f2 1c 96 32 06                   time 1767323045000000006 ns
//	00 00 00 05 61 6c 69 63 65                actor "alice"
//	00 00 00 10 69 6e 63 69 64 65 6e 74 2e 72 65 73 6f 6c 76 65
//	                                          action "incident.resolve"
//	00 00 00 08 69 6e 63 69 64 65 6e 74       kind "incident"
//	00 00 00 05 49 4e 43 2d 31                entity_id "INC-1"
//	00 00 00 0b 69 6e 2d 70 72 6f 67 72 65 73 73
//	                                          from "in-progress"
//	00 00 00 08 72 65 73 6f 6c 76 65 64       to "resolved"
//	00 00 00 01                               1 change:
//	00 00 00 0a 72 65 73 6f 6c 75 74 69 6f 6e   field "resolution"
//	00 00 00 00                                 old ""
//	00 00 00 05 66 69 78 65 64                  new "fixed"
//	00 00 00 01                               1 data pair:
//	00 00 00 03 72 65 66                        key "ref"
//	00 00 00 04 4b 42 2d 37                     value "KB-7"
//	00 (32 times)                             prev_hash
//
// and SHA-256 of them is the "hash" of the line,
// 53e34b2b97ad436ce7894df502a977ca373b6a5732a9f330b83ac086a333acef. A third
// party checks an export by recomputing each line's hash this way, and by
// checking that line n has "seq" n and the "prev_hash" equal to the "hash" of
// line n-1. In Python 3, with the standard library only:
//
//	import hashlib, json, struct, sys
//	from datetime import datetime
//
//	def entry_hash(e):
//	    s = lambda v: struct.pack(">I", len(v.encode())) + v.encode()
//	    t = e["time"]  # RFC 3339 in UTC ("Z"), 0 to 9 fractional digits
//	    secs = int(datetime.fromisoformat(t[:19] + "+00:00").timestamp())
//	    nanos = secs * 10**9 + int((t[19:-1].lstrip(".") + "000000000")[:9])
//	    b = b"\x00" + struct.pack(">Q", e["seq"]) + bytes.fromhex(e["id"].replace("-", ""))
//	    b += struct.pack(">q", nanos)
//	    for k in ("actor", "action", "kind", "entity_id", "from", "to"):
//	        b += s(e.get(k, ""))
//	    changes = e.get("changes") or []
//	    b += struct.pack(">I", len(changes))
//	    for c in changes:
//	        b += s(c.get("field", "")) + s(c.get("old", "")) + s(c.get("new", ""))
//	    data = e.get("data") or {}
//	    b += struct.pack(">I", len(data))
//	    for k in sorted(data, key=lambda k: k.encode()):
//	        b += s(k) + s(data[k])
//	    return hashlib.sha256(b + bytes.fromhex(e["prev_hash"])).hexdigest()
//
//	prev = "0" * 64
//	for n, line in enumerate(sys.stdin, 1):
//	    e = json.loads(line)
//	    ok = e["seq"] == n and e["prev_hash"] == prev and entry_hash(e) == e["hash"]
//	    print(n, "ok" if ok else "BROKEN")
//	    prev = e["hash"]
//
// The Go function audittest.RecomputeHash does the same from the JSON alone.
//
// # Checkpoints
//
// A hash chain shows that nothing changed inside it, but not that it is the
// whole chain: a tamperer who deletes the last entries leaves a shorter chain
// that verifies, and one who edits an entry and re-seals every entry after it
// leaves a consistent chain with new hashes. Neither is visible to [Verify].
// To detect both, sign the head from time to time with [SignCheckpoint] and
// keep the [Checkpoint] where the trail's writers cannot change it;
// [VerifyCheckpoint] then reports [Truncated] when the trail ends before the
// checkpoint and [Rewritten] when its entry at the checkpoint has another
// hash. Changes after the latest checkpoint remain undetectable until the
// next one, so sign as often as the evidence requires (for example daily,
// and at the end of every audit).
//
// The signature is Ed25519 (crypto/ed25519) over 49 bytes:
//
//	size  field
//	1     the byte 0x01 (domain separation: a checkpoint, not an entry)
//	8     seq of the head, unsigned big-endian
//	32    hash of the head
//	8     time of signing: nanoseconds since the Unix epoch, as for entries
//
// The key ID of a checkpoint ([KeyID]) is the first 8 bytes of SHA-256 of the
// 32-byte public key, in hex; it names the key but is not signed.
//
// # Reading the classification
//
// [Report.FirstBad] is certain: the chain is intact before it. The [Problem]
// is a diagnosis from the stored bytes and the entry that follows: an entry
// whose hash matches its content with Seq±1 was moved, which tells a deletion
// or insertion with renumbering from a swap. A tamperer who re-seals entries
// can make an edit look like a [BrokenLink] at the entry after it, or make
// it invisible until a checkpoint.
package audit

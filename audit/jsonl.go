package audit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
)

// MaxLineSize is the longest line [ReadEntries] accepts (16 MiB).
const MaxLineSize = 16 << 20

// Export writes the whole trail to w as JSON Lines: one [Entry] per line, in
// sequence order, with the field names of its JSON tags, hashes and the
// previous hash in lowercase hex, the ID as a UUID string and the time in RFC
// 3339 with nanoseconds, UTC. Empty optional fields are left out. A third
// party can recompute every hash from these lines with the encoding in the
// package doc.
//
// Export writes the entries as stored, without verifying them; verify the
// export with [Import] or [VerifyEntries] and [ReadEntries].
func Export(ctx context.Context, t Trail, w io.Writer) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for e, err := range t.Entries(ctx, 1, 0) {
		if err != nil {
			return err
		}
		if err := enc.Encode(&e); err != nil {
			return fmt.Errorf("audit: export entry %d: %w", e.Seq, err)
		}
	}
	return bw.Flush()
}

// ReadEntries decodes JSON Lines written by [Export], strictly: every line
// must be one JSON object with only the fields of [Entry]; blank lines,
// unknown fields, trailing data and lines longer than [MaxLineSize] are
// errors that name the line number. It yields the entries without verifying
// them and stops after yielding the first error.
func ReadEntries(r io.Reader) iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 0, 64<<10), MaxLineSize)
		for line := 1; sc.Scan(); line++ {
			e, err := decodeLine(sc.Bytes())
			if err != nil {
				yield(Entry{}, fmt.Errorf("audit: import line %d: %w", line, err))
				return
			}
			if !yield(e, nil) {
				return
			}
		}
		if err := sc.Err(); err != nil {
			if errors.Is(err, bufio.ErrTooLong) {
				err = fmt.Errorf("line longer than %d bytes", MaxLineSize)
			}
			yield(Entry{}, fmt.Errorf("audit: import: %w", err))
		}
	}
}

func decodeLine(b []byte) (Entry, error) {
	var e Entry
	b = bytes.TrimSuffix(b, []byte("\r"))
	if len(b) == 0 || b[0] != '{' {
		return e, errors.New("not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return e, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return e, errors.New("trailing data after the JSON object")
	}
	return e, nil
}

// Import reads JSON Lines written by [Export] (see [ReadEntries]) and
// verifies the entries as one chain from sequence number 1 (see
// [VerifyEntries]). A decoding error is returned with the line number; a
// broken chain is returned with all entries read and a *[ChainError] matching
// [ErrBroken].
//
// Appending the entries in order to an empty [Trail] reproduces the same
// chain, since IDs and times are kept and sealing is deterministic.
func Import(r io.Reader) ([]Entry, error) {
	var entries []Entry
	for e, err := range ReadEntries(r) {
		if err != nil {
			return entries, err
		}
		entries = append(entries, e)
	}
	return entries, VerifySlice(entries).Err()
}

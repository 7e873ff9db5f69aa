package audittest

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// RecomputeHash recomputes the hash of one line of an audit JSON Lines export
// the way a third party would: from the package documentation of audit alone,
// using only encoding/json (generic decoding), crypto/sha256 and
// encoding/binary, and none of package audit. It returns the recomputed hash
// and the hash stored in the line, as lowercase hex.
//
// It is deliberately an independent implementation of the canonical encoding,
// so that the suite of [Run] checks the documentation against the code.
func RecomputeHash(line []byte) (recomputed, stored string, err error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return "", "", err
	}
	str := func(k string) string { s, _ := m[k].(string); return s }
	fixed := func(k string, n int) ([]byte, error) {
		b, err := hex.DecodeString(strings.ReplaceAll(str(k), "-", ""))
		if err == nil && len(b) != n {
			err = fmt.Errorf("%s has %d bytes, want %d", k, len(b), n)
		}
		return b, err
	}
	n, _ := m["seq"].(json.Number)
	seq, err := strconv.ParseUint(string(n), 10, 64)
	if err != nil {
		return "", "", err
	}
	id, err := fixed("id", 16)
	if err != nil {
		return "", "", err
	}
	t, err := time.Parse(time.RFC3339Nano, str("time"))
	if err != nil {
		return "", "", err
	}
	prev, err := fixed("prev_hash", 32)
	if err != nil {
		return "", "", err
	}

	var b []byte
	lenPrefixed := func(s string) {
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	b = append(b, 0x00)
	b = binary.BigEndian.AppendUint64(b, seq)
	b = append(b, id...)
	b = binary.BigEndian.AppendUint64(b, uint64(t.UnixNano()))
	for _, k := range []string{"actor", "action", "kind", "entity_id", "from", "to"} {
		lenPrefixed(str(k))
	}
	changes, _ := m["changes"].([]any)
	b = binary.BigEndian.AppendUint32(b, uint32(len(changes)))
	for _, c := range changes {
		c, _ := c.(map[string]any)
		for _, k := range []string{"field", "old", "new"} {
			s, _ := c[k].(string)
			lenPrefixed(s)
		}
	}
	data, _ := m["data"].(map[string]any)
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	sort.Strings(keys) // byte order
	b = binary.BigEndian.AppendUint32(b, uint32(len(keys)))
	for _, k := range keys {
		v, _ := data[k].(string)
		lenPrefixed(k)
		lenPrefixed(v)
	}
	b = append(b, prev...)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), str("hash"), nil
}

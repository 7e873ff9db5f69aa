package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/servicekit/iso20000/store"
)

// TestStoredKeysCompare checks that key values read back from the database
// equal those keyValues makes of the same Keys, so that an Update sets only
// the key columns that really change (the type of each value matters).
func TestStoredKeysCompare(t *testing.T) {
	st, err := Open(context.Background(), filepath.Join(t.TempDir(), "k.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c := store.NewCollection("k", func(k *store.Keys) (string, store.Keys) { return k.Owner, *k })
	created := time.Date(2026, 3, 1, 9, 0, 0, 1, time.UTC)
	for _, k := range []store.Keys{
		{Owner: "zero"},
		{Status: "open", Owner: "all", Group: "g", Service: "s", Priority: 3, Created: created, Due: created.Add(time.Hour)},
	} {
		err := st.Update(context.Background(), func(ctx context.Context, stx store.Tx) error {
			if _, err := c.Insert(ctx, stx, k); err != nil {
				return err
			}
			t := stx.(*tx)
			t.known = nil // read them from the table
			got, err := t.storedKeys(ctx, "k", k.Owner)
			if err != nil {
				return err
			}
			if want := keyValues(c.Doc(k, 1).Keys); got.keys != want {
				return fmt.Errorf("stored keys %#v, want %#v", got.keys, want)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", k.Owner, err)
		}
	}
}

// TestPragmas checks the settings of the writer and reader connections.
func TestPragmas(t *testing.T) {
	st, err := Open(context.Background(), filepath.Join(t.TempDir(), "p.db"), WithBusyTimeout(1500*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tests := []struct {
		pragma         string
		writer, reader string
	}{
		{"journal_mode", "wal", "wal"},
		{"synchronous", "1", "1"}, // NORMAL
		{"foreign_keys", "1", "1"},
		{"busy_timeout", "1500", "1500"},
		{"query_only", "0", "1"},
	}
	for _, tc := range tests {
		for _, c := range []struct {
			name string
			db   *sql.DB
			want string
		}{{"writer", st.writer, tc.writer}, {"reader", st.reader, tc.reader}} {
			var got string
			if err := c.db.QueryRow("PRAGMA " + tc.pragma).Scan(&got); err != nil || got != c.want {
				t.Errorf("%s: PRAGMA %s = %q (%v), want %q", c.name, tc.pragma, got, err, c.want)
			}
		}
	}
}

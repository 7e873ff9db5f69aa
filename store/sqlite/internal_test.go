package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/internal/sqlkit"
)

// TestStoredKeysCompare checks that key values read back from the database
// equal those sqlkit.KeyArgs makes of the same Keys, so that an Update sets only
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
			got, err := t.readKeys(ctx, "k", k.Owner)
			if err != nil {
				return err
			}
			if want := sqlkit.KeyArgs(c.Doc(k, 1).Keys); got.keys != want {
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
			pool *pool
			want string
		}{{"writer", st.writer, tc.writer}, {"reader", st.reader, tc.reader}} {
			if got, err := pragma(c.pool, tc.pragma); err != nil || got != c.want {
				t.Errorf("%s: PRAGMA %s = %q (%v), want %q", c.name, tc.pragma, got, err, c.want)
			}
		}
	}
}

// pragma returns the value of a PRAGMA on a connection of p, as text.
func pragma(p *pool, name string) (string, error) {
	ctx := context.Background()
	c, err := p.get(ctx)
	if err != nil {
		return "", err
	}
	defer p.put(c)
	st, err := c.stmtSQL(ctx, "PRAGMA "+name)
	if err != nil {
		return "", err
	}
	var v [1]driver.Value
	if _, err := c.queryRow(ctx, st, v[:]); err != nil {
		return "", err
	}
	return fmt.Sprint(v[0]), nil
}

// TestPool checks that a full pool makes get wait (ending with the
// context), that connections are reused, and that closing the pool closes
// the connection in use when it is put back.
func TestPool(t *testing.T) {
	db, err := sql.Open(DriverName, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p := newPool(db.Driver(), dsn(filepath.Join(t.TempDir(), "pool.db"), config{busyTimeout: time.Second}, false), 1)
	ctx := context.Background()
	c1, err := p.get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := p.get(cancelled); !errors.Is(err, context.Canceled) {
		t.Fatalf("get from a full pool: %v, want context.Canceled", err)
	}
	p.put(c1)
	if c2, err := p.get(ctx); err != nil || c2 != c1 {
		t.Fatalf("get after put: %p, %v; want the same connection %p", c2, err, c1)
	}
	if err := p.close(); err != nil {
		t.Fatal(err)
	}
	p.put(c1)
	if len(p.slots) != 0 || len(p.idle) != 0 {
		t.Fatalf("after close and put: %d open, %d idle; want none", len(p.slots), len(p.idle))
	}
	if _, err := p.get(ctx); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("get after close: %v, want ErrClosed", err)
	}
}

// TestRowTypes checks that a value of an unexpected type is reported with
// its column, and that NULL text reads as nil.
func TestRowTypes(t *testing.T) {
	r := newRow([]driver.Value{"a", int64(1), nil, []byte("x")})
	if r.text(0) != "a" || r.integer(1) != 1 || r.nullText(2) != nil || string(r.blob(3)) != "x" || r.err("row") != nil {
		t.Fatalf("well-typed row: %v", r.err("row"))
	}
	r.text(1)
	r.integer(0)
	if err := r.err("row"); err == nil || err.Error() != "sqlite: row: column 1 holds a int64" {
		t.Fatalf("got %v, want column 1 reported", err)
	}
}

// TestUpdatePlans checks that every UPDATE of updateSQL finds the record by
// its primary key, whatever key columns its guard compares.
func TestUpdatePlans(t *testing.T) {
	st, err := Open(context.Background(), filepath.Join(t.TempDir(), "u.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	db, err := sql.Open(DriverName, st.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for m, query := range updateSQL {
		args := make([]any, strings.Count(query, "?"))
		var plan string
		var id, parent, unused int
		if err := db.QueryRow("EXPLAIN QUERY PLAN "+query, args...).Scan(&id, &parent, &unused, &plan); err != nil {
			t.Fatalf("mask %b: %v", m, err)
		}
		if !strings.Contains(plan, "INDEX sqlite_autoindex_records_1 (kind=? AND id=?)") {
			t.Fatalf("mask %b: plan %q of %s; want the primary key", m, plan, query)
		}
	}
}

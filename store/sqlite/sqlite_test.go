package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/internal/testutil"
	"github.com/servicekit/iso20000/store/sqlite"
)

// ticket is the record type of these tests.
type ticket struct {
	ID       string    `json:"id"`
	Status   string    `json:"status"`
	Owner    string    `json:"owner,omitempty"`
	Priority int       `json:"priority,omitempty"`
	Created  time.Time `json:"created"`
	Due      time.Time `json:"due"`
}

var tickets = store.NewCollection("ticket", func(t *ticket) (string, store.Keys) {
	return t.ID, store.Keys{Status: t.Status, Owner: t.Owner, Priority: t.Priority, Created: t.Created, Due: t.Due}
})

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 123456789, time.UTC)

// open opens a store in a new file of the test's temporary directory.
func open(t testing.TB, opts ...sqlite.Option) (*sqlite.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "itsm.db")
	return openAt(t, path, opts...), path
}

// openAt opens the store at path and closes it when the test ends.
func openAt(t testing.TB, path string, opts ...sqlite.Option) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path, opts...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// update runs a unit of work that must commit.
var update = testutil.Update

func getTicket(st store.Store, id string) (store.Versioned[ticket], error) {
	var v store.Versioned[ticket]
	err := st.View(context.Background(), func(ctx context.Context, tx store.Tx) error {
		var err error
		v, err = tickets.Get(ctx, tx, id)
		return err
	})
	return v, err
}

func entry(action string) audit.Entry {
	return audit.Entry{Time: t0, Actor: "alice", Action: action, Kind: "ticket", EntityID: "T-1"}
}

func TestRecords(t *testing.T) {
	st, _ := open(t)
	tk := ticket{ID: "T-1", Status: "open", Owner: "alice", Priority: 2, Created: t0}
	update(t, st, func(ctx context.Context, tx store.Tx) error {
		_, err := tickets.Insert(ctx, tx, tk)
		return err
	})
	tests := []struct {
		name    string
		fn      func(ctx context.Context, tx store.Tx) error
		wantErr error
	}{
		{"duplicate insert", func(ctx context.Context, tx store.Tx) error {
			_, err := tickets.Insert(ctx, tx, tk)
			return err
		}, iso20000.ErrConflict},
		{"empty id", func(ctx context.Context, tx store.Tx) error {
			_, err := tickets.Insert(ctx, tx, ticket{Created: t0})
			return err
		}, iso20000.ErrValidation},
		{"stale update", func(ctx context.Context, tx store.Tx) error {
			_, err := tickets.Update(ctx, tx, tk, 7)
			return err
		}, iso20000.ErrConflict},
		{"update of missing", func(ctx context.Context, tx store.Tx) error {
			_, err := tickets.Update(ctx, tx, ticket{ID: "T-9"}, 1)
			return err
		}, iso20000.ErrNotFound},
		{"stale delete", func(ctx context.Context, tx store.Tx) error {
			return tickets.Delete(ctx, tx, "T-1", 2)
		}, iso20000.ErrConflict},
		{"delete of missing", func(ctx context.Context, tx store.Tx) error {
			return tickets.Delete(ctx, tx, "T-9", 1)
		}, iso20000.ErrNotFound},
		{"get of missing", func(ctx context.Context, tx store.Tx) error {
			_, err := tickets.Get(ctx, tx, "T-9")
			return err
		}, iso20000.ErrNotFound},
		{"empty counter name", func(ctx context.Context, tx store.Tx) error {
			_, err := tx.NextNumber(ctx, "")
			return err
		}, iso20000.ErrValidation},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := st.Update(context.Background(), tc.fn)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("got %v, want %v", err, tc.wantErr)
			}
		})
	}

	var conflict *iso20000.ConflictError
	err := st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
		_, err := tickets.Update(ctx, tx, tk, 7)
		return err
	})
	if !errors.As(err, &conflict) || conflict.Expected != 7 || conflict.Actual != 1 || conflict.ID != "T-1" {
		t.Fatalf("stale update: got %#v", err)
	}

	got, err := getTicket(st, "T-1")
	if err != nil || got.Version != 1 || got.Value != tk {
		t.Fatalf("Get: got %+v, %v; want %+v version 1", got, err, tk)
	}
	tk.Status, tk.Due = "resolved", t0.Add(time.Hour)
	update(t, st, func(ctx context.Context, tx store.Tx) error {
		v, err := tickets.Update(ctx, tx, tk, 1)
		if err == nil && v != 2 {
			err = fmt.Errorf("version %d, want 2", v)
		}
		return err
	})
	if got, err := getTicket(st, "T-1"); err != nil || got.Version != 2 || got.Value != tk {
		t.Fatalf("Get after update: got %+v, %v; want %+v version 2", got, err, tk)
	}
	update(t, st, func(ctx context.Context, tx store.Tx) error {
		return tickets.Delete(ctx, tx, "T-1", 2)
	})
	if _, err := getTicket(st, "T-1"); !errors.Is(err, iso20000.ErrNotFound) {
		t.Fatalf("Get after delete: %v", err)
	}
}

// TestOneUnitOfWork changes one record several times in one transaction:
// the versions and keys the transaction remembers stay true.
func TestOneUnitOfWork(t *testing.T) {
	st, _ := open(t)
	tk := ticket{ID: "T-1", Status: "open", Created: t0}
	steps := []struct {
		name    string
		fn      func(ctx context.Context, tx store.Tx) (int64, error)
		want    int64
		wantErr error
	}{
		{"insert", func(ctx context.Context, tx store.Tx) (int64, error) { return tickets.Insert(ctx, tx, tk) }, 1, nil},
		{"update", func(ctx context.Context, tx store.Tx) (int64, error) {
			tk.Status = "assigned"
			return tickets.Update(ctx, tx, tk, 1)
		}, 2, nil},
		{"stale update", func(ctx context.Context, tx store.Tx) (int64, error) { return tickets.Update(ctx, tx, tk, 1) }, 0, iso20000.ErrConflict},
		{"get", func(ctx context.Context, tx store.Tx) (int64, error) {
			v, err := tickets.Get(ctx, tx, "T-1")
			if err == nil && v.Value != tk {
				err = fmt.Errorf("got %+v, want %+v", v.Value, tk)
			}
			return v.Version, err
		}, 2, nil},
		{"list by new status", func(ctx context.Context, tx store.Tx) (int64, error) {
			vs, _, err := tickets.List(ctx, tx, store.Query{Status: []string{"assigned"}})
			return int64(len(vs)), err
		}, 1, nil},
		{"update again", func(ctx context.Context, tx store.Tx) (int64, error) {
			tk.Status, tk.Owner = "resolved", "bob"
			return tickets.Update(ctx, tx, tk, 2)
		}, 3, nil},
		{"delete", func(ctx context.Context, tx store.Tx) (int64, error) { return 0, tickets.Delete(ctx, tx, "T-1", 3) }, 0, nil},
		{"update after delete", func(ctx context.Context, tx store.Tx) (int64, error) { return tickets.Update(ctx, tx, tk, 3) }, 0, iso20000.ErrNotFound},
		{"insert again", func(ctx context.Context, tx store.Tx) (int64, error) { return tickets.Insert(ctx, tx, tk) }, 1, nil},
		{"update of new", func(ctx context.Context, tx store.Tx) (int64, error) { return tickets.Update(ctx, tx, tk, 1) }, 2, nil},
	}
	update(t, st, func(ctx context.Context, tx store.Tx) error {
		for _, s := range steps {
			got, err := s.fn(ctx, tx)
			if !errors.Is(err, s.wantErr) || (err == nil && got != s.want) {
				return fmt.Errorf("%s: got %d, %v; want %d, %v", s.name, got, err, s.want, s.wantErr)
			}
		}
		return nil
	})
	if got, err := getTicket(st, "T-1"); err != nil || got.Version != 2 || got.Value != tk {
		t.Fatalf("after commit: %+v, %v", got, err)
	}
}

func TestKeysRoundTrip(t *testing.T) {
	st, _ := open(t)
	tests := []struct {
		name string
		tk   ticket
	}{
		{"zero created and due", ticket{ID: "a"}},
		{"nanoseconds", ticket{ID: "b", Created: t0, Due: t0.Add(time.Nanosecond)}},
		{"another zone", ticket{ID: "c", Created: t0.In(time.FixedZone("X", 3600))}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			update(t, st, func(ctx context.Context, tx store.Tx) error {
				_, err := tickets.Insert(ctx, tx, tc.tk)
				return err
			})
			var d store.Doc
			err := st.View(context.Background(), func(ctx context.Context, tx store.Tx) error {
				var err error
				d, err = tx.Get(ctx, tickets, tc.tk.ID)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			want := tickets.Doc(tc.tk, 1).Keys
			if d.Keys != want {
				t.Fatalf("keys: got %+v, want %+v", d.Keys, want)
			}
		})
	}
}

func TestUnitOfWorkRollback(t *testing.T) {
	st, _ := open(t)
	boom := errors.New("boom")
	write := func(ctx context.Context, tx store.Tx) error {
		if _, err := tickets.Insert(ctx, tx, ticket{ID: "T-1", Created: t0}); err != nil {
			return err
		}
		if _, err := tx.NextNumber(ctx, "ticket"); err != nil {
			return err
		}
		_, err := tx.Append(ctx, entry("ticket.create"))
		return err
	}
	tests := []struct {
		name    string
		run     func() error
		wantErr error
	}{
		{"error", func() error {
			return st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
				if err := write(ctx, tx); err != nil {
					return err
				}
				return boom
			})
		}, boom},
		{"panic", func() (err error) {
			defer func() {
				if r := recover(); r != boom {
					err = fmt.Errorf("recovered %v, want the panic to go on", r)
				} else {
					err = boom
				}
			}()
			return st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
				if err := write(ctx, tx); err != nil {
					return err
				}
				panic(boom)
			})
		}, boom},
		{"cancelled inside", func() error {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			return st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
				if err := write(ctx, tx); err != nil {
					return err
				}
				cancel()
				return nil
			})
		}, context.Canceled},
		{"cancelled before", func() error {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return st.Update(ctx, write)
		}, context.Canceled},
		{"deadline passed", func() error {
			ctx, cancel := context.WithDeadline(context.Background(), t0)
			defer cancel()
			return st.Update(ctx, write)
		}, context.DeadlineExceeded},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.run(); !errors.Is(err, tc.wantErr) {
				t.Fatalf("got %v, want %v", err, tc.wantErr)
			}
			if _, err := getTicket(st, "T-1"); !errors.Is(err, iso20000.ErrNotFound) {
				t.Fatalf("record after rollback: %v", err)
			}
			if h, err := st.Trail().Head(context.Background()); err != nil || h.Seq != 0 {
				t.Fatalf("trail head after rollback: %+v, %v", h, err)
			}
		})
	}
	// The counter was rolled back each time: the first commit takes 1.
	update(t, st, func(ctx context.Context, tx store.Tx) error {
		n, err := tx.NextNumber(ctx, "ticket")
		if err == nil && n != 1 {
			err = fmt.Errorf("NextNumber: %d, want 1", n)
		}
		return err
	})
}

func TestViewIsReadOnly(t *testing.T) {
	st, _ := open(t)
	writes := []struct {
		name string
		fn   func(ctx context.Context, tx store.Tx) error
	}{
		{"Insert", func(ctx context.Context, tx store.Tx) error {
			_, err := tickets.Insert(ctx, tx, ticket{ID: "T-1"})
			return err
		}},
		{"Update", func(ctx context.Context, tx store.Tx) error {
			_, err := tickets.Update(ctx, tx, ticket{ID: "T-1"}, 1)
			return err
		}},
		{"Delete", func(ctx context.Context, tx store.Tx) error { return tickets.Delete(ctx, tx, "T-1", 1) }},
		{"Append", func(ctx context.Context, tx store.Tx) error {
			_, err := tx.Append(ctx, entry("x"))
			return err
		}},
		{"NextNumber", func(ctx context.Context, tx store.Tx) error {
			_, err := tx.NextNumber(ctx, "n")
			return err
		}},
	}
	for _, w := range writes {
		t.Run(w.name, func(t *testing.T) {
			if err := st.View(context.Background(), w.fn); !errors.Is(err, store.ErrReadOnly) {
				t.Fatalf("got %v, want ErrReadOnly", err)
			}
		})
	}
}

func TestListUsesIndexes(t *testing.T) {
	_, path := open(t)
	db, err := sql.Open(sqlite.DriverName, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	queries := append(testutil.IndexedQueries(t0), testutil.IndexedQuery{Name: "due before",
		Query: store.Query{OrderBy: store.ByDue, DueBefore: t0, Cursor: cursor(store.Query{OrderBy: store.ByDue})}, Index: "records_by_due"})
	for _, tc := range queries {
		t.Run(tc.Name, func(t *testing.T) {
			q, cur, err := tc.Query.Normalize()
			if err != nil {
				t.Fatal(err)
			}
			query, args := sqlite.ListSQL("ticket", q, cur)
			plan := explain(t, db, query, args)
			if !strings.Contains(plan, "INDEX "+tc.Index) || strings.Contains(plan, "TEMP B-TREE") {
				t.Fatalf("plan of %s:\n%s\nwant index %s and no sorting", query, plan, tc.Index)
			}
		})
	}
}

func cursor(q store.Query) string {
	return q.NextCursor(store.Keys{Created: t0, Due: t0}, "T-1")
}

func explain(t *testing.T, db *sql.DB, query string, args []any) string {
	t.Helper()
	rows, err := db.Query("EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		b.WriteString(detail + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestListPages(t *testing.T) {
	st, _ := open(t)
	update(t, st, func(ctx context.Context, tx store.Tx) error {
		for i := range 25 {
			tk := ticket{ID: fmt.Sprintf("T-%02d", i), Status: []string{"open", "closed"}[i%2],
				Created: t0.Add(time.Duration(i/3) * time.Minute)}
			if i%4 == 0 {
				tk.Due = t0.Add(time.Duration(25-i) * time.Hour)
			}
			if _, err := tickets.Insert(ctx, tx, tk); err != nil {
				return err
			}
		}
		return nil
	})
	tests := []struct {
		name string
		q    store.Query
		want []string
	}{
		{"open asc", store.Query{Status: []string{"open"}, Limit: 4},
			[]string{"T-00", "T-02", "T-04", "T-06", "T-08", "T-10", "T-12", "T-14", "T-16", "T-18", "T-20", "T-22", "T-24"}},
		{"created desc", store.Query{Desc: true, Limit: 10, CreatedFrom: t0.Add(6 * time.Minute)},
			[]string{"T-24", "T-23", "T-22", "T-21", "T-20", "T-19", "T-18"}},
		{"by due", store.Query{OrderBy: store.ByDue, Limit: 2},
			[]string{"T-24", "T-20", "T-16", "T-12", "T-08", "T-04", "T-00"}},
		{"any of two", store.Query{Status: []string{"closed", "open"}, OrderBy: store.ByDue, Desc: true, Limit: 3},
			[]string{"T-00", "T-04", "T-08", "T-12", "T-16", "T-20", "T-24"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			q := tc.q
			for range 100 {
				var p store.Page
				err := st.View(context.Background(), func(ctx context.Context, tx store.Tx) error {
					var err error
					p, err = tx.List(ctx, tickets, q)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				for _, d := range p.Docs {
					got = append(got, d.ID)
				}
				if p.Next == "" {
					break
				}
				q.Cursor = p.Next
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDurability(t *testing.T) {
	st, path := open(t)
	update(t, st, func(ctx context.Context, tx store.Tx) error {
		if _, err := tickets.Insert(ctx, tx, ticket{ID: "T-1", Status: "open", Created: t0}); err != nil {
			return err
		}
		if _, err := tx.NextNumber(ctx, "ticket"); err != nil {
			return err
		}
		_, err := tx.Append(ctx, entry("ticket.create"))
		return err
	})
	e := entry("ticket.note")
	e.Data = map[string]string{}
	e.Changes = []audit.Change{{Field: "note", New: "hello"}}
	appended, err := st.Trail().Append(context.Background(), e)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	st = openAt(t, path)
	if got, err := getTicket(st, "T-1"); err != nil || got.Value.Status != "open" || got.Version != 1 {
		t.Fatalf("record after reopen: %+v, %v", got, err)
	}
	update(t, st, func(ctx context.Context, tx store.Tx) error {
		n, err := tx.NextNumber(ctx, "ticket")
		if err == nil && n != 2 {
			err = fmt.Errorf("NextNumber after reopen: %d, want 2", n)
		}
		return err
	})
	var got []audit.Entry
	for e, err := range st.Trail().Entries(context.Background(), 1, 0) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, e)
	}
	if len(got) != 2 || got[1].Data == nil || len(got[1].Data) != 0 || got[0].Data != nil ||
		got[1].Hash != appended[0].Hash || !got[1].Time.Equal(t0) || got[1].Time != appended[0].Time {
		t.Fatalf("trail after reopen: %+v", got)
	}
	verify(t, st, 2)
}

// verify checks that the store's trail is one unbroken chain of n entries.
func verify(t *testing.T, st store.Store, n uint64) {
	t.Helper()
	rep, err := audit.Verify(context.Background(), st.Trail())
	if err != nil || !rep.OK || rep.Checked != n || rep.Head.Seq != n {
		t.Fatalf("Verify: %+v, %v; want %d entries OK", rep, err, n)
	}
}

func TestMigrations(t *testing.T) {
	_, path := open(t)
	openAt(t, path) // a second open of a current database applies nothing
	db, err := sql.Open(sqlite.DriverName, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v int
	if err := db.QueryRow("PRAGMA user_version").Scan(&v); err != nil || v != sqlite.SchemaVersion() || v < 1 {
		t.Fatalf("user_version %d (%v), want %d", v, err, sqlite.SchemaVersion())
	}

	newer := sqlite.SchemaVersion() + 1
	if _, err := db.Exec(fmt.Sprintf("PRAGMA user_version = %d", newer)); err != nil {
		t.Fatal(err)
	}
	_, err = sqlite.Open(context.Background(), path)
	if !errors.Is(err, sqlite.ErrSchemaTooNew) || !errors.Is(err, store.ErrSchemaTooNew) || !strings.Contains(err.Error(), fmt.Sprint(newer)) {
		t.Fatalf("Open of a newer schema: got %v, want ErrSchemaTooNew naming version %d", err, newer)
	}
}

func TestOpenErrors(t *testing.T) {
	for _, path := range []string{"", ":memory:"} {
		if _, err := sqlite.Open(context.Background(), path); !errors.Is(err, iso20000.ErrValidation) {
			t.Errorf("Open(%q): got %v, want ErrValidation", path, err)
		}
	}
	missing := filepath.Join(t.TempDir(), "no", "such", "dir", "x.db")
	if _, err := sqlite.Open(context.Background(), missing); err == nil {
		t.Errorf("Open in a missing directory: no error")
	}
	junk := filepath.Join(t.TempDir(), "junk.db")
	if err := os.WriteFile(junk, []byte(strings.Repeat("not a database ", 500)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := sqlite.Open(context.Background(), junk); err == nil || !strings.Contains(err.Error(), "junk.db") {
		t.Errorf("Open of a file that is not a database: %v, want an error naming the file", err)
	}
}

// TestOpenPath opens files whose names hold characters that URIs reserve.
func TestOpenPath(t *testing.T) {
	for _, name := range []string{"a b.db", "q?x=1.db", "hash#1.db", "100%.db", "dé.db"} {
		path := filepath.Join(t.TempDir(), name)
		st := openAt(t, path)
		if st.Path() != path {
			t.Errorf("Path: %q, want %q", st.Path(), path)
		}
		if _, err := os.Stat(path); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestClosed(t *testing.T) {
	st, _ := open(t)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	noop := func(context.Context, store.Tx) error { return nil }
	if err := st.Update(context.Background(), noop); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Update: %v", err)
	}
	if err := st.View(context.Background(), noop); !errors.Is(err, store.ErrClosed) {
		t.Errorf("View: %v", err)
	}
	if _, err := st.Trail().Head(context.Background()); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Head: %v", err)
	}
	if _, err := st.Trail().Append(context.Background(), entry("x")); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Append: %v", err)
	}
	for _, err := range st.Trail().Entries(context.Background(), 1, 0) {
		if !errors.Is(err, store.ErrClosed) {
			t.Errorf("Entries: %v", err)
		}
	}
}

// TestConcurrentWriters writes from many goroutines through two stores on
// the same file, as two processes would: no writer fails on a lock, every
// counter increment and audit entry is kept, and the trail is one chain.
func TestConcurrentWriters(t *testing.T) {
	a, path := open(t)
	b := openAt(t, path)
	const writers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		st := []*sqlite.Store{a, b}[w%2]
		wg.Go(func() {
			for i := range each {
				errs <- st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
					n, err := tx.NextNumber(ctx, "ticket")
					if err != nil {
						return err
					}
					id := fmt.Sprintf("T-%d", n)
					if _, err := tickets.Insert(ctx, tx, ticket{ID: id, Created: t0.Add(time.Duration(w*each + i))}); err != nil {
						return err
					}
					_, err = tx.Append(ctx, entry("ticket.create"))
					return err
				})
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("writer: %v", err)
		}
	}
	verify(t, a, writers*each)
	verify(t, b, writers*each)
	if _, err := getTicket(a, fmt.Sprintf("T-%d", writers*each)); err != nil {
		t.Fatalf("last numbered record: %v", err)
	}
}

// TestTrailSharedFile appends batches of several sizes (single inserts and
// chunks) through two stores on one file, as two processes would, in turns:
// each store's cached head goes stale when the other appends, and the chain
// stays whole.
func TestTrailSharedFile(t *testing.T) {
	a, path := open(t)
	b := openAt(t, path)
	turns := []struct {
		st *sqlite.Store
		n  int
	}{{a, 2}, {b, 150}, {a, 1}, {a, 64}, {b, 129}, {a, 3}, {b, 65}}
	var seq uint64
	for i, turn := range turns {
		batch := make([]audit.Entry, turn.n)
		for j := range batch {
			batch[j] = entry(fmt.Sprintf("x%d", j))
		}
		got, err := turn.st.Trail().Append(context.Background(), batch...)
		if err != nil || len(got) != turn.n || got[0].Seq != seq+1 || got[turn.n-1].Seq != seq+uint64(turn.n) {
			t.Fatalf("turn %d: %d entries, %v; want %d from %d", i, len(got), err, turn.n, seq+1)
		}
		seq += uint64(turn.n)
	}
	verify(t, a, seq)
}

// TestAppendFailurePoisons makes a batch fail after some of its entries were
// stored (a row planted past the cached head takes a sequence number): the
// unit of work must not commit, even when fn ignores the error.
func TestAppendFailurePoisons(t *testing.T) {
	st, path := open(t)
	if _, err := st.Trail().Append(context.Background(), entry("first")); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open(sqlite.DriverName, sqlite.WriterDSN(path))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO audit VALUES (4, 'planted', 0, 'a', 'b', '', '', '', '', NULL, NULL, x'00', x'00')`); err != nil {
		t.Fatal(err)
	}
	var appendErr error
	err = st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
		batch := []audit.Entry{entry("a"), entry("b"), entry("c"), entry("d")}
		_, appendErr = tx.Append(ctx, batch...)
		return nil // ignores the error
	})
	if appendErr == nil || err == nil || err.Error() != appendErr.Error() {
		t.Fatalf("Append: %v; Update: %v; want both to fail alike", appendErr, err)
	}
	var n int
	if err := db.QueryRow("SELECT count(*) FROM audit").Scan(&n); err != nil || n != 2 {
		t.Fatalf("%d rows (%v), want the first entry and the planted row", n, err)
	}
}

// TestConcurrentOpen opens one new file from several goroutines at once, as
// processes starting together would: each opens (SQLite may refuse some of
// them at once with SQLITE_BUSY while they convert the file to WAL, which
// Open retries) and each migration is applied once. The race is rare, so the
// test runs it on several files.
func TestConcurrentOpen(t *testing.T) {
	const files, n = 25, 6
	for f := range files {
		path := filepath.Join(t.TempDir(), fmt.Sprintf("itsm-%d.db", f))
		stores := make(chan *sqlite.Store, n)
		errs := make(chan error, n)
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				st, err := sqlite.Open(context.Background(), path)
				if err != nil {
					errs <- err
					return
				}
				stores <- st
			})
		}
		wg.Wait()
		close(stores)
		close(errs)
		for err := range errs {
			t.Errorf("Open: %v", err)
		}
		for st := range stores {
			if _, err := st.Trail().Append(context.Background(), entry("x")); err != nil {
				t.Errorf("Append: %v", err)
			}
			st.Close()
		}
		st := openAt(t, path)
		verify(t, st, n)
	}
}

// TestUpdateBehindTheStoresBack changes a record through another store on
// the same file (as another process would) after the first store's
// transactions cached its keys: a blind Update by the first store must still
// refuse a stale version, find a deleted record missing, and store every key
// of the record, with its indexes consistent.
func TestUpdateBehindTheStoresBack(t *testing.T) {
	tests := []struct {
		name    string
		other   func(ctx context.Context, tx store.Tx) error // by the other store
		version int64                                        // of the first store's Update
		want    error
	}{
		{"status changed", func(ctx context.Context, tx store.Tx) error {
			_, err := tickets.Update(ctx, tx, ticket{ID: "T-1", Status: "closed", Owner: "bob", Created: t0}, 2)
			return err
		}, 2, iso20000.ErrConflict},
		{"status changed, version current", func(ctx context.Context, tx store.Tx) error {
			_, err := tickets.Update(ctx, tx, ticket{ID: "T-1", Status: "closed", Owner: "bob", Created: t0}, 2)
			return err
		}, 3, nil},
		{"deleted", func(ctx context.Context, tx store.Tx) error {
			return tickets.Delete(ctx, tx, "T-1", 2)
		}, 2, iso20000.ErrNotFound},
		{"deleted and inserted again", func(ctx context.Context, tx store.Tx) error {
			if err := tickets.Delete(ctx, tx, "T-1", 2); err != nil {
				return err
			}
			bob := ticket{ID: "T-1", Status: "new", Owner: "bob", Priority: 1, Created: t0.Add(time.Hour)}
			if _, err := tickets.Insert(ctx, tx, bob); err != nil {
				return err
			}
			bob.Status = "in-progress" // version 2 again, with other keys than the cached ones
			_, err := tickets.Update(ctx, tx, bob, 1)
			return err
		}, 2, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, path := open(t)
			b := openAt(t, path)
			ctx := context.Background()
			update(t, a, func(ctx context.Context, tx store.Tx) error {
				_, err := tickets.Insert(ctx, tx, ticket{ID: "T-1", Status: "open", Owner: "alice", Priority: 2, Created: t0})
				return err
			})
			update(t, a, func(ctx context.Context, tx store.Tx) error { // caches the keys of version 2
				_, err := tickets.Update(ctx, tx, ticket{ID: "T-1", Status: "in-progress", Owner: "alice", Priority: 2, Created: t0}, 1)
				return err
			})
			update(t, b, tc.other)
			want := ticket{ID: "T-1", Status: "resolved", Owner: "alice", Priority: 2, Created: t0}
			err := a.Update(ctx, func(ctx context.Context, tx store.Tx) error {
				_, err := tickets.Update(ctx, tx, want, tc.version)
				return err
			})
			if !errors.Is(err, tc.want) {
				t.Fatalf("Update: %v, want %v", err, tc.want)
			}
			if tc.want != nil {
				return
			}
			got, err := getTicket(b, "T-1")
			if err != nil || got.Value != want || got.Version != tc.version+1 {
				t.Fatalf("after Update: %+v, %v; want %+v at version %d", got, err, want, tc.version+1)
			}
			db, err := sql.Open(sqlite.DriverName, path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var status, owner string
			var priority, created int64
			var check string
			if err := db.QueryRow("SELECT status, owner, priority, created FROM records WHERE kind = 'ticket' AND id = 'T-1'").Scan(&status, &owner, &priority, &created); err != nil {
				t.Fatal(err)
			}
			if status != want.Status || owner != want.Owner || priority != int64(want.Priority) || created != want.Created.UnixNano() {
				t.Fatalf("columns %q %q %d %d, want the keys of %+v", status, owner, priority, created, want)
			}
			if err := db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
				t.Fatalf("integrity_check: %q, %v", check, err)
			}
		})
	}
}

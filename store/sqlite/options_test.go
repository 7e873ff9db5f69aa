package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/sqlite"
)

func TestWithLogger(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	_, path := open(t, sqlite.WithLogger(log))
	if got := strings.Count(buf.String(), "applied schema migration"); got != sqlite.SchemaVersion() {
		t.Fatalf("first open logged %d migrations, want %d:\n%s", got, sqlite.SchemaVersion(), buf.String())
	}
	buf.Reset()
	openAt(t, path, sqlite.WithLogger(log))
	if buf.Len() != 0 {
		t.Fatalf("second open logged:\n%s", buf.String())
	}
}

// TestReadersReleased stops reading the trail early and views many times
// with a single reader connection: each read gives its connection back.
func TestReadersReleased(t *testing.T) {
	st, _ := open(t, sqlite.WithMaxReaders(1))
	if _, err := st.Trail().Append(context.Background(), entry("a"), entry("b"), entry("c")); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		for e, err := range st.Trail().Entries(context.Background(), 1, 0) {
			if err != nil || e.Seq != 1 {
				t.Fatalf("first entry: %+v, %v", e, err)
			}
			break
		}
		if h, err := st.Trail().Head(context.Background()); err != nil || h.Seq != 3 {
			t.Fatalf("Head: %+v, %v", h, err)
		}
	}
}

func TestEntriesCancelled(t *testing.T) {
	st, _ := open(t)
	if _, err := st.Trail().Append(context.Background(), entry("a"), entry("b"), entry("c")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var n int
	var last error
	for _, err := range st.Trail().Entries(ctx, 1, 0) {
		if err != nil {
			last = err
			break
		}
		n++
		cancel()
	}
	if n != 1 || !errors.Is(last, context.Canceled) {
		t.Fatalf("read %d entries then %v; want 1 then context.Canceled", n, last)
	}
}

// TestViewSnapshot commits a change while a View is open: the writer does
// not wait for the reader, and the View keeps seeing its snapshot.
func TestViewSnapshot(t *testing.T) {
	st, _ := open(t)
	tk := ticket{ID: "T-1", Status: "open", Created: t0}
	update(t, st, func(ctx context.Context, tx store.Tx) error {
		_, err := tickets.Insert(ctx, tx, tk)
		return err
	})
	err := st.View(context.Background(), func(ctx context.Context, tx store.Tx) error {
		if v, err := tickets.Get(ctx, tx, "T-1"); err != nil || v.Version != 1 {
			return errors.Join(err, errors.New("before: not version 1"))
		}
		done := make(chan error)
		go func() {
			done <- st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
				tk.Status = "closed"
				_, err := tickets.Update(ctx, tx, tk, 1)
				return err
			})
		}()
		if err := <-done; err != nil {
			return err
		}
		if v, err := tickets.Get(ctx, tx, "T-1"); err != nil || v.Version != 1 || v.Value.Status != "open" {
			return errors.Join(err, errors.New("the view saw a change committed after it began"))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := getTicket(st, "T-1"); err != nil || v.Version != 2 {
		t.Fatalf("after: %+v, %v", v, err)
	}
}

// lockFile takes the write lock of the database at path, as another process
// writing would, until the test calls the returned function or ends.
func lockFile(t *testing.T, path string) (release func()) {
	t.Helper()
	db, err := sql.Open(sqlite.DriverName, sqlite.WriterDSN(path))
	if err != nil {
		t.Fatal(err)
	}
	tx, err := db.Begin() // BEGIN IMMEDIATE
	if err != nil {
		t.Fatal(err)
	}
	release = func() {
		tx.Rollback()
		db.Close()
	}
	t.Cleanup(release)
	return release
}

func TestBusyTimeout(t *testing.T) {
	st, path := open(t, sqlite.WithBusyTimeout(20*time.Millisecond))
	release := lockFile(t, path)
	noop := func(context.Context, store.Tx) error { return nil }
	if err := st.Update(context.Background(), noop); err == nil || !strings.Contains(err.Error(), "SQLITE_BUSY") {
		t.Fatalf("Update while another connection writes: %v, want SQLITE_BUSY after the busy timeout", err)
	}
	if err := st.View(context.Background(), noop); err != nil {
		t.Fatalf("View while another connection writes: %v", err)
	}
	release()
	if err := st.Update(context.Background(), noop); err != nil {
		t.Fatalf("Update after the lock is released: %v", err)
	}
}

// TestLockWaitCancelled gives a writer waiting for another connection's
// lock a context that ends: with an hour of busy timeout, it returns only
// because it honours ctx.
func TestLockWaitCancelled(t *testing.T) {
	st, path := open(t, sqlite.WithBusyTimeout(time.Hour))
	lockFile(t, path)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := st.Update(ctx, func(context.Context, store.Tx) error { return nil })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want context.DeadlineExceeded", err)
	}
}

// TestCloseDuringView closes the store while a View runs: the View goes on
// to its end, and later calls give ErrClosed.
func TestCloseDuringView(t *testing.T) {
	st, _ := open(t)
	err := st.View(context.Background(), func(ctx context.Context, tx store.Tx) error {
		closed := make(chan error)
		go func() { closed <- st.Close() }()
		if err := <-closed; err != nil {
			return err
		}
		_, err := tickets.Get(ctx, tx, "T-1")
		if !errors.Is(err, iso20000.ErrNotFound) {
			return errors.Join(errors.New("Get in the running view"), err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := getTicket(st, "T-1"); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("View after Close: %v, want ErrClosed", err)
	}
}

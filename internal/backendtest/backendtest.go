// Package backendtest opens fresh stores of every backend for the test
// suites of the process packages, so that each suite runs unchanged against
// memory, SQLite and PostgreSQL.
//
// PostgreSQL is used when ITSM_POSTGRES_DSN names a database: each store
// lives in a schema of its own, created for the test and dropped after it.
// Without the variable the PostgreSQL subtests are skipped with a message
// saying how to run them; with it, an unreachable server fails the test.
package backendtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/memory"
	"github.com/servicekit/iso20000/store/postgres"
	"github.com/servicekit/iso20000/store/sqlite"
)

// DSNVariable is the environment variable that names the PostgreSQL test database.
const DSNVariable = "ITSM_POSTGRES_DSN"

// SkipMessage is how a skipped PostgreSQL test says how to run it.
const SkipMessage = "PostgreSQL tests skipped: set " + DSNVariable +
	"=postgres://postgres@127.0.0.1:5432/test?sslmode=disable (or run .ci/run) to run them"

// Backend names a backend and opens a fresh, empty store of it for a test.
type Backend struct {
	Name string
	New  func(t testing.TB) store.Store
}

// All returns memory, SQLite and PostgreSQL.
func All() []Backend {
	return []Backend{{"memory", Memory}, {"sqlite", SQLite}, {"postgres", Postgres}}
}

// Run runs suite once per backend as a subtest named after it.
func Run(t *testing.T, suite func(t *testing.T, newStore func(t testing.TB) store.Store)) {
	for _, b := range All() {
		t.Run(b.Name, func(t *testing.T) { suite(t, b.New) })
	}
}

// Memory opens an in-memory store.
func Memory(t testing.TB) store.Store {
	st := memory.New()
	t.Cleanup(func() { st.Close() })
	return st
}

// SQLite opens a SQLite store in a file of the test's temporary directory.
func SQLite(t testing.TB) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "itsm.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// PostgresDSN returns the test database's DSN, skipping the test when none is set.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(DSNVariable)
	if dsn == "" {
		t.Skip(SkipMessage)
	}
	return dsn
}

// Schema creates a uniquely named schema for the test in the test database
// and drops it (with everything in it) when the test ends. An unreachable
// server fails the test.
func Schema(t testing.TB) (dsn, schema string) {
	t.Helper()
	dsn = PostgresDSN(t)
	var b [6]byte
	rand.Read(b[:])
	schema = "itsm_test_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("PostgreSQL at %s=%q is unreachable: %v", DSNVariable, dsn, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
		}
	})
	return dsn, schema
}

// Postgres opens a PostgreSQL store in a fresh schema (see [Schema]).
func Postgres(t testing.TB) store.Store {
	t.Helper()
	dsn, schema := Schema(t)
	st, err := postgres.Open(context.Background(), dsn, postgres.WithSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/servicekit/iso20000/audit/audittest"
	"github.com/servicekit/iso20000/internal/backendtest"
	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/postgres"
	"github.com/servicekit/iso20000/store/storetest"
)

// openStore opens a store on schema of the test database and closes it when
// the test ends.
func openStore(t testing.TB, dsn, schema string, opts ...postgres.Option) *postgres.Store {
	t.Helper()
	st, err := postgres.Open(context.Background(), dsn, append([]postgres.Option{postgres.WithSchema(schema)}, opts...)...)
	if err != nil {
		t.Fatalf("opening the PostgreSQL store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// newTestStore returns a store in a fresh schema of the test database (see
// backendtest.Schema: the test is skipped without ITSM_POSTGRES_DSN, fails
// when the server does not answer, and drops the schema at its end).
func newTestStore(t testing.TB, opts ...postgres.Option) *postgres.Store {
	t.Helper()
	dsn, schema := backendtest.Schema(t)
	return openStore(t, dsn, schema, opts...)
}

// requireServer skips the test without ITSM_POSTGRES_DSN and fails it at
// once, rather than in every subtest, when the server does not answer.
func requireServer(t *testing.T) {
	t.Helper()
	dsn := backendtest.PostgresDSN(t)
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatalf("PostgreSQL at %s is unreachable: %v", backendtest.DSNVariable, err)
	}
	conn.Close(context.Background())
}

// TestConformance runs the store conformance suite, each subtest on a store
// in a fresh schema.
func TestConformance(t *testing.T) {
	requireServer(t)
	storetest.Run(t, func(t *testing.T) store.Store { return newTestStore(t) })
}

// TestTrailConformance runs the audit trail conformance suite on the trail
// of a store in a fresh schema per subtest; tampering rewrites the audit
// table and the head row.
func TestTrailConformance(t *testing.T) {
	requireServer(t)
	audittest.Run(t, func(t *testing.T) audittest.Harness {
		st := newTestStore(t)
		return audittest.Harness{Trail: st.Trail(), Rewrite: postgres.Rewrite(st)}
	})
}

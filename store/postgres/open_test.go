package postgres_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/audit/audittest"
	"github.com/servicekit/iso20000/internal/backendtest"
	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/postgres"
)

// TestMigrationRace starts several stores at once on a schema that does not
// exist yet: the advisory lock makes one create it and the others find it
// done, so all open and each migration is applied once.
func TestMigrationRace(t *testing.T) {
	dsn, schema := backendtest.Schema(t)
	pool, err := pgxpool.New(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	// backendtest.Schema created the schema; start from nothing.
	if _, err := pool.Exec(context.Background(), "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	const instances = 4
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
	)
	for i := range instances {
		wg.Go(func() {
			<-start
			st, err := postgres.Open(context.Background(), dsn, postgres.WithSchema(schema))
			if err != nil {
				t.Errorf("instance %d: Open: %v", i, err)
				return
			}
			st.Close()
		})
	}
	close(start)
	wg.Wait()
	var versions, heads int
	err = pool.QueryRow(context.Background(), "SELECT (SELECT count(*) FROM "+pgx.Identifier{schema, "schema_migrations"}.Sanitize()+
		"), (SELECT count(*) FROM "+pgx.Identifier{schema, "audit_head"}.Sanitize()+")").Scan(&versions, &heads)
	if err != nil {
		t.Fatal(err)
	}
	if versions != postgres.SchemaVersion() || heads != 1 {
		t.Fatalf("%d migrations recorded (want %d), %d head rows (want 1)", versions, postgres.SchemaVersion(), heads)
	}
}

// TestSchemaTooNew checks that a schema migrated by a newer release is
// refused rather than misread.
func TestSchemaTooNew(t *testing.T) {
	dsn, schema := backendtest.Schema(t)
	st := openStore(t, dsn, schema)
	if _, err := st.Pool().Exec(context.Background(), "INSERT INTO "+pgx.Identifier{schema, "schema_migrations"}.Sanitize()+
		" (version, file) VALUES ($1, 'from the future')", postgres.SchemaVersion()+1); err != nil {
		t.Fatal(err)
	}
	_, err := postgres.New(context.Background(), st.Pool(), postgres.WithSchema(schema))
	if !errors.Is(err, postgres.ErrSchemaTooNew) {
		t.Fatalf("New on a newer schema: %v, want ErrSchemaTooNew", err)
	}
}

// TestOpenInvalid checks the validation of Open's and New's arguments.
func TestOpenInvalid(t *testing.T) {
	dsn := backendtest.PostgresDSN(t)
	tests := []struct {
		name  string
		open  func() (*postgres.Store, error)
		field string
	}{
		{"malformed DSN", func() (*postgres.Store, error) {
			return postgres.Open(context.Background(), "postgres://%zz")
		}, "dsn"},
		{"empty schema", func() (*postgres.Store, error) {
			return postgres.Open(context.Background(), dsn, postgres.WithSchema(""))
		}, "schema"},
		{"nil pool", func() (*postgres.Store, error) {
			return postgres.New(context.Background(), nil)
		}, "pool"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, err := tc.open()
			var ve *iso20000.ValidationError
			if !errors.As(err, &ve) || ve.Field != tc.field {
				t.Fatalf("got %v, %v; want a ValidationError for %q", st, err, tc.field)
			}
		})
	}
}

// TestNewKeepsPool checks that a store made on the caller's pool leaves the
// pool open when it closes, and that any schema name works (the store quotes
// it).
func TestNewKeepsPool(t *testing.T) {
	dsn, base := backendtest.Schema(t)
	pool, err := pgxpool.New(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	odd := base + `_Odd "Name"; x`
	t.Cleanup(func() {
		if _, err := pool.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+pgx.Identifier{odd}.Sanitize()+" CASCADE"); err != nil {
			t.Error(err)
		}
	})
	st, err := postgres.New(context.Background(), pool, postgres.WithSchema(odd))
	if err != nil {
		t.Fatal(err)
	}
	update(t, st, func(ctx context.Context, tx store.Tx) error {
		_, err := tickets.Insert(ctx, tx, ticket{ID: "t1", Status: "open"})
		return err
	})
	view(t, st, func(ctx context.Context, tx store.Tx) error {
		got, _, err := tickets.List(ctx, tx, store.Query{Status: []string{"open"}})
		if err == nil && (len(got) != 1 || got[0].Value.ID != "t1") {
			t.Errorf("List in schema %q: %+v", odd, got)
		}
		return err
	})
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := st.View(context.Background(), func(context.Context, store.Tx) error { return nil }); !errors.Is(err, store.ErrClosed) {
		t.Errorf("View after Close: %v, want ErrClosed", err)
	}
	if err := pool.Ping(context.Background()); err != nil {
		t.Errorf("the caller's pool after Close: %v", err)
	}
}

// TestQueryExecModes runs a store on pools of every query execution mode of
// pgx (the simple protocol among them, as poolers such as PgBouncer may
// require): records, lists, counters and appends, single and batched, work
// in all of them.
func TestQueryExecModes(t *testing.T) {
	modes := []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeCacheDescribe,
		pgx.QueryExecModeDescribeExec, pgx.QueryExecModeExec, pgx.QueryExecModeSimpleProtocol}
	batch := make([]audit.Entry, postgres.DefaultCopyThreshold)
	for i := range batch {
		batch[i] = audittest.Entry(i)
	}
	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			dsn, schema := backendtest.Schema(t)
			cfg, err := pgxpool.ParseConfig(dsn)
			if err != nil {
				t.Fatal(err)
			}
			cfg.ConnConfig.DefaultQueryExecMode = mode
			pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(pool.Close)
			st, err := postgres.New(context.Background(), pool, postgres.WithSchema(schema))
			if err != nil {
				t.Fatal(err)
			}
			update(t, st, func(ctx context.Context, tx store.Tx) error {
				if _, err := tx.NextNumber(ctx, "ticket"); err != nil {
					return err
				}
				if _, err := tickets.Insert(ctx, tx, ticket{ID: "t1", Status: "open"}); err != nil {
					return err
				}
				_, err := tx.Append(ctx, audit.Entry{Time: testTime, Actor: "ann", Action: "ticket.open",
					Changes: []audit.Change{{Field: "status", New: "open"}}})
				return err
			})
			for _, atCommit := range []bool{false, true} {
				if _, err := incrementAudited(context.Background(), st, "t1", "bob", atCommit); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := st.Trail().Append(context.Background(), batch...); err != nil { // by COPY
				t.Fatal(err)
			}
			view(t, st, func(ctx context.Context, tx store.Tx) error {
				got, _, err := tickets.List(ctx, tx, store.Query{Status: []string{"open"}, Limit: 1})
				if err == nil && (len(got) != 1 || got[0].Value.Counter != 2 || got[0].Version != 3) {
					t.Errorf("List: %+v", got)
				}
				return err
			})
			rep, err := audit.Verify(context.Background(), st.Trail())
			if err != nil || rep.Err() != nil || rep.Head.Seq != uint64(3+len(batch)) {
				t.Fatalf("Verify: head %+v, %v, %v", rep.Head, err, rep.Err())
			}
		})
	}
}

// TestUnstorableText checks that text PostgreSQL cannot store (a NUL
// character, valid UTF-8 as it is) gives an iso20000.ValidationError and
// stores nothing, in a record and in an audit entry.
func TestUnstorableText(t *testing.T) {
	st := newTestStore(t)
	tests := []struct {
		name string
		fn   func(ctx context.Context, tx store.Tx) error
	}{
		{"record ID", func(ctx context.Context, tx store.Tx) error {
			_, err := tickets.Insert(ctx, tx, ticket{ID: "t\x00", Status: "open"})
			return err
		}},
		{"record status", func(ctx context.Context, tx store.Tx) error {
			_, err := tickets.Insert(ctx, tx, ticket{ID: "t1", Status: "op\x00en"})
			return err
		}},
		{"audit actor", func(ctx context.Context, tx store.Tx) error {
			if _, err := tickets.Insert(ctx, tx, ticket{ID: "t1", Status: "open"}); err != nil {
				return err
			}
			_, err := tx.Append(ctx, audit.Entry{Time: testTime, Actor: "a\x00", Action: "x"})
			return err
		}},
		{"audit actor, AppendAtCommit", func(ctx context.Context, tx store.Tx) error {
			if _, err := tickets.Insert(ctx, tx, ticket{ID: "t1", Status: "open"}); err != nil {
				return err
			}
			return store.AppendAtCommit(ctx, tx, audit.Entry{Time: testTime, Actor: "a\x00", Action: "x"})
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := st.Update(context.Background(), tc.fn)
			var ve *iso20000.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("got %v, want an iso20000.ValidationError", err)
			}
			view(t, st, func(ctx context.Context, tx store.Tx) error {
				if got, _, err := tickets.List(ctx, tx, store.Query{}); err != nil || len(got) != 0 {
					t.Errorf("List: %+v, %v; want nothing stored", got, err)
				}
				return nil
			})
			if h, err := st.Trail().Head(context.Background()); err != nil || h.Seq != 0 {
				t.Errorf("Head: %+v, %v; want the empty trail", h, err)
			}
		})
	}
}

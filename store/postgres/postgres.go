package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/internal/sqlkit"
)

// DefaultSchema is the schema the store's tables live in unless [WithSchema]
// names another.
const DefaultSchema = "iso20000"

// DefaultMaxAttempts is how many times [Store.Update] runs a unit of work
// that PostgreSQL aborts with a serialization failure or a deadlock.
const DefaultMaxAttempts = 5

// Option configures [Open] and [New].
type Option func(*config)

type config struct {
	schema      string
	maxAttempts int
}

// WithSchema sets the PostgreSQL schema that holds the store's tables; the
// store creates it when it does not exist. Several stores (several
// applications, or test runs) can share one database in different schemas.
// The default is [DefaultSchema].
func WithSchema(name string) Option {
	return func(c *config) { c.schema = name }
}

// WithMaxAttempts sets how many times [Store.Update] runs fn when PostgreSQL
// aborts the transaction with a serialization failure or a detected deadlock
// (SQLSTATE 40001 or 40P01); values below 1 are taken as 1. The default is
// [DefaultMaxAttempts].
func WithMaxAttempts(n int) Option {
	return func(c *config) { c.maxAttempts = max(n, 1) }
}

// Store is a [store.Store] kept in a PostgreSQL database. It is safe for
// concurrent use, and any number of Stores in any number of processes may
// share one schema; see the package doc for the guarantees.
type Store struct {
	pool     *pgxpool.Pool
	ownsPool bool
	schema   string
	attempts int
	sql      statements
	// auditTable is the audit table's qualified name, for COPY.
	auditTable pgx.Identifier
	trail      *Trail
	// chainKey is the key of the schema's chain lock (see chainLockKey).
	chainKey int64
	// syncCommit makes units of work commit synchronously, holding the
	// chain head through the WAL flush: the naive way, kept for the
	// benchmarks that justify the default.
	syncCommit bool
	// onDurable, when set (by tests), is called with the WAL position that
	// each commit waited for.
	onDurable func(lsn int64)
	closed    atomic.Bool
}

var _ store.Store = (*Store)(nil)

// Open connects to the database that dsn names (a URL or key=value
// connection string as pgxpool.ParseConfig accepts, including pool settings
// such as pool_max_conns), creates or migrates the store's schema, and
// returns the store. [Store.Close] closes the pool Open made. The context
// bounds the connecting and migrating only.
//
// The pool holds at most pool_max_conns connections (by default the larger of
// 4 and the number of CPUs); set it to the number of units of work the
// application runs at once.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, &iso20000.ValidationError{Field: "dsn", Reason: err.Error()}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s, err := New(ctx, pool, opts...)
	if err != nil {
		pool.Close()
		return nil, err
	}
	s.ownsPool = true
	return s, nil
}

// New returns a store on an existing pool, after creating or migrating its
// schema. The pool stays the caller's: [Store.Close] does not close it. The
// store qualifies every table with its schema, so the pool's search_path
// does not matter. The context bounds the migration only.
func New(ctx context.Context, pool *pgxpool.Pool, opts ...Option) (*Store, error) {
	c := config{schema: DefaultSchema, maxAttempts: DefaultMaxAttempts}
	for _, o := range opts {
		o(&c)
	}
	if c.schema == "" {
		return nil, &iso20000.ValidationError{Field: "schema", Reason: "must not be empty"}
	}
	if pool == nil {
		return nil, &iso20000.ValidationError{Field: "pool", Reason: "must not be nil"}
	}
	if err := migrate(ctx, pool, c.schema); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("postgres: preparing schema %s: %w", c.schema, err)
	}
	s := &Store{pool: pool, schema: c.schema, attempts: c.maxAttempts, sql: newStatements(c.schema),
		auditTable: pgx.Identifier{c.schema, "audit"}, chainKey: chainLockKey(c.schema)}
	s.trail = &Trail{s: s}
	return s, nil
}

// Pool returns the store's connection pool, for an application's own
// queries against the same database.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Schema returns the name of the schema that holds the store's tables.
func (s *Store) Schema() string { return s.schema }

// Trail returns the store's audit trail, the one [store.Tx.Append] writes to.
func (s *Store) Trail() audit.Trail { return s.trail }

// Close marks the store closed and, when [Open] made the pool, closes it
// after the units of work in progress end. Calls after the first return nil;
// every other use of a closed store gives [store.ErrClosed].
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	if s.ownsPool {
		s.pool.Close()
	}
	return nil
}

// Update runs fn in a read-write transaction at READ COMMITTED and commits it
// when fn returns nil. It rolls back when fn returns an error or panics (the
// panic goes on after the rollback) or when ctx is done, and then returns
// fn's error or ctx's. When PostgreSQL aborts the transaction with a
// serialization failure or a deadlock, Update runs fn again in a new
// transaction, up to [WithMaxAttempts] times in all.
//
// Update returns after the commit is durable (flushed to the WAL on disk,
// and to synchronous standbys where configured); see the package doc for how
// that durability wait is shared among concurrent writers. As with any
// database, when the connection fails after the commit was sent, Update
// cannot know whether it took effect, and returns an error.
func (s *Store) Update(ctx context.Context, fn func(ctx context.Context, tx store.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := s.run(ctx, false, fn)
		if attempt >= s.attempts || !retryable(err) {
			return err
		}
	}
}

// View runs fn in a read-only transaction at REPEATABLE READ: every read
// sees one consistent snapshot of the database. Writes through its Tx give
// [store.ErrReadOnly].
func (s *Store) View(ctx context.Context, fn func(ctx context.Context, tx store.Tx) error) error {
	return s.run(ctx, true, fn)
}

// rollbackTimeout bounds the ROLLBACK sent after a failed unit of work, which
// must not depend on the caller's (perhaps cancelled) context.
const rollbackTimeout = 5 * time.Second

// run runs fn in one transaction on one pooled connection.
func (s *Store) run(ctx context.Context, readOnly bool, fn func(ctx context.Context, tx store.Tx) error) (err error) {
	if s.closed.Load() {
		return store.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return s.fail(ctx, err)
	}
	// Release returns the connection to the pool only when it is idle
	// outside a transaction; a connection that failed mid-way is closed.
	defer conn.Release()
	t := &tx{s: s, conn: conn, readOnly: readOnly}
	committed := false
	defer func() {
		if !committed { // an error, a panic, a cancelled ctx or a failed commit
			t.rollback()
		}
	}()
	if err := fn(ctx, t); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := t.commit(ctx); err != nil {
		return err
	}
	committed = true
	return nil
}

// retryable reports whether err is a transaction abort that a new attempt
// may not meet: a serialization failure or a detected deadlock.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// fail maps a database error with sqlkit.MapError: the context's error when
// ctx is done (pgx reports a closed connection otherwise), [store.ErrClosed]
// when the store was closed, an iso20000.ConflictError for a unique
// violation, an iso20000.ValidationError for data PostgreSQL refuses to store
// (such as a NUL character in text), and err wrapped with the package name
// otherwise.
func (s *Store) fail(ctx context.Context, err error) error {
	return sqlkit.MapError(ctx, s.closed.Load(), "postgres", err, classify)
}

// classify returns the typed error, joined with err, of the PostgreSQL
// errors that have one.
func classify(err error) error {
	var pe *pgconn.PgError
	switch {
	case !errors.As(err, &pe):
	case pe.Code == "23505": // unique_violation
		return errors.Join(&iso20000.ConflictError{}, err)
	case strings.HasPrefix(pe.Code, "22"): // data exception
		return errors.Join(&iso20000.ValidationError{Field: "value", Reason: pe.Message}, err)
	}
	return err
}

package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/internal/sqlkit"

	sqlitedrv "modernc.org/sqlite" // registers the "sqlite" database/sql driver
	sqlite3 "modernc.org/sqlite/lib"
)

// DriverName is the database/sql name of the modernc.org/sqlite driver,
// whose connections the store uses. Tools may open a store's file with it
// to inspect the tables (records, counters, audit) while the store runs.
const DriverName = "sqlite"

// Defaults of the options.
const (
	DefaultBusyTimeout = 5 * time.Second
	DefaultMaxReaders  = 4
)

// Option configures [Open].
type Option func(*config)

type config struct {
	busyTimeout time.Duration
	maxReaders  int
	logger      *slog.Logger
	// background is whether checkpoints run off the commit path.
	background bool
}

// WithBusyTimeout sets how long a connection waits for a lock held by another
// connection (another process writing to the same file, or a checkpoint)
// before giving up with an error. The default is [DefaultBusyTimeout].
func WithBusyTimeout(d time.Duration) Option {
	return func(c *config) { c.busyTimeout = d }
}

// WithMaxReaders sets the number of read-only connections that serve
// [Store.View] and the trail's reads concurrently; more readers wait for one
// to be free (or for their context to end). A View holds its connection
// until fn returns, and an iteration of [Trail.Entries] until it stops. The
// default is [DefaultMaxReaders]; values below 1 are taken as 1.
func WithMaxReaders(n int) Option {
	return func(c *config) { c.maxReaders = max(n, 1) }
}

// WithBackgroundCheckpoints sets whether WAL checkpoints run in a goroutine
// of the store, on a connection of their own, rather than in the commit that
// finds the WAL past SQLite's threshold (1,000 pages), which then takes
// several times as long as the others. The writer wakes the goroutine each
// 1,000 pages it writes to the WAL; should its checkpoints fall behind or be
// unable to complete (a long-lived reader snapshot), the writer checkpoints
// after its commit once it wrote ten times as many, so the WAL stays bounded.
// Durability is the same either way. The default is on.
func WithBackgroundCheckpoints(on bool) Option {
	return func(c *config) { c.background = on }
}

// WithLogger sets the logger that reports schema migrations. By default the
// store logs nothing.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}

// Store is a [store.Store] kept in an SQLite database file. It is safe for
// concurrent use; see the package doc for its concurrency model.
type Store struct {
	path   string
	writer *pool // one connection, BEGIN IMMEDIATE: holding it is the turn to write
	reader *pool // query_only connections
	trail  *Trail
	cp     *checkpointer // nil without background checkpoints
	closed atomic.Bool
	// head is the trail head the last committed append left.
	head headCache
	// keys are the stored keys of records that committed transactions read
	// or wrote.
	keys keyCache
}

var _ store.Store = (*Store)(nil)

// Open opens the store kept in the SQLite database file at path, creating the
// file and its schema when they do not exist (the directory must exist) and
// migrating an older schema to the current one. Every connection runs with
// WAL journaling, the busy timeout, synchronous=NORMAL and foreign keys on.
// The path is a file name, not a URI: any characters may appear in it.
//
// An empty path or ":memory:" gives an iso20000.ValidationError: the store is
// a file. A database whose schema is newer than this code gives an error
// wrapping [ErrSchemaTooNew]. The context bounds the opening and migration
// only.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	cfg := config{busyTimeout: DefaultBusyTimeout, maxReaders: DefaultMaxReaders, background: true}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if path == "" || path == ":memory:" {
		return nil, &iso20000.ValidationError{Field: "path", Reason: "must name a database file"}
	}
	writerDSN := dsn(path, cfg, false)
	db, err := sql.Open(DriverName, writerDSN)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if err := connect(ctx, db, cfg.busyTimeout); err != nil {
		return nil, fmt.Errorf("sqlite: opening %s: %w", path, err)
	}
	if err := migrate(ctx, db, cfg.logger); err != nil {
		return nil, fmt.Errorf("sqlite: opening %s: %w", path, err)
	}
	s := &Store{
		path:   path,
		writer: newPool(db.Driver(), writerDSN, 1),
		reader: newPool(db.Driver(), dsn(path, cfg, true), cfg.maxReaders),
	}
	s.trail = &Trail{s: s}
	if cfg.background {
		s.cp = newCheckpointer(db.Driver(), writerDSN)
	}
	return s, nil
}

// connect opens db's first connection, retrying while SQLite answers
// SQLITE_BUSY, until the busy timeout passes or ctx ends. The connection's
// journal_mode(WAL) pragma reads a new file's header and then rewrites it;
// when processes convert the same new file at once, SQLite ends all but one
// of those read-then-write upgrades with SQLITE_BUSY at once (waiting would
// deadlock) instead of calling the busy handler. A retry sees the file in
// WAL mode and has nothing to write.
func connect(ctx context.Context, db *sql.DB, busyTimeout time.Duration) error {
	deadline := time.Now().Add(busyTimeout)
	pause := time.Millisecond
	for {
		err := db.PingContext(ctx)
		if err == nil || !isBusy(err) || time.Now().Add(pause).After(deadline) {
			return err
		}
		t := time.NewTimer(pause)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
		pause = min(2*pause, 50*time.Millisecond)
	}
}

// isBusy reports whether err is SQLite's SQLITE_BUSY (or one of its extended
// codes).
func isBusy(err error) bool {
	var e *sqlitedrv.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_BUSY
}

// dsn returns the modernc.org/sqlite data source name of a writer or reader
// connection to the file at path. _txlock=immediate makes database/sql begin
// the migrations' transactions with BEGIN IMMEDIATE; the store's own
// transactions begin with prepared statements (see conn.begin).
func dsn(path string, cfg config, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.FormatInt(cfg.busyTimeout.Milliseconds(), 10)+")")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		if cfg.background {
			q.Add("_pragma", "wal_autocheckpoint(0)")
		}
		q.Set("_txlock", "immediate")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Path returns the path of the database file.
func (s *Store) Path() string { return s.path }

// Trail returns the store's audit trail, the one [store.Tx.Append] writes to.
func (s *Store) Trail() audit.Trail { return s.trail }

// Close closes the database connections; those in use by a transaction or
// an iteration close when it ends. Calls after the first return nil; every
// other use of a closed store gives [store.ErrClosed].
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	if s.cp != nil {
		s.cp.close()
	}
	return errors.Join(s.reader.close(), s.writer.close())
}

// Update runs fn in a read-write transaction (BEGIN IMMEDIATE) and commits it
// when fn returns nil. It rolls back when fn returns an error or panics (the
// panic goes on after the rollback) or when ctx is done, and then returns
// fn's error or ctx's. Writers take turns: see the package doc.
func (s *Store) Update(ctx context.Context, fn func(ctx context.Context, tx store.Tx) error) error {
	return s.run(ctx, false, fn)
}

// View runs fn in a read-only transaction that sees one consistent snapshot of
// the database. Writes through its Tx give [store.ErrReadOnly]. Views run
// concurrently with each other and with the writer.
func (s *Store) View(ctx context.Context, fn func(ctx context.Context, tx store.Tx) error) error {
	return s.run(ctx, true, fn)
}

func (s *Store) run(ctx context.Context, readOnly bool, fn func(ctx context.Context, tx store.Tx) error) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	p := s.writer
	if readOnly {
		p = s.reader
	}
	c, err := p.get(ctx)
	if err != nil {
		return s.fail(ctx, err)
	}
	defer p.put(c)
	if err := c.begin(ctx, !readOnly); err != nil {
		return s.fail(ctx, err)
	}
	done := false
	t := &tx{s: s, c: c, readOnly: readOnly}
	defer func() {
		if !done { // an error or a panic
			c.rollback()
		}
		c.forget(t.known)
	}()
	if err := fn(ctx, t); err != nil {
		return err
	}
	if t.err != nil {
		return t.err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	done = true // a failed COMMIT rolls back
	if err := c.commit(); err != nil {
		return s.fail(ctx, err)
	}
	if t.appended {
		s.head.advance(t.head)
	}
	if !readOnly {
		s.keys.commit(t.known, t.deleted)
		if s.cp != nil {
			s.cp.committed(c)
		}
	}
	return nil
}

// fail maps a database error with sqlkit.MapError: the context's error when
// ctx is done (SQLite reports an interrupted statement otherwise),
// [store.ErrClosed] when the store was closed meanwhile, and err wrapped with
// the package name otherwise.
func (s *Store) fail(ctx context.Context, err error) error {
	return sqlkit.MapError(ctx, s.closed.Load(), "sqlite", err, nil)
}

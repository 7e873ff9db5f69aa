package sqlite

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"sync"

	"github.com/servicekit/iso20000/store"
)

// The store talks to SQLite through the database/sql/driver interfaces of
// modernc.org/sqlite, not through database/sql: its transactions are short
// and run a handful of prepared statements each, and with the pool,
// statement and row bookkeeping of database/sql a unit of work took about
// twice as long (measured with BenchmarkUnitOfWork). It keeps two pools of
// its own instead: the writer (one connection, so holding it is holding the
// turn to write) and the readers. Only the migrations use database/sql.

// maxCachedSQL bounds the statements a connection keeps prepared for SQL
// made at run time (lists and updates): their number is bounded by the
// combinations of filters and of changed keys, far below it in practice.
const maxCachedSQL = 512

// conn is one SQLite connection, used by one goroutine at a time: the one
// that took it from its pool.
type conn struct {
	c      driver.Conn
	stmts  [numStmts]driver.Stmt    // the fixed statements, prepared on first use
	cached map[string]driver.Stmt   // run-time SQL, prepared on first use
	update [numKeyMasks]driver.Stmt // the updateSQL statements, prepared on first use
	args   []driver.NamedValue      // reused for each statement's arguments
	values []any                    // reused to gather a statement's arguments
	known  map[recordRef]storedKeys // reused as tx.known
}

// stmt returns the fixed statement id, preparing it on first use.
func (c *conn) stmt(ctx context.Context, id stmtID) (driver.Stmt, error) {
	return c.prepared(ctx, &c.stmts[id], stmtSQL[id])
}

// updateStmt returns the statement of updateSQL[m], preparing it on first use.
func (c *conn) updateStmt(ctx context.Context, m keyMask) (driver.Stmt, error) {
	return c.prepared(ctx, &c.update[m], updateSQL[m])
}

// prepared returns the statement in slot, first preparing query into it
// when it is empty.
func (c *conn) prepared(ctx context.Context, slot *driver.Stmt, query string) (driver.Stmt, error) {
	if *slot != nil {
		return *slot, nil
	}
	st, err := c.c.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	*slot = st
	return st, nil
}

// stmtSQL returns a statement of SQL made at run time, prepared on first use.
func (c *conn) stmtSQL(ctx context.Context, query string) (driver.Stmt, error) {
	if st, ok := c.cached[query]; ok {
		return st, nil
	}
	st, err := c.c.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if len(c.cached) >= maxCachedSQL {
		c.closeCached()
	}
	if c.cached == nil {
		c.cached = make(map[string]driver.Stmt)
	}
	c.cached[query] = st
	return st, nil
}

// maxReusedKnown bounds the records a reused tx.known map may have held:
// clearing a map costs its capacity, however few entries it holds after.
const maxReusedKnown = 64

// forget empties known, the tx.known of the transaction that ended, for the
// next one, or drops it when it grew large.
func (c *conn) forget(known map[recordRef]storedKeys) {
	if len(known) > maxReusedKnown {
		c.known = nil
	} else {
		clear(known)
	}
}

// namedArgs converts args to the driver's form, reusing one slice.
func (c *conn) namedArgs(args []any) []driver.NamedValue {
	c.args = c.args[:0]
	for i, a := range args {
		c.args = append(c.args, driver.NamedValue{Ordinal: i + 1, Value: a})
	}
	return c.args
}

// exec runs st with args and returns the number of rows it changed.
func (c *conn) exec(ctx context.Context, st driver.Stmt, args ...any) (int64, error) {
	res, err := st.(driver.StmtExecContext).ExecContext(ctx, c.namedArgs(args))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// query runs st with args. The caller closes the rows.
func (c *conn) query(ctx context.Context, st driver.Stmt, args ...any) (driver.Rows, error) {
	return st.(driver.StmtQueryContext).QueryContext(ctx, c.namedArgs(args))
}

// queryRow runs st with args and reads its first row into dest; it reports
// false when there is none.
func (c *conn) queryRow(ctx context.Context, st driver.Stmt, dest []driver.Value, args ...any) (bool, error) {
	rows, err := c.query(ctx, st, args...)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	return next(rows, dest)
}

// begin begins a transaction: BEGIN IMMEDIATE for a writer, which waits for
// the write lock (under the busy timeout, or until ctx ends), BEGIN for a
// reader. Transaction control runs as prepared statements too.
func (c *conn) begin(ctx context.Context, write bool) error {
	id := stBeginRead
	if write {
		id = stBeginWrite
	}
	st, err := c.stmt(ctx, id)
	if err == nil {
		_, err = c.exec(ctx, st)
	}
	if err != nil {
		c.rollback() // in case the BEGIN took effect before ctx ended
	}
	return err
}

// commit commits the transaction, or rolls it back when that fails. It
// does not watch a context: the caller checked it just before, and in WAL
// mode a COMMIT waits for no lock.
func (c *conn) commit() error {
	st, err := c.stmt(context.Background(), stCommit)
	if err == nil {
		_, err = c.exec(context.Background(), st)
	}
	if err != nil {
		c.rollback()
	}
	return err
}

// rollback rolls the transaction back, if there is one.
func (c *conn) rollback() {
	if st, err := c.stmt(context.Background(), stRollback); err == nil {
		c.exec(context.Background(), st) // fails only when no transaction is active
	}
}

// next reads the next row into dest; it reports false after the last.
func next(rows driver.Rows, dest []driver.Value) (bool, error) {
	switch err := rows.Next(dest); err {
	case nil:
		return true, nil
	case io.EOF:
		return false, nil
	default:
		return false, err
	}
}

func (c *conn) closeCached() {
	for _, st := range c.cached {
		st.Close()
	}
	clear(c.cached)
}

func (c *conn) close() error {
	for _, st := range append(c.stmts[:], c.update[:]...) {
		if st != nil {
			st.Close()
		}
	}
	c.closeCached()
	return c.c.Close()
}

// pool is a set of at most max connections opened on demand with one DSN.
// Taking a connection waits, or ends with the context; a pool of one is a
// lock that a context can give up waiting for.
type pool struct {
	drv   driver.Driver
	dsn   string
	idle  chan *conn    // connections not in use
	slots chan struct{} // one token per open connection

	mu     sync.Mutex
	closed bool
}

func newPool(drv driver.Driver, dsn string, max int) *pool {
	return &pool{drv: drv, dsn: dsn, idle: make(chan *conn, max), slots: make(chan struct{}, max)}
}

// get takes an idle connection, opens a new one if the pool has room, or
// waits for one to be put back.
func (p *pool) get(ctx context.Context) (*conn, error) {
	if p.isClosed() {
		return nil, store.ErrClosed
	}
	select {
	case c := <-p.idle:
		return p.checked(c)
	default:
	}
	select {
	case c := <-p.idle:
		return p.checked(c)
	case p.slots <- struct{}{}:
		dc, err := p.drv.Open(p.dsn)
		if err != nil {
			<-p.slots
			return nil, err
		}
		return p.checked(&conn{c: dc})
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// checked returns c, unless the pool was closed meanwhile.
func (p *pool) checked(c *conn) (*conn, error) {
	if p.isClosed() {
		p.discard(c)
		return nil, store.ErrClosed
	}
	return c, nil
}

func (p *pool) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

// put gives c back; after Close it closes c instead.
func (p *pool) put(c *conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		p.discard(c)
		return
	}
	p.idle <- c // never blocks: there are at most cap(idle) connections
}

func (p *pool) discard(c *conn) {
	c.close()
	<-p.slots
}

// close closes the idle connections and marks the pool closed: connections
// in use are closed when they are put back.
func (p *pool) close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	var errs []error
	for {
		select {
		case c := <-p.idle:
			errs = append(errs, c.close())
			<-p.slots
		default:
			return errors.Join(errs...)
		}
	}
}

package store

import (
	"container/list"
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"reflect"

	"modernc.org/sqlite"
)

// SQLite compiles every statement it runs. database/sql's QueryContext and
// ExecContext on a pool or a Tx hand the driver the SQL text each time, and
// modernc.org/sqlite prepares it anew: on the workflow's hot path that was
// four tenths of the CPU, spent in SQLite's parser. The store's queries and
// the job queue's (River passes its own *sql.Tx and pool) are fixed texts,
// so each connection keeps the statements it compiled, keyed by their text,
// and runs them again after a reset.
//
// The cache lives on the driver connection, which database/sql hands to one
// goroutine at a time (a pool's connection, or the one a Tx holds), so it
// needs no lock and follows transactions for free. A statement whose rows
// are still open is not lent out twice: a second query with the same text
// meanwhile (a query inside a loop over the first's rows) is prepared on its
// own as before. Statements whose run failed are dropped, not reused. SQLite
// re-prepares a statement by itself when the schema changed
// (sqlite3_prepare_v2), so a migration needs nothing.
//
// PostgreSQL needs none of this: pgx's stdlib connections cache prepared
// statements per connection by default (QueryExecModeCacheStatement).

// stmtCacheSize bounds the statements kept per connection: a few more than
// the distinct texts of the hot paths, so queries built with a varying
// number of placeholders only push out each other.
const stmtCacheSize = 256

// openSQLite is sql.Open("sqlite", dsn) with a statement cache on every
// connection.
func openSQLite(dsn string) (*sql.DB, error) { return openSQLiteCache(dsn, stmtCacheSize) }

func openSQLiteCache(dsn string, size int) (*sql.DB, error) {
	inner, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(&cachingConnector{inner: inner, size: size}), nil
}

type cachingConnector struct {
	inner driver.Connector
	size  int
}

func (c *cachingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	sc, ok := conn.(sqliteConn)
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("store: the SQLite driver's connection (%T) lacks a method the statement cache needs", conn)
	}
	return &cachingConn{inner: sc, size: c.size, byText: map[string]*list.Element{}, lru: list.New()}, nil
}

func (c *cachingConnector) Driver() driver.Driver { return c.inner.Driver() }

// sqliteConn is what modernc.org/sqlite's connection offers database/sql.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

type cachedStmt struct {
	text  string
	stmt  sqliteStmt
	inUse bool // rows from it are open
}

type sqliteStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

// cachingConn keeps up to size prepared statements, least recently used
// first out.
type cachingConn struct {
	inner  sqliteConn
	size   int
	byText map[string]*list.Element // of *cachedStmt
	lru    *list.List               // front: most recently used
}

var _ sqliteConn = (*cachingConn)(nil)

// take returns the cached statement for text, preparing and caching it when
// missing; nil when it is busy or cannot be cached (the caller then runs the
// text uncached).
func (c *cachingConn) take(ctx context.Context, text string) *cachedStmt {
	if e, ok := c.byText[text]; ok {
		cs := e.Value.(*cachedStmt)
		if cs.inUse {
			return nil
		}
		c.lru.MoveToFront(e)
		return cs
	}
	ds, err := c.inner.PrepareContext(ctx, text)
	if err != nil {
		return nil // the uncached run reports the error
	}
	s, ok := ds.(sqliteStmt)
	if !ok {
		ds.Close()
		return nil
	}
	cs := &cachedStmt{text: text, stmt: s}
	c.byText[text] = c.lru.PushFront(cs)
	for c.lru.Len() > c.size {
		c.drop(c.lru.Back())
	}
	return cs
}

// drop closes and forgets a cached statement that is not in use; one in use
// is closed when its rows are.
func (c *cachingConn) drop(e *list.Element) {
	cs := e.Value.(*cachedStmt)
	c.lru.Remove(e)
	delete(c.byText, cs.text)
	if !cs.inUse {
		cs.stmt.Close()
	}
}

func (c *cachingConn) forget(cs *cachedStmt) {
	if e, ok := c.byText[cs.text]; ok && e.Value == cs {
		c.drop(e)
	}
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	cs := c.take(ctx, query)
	if cs == nil {
		return c.inner.ExecContext(ctx, query, args)
	}
	cs.inUse = true
	res, err := cs.stmt.ExecContext(ctx, args)
	cs.inUse = false
	if err != nil {
		c.forget(cs)
	}
	return res, err
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cs := c.take(ctx, query)
	if cs == nil {
		return c.inner.QueryContext(ctx, query, args)
	}
	cs.inUse = true
	rows, err := cs.stmt.QueryContext(ctx, args)
	if err != nil {
		cs.inUse = false
		c.forget(cs)
		return nil, err
	}
	return &cachedRows{Rows: rows, c: c, cs: cs}, nil
}

func (c *cachingConn) Close() error {
	for e := c.lru.Front(); e != nil; e = e.Next() {
		e.Value.(*cachedStmt).stmt.Close()
	}
	c.lru.Init()
	clear(c.byText)
	return c.inner.Close()
}

// The rest is the inner connection's.

func (c *cachingConn) Prepare(query string) (driver.Stmt, error) { return c.inner.Prepare(query) }

func (c *cachingConn) Begin() (driver.Tx, error) { return c.inner.Begin() }
func (c *cachingConn) BeginTx(ctx context.Context, o driver.TxOptions) (driver.Tx, error) {
	return c.inner.BeginTx(ctx, o)
}
func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.inner.PrepareContext(ctx, query)
}
func (c *cachingConn) Ping(ctx context.Context) error         { return c.inner.Ping(ctx) }
func (c *cachingConn) ResetSession(ctx context.Context) error { return c.inner.ResetSession(ctx) }
func (c *cachingConn) IsValid() bool                          { return c.inner.IsValid() }

// cachedRows gives the statement back when the rows are closed.
type cachedRows struct {
	driver.Rows
	c      *cachingConn
	cs     *cachedStmt
	closed bool
}

func (r *cachedRows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	err := r.Rows.Close()
	r.cs.inUse = false
	if _, cached := r.c.byText[r.cs.text]; !cached {
		r.cs.stmt.Close() // pushed out while the rows were open
	} else if err != nil {
		r.c.forget(r.cs)
	}
	return err
}

// Column types, as the inner rows report them (sql.Rows.ColumnTypes).

func (r *cachedRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}

func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *cachedRows) ColumnTypeLength(i int) (int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeLength); ok {
		return t.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *cachedRows) ColumnTypeNullable(i int) (bool, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *cachedRows) ColumnTypePrecisionScale(i int) (int64, int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypePrecisionScale); ok {
		return t.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}

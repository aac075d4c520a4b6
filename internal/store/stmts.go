package store

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache holds a prepared statement per query text. On SQLite, preparing
// (parsing and planning) was more than half of the CPU time of a primary-key
// read, so the queries the hot paths run are prepared once and reused;
// database/sql re-prepares a statement on each pooled connection as needed.
// pgx already caches prepared statements per connection on its own, so
// PostgreSQL goes without this cache.
type stmtCache struct {
	m sync.Map // query text → *sql.Stmt
}

// queryRow runs a read that returns at most one row, prepared on SQLite. The
// caller must Scan the row, which gives its reader back.
//
// On SQLite the statement runs without ctx's cancellation: for a cancellable
// context, modernc.org/sqlite and database/sql each start a goroutine per
// statement to watch it, which was 18 % of a me request's time
// (BenchmarkMe/sqlite), while these reads are lookups by primary key or
// unique index that take microseconds, and an interrupt would not stop a
// stalled disk anyway. ctx still bounds the wait for a reader (readSlots),
// and a call whose ctx has ended does not start.
func (db *DB) queryRow(ctx context.Context, query string, args ...any) rowScanner {
	if db.readSlots == nil {
		return db.row(ctx, db.db, &db.stmts, query, args)
	}
	if err := ctx.Err(); err != nil {
		return errRow{err}
	}
	select {
	case db.readSlots <- struct{}{}:
	case <-ctx.Done():
		return errRow{ctx.Err()}
	}
	return slotRow{db.row(context.WithoutCancel(ctx), db.db, &db.stmts, query, args), db.readSlots}
}

// rowScanner is a *sql.Row, or what stands for one.
type rowScanner interface {
	Scan(dest ...any) error
}

// slotRow is a row that gives its slot back once scanned.
type slotRow struct {
	*sql.Row
	slots chan struct{}
}

func (r slotRow) Scan(dest ...any) error {
	defer func() { <-r.slots }()
	return r.Row.Scan(dest...)
}

// errRow is a row that was never queried.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// writeRow runs a write that returns at most one row (RETURNING), prepared
// on SQLite.
func (db *DB) writeRow(ctx context.Context, query string, args ...any) *sql.Row {
	return db.row(ctx, db.w, &db.wstmts, query, args)
}

func (db *DB) row(ctx context.Context, pool *sql.DB, c *stmtCache, query string, args []any) *sql.Row {
	if st := db.stmt(ctx, pool, c, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return pool.QueryRowContext(ctx, query, args...)
}

// stmt returns the prepared statement of query on pool, or nil when
// statements are not cached or it cannot be prepared (say, before migrations
// created its table): the caller then runs the plain query, which reports
// the error.
func (db *DB) stmt(ctx context.Context, pool *sql.DB, c *stmtCache, query string) *sql.Stmt {
	if !db.d.prepare {
		return nil
	}
	if st, ok := c.m.Load(query); ok {
		return st.(*sql.Stmt)
	}
	st, err := pool.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	if prev, loaded := c.m.LoadOrStore(query, st); loaded {
		st.Close() // another caller prepared it first
		return prev.(*sql.Stmt)
	}
	return st
}

// close closes every cached statement.
func (c *stmtCache) close() {
	c.m.Range(func(query, st any) bool {
		st.(*sql.Stmt).Close()
		c.m.Delete(query)
		return true
	})
}

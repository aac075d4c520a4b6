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

// queryRow runs a read that returns at most one row, prepared on SQLite.
func (db *DB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return db.row(ctx, db.db, &db.stmts, query, args)
}

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

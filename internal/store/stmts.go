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

// scanRow runs a read that returns at most one row into dest, prepared on
// SQLite.
//
// On SQLite the statement runs without ctx's cancellation: for a cancellable
// context, modernc.org/sqlite and database/sql each start a goroutine per
// statement to watch it, which was 10-15 % of a me request's time
// (BenchmarkMe/sqlite), while these reads are lookups by primary key or
// unique index that take microseconds, and an interrupt would not stop a
// stalled disk anyway. ctx still bounds the wait for a reader (takeReader),
// and a call whose ctx has ended does not start.
func (db *DB) scanRow(ctx context.Context, dest []any, query string, args ...any) error {
	release, err := db.takeReader(ctx)
	if err != nil {
		return err
	}
	defer release()
	if db.readSlots != nil {
		ctx = context.WithoutCancel(ctx)
	}
	return db.row(ctx, db.db, &db.stmts, query, args).Scan(dest...)
}

// takeReader waits, until ctx ends, for a connection of the read pool to be
// free, and holds it for the caller until release. Every use of db.db goes
// through it, so that a read that holds a token finds a connection at once
// and database/sql never queues it, which scanRow's uncancellable context
// could not leave. On PostgreSQL, where statements keep their context,
// database/sql's own queue does this.
func (db *DB) takeReader(ctx context.Context) (release func(), err error) {
	if db.readSlots == nil {
		return func() {}, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	select {
	case db.readSlots <- struct{}{}:
		return func() { <-db.readSlots }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// scanWrite runs a write that returns at most one row (RETURNING) into dest,
// prepared on SQLite, and returns sql.ErrNoRows when it returns none.
//
// It steps the statement to its end before closing it, which sql.Row.Scan
// does not. On SQLite, a write ended by a reset instead commits without
// calling the WAL hook, and that hook is what runs the autocheckpoint: with
// refreshes (an UPDATE ... RETURNING) as the only writes, the log was never
// checkpointed and grew by a page per refresh (TestWritesRunAutocheckpoint).
func (db *DB) scanWrite(ctx context.Context, dest []any, query string, args ...any) error {
	var (
		rows *sql.Rows
		err  error
	)
	if st := db.stmt(ctx, db.w, &db.wstmts, query); st != nil {
		rows, err = st.QueryContext(ctx, args...)
	} else {
		rows, err = db.w.QueryContext(ctx, query, args...)
	}
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	for rows.Next() {
		// At most one row; the loop only steps to the end.
	}
	return rows.Err()
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

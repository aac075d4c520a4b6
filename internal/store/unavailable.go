package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/authapi/authapi/internal/auth"
)

// DefaultQueryTimeout bounds each store call (all its queries together), so
// that a database that stops answering turns into a quick 503 rather than a
// request that hangs.
const DefaultQueryTimeout = 2 * time.Second

// SetQueryTimeout changes the deadline of each store call; 0 or less means no
// deadline beyond the caller's context. Call it before the DB is used.
func (db *DB) SetQueryTimeout(d time.Duration) {
	db.timeout = d
}

// bound gives a store call its deadline.
func (db *DB) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if db.timeout <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, db.timeout)
}

// check marks err with auth.ErrUnavailable when it says the database could not
// be reached or did not answer in time, and returns other errors unchanged.
func check(err error) error {
	if err == nil || errors.Is(err, auth.ErrUnavailable) || !unavailable(err) {
		return err
	}
	return fmt.Errorf("%w: %w", auth.ErrUnavailable, err)
}

// unavailable reports whether err is a passing failure of the connection
// rather than of the statement: refused or reset connections, the server
// shutting down or starting up, too many connections, a deadline, SQLite busy
// beyond its timeout. Constraint violations and no-rows are not.
func unavailable(err error) bool {
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return true
	case pgconn.Timeout(err):
		return true
	}
	var (
		netErr     net.Error
		connectErr *pgconn.ConnectError
		pgErr      *pgconn.PgError
		sqliteErr  *sqlite.Error
	)
	switch {
	case errors.As(err, &netErr), errors.As(err, &connectErr):
		return true
	case errors.As(err, &pgErr):
		return pgUnavailable(pgErr.Code)
	case errors.As(err, &sqliteErr):
		primary := sqliteErr.Code() & 0xff
		return primary == sqlite3.SQLITE_BUSY || primary == sqlite3.SQLITE_LOCKED
	}
	return false
}

// pgUnavailable reports whether a PostgreSQL error code means the server
// cannot serve now: class 08 (connection exception), admin or crash shutdown,
// still starting up, or out of connections.
func pgUnavailable(code string) bool {
	if len(code) == 5 && code[:2] == "08" {
		return true
	}
	switch code {
	case "57P01", "57P02", "57P03", "53300", "53400":
		return true
	}
	return false
}

// Package store is the one SQL implementation of auth.Store, over PostgreSQL
// (pgx) and SQLite (modernc.org/sqlite). The queries are written once; a small
// dialect value covers where the two engines differ.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/authapi/authapi/internal/auth"
)

var _ auth.Store = (*DB)(nil)

// DB is a PostgreSQL or SQLite database holding users and sessions. It is safe
// for concurrent use, also by several processes sharing one database.
type DB struct {
	// db runs reads, w writes. On PostgreSQL they are the same pool. On
	// SQLite, which lets one connection write at a time, w has a single
	// connection: writers queue in Go and each gets the lock at once, where
	// several writing connections would take turns through SQLite's busy
	// handler, which sleeps up to 100 ms between tries while holding a
	// pooled connection that reads could have used. db's connections are
	// opened query_only, so a write sent to the wrong pool fails loudly.
	db, w *sql.DB
	d     dialect
	// sqlitePath is the database file, used to lock migrations across
	// processes; empty for PostgreSQL, which has advisory locks instead.
	sqlitePath string
	stmts      stmtCache // prepared on db
	wstmts     stmtCache // prepared on w
	// readSlots holds one token per connection of db in use (takeReader),
	// so that scanRow's wait for a reader is bounded by the caller's
	// context while its statement is not; nil on PostgreSQL.
	readSlots chan struct{}
	// timeout bounds each store call (see SetQueryTimeout).
	timeout time.Duration
	// wal keeps SQLite's write-ahead log small (wal.go); nil on PostgreSQL.
	wal *walKeeper
}

// Open connects to the database named by dsn and pings it. A dsn starting with
// postgres:// or postgresql:// is a PostgreSQL connection URL; anything else is
// the path of a SQLite file, created (with its directory) if missing. Errors
// never contain the DSN's password.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return openPostgres(ctx, dsn)
	}
	return openSQLite(ctx, dsn)
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	secrets, err := dsnSecrets(dsn)
	if err != nil {
		// url.Parse errors quote the whole input, password included.
		return nil, errors.New("open postgres: dsn is not a valid URL")
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, redact(fmt.Errorf("open postgres: %w", err), secrets)
	}
	if cfg.ConnectTimeout == 0 {
		// A server that drops SYNs would otherwise hold each dial for the
		// kernel's retry time; the query deadline covers requests, this the rest.
		cfg.ConnectTimeout = DefaultQueryTimeout
	}
	db := stdlib.OpenDB(*cfg)
	// Every connection the pool may open is also kept when idle: with fewer
	// idle slots than open ones, each burst above the idle count closed
	// connections on release and opened new ones (a PostgreSQL backend
	// process each) a moment later, 3,562 in 20 s of the me load. Idle ones
	// still go after ConnMaxIdleTime.
	maxConns := 4 * runtime.GOMAXPROCS(0)
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	// Recycling connections lets a pooler or failover move us eventually.
	db.SetConnMaxLifetime(30 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, redact(fmt.Errorf("open postgres: %w", err), secrets)
	}
	return &DB{db: db, w: db, d: postgresDialect, timeout: DefaultQueryTimeout}, nil
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("open sqlite: empty path")
	}
	if path == ":memory:" {
		// Every pooled connection would get a database of its own.
		return nil, errors.New("open sqlite: in-memory databases are not supported, give a file path")
	}
	if strings.ContainsRune(path, '?') {
		// The driver would take the rest for connection parameters.
		return nil, fmt.Errorf("open sqlite %s: path contains '?'", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	// The file holds password hashes: create it readable by its owner only.
	// SQLite gives its -wal and -shm files the same mode.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	f.Close()
	// The writer first, so that its ping turns WAL on before any reader
	// opens. Idle connections are kept because opening one re-runs the
	// pragmas.
	w, err := openSQLitePool(ctx, path, 1, false)
	if err != nil {
		return nil, err
	}
	// A few readers run beside the writer (WAL: they never wait for it).
	readers := max(4, runtime.GOMAXPROCS(0))
	db, err := openSQLitePool(ctx, path, readers, true)
	if err != nil {
		w.Close()
		return nil, err
	}
	s := &DB{
		db: db, w: w, d: sqliteDialect, sqlitePath: path, timeout: DefaultQueryTimeout,
		readSlots: make(chan struct{}, readers),
	}
	s.keepWALSmall(walLimit, walCheckEvery)
	return s, nil
}

// openSQLitePool opens a pool of n connections to the SQLite file at path,
// refusing writes when readOnly.
func openSQLitePool(ctx context.Context, path string, n int, readOnly bool) (*sql.DB, error) {
	q := url.Values{}
	// busy_timeout first, so that the pragmas after it wait for a lock
	// instead of failing while another connection holds one. Within one
	// process the writer never waits for another writer; other processes
	// on the same file (migrate, a second instance) still can.
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	}
	// BEGIN IMMEDIATE takes the write lock up front, so that a writer of
	// another process queues on busy_timeout instead of failing when a read
	// lock cannot be upgraded.
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return db, nil
}

// Close closes the connection pools.
func (db *DB) Close() error {
	db.wal.stopWAL()
	db.stmts.close()
	db.wstmts.close()
	var werr error
	if db.w != db.db {
		werr = db.w.Close()
	}
	return errors.Join(db.db.Close(), werr)
}

// Ping checks that the database is reachable, within the call deadline.
func (db *DB) Ping(ctx context.Context) error {
	ctx, cancel := db.bound(ctx)
	defer cancel()
	release, err := db.takeReader(ctx)
	if err != nil {
		return fmt.Errorf("ping %s: %w", db.d.name, check(err))
	}
	defer release()
	if err := db.db.PingContext(ctx); err != nil {
		return fmt.Errorf("ping %s: %w", db.d.name, check(err))
	}
	return nil
}

// PoolStats reports the figures of each connection pool, for metrics, by
// name: "read" and "write" on SQLite, "read_write" on PostgreSQL.
func (db *DB) PoolStats() map[string]sql.DBStats {
	if db.w == db.db {
		return map[string]sql.DBStats{"read_write": db.db.Stats()}
	}
	return map[string]sql.DBStats{"read": db.db.Stats(), "write": db.w.Stats()}
}

// Dialect names the database engine: "postgres" or "sqlite".
func (db *DB) Dialect() string {
	return db.d.name
}

// dsnSecrets returns the password of a connection URL in every spelling an
// error might quote it in: decoded and as written.
func dsnSecrets(dsn string) ([]string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, err
	}
	var secrets []string
	if pw, ok := u.User.Password(); ok {
		_, raw, _ := strings.Cut(u.User.String(), ":")
		secrets = append(secrets, pw, raw)
	}
	if pw := u.Query().Get("password"); pw != "" {
		secrets = append(secrets, pw, url.QueryEscape(pw))
	}
	return secrets, nil
}

// redact hides secrets from err's message while keeping its chain for
// errors.Is and errors.As.
func redact(err error, secrets []string) error {
	for _, s := range secrets {
		if s != "" && strings.Contains(err.Error(), s) {
			return &redactedError{err: err, secrets: secrets}
		}
	}
	return err
}

type redactedError struct {
	err     error
	secrets []string
}

func (e *redactedError) Error() string {
	msg := e.err.Error()
	for _, s := range e.secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "xxxxx")
		}
	}
	return msg
}

func (e *redactedError) Unwrap() error { return e.err }

// Package storetest gives tests a fresh, empty database of each kind the
// machine offers: SQLite always, PostgreSQL when TEST_DATABASE_URL names a
// server the tests may create databases on.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver

	"github.com/authapi/authapi/internal/store"
)

// EnvDatabaseURL names the variable holding a PostgreSQL URL, such as
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable, whose user may
// create and drop databases.
const EnvDatabaseURL = "TEST_DATABASE_URL"

// The kinds of database, as Open and DSN take them.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Kinds returns the kinds of database available: SQLite always, PostgreSQL
// when TEST_DATABASE_URL is set.
func Kinds() []string {
	kinds := []string{SQLite}
	if os.Getenv(EnvDatabaseURL) != "" {
		kinds = append(kinds, Postgres)
	}
	return kinds
}

// Open returns a migrated store on a fresh database of kind ("sqlite" or
// "postgres"), closed when the test ends. PostgreSQL tests are skipped when
// TEST_DATABASE_URL is unset.
func Open(t testing.TB, kind string) *store.DB {
	t.Helper()
	db := OpenEmpty(t, kind)
	if err := db.MigrateUp(t.Context()); err != nil {
		t.Fatalf("migrate %s: %v", kind, err)
	}
	return db
}

// OpenEmpty is Open without the migrations.
func OpenEmpty(t testing.TB, kind string) *store.DB {
	t.Helper()
	db, err := store.Open(t.Context(), DSN(t, kind))
	if err != nil {
		t.Fatalf("open %s: %v", kind, err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close %s: %v", kind, err)
		}
	})
	return db
}

// DSN creates a fresh, empty database of kind and returns what store.Open
// takes to reach it: a file in t.TempDir() for SQLite; for PostgreSQL a new
// database on the TEST_DATABASE_URL server, dropped when the test ends. Tests
// that open it several times, as concurrent instances would, start here.
func DSN(t testing.TB, kind string) string {
	t.Helper()
	switch kind {
	case SQLite:
		return filepath.Join(t.TempDir(), "authapi.db")
	case Postgres:
		return postgresDSN(t)
	}
	t.Fatalf("storetest: unknown kind %q, want %q or %q", kind, SQLite, Postgres)
	return ""
}

func postgresDSN(t testing.TB) string {
	t.Helper()
	serverURL := os.Getenv(EnvDatabaseURL)
	if serverURL == "" {
		t.Skipf("%s not set", EnvDatabaseURL)
	}
	u, err := url.Parse(serverURL)
	if err != nil {
		// Not err: url errors quote the URL, password and all.
		t.Fatalf("%s is not a URL", EnvDatabaseURL)
	}
	admin, err := sql.Open("pgx", serverURL)
	if err != nil {
		t.Fatalf("open %s: %v", EnvDatabaseURL, err)
	}
	t.Cleanup(func() { admin.Close() })

	name := "authapi_test_" + randomSuffix()
	if _, err := admin.ExecContext(t.Context(), "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		// t.Context is already done when cleanups run. FORCE ends the
		// connections of a pool a failed test left open.
		_, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		if err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// randomSuffix is 16 lower-case hex digits: unique enough for concurrent test
// runs, and a valid unquoted identifier.
func randomSuffix() string {
	b := make([]byte, 8)
	rand.Read(b)
	return fmt.Sprintf("%x", b)
}

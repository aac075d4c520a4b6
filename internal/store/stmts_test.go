package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/authapi/authapi/internal/auth"
)

// openSQLiteTest opens a migrated SQLite store in a fresh directory, closed
// when the test ends.
func openSQLiteTest(t *testing.T) *DB {
	t.Helper()
	db, err := Open(t.Context(), filepath.Join(t.TempDir(), "authapi.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.MigrateUp(t.Context()); err != nil {
		t.Fatal(err)
	}
	return db
}

// On SQLite a read's statement ignores its context, but the wait for a reader
// does not: with every reader taken, each read fails as unavailable at its
// deadline instead of hanging, and goes through once a reader is free. Every
// use of the read pool takes a reader first, so that a read holding one never
// queues inside database/sql, where its context no longer reaches.
func TestReadWaitIsBounded(t *testing.T) {
	t.Parallel()
	db := openSQLiteTest(t)
	ctx, id, now := t.Context(), uuid.New(), time.Now()
	reads := map[string]func() error{
		"Session":     func() error { _, err := db.Session(ctx, id); return err },
		"SessionUser": func() error { _, err := db.SessionUser(ctx, id, id, now); return err },
		"RotateSession": func() error {
			_, err := db.RotateSession(ctx, auth.RotateRequest{SessionID: id, UserID: id})
			return err
		},
		"UserByEmail":    func() error { _, err := db.UserByEmail(ctx, "a@example.com"); return err },
		"UserByID":       func() error { _, err := db.UserByID(ctx, id); return err },
		"LoginThrottle":  func() error { _, err := db.LoginThrottle(ctx, "a@example.com", now); return err },
		"ActiveSessions": func() error { _, err := db.ActiveSessions(ctx, id, now); return err },
		"SchemaCurrent":  func() error { return db.SchemaCurrent(ctx) },
		"Ping":           func() error { return db.Ping(ctx) },
	}
	for range cap(db.readSlots) {
		db.readSlots <- struct{}{}
	}
	db.SetQueryTimeout(50 * time.Millisecond)
	for name, read := range reads {
		start := time.Now()
		if err := read(); !errors.Is(err, auth.ErrUnavailable) {
			t.Errorf("%s with every reader taken = %v, want ErrUnavailable", name, err)
		}
		if waited := time.Since(start); waited > 5*time.Second {
			t.Errorf("%s waited %v for a deadline of 50ms", name, waited)
		}
	}

	<-db.readSlots
	for name, read := range reads {
		if err := read(); errors.Is(err, auth.ErrUnavailable) {
			t.Errorf("%s with a reader free = %v", name, err)
		}
		if free := cap(db.readSlots) - len(db.readSlots); free != 1 {
			t.Fatalf("%d readers free after %s, want the 1 it took back", free, name)
		}
	}

	ended, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := db.UserByEmail(ended, "a@example.com"); !errors.Is(err, auth.ErrUnavailable) {
		t.Errorf("UserByEmail of a request that has ended = %v, want ErrUnavailable", err)
	}
}

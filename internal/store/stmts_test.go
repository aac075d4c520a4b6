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

// On SQLite a read's statement ignores its context, but the wait for a reader
// does not: with every reader taken, a read fails as unavailable at its
// deadline instead of hanging, and goes through once a reader is free.
func TestReadWaitIsBounded(t *testing.T) {
	t.Parallel()
	db, err := Open(t.Context(), filepath.Join(t.TempDir(), "authapi.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.MigrateUp(t.Context()); err != nil {
		t.Fatal(err)
	}
	for range cap(db.readSlots) {
		db.readSlots <- struct{}{}
	}
	db.SetQueryTimeout(50 * time.Millisecond)
	start := time.Now()
	if _, err := db.UserByID(t.Context(), uuid.New()); !errors.Is(err, auth.ErrUnavailable) {
		t.Fatalf("UserByID with every reader taken = %v, want ErrUnavailable", err)
	}
	if waited := time.Since(start); waited > 5*time.Second {
		t.Errorf("the read waited %v for a deadline of 50ms", waited)
	}

	<-db.readSlots
	if _, err := db.UserByID(t.Context(), uuid.New()); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("UserByID with a reader free = %v, want ErrNotFound", err)
	}
	if free := cap(db.readSlots) - len(db.readSlots); free != 1 {
		t.Errorf("%d readers free after the read, want the 1 it took back", free)
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := db.UserByEmail(ctx, "a@example.com"); !errors.Is(err, auth.ErrUnavailable) {
		t.Errorf("UserByEmail of a request that has ended = %v, want ErrUnavailable", err)
	}
}

package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/authapi/authapi/internal/auth"
	"github.com/authapi/authapi/internal/store/storetest"
)

// SchemaCurrent tells a migrated database from an empty one, and Stats
// reports the pool.
func TestSchemaCurrentAndStats(t *testing.T) {
	t.Parallel()
	for _, kind := range storetest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			empty := storetest.OpenEmpty(t, kind)
			if err := empty.SchemaCurrent(t.Context()); err == nil {
				t.Error("empty database reported current")
			}
			db := storetest.Open(t, kind)
			if err := db.SchemaCurrent(t.Context()); err != nil {
				t.Errorf("migrated database: %v", err)
			}
			if s := db.Stats(); s.MaxOpenConnections == 0 || s.OpenConnections == 0 {
				t.Errorf("Stats() = %+v", s)
			}
		})
	}
}

// A call past its deadline fails with auth.ErrUnavailable, not a bare error
// that would become a 500.
func TestQueryTimeoutIsUnavailable(t *testing.T) {
	t.Parallel()
	for _, kind := range storetest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			db := storetest.Open(t, kind)
			db.SetQueryTimeout(time.Nanosecond)
			_, err := db.UserByID(t.Context(), uuid.New())
			if !errors.Is(err, auth.ErrUnavailable) {
				t.Fatalf("UserByID past deadline: %v, want ErrUnavailable", err)
			}
			if err := db.Ping(t.Context()); !errors.Is(err, auth.ErrUnavailable) {
				t.Fatalf("Ping past deadline: %v, want ErrUnavailable", err)
			}
		})
	}
}

package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/authapi/authapi/internal/auth"
	"github.com/authapi/authapi/internal/keyring"
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
			want := map[string][]string{"sqlite": {"read", "write"}, "postgres": {"read_write"}}[kind]
			pools := db.PoolStats()
			if len(pools) != len(want) {
				t.Errorf("PoolStats() has %d pools, want %v", len(pools), want)
			}
			for _, name := range want {
				if s, ok := pools[name]; !ok || s.MaxOpenConnections == 0 || s.OpenConnections == 0 {
					t.Errorf("PoolStats()[%q] = %+v, %v", name, s, ok)
				}
			}
		})
	}
}

// Every store call past its deadline fails with auth.ErrUnavailable, not a
// bare error that would become a 500. A method added to auth.Store or
// keyring.Store belongs in this list, except maintenance (the prunes), which
// has no deadline.
func TestQueryTimeoutIsUnavailable(t *testing.T) {
	t.Parallel()
	for _, kind := range storetest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			db := storetest.Open(t, kind)
			db.SetQueryTimeout(time.Nanosecond)
			ctx, id, now := t.Context(), uuid.New(), time.Now()
			lock := func(int) time.Duration { return time.Minute }
			calls := map[string]func() error{
				"CreateUser":      func() error { return db.CreateUser(ctx, auth.User{ID: id, Email: "a@example.com"}) },
				"UserByEmail":     func() error { _, err := db.UserByEmail(ctx, "a@example.com"); return err },
				"UserByID":        func() error { _, err := db.UserByID(ctx, id); return err },
				"SetPasswordHash": func() error { return db.SetPasswordHash(ctx, id, "x", now) },
				"UpdateProfile":   func() error { _, err := db.UpdateProfile(ctx, id, auth.ProfileUpdate{}, now); return err },
				"ChangePassword":  func() error { return db.ChangePassword(ctx, id, "x", id, now) },
				"CreateSession":   func() error { return db.CreateSession(ctx, auth.Session{ID: id, UserID: id}) },
				"ActiveSessions":  func() error { _, err := db.ActiveSessions(ctx, id, now); return err },
				"SessionUser":     func() error { _, err := db.SessionUser(ctx, id, id, now); return err },
				"RotateSession": func() error {
					_, err := db.RotateSession(ctx, auth.RotateRequest{SessionID: id, UserID: id})
					return err
				},
				"RevokeSession": func() error { return db.RevokeSession(ctx, id, id, now) },
				"RevokeOthers":  func() error { _, err := db.RevokeOtherSessions(ctx, id, id, now); return err },
				"LoginThrottle": func() error { _, err := db.LoginThrottle(ctx, "a", now); return err },
				"RecordFailure": func() error { _, err := db.RecordLoginFailure(ctx, "a", now, now, lock); return err },
				"ClearFailures": func() error { return db.ClearLoginFailures(ctx, "a") },
				"SchemaCurrent": func() error { return db.SchemaCurrent(ctx) },
				"SigningKeys":   func() error { _, err := db.SigningKeys(ctx); return err },
				"AddSigningKey": func() error {
					return db.AddSigningKey(ctx, keyring.Record{ID: "kid", Seq: 1, Alg: "EdDSA", CreatedAt: now, ActiveFrom: now})
				},
				"SetSigningKeyPrivate": func() error { return db.SetSigningKeyPrivate(ctx, "kid", "") },
			}
			for name, call := range calls {
				if err := call(); !errors.Is(err, auth.ErrUnavailable) {
					t.Errorf("%s past its deadline: %v, want ErrUnavailable", name, err)
				}
			}
			if err := db.Ping(t.Context()); !errors.Is(err, auth.ErrUnavailable) {
				t.Fatalf("Ping past deadline: %v, want ErrUnavailable", err)
			}
		})
	}
}

package store_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/authapi/authapi/internal/auth"
	"github.com/authapi/authapi/internal/auth/authtest"
	"github.com/authapi/authapi/internal/store"
	"github.com/authapi/authapi/internal/store/storetest"
)

var _ authtest.Inspector = (*store.DB)(nil)

// TestContract runs the auth.Store contract on SQLite, and on PostgreSQL when
// TEST_DATABASE_URL is set.
func TestContract(t *testing.T) {
	t.Parallel()
	for _, kind := range storetest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			authtest.Run(t, func(t *testing.T) auth.Store { return storetest.Open(t, kind) })
		})
	}
}

// TestAdminMethods covers the methods beyond auth.Store.
func TestAdminMethods(t *testing.T) {
	t.Parallel()
	for _, kind := range storetest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			db := storetest.Open(t, kind)
			if got := db.Dialect(); got != kind {
				t.Errorf("Dialect() = %q, want %q", got, kind)
			}
			if err := db.Ping(ctx); err != nil {
				t.Errorf("Ping() = %v, want nil", err)
			}

			now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
			u := auth.User{
				ID: uuid.New(), Name: "Ada", Email: "ada@example.com", Photo: auth.DefaultPhoto,
				PasswordHash: "$argon2id$x", Role: auth.RoleUser, CreatedAt: now, UpdatedAt: now,
			}
			if err := db.CreateUser(ctx, u); err != nil {
				t.Fatalf("CreateUser() = %v, want nil", err)
			}
			for _, verified := range []bool{true, false} {
				if err := db.SetVerified(ctx, u.ID, verified); err != nil {
					t.Fatalf("SetVerified(%v) = %v, want nil", verified, err)
				}
				u.Verified = verified
				got, err := db.UserByID(ctx, u.ID)
				if err != nil {
					t.Fatalf("UserByID() = %v, want nil", err)
				}
				if diff := cmp.Diff(got, u); diff != "" {
					t.Errorf("UserByID() after SetVerified(%v) mismatch (-got +want):\n%s", verified, diff)
				}
			}

			sess := auth.Session{
				ID: uuid.New(), UserID: u.ID, RefreshJTI: uuid.New(),
				CreatedAt: now, LastUsedAt: now, ExpiresAt: now.Add(time.Hour),
			}
			if err := db.CreateSession(ctx, sess); err != nil {
				t.Fatalf("CreateSession() = %v, want nil", err)
			}
			if err := db.DeleteUser(ctx, u.ID); err != nil {
				t.Fatalf("DeleteUser() = %v, want nil", err)
			}
			if _, err := db.UserByID(ctx, u.ID); !errors.Is(err, auth.ErrNotFound) {
				t.Errorf("UserByID(deleted) = %v, want ErrNotFound", err)
			}
			if _, err := db.Session(ctx, sess.ID); !errors.Is(err, auth.ErrNotFound) {
				t.Errorf("Session(of deleted user) = %v, want ErrNotFound", err)
			}

			missing := uuid.New()
			if err := db.DeleteUser(ctx, missing); !errors.Is(err, auth.ErrNotFound) {
				t.Errorf("DeleteUser(missing) = %v, want ErrNotFound", err)
			}
			if err := db.SetVerified(ctx, missing, true); !errors.Is(err, auth.ErrNotFound) {
				t.Errorf("SetVerified(missing) = %v, want ErrNotFound", err)
			}
			if _, err := db.Session(ctx, missing); !errors.Is(err, auth.ErrNotFound) {
				t.Errorf("Session(missing) = %v, want ErrNotFound", err)
			}
		})
	}
}

func TestPruneSessions(t *testing.T) {
	t.Parallel()
	for _, kind := range storetest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			db := storetest.Open(t, kind)
			ctx := t.Context()
			now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
			u := auth.User{ID: uuid.New(), Name: "A", Email: "a@example.com", PasswordHash: "x", Role: "user", CreatedAt: now, UpdatedAt: now}
			if err := db.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			mk := func(expires time.Time, revoked *time.Time) uuid.UUID {
				s := auth.Session{ID: uuid.New(), UserID: u.ID, RefreshJTI: uuid.New(), CreatedAt: now.Add(-60 * 24 * time.Hour),
					LastUsedAt: now, ExpiresAt: expires, RevokedAt: revoked}
				if err := db.CreateSession(ctx, s); err != nil {
					t.Fatal(err)
				}
				return s.ID
			}
			longAgo := now.Add(-30 * 24 * time.Hour)
			expiredLongAgo := mk(longAgo, nil)
			revokedLongAgo := mk(now.Add(time.Hour), &longAgo)
			recentRevoked := mk(now.Add(time.Hour), &now)
			active := mk(now.Add(time.Hour), nil)
			n, err := db.PruneSessions(ctx, now.Add(-7*24*time.Hour))
			if err != nil || n != 2 {
				t.Fatalf("PruneSessions() = %d, %v; want 2", n, err)
			}
			for id, want := range map[uuid.UUID]bool{expiredLongAgo: false, revokedLongAgo: false, recentRevoked: true, active: true} {
				_, err := db.Session(ctx, id)
				if (err == nil) != want {
					t.Errorf("session kept = %v, want %v (%v)", err == nil, want, err)
				}
			}
		})
	}
}

// TestPoolKeepsConnections checks that a burst of concurrent queries leaves
// the connections it opened in the pool: closing them on release only to open
// new ones (a PostgreSQL backend process each) a moment later made me's p99
// on PostgreSQL three times worse. SQLite's pools keep every connection by
// construction, so this can fail only on PostgreSQL (TEST_DATABASE_URL, which
// .ci/run sets).
func TestPoolKeepsConnections(t *testing.T) {
	t.Parallel()
	for _, kind := range storetest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			db := storetest.Open(t, kind)
			var wg sync.WaitGroup
			for range 64 {
				wg.Go(func() {
					for range 20 {
						if _, err := db.UserByID(t.Context(), uuid.New()); !errors.Is(err, auth.ErrNotFound) {
							t.Errorf("UserByID(unknown) = %v, want ErrNotFound", err)
							return
						}
					}
				})
			}
			wg.Wait()
			opened := 0
			for name, s := range db.PoolStats() {
				if s.MaxIdleClosed != 0 {
					t.Errorf("pool %s closed %d connections for want of idle slots; open now %d", name, s.MaxIdleClosed, s.OpenConnections)
				}
				opened = max(opened, s.OpenConnections)
			}
			if opened < 2 {
				t.Errorf("64 concurrent readers left %d connections open, want the burst's connections kept", opened)
			}
		})
	}
}

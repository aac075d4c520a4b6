// Package authtest is the contract of auth.Store: one suite that every
// implementation, on every database, must pass.
package authtest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/authapi/authapi/internal/auth"
)

// Inspector is what the suite needs beyond auth.Store to set up and check
// state: reading a session's stored fields, and deleting a user. Stores under
// test must implement it.
type Inspector interface {
	Session(ctx context.Context, id uuid.UUID) (auth.Session, error)
	DeleteUser(ctx context.Context, id uuid.UUID) error
}

// Run runs the contract against the stores open returns. Every subtest calls
// open for a fresh, empty store, and subtests run in parallel.
func Run(t *testing.T, open func(t *testing.T) auth.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s auth.Store)
	}{
		{"CreateUser/RoundTrip", testCreateUserRoundTrip},
		{"CreateUser/EmailTaken", testCreateUserEmailTaken},
		{"CreateUser/Race", testCreateUserRace},
		{"UserBy/NotFound", testUserNotFound},
		{"SetPasswordHash", testSetPasswordHash},
		{"CreateSession/RoundTrip", testCreateSessionRoundTrip},
		{"CreateSession/UnknownUser", testCreateSessionUnknownUser},
		{"SessionUser", testSessionUser},
		{"SessionUser/DeletedUser", testSessionUserDeletedUser},
		{"RevokeSession", testRevokeSession},
		{"RevokeSession/Inactive", testRevokeSessionInactive},
		{"RotateSession/Rotated", testRotateRotated},
		{"RotateSession/Grace", testRotateGrace},
		{"RotateSession/ReusedAfterWindow", testRotateReusedAfterWindow},
		{"RotateSession/TwoGenerationsOld", testRotateTwoGenerationsOld},
		{"RotateSession/UnknownJTI", testRotateUnknownJTI},
		{"RotateSession/Inactive", testRotateInactive},
		{"RotateSession/RevokedWithinGrace", testRotateRevokedWithinGrace},
		{"RotateSession/DeletedUser", testRotateDeletedUser},
		{"RotateSession/Race", testRotateRace},
		{"RotateSession/Idle", testRotateIdle},
		{"UpdateProfile", testUpdateProfile},
		{"ChangePassword", testChangePassword},
		{"ActiveSessions", testActiveSessions},
		{"RevokeOtherSessions", testRevokeOtherSessions},
		{"LoginThrottle", testLoginThrottle},
		{"LoginThrottle/Race", testLoginThrottleRace},
		{"PruneLoginFailures", testPruneLoginFailures},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(t, open(t))
		})
	}
}

// t0 has nanoseconds and a zone east of UTC, so that the suite sees whether a
// store truncates to microseconds and returns UTC.
var t0 = time.Date(2026, 3, 14, 15, 9, 26, 535897932, time.FixedZone("IST", 5*3600+1800))

// exactTime makes cmp tell UTC from other zones; time.Time's Equal, which
// cmp uses by default, does not.
var exactTime = cmp.Comparer(func(a, b time.Time) bool {
	return a.Equal(b) && a.Location() == b.Location()
})

// stored is t as a store must return it: UTC, truncated to microseconds.
func stored(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

func newUser(email string) auth.User {
	return auth.User{
		ID:           uuid.Must(uuid.NewV7()),
		Name:         "Ada Lovelace",
		Email:        email,
		Photo:        "ada.png",
		PasswordHash: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
		Verified:     true,
		Role:         auth.RoleAdmin,
		CreatedAt:    t0,
		UpdatedAt:    t0.Add(time.Second + 999*time.Nanosecond),
	}
}

// storedUser is u as a store must return it.
func storedUser(u auth.User) auth.User {
	u.CreatedAt, u.UpdatedAt = stored(u.CreatedAt), stored(u.UpdatedAt)
	return u
}

// createUser stores a new user with email and returns it as stored.
func createUser(t *testing.T, s auth.Store, email string) auth.User {
	t.Helper()
	u := newUser(email)
	if err := s.CreateUser(t.Context(), u); err != nil {
		t.Fatalf("CreateUser(%s) = %v, want nil", email, err)
	}
	return storedUser(u)
}

func newSession(u auth.User) auth.Session {
	return auth.Session{
		ID:         uuid.Must(uuid.NewV7()),
		UserID:     u.ID,
		RefreshJTI: uuid.New(),
		CreatedAt:  t0,
		LastUsedAt: t0.Add(time.Minute),
		ExpiresAt:  t0.Add(30 * 24 * time.Hour),
		UserAgent:  "Mozilla/5.0 (X11; Linux x86_64)",
		IP:         "203.0.113.7",
	}
}

// storedSession is s as a store must return it.
func storedSession(s auth.Session) auth.Session {
	s.RotatedAt, s.CreatedAt = stored(s.RotatedAt), stored(s.CreatedAt)
	s.LastUsedAt, s.ExpiresAt = stored(s.LastUsedAt), stored(s.ExpiresAt)
	if s.RevokedAt != nil {
		r := stored(*s.RevokedAt)
		s.RevokedAt = &r
	}
	return s
}

// createSession stores a new session of u and returns it as stored.
func createSession(t *testing.T, s auth.Store, u auth.User) auth.Session {
	t.Helper()
	sess := newSession(u)
	if err := s.CreateSession(t.Context(), sess); err != nil {
		t.Fatalf("CreateSession() = %v, want nil", err)
	}
	return storedSession(sess)
}

func inspector(t *testing.T, s auth.Store) Inspector {
	t.Helper()
	in, ok := s.(Inspector)
	if !ok {
		t.Fatalf("store %T does not implement authtest.Inspector", s)
	}
	return in
}

// readSession returns the stored session id.
func readSession(t *testing.T, s auth.Store, id uuid.UUID) auth.Session {
	t.Helper()
	got, err := inspector(t, s).Session(t.Context(), id)
	if err != nil {
		t.Fatalf("Session(%s) = %v, want nil", id, err)
	}
	return got
}

// deleteUser deletes a user through the Inspector.
func deleteUser(t *testing.T, s auth.Store, id uuid.UUID) {
	t.Helper()
	if err := inspector(t, s).DeleteUser(t.Context(), id); err != nil {
		t.Fatalf("DeleteUser(%s) = %v, want nil", id, err)
	}
}

// wantUser fails the test unless got is want, field by field, times exactly.
func wantUser(t *testing.T, call string, got, want auth.User) {
	t.Helper()
	if diff := cmp.Diff(got, want, exactTime); diff != "" {
		t.Errorf("%s user mismatch (-got +want):\n%s", call, diff)
	}
}

// wantSession fails the test unless got is want, field by field, times exactly.
func wantSession(t *testing.T, call string, got, want auth.Session) {
	t.Helper()
	if diff := cmp.Diff(got, want, exactTime); diff != "" {
		t.Errorf("%s session mismatch (-got +want):\n%s", call, diff)
	}
}

// ptr returns a pointer to a copy of v.
func ptr[T any](v T) *T { return &v }

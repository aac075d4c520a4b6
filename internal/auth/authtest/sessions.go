package authtest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/authapi/authapi/internal/auth"
)

func testCreateSessionRoundTrip(t *testing.T, s auth.Store) {
	u := createUser(t, s, "ada@example.com")
	fresh := createSession(t, s, u)
	wantSession(t, "Session(fresh)", readSession(t, s, fresh.ID), fresh)

	// Every optional field set, with nanoseconds to drop.
	full := newSession(u)
	full.PreviousJTI = uuid.New()
	full.RotatedAt = t0.Add(2 * time.Minute)
	full.RevokedAt = ptr(t0.Add(3*time.Minute + 999*time.Nanosecond))
	full.UserAgent, full.IP = "", "2001:db8::1"
	if err := s.CreateSession(t.Context(), full); err != nil {
		t.Fatalf("CreateSession(full) = %v, want nil", err)
	}
	wantSession(t, "Session(full)", readSession(t, s, full.ID), storedSession(full))
}

func testCreateSessionUnknownUser(t *testing.T, s auth.Store) {
	createUser(t, s, "ada@example.com")
	sess := newSession(auth.User{ID: uuid.New()})
	if err := s.CreateSession(t.Context(), sess); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("CreateSession(unknown user) = %v, want ErrNotFound", err)
	}
	if _, err := inspector(t, s).Session(t.Context(), sess.ID); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("Session(rejected) = %v, want ErrNotFound", err)
	}
}

func testSessionUser(t *testing.T, s auth.Store) {
	ctx := t.Context()
	u := createUser(t, s, "ada@example.com")
	other := createUser(t, s, "bob@example.com")
	active := createSession(t, s, u)
	othersSession := createSession(t, s, other)
	revoked := newSession(u)
	revoked.RevokedAt = ptr(t0.Add(time.Hour))
	if err := s.CreateSession(ctx, revoked); err != nil {
		t.Fatalf("CreateSession(revoked) = %v, want nil", err)
	}
	now := t0.Add(2 * time.Hour)

	tests := []struct {
		name      string
		userID    uuid.UUID
		sessionID uuid.UUID
		now       time.Time
		wantErr   error // nil: want the user
	}{
		{"active", u.ID, active.ID, now, nil},
		{"last microsecond", u.ID, active.ID, active.ExpiresAt.Add(-time.Microsecond), nil},
		{"expired at ExpiresAt", u.ID, active.ID, active.ExpiresAt, auth.ErrSessionInactive},
		{"expired", u.ID, active.ID, active.ExpiresAt.Add(time.Hour), auth.ErrSessionInactive},
		{"revoked", u.ID, revoked.ID, now, auth.ErrSessionInactive},
		{"missing session", u.ID, uuid.New(), now, auth.ErrSessionInactive},
		{"another user's session", u.ID, othersSession.ID, now, auth.ErrSessionInactive},
		{"unknown user", uuid.New(), active.ID, now, auth.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.SessionUser(ctx, tt.userID, tt.sessionID, tt.now)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("SessionUser() = %v, want %v", err, tt.wantErr)
				}
				wantUser(t, "SessionUser()", got, auth.User{})
				return
			}
			if err != nil {
				t.Fatalf("SessionUser() = %v, want nil", err)
			}
			wantUser(t, "SessionUser()", got, u)
		})
	}
}

func testSessionUserDeletedUser(t *testing.T, s auth.Store) {
	ctx := t.Context()
	u := createUser(t, s, "ada@example.com")
	sess := createSession(t, s, u)
	deleteUser(t, s, u.ID)

	if _, err := s.SessionUser(ctx, u.ID, sess.ID, t0); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("SessionUser(deleted user) = %v, want ErrNotFound", err)
	}
	if _, err := inspector(t, s).Session(ctx, sess.ID); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("Session(of deleted user) = %v, want ErrNotFound (cascade)", err)
	}
}

func testRevokeSession(t *testing.T, s auth.Store) {
	ctx := t.Context()
	u := createUser(t, s, "ada@example.com")
	sess := createSession(t, s, u)
	kept := createSession(t, s, u)
	now := t0.Add(time.Hour + 5*time.Nanosecond)

	if err := s.RevokeSession(ctx, u.ID, sess.ID, now); err != nil {
		t.Fatalf("RevokeSession() = %v, want nil", err)
	}
	want := sess
	want.RevokedAt = ptr(stored(now))
	wantSession(t, "Session() after RevokeSession", readSession(t, s, sess.ID), want)
	wantSession(t, "Session(other session) after RevokeSession", readSession(t, s, kept.ID), kept)

	if _, err := s.SessionUser(ctx, u.ID, sess.ID, now); !errors.Is(err, auth.ErrSessionInactive) {
		t.Errorf("SessionUser(revoked) = %v, want ErrSessionInactive", err)
	}
	if err := s.RevokeSession(ctx, u.ID, sess.ID, now.Add(time.Minute)); !errors.Is(err, auth.ErrSessionInactive) {
		t.Errorf("RevokeSession(again) = %v, want ErrSessionInactive", err)
	}
	// The second call must not move the revocation time.
	wantSession(t, "Session() after second RevokeSession", readSession(t, s, sess.ID), want)
}

func testRevokeSessionInactive(t *testing.T, s auth.Store) {
	ctx := t.Context()
	u := createUser(t, s, "ada@example.com")
	other := createUser(t, s, "bob@example.com")
	sess := createSession(t, s, u)
	othersSession := createSession(t, s, other)
	now := t0.Add(time.Hour)

	tests := []struct {
		name      string
		userID    uuid.UUID
		sessionID uuid.UUID
		now       time.Time
	}{
		{"missing session", u.ID, uuid.New(), now},
		{"another user's session", u.ID, othersSession.ID, now},
		{"unknown user", uuid.New(), sess.ID, now},
		{"expired", u.ID, sess.ID, sess.ExpiresAt},
	}
	for _, tt := range tests {
		if err := s.RevokeSession(ctx, tt.userID, tt.sessionID, tt.now); !errors.Is(err, auth.ErrSessionInactive) {
			t.Errorf("RevokeSession(%s) = %v, want ErrSessionInactive", tt.name, err)
		}
	}
	wantSession(t, "Session() after failed revokes", readSession(t, s, sess.ID), sess)
	wantSession(t, "Session(other's) after failed revokes", readSession(t, s, othersSession.ID), othersSession)
}

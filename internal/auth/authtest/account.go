package authtest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/authapi/authapi/internal/auth"
)

func testUpdateProfile(t *testing.T, s auth.Store) {
	u := createUser(t, s, "ada@example.com")
	now := t0.Add(time.Hour)
	got, err := s.UpdateProfile(t.Context(), u.ID, auth.ProfileUpdate{Name: ptr("Ada King")}, now)
	if err != nil {
		t.Fatalf("UpdateProfile(name) = %v", err)
	}
	want := u
	want.Name, want.UpdatedAt = "Ada King", stored(now)
	wantUser(t, "UpdateProfile(name)", got, want)

	got, err = s.UpdateProfile(t.Context(), u.ID, auth.ProfileUpdate{Photo: ptr("")}, now.Add(time.Second))
	if err != nil {
		t.Fatalf("UpdateProfile(photo) = %v", err)
	}
	want.Photo, want.UpdatedAt = "", stored(now.Add(time.Second))
	wantUser(t, "UpdateProfile(photo)", got, want)
	byID, _ := s.UserByID(t.Context(), u.ID)
	wantUser(t, "UserByID after UpdateProfile", byID, want)

	if _, err := s.UpdateProfile(t.Context(), uuid.New(), auth.ProfileUpdate{Name: ptr("x")}, now); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("UpdateProfile(unknown user) = %v, want ErrNotFound", err)
	}
}

func testChangePassword(t *testing.T, s auth.Store) {
	u := createUser(t, s, "ada@example.com")
	keep, other1, other2 := createSession(t, s, u), createSession(t, s, u), createSession(t, s, u)
	stranger := createSession(t, s, createUser(t, s, "bob@example.com"))
	now := t0.Add(time.Hour)
	if err := s.ChangePassword(t.Context(), u.ID, "$argon2id$new", keep.ID, now); err != nil {
		t.Fatalf("ChangePassword() = %v", err)
	}
	got, _ := s.UserByID(t.Context(), u.ID)
	if got.PasswordHash != "$argon2id$new" || !got.UpdatedAt.Equal(stored(now)) {
		t.Errorf("after ChangePassword: hash %q updated %v", got.PasswordHash, got.UpdatedAt)
	}
	if _, err := s.SessionUser(t.Context(), u.ID, keep.ID, now); err != nil {
		t.Errorf("kept session: SessionUser() = %v, want nil", err)
	}
	for _, sess := range []auth.Session{other1, other2} {
		if _, err := s.SessionUser(t.Context(), u.ID, sess.ID, now); !errors.Is(err, auth.ErrSessionInactive) {
			t.Errorf("other session: SessionUser() = %v, want ErrSessionInactive", err)
		}
	}
	if _, err := s.SessionUser(t.Context(), stranger.UserID, stranger.ID, now); err != nil {
		t.Errorf("another user's session was touched: %v", err)
	}
	if err := s.ChangePassword(t.Context(), uuid.New(), "x", uuid.Nil, now); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("ChangePassword(unknown user) = %v, want ErrNotFound", err)
	}
}

func testActiveSessions(t *testing.T, s auth.Store) {
	u := createUser(t, s, "ada@example.com")
	older := createSession(t, s, u)
	newer := newSession(u)
	newer.LastUsedAt = t0.Add(2 * time.Minute)
	if err := s.CreateSession(t.Context(), newer); err != nil {
		t.Fatal(err)
	}
	revoked := createSession(t, s, u)
	expired := newSession(u)
	expired.ExpiresAt = t0.Add(time.Hour)
	if err := s.CreateSession(t.Context(), expired); err != nil {
		t.Fatal(err)
	}
	createSession(t, s, createUser(t, s, "bob@example.com"))
	now := t0.Add(2 * time.Hour)
	if err := s.RevokeSession(t.Context(), u.ID, revoked.ID, now); err != nil {
		t.Fatal(err)
	}
	got, err := s.ActiveSessions(t.Context(), u.ID, now)
	if err != nil {
		t.Fatalf("ActiveSessions() = %v", err)
	}
	want := []auth.Session{storedSession(newer), older}
	if diff := cmp.Diff(got, want, exactTime); diff != "" {
		t.Errorf("ActiveSessions() mismatch (-got +want):\n%s", diff)
	}
	none, err := s.ActiveSessions(t.Context(), uuid.New(), now)
	if err != nil || len(none) != 0 {
		t.Errorf("ActiveSessions(unknown user) = %v, %v; want none", none, err)
	}
}

func testRevokeOtherSessions(t *testing.T, s auth.Store) {
	u := createUser(t, s, "ada@example.com")
	a, b, c := createSession(t, s, u), createSession(t, s, u), createSession(t, s, u)
	now := t0.Add(time.Hour)
	if n, err := s.RevokeOtherSessions(t.Context(), u.ID, a.ID, now); err != nil || n != 2 {
		t.Fatalf("RevokeOtherSessions(keep a) = %d, %v; want 2", n, err)
	}
	if _, err := s.SessionUser(t.Context(), u.ID, a.ID, now); err != nil {
		t.Errorf("kept session inactive: %v", err)
	}
	for _, sess := range []auth.Session{b, c} {
		wantInactive(t, s, sess, now)
	}
	if n, err := s.RevokeOtherSessions(t.Context(), u.ID, uuid.Nil, now); err != nil || n != 1 {
		t.Fatalf("RevokeOtherSessions(all) = %d, %v; want 1", n, err)
	}
	wantInactive(t, s, a, now)
}

func testRotateIdle(t *testing.T, s auth.Store) {
	u := createUser(t, s, "ada@example.com")
	sess := createSession(t, s, u) // last used at t0+1m
	now := t0.Add(time.Hour)
	r := request(sess, sess.RefreshJTI, now)
	r.IdleStart = t0.Add(2 * time.Minute) // idle longer than allowed
	if _, err := s.RotateSession(t.Context(), r); !errors.Is(err, auth.ErrSessionInactive) {
		t.Fatalf("RotateSession(idle session) = %v, want ErrSessionInactive", err)
	}
	r.IdleStart = t0 // within the idle limit
	rotate(t, s, r, auth.Rotation{Outcome: auth.Rotated, CurrentJTI: r.NewJTI, Role: u.Role})
}

// lockAfter3 locks for a minute per failure from the third on.
func lockAfter3(n int) time.Duration {
	if n < 3 {
		return 0
	}
	return time.Duration(n) * time.Minute
}

func testLoginThrottle(t *testing.T, s auth.Store) {
	const acct = "nobody@example.com" // no such user: throttling must not care
	now := t0
	got, err := s.LoginThrottle(t.Context(), acct, now)
	if err != nil || got != (auth.Throttle{}) {
		t.Fatalf("LoginThrottle(new) = %+v, %v; want zero", got, err)
	}
	for i := 1; i <= 4; i++ {
		now = now.Add(time.Second)
		th, err := s.RecordLoginFailure(t.Context(), acct, now, now.Add(-15*time.Minute), lockAfter3)
		if err != nil {
			t.Fatalf("RecordLoginFailure #%d = %v", i, err)
		}
		if th.Failures != i || th.Locked(now) != (i >= 3) {
			t.Errorf("after failure %d: %+v locked=%v", i, th, th.Locked(now))
		}
		if i >= 3 && !th.LockedUntil.Equal(stored(now.Add(time.Duration(i)*time.Minute))) {
			t.Errorf("after failure %d: locked until %v", i, th.LockedUntil)
		}
		read, _ := s.LoginThrottle(t.Context(), acct, now)
		if diff := cmp.Diff(read, th, exactTime); diff != "" {
			t.Errorf("LoginThrottle after failure %d (-read +recorded):\n%s", i, diff)
		}
	}
	// Failures older than the window start the count again; the lock stays.
	later := now.Add(time.Hour)
	th, err := s.RecordLoginFailure(t.Context(), acct, later, later.Add(-15*time.Minute), lockAfter3)
	if err != nil || th.Failures != 1 {
		t.Fatalf("RecordLoginFailure after the window = %+v, %v; want 1 failure", th, err)
	}
	if err := s.ClearLoginFailures(t.Context(), acct); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.LoginThrottle(t.Context(), acct, later); got != (auth.Throttle{}) {
		t.Errorf("after ClearLoginFailures: %+v, want zero", got)
	}
}

func testLoginThrottleRace(t *testing.T, s auth.Store) {
	const n = 16
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if _, err := s.RecordLoginFailure(t.Context(), "ada@example.com", t0, t0.Add(-time.Minute), lockAfter3); err != nil {
				t.Errorf("RecordLoginFailure() = %v", err)
			}
		})
	}
	wg.Wait()
	got, _ := s.LoginThrottle(t.Context(), "ada@example.com", t0)
	if got.Failures != n {
		t.Errorf("failures after %d concurrent = %d, want all counted", n, got.Failures)
	}
}

func testPruneLoginFailures(t *testing.T, s auth.Store) {
	none := func(int) time.Duration { return 0 }
	if _, err := s.RecordLoginFailure(t.Context(), "old@example.com", t0, t0, none); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordLoginFailure(t.Context(), "locked@example.com", t0, t0, func(int) time.Duration { return 48 * time.Hour }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordLoginFailure(t.Context(), "new@example.com", t0.Add(2*time.Hour), t0, none); err != nil {
		t.Fatal(err)
	}
	n, err := s.PruneLoginFailures(t.Context(), t0.Add(time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("PruneLoginFailures() = %d, %v; want 1 (the old, unlocked one)", n, err)
	}
	for acct, want := range map[string]int{"old@example.com": 0, "locked@example.com": 1, "new@example.com": 1} {
		if got, _ := s.LoginThrottle(t.Context(), acct, t0); got.Failures != want {
			t.Errorf("%s after prune: %d failures, want %d", acct, got.Failures, want)
		}
	}
}

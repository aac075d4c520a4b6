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

// grace is the window the suite's requests allow for a replaced token.
const grace = 10 * time.Second

// request presents jti for sess at now, with a new token id to rotate to.
func request(sess auth.Session, jti uuid.UUID, now time.Time) auth.RotateRequest {
	return auth.RotateRequest{
		SessionID:    sess.ID,
		UserID:       sess.UserID,
		PresentedJTI: jti,
		NewJTI:       uuid.New(),
		Now:          now,
		GraceStart:   now.Add(-grace),
	}
}

// rotate calls RotateSession and fails the test unless it succeeds with want.
func rotate(t *testing.T, s auth.Store, r auth.RotateRequest, want auth.Rotation) {
	t.Helper()
	got, err := s.RotateSession(t.Context(), r)
	if err != nil {
		t.Fatalf("RotateSession() = %v, want nil", err)
	}
	if diff := cmp.Diff(got, want, exactTime); diff != "" {
		t.Fatalf("RotateSession() mismatch (-got +want):\n%s", diff)
	}
}

// afterRotation is sess as stored after r rotated it.
func afterRotation(sess auth.Session, r auth.RotateRequest) auth.Session {
	sess.PreviousJTI, sess.RefreshJTI = sess.RefreshJTI, r.NewJTI
	sess.RotatedAt, sess.LastUsedAt = stored(r.Now), stored(r.Now)
	return sess
}

// wantInactive fails the test unless the session can neither authenticate
// nor rotate with its current token any more.
func wantInactive(t *testing.T, s auth.Store, sess auth.Session, now time.Time) {
	t.Helper()
	if _, err := s.SessionUser(t.Context(), sess.UserID, sess.ID, now); !errors.Is(err, auth.ErrSessionInactive) {
		t.Errorf("SessionUser() = %v, want ErrSessionInactive", err)
	}
	r := request(sess, sess.RefreshJTI, now)
	if _, err := s.RotateSession(t.Context(), r); !errors.Is(err, auth.ErrSessionInactive) {
		t.Errorf("RotateSession(current token) = %v, want ErrSessionInactive", err)
	}
}

func testRotateRotated(t *testing.T, s auth.Store) {
	u := createUser(t, s, "ada@example.com")
	sess := createSession(t, s, u)

	r1 := request(sess, sess.RefreshJTI, t0.Add(time.Hour+7*time.Nanosecond))
	rotate(t, s, r1, auth.Rotation{Outcome: auth.Rotated, CurrentJTI: r1.NewJTI, Role: u.Role})
	sess = afterRotation(sess, r1)
	wantSession(t, "Session() after rotation", readSession(t, s, sess.ID), sess)

	r2 := request(sess, r1.NewJTI, t0.Add(2*time.Hour))
	rotate(t, s, r2, auth.Rotation{Outcome: auth.Rotated, CurrentJTI: r2.NewJTI, Role: u.Role})
	wantSession(t, "Session() after second rotation", readSession(t, s, sess.ID), afterRotation(sess, r2))
}

func testRotateGrace(t *testing.T, s auth.Store) {
	ctx := t.Context()
	u := createUser(t, s, "ada@example.com")
	sess := createSession(t, s, u)
	old := sess.RefreshJTI
	r1 := request(sess, old, t0.Add(time.Hour))
	rotate(t, s, r1, auth.Rotation{Outcome: auth.Rotated, CurrentJTI: r1.NewJTI, Role: u.Role})
	sess = afterRotation(sess, r1)

	late := request(sess, old, r1.Now.Add(5*time.Second))
	rotate(t, s, late, auth.Rotation{Outcome: auth.Grace, CurrentJTI: r1.NewJTI, Role: u.Role})
	// The window includes its start.
	edge := request(sess, old, r1.Now.Add(grace))
	edge.GraceStart = sess.RotatedAt
	rotate(t, s, edge, auth.Rotation{Outcome: auth.Grace, CurrentJTI: r1.NewJTI, Role: u.Role})

	wantSession(t, "Session() after grace", readSession(t, s, sess.ID), sess)
	if _, err := s.SessionUser(ctx, u.ID, sess.ID, edge.Now); err != nil {
		t.Errorf("SessionUser() after grace = %v, want nil", err)
	}
	r2 := request(sess, r1.NewJTI, edge.Now)
	rotate(t, s, r2, auth.Rotation{Outcome: auth.Rotated, CurrentJTI: r2.NewJTI, Role: u.Role})
}

func testRotateReusedAfterWindow(t *testing.T, s auth.Store) {
	u := createUser(t, s, "ada@example.com")
	sess := createSession(t, s, u)
	old := sess.RefreshJTI
	r1 := request(sess, old, t0.Add(time.Hour))
	rotate(t, s, r1, auth.Rotation{Outcome: auth.Rotated, CurrentJTI: r1.NewJTI, Role: u.Role})
	sess = afterRotation(sess, r1)

	replay := request(sess, old, r1.Now.Add(grace+time.Second))
	replay.GraceStart = sess.RotatedAt.Add(time.Microsecond)
	rotate(t, s, replay, auth.Rotation{Outcome: auth.Reused})

	want := sess
	want.RevokedAt = ptr(stored(replay.Now))
	wantSession(t, "Session() after reuse", readSession(t, s, sess.ID), want)
	wantInactive(t, s, sess, replay.Now)
}

func testRotateTwoGenerationsOld(t *testing.T, s auth.Store) {
	u := createUser(t, s, "ada@example.com")
	sess := createSession(t, s, u)
	first := sess.RefreshJTI
	r1 := request(sess, first, t0.Add(time.Hour))
	rotate(t, s, r1, auth.Rotation{Outcome: auth.Rotated, CurrentJTI: r1.NewJTI, Role: u.Role})
	sess = afterRotation(sess, r1)
	r2 := request(sess, r1.NewJTI, r1.Now.Add(time.Second))
	rotate(t, s, r2, auth.Rotation{Outcome: auth.Rotated, CurrentJTI: r2.NewJTI, Role: u.Role})
	sess = afterRotation(sess, r2)

	// Within the window of the last rotation, but not the token it replaced.
	replay := request(sess, first, r2.Now.Add(time.Second))
	rotate(t, s, replay, auth.Rotation{Outcome: auth.Reused})
	wantInactive(t, s, sess, replay.Now)
}

func testRotateUnknownJTI(t *testing.T, s auth.Store) {
	u := createUser(t, s, "ada@example.com")
	sess := createSession(t, s, u)
	r := request(sess, uuid.New(), t0.Add(time.Hour))
	rotate(t, s, r, auth.Rotation{Outcome: auth.Reused})
	wantInactive(t, s, sess, r.Now)
}

func testRotateInactive(t *testing.T, s auth.Store) {
	ctx := t.Context()
	u := createUser(t, s, "ada@example.com")
	other := createUser(t, s, "bob@example.com")
	sess := createSession(t, s, u)
	othersSession := createSession(t, s, other)
	revoked := newSession(u)
	revoked.RevokedAt = ptr(t0.Add(time.Minute))
	if err := s.CreateSession(ctx, revoked); err != nil {
		t.Fatalf("CreateSession(revoked) = %v, want nil", err)
	}
	revoked = storedSession(revoked)
	now := t0.Add(time.Hour)

	missing := request(sess, sess.RefreshJTI, now)
	missing.SessionID = uuid.New()
	stolen := request(othersSession, othersSession.RefreshJTI, now)
	stolen.UserID = u.ID
	tests := []struct {
		name string
		r    auth.RotateRequest
	}{
		{"missing session", missing},
		{"another user's session", stolen},
		{"revoked", request(revoked, revoked.RefreshJTI, now)},
		{"expired", request(sess, sess.RefreshJTI, sess.ExpiresAt)},
		{"expired, old token", request(sess, uuid.New(), sess.ExpiresAt)},
	}
	for _, tt := range tests {
		got, err := s.RotateSession(ctx, tt.r)
		if !errors.Is(err, auth.ErrSessionInactive) {
			t.Errorf("RotateSession(%s) = %+v, %v, want ErrSessionInactive", tt.name, got, err)
		}
	}
	// Nothing changed, and above all the other user's session was not revoked.
	wantSession(t, "Session()", readSession(t, s, sess.ID), sess)
	wantSession(t, "Session(other's)", readSession(t, s, othersSession.ID), othersSession)
	wantSession(t, "Session(revoked)", readSession(t, s, revoked.ID), revoked)
}

func testRotateRevokedWithinGrace(t *testing.T, s auth.Store) {
	u := createUser(t, s, "ada@example.com")
	sess := createSession(t, s, u)
	old := sess.RefreshJTI
	r1 := request(sess, old, t0.Add(time.Hour))
	rotate(t, s, r1, auth.Rotation{Outcome: auth.Rotated, CurrentJTI: r1.NewJTI, Role: u.Role})
	sess = afterRotation(sess, r1)
	if err := s.RevokeSession(t.Context(), u.ID, sess.ID, r1.Now.Add(time.Second)); err != nil {
		t.Fatalf("RevokeSession() = %v, want nil", err)
	}

	r := request(sess, old, r1.Now.Add(2*time.Second))
	if got, err := s.RotateSession(t.Context(), r); !errors.Is(err, auth.ErrSessionInactive) {
		t.Errorf("RotateSession(old token of revoked session) = %+v, %v, want ErrSessionInactive", got, err)
	}
	wantInactive(t, s, sess, r.Now)
}

func testRotateDeletedUser(t *testing.T, s auth.Store) {
	ctx := t.Context()
	u := createUser(t, s, "ada@example.com")
	other := createUser(t, s, "bob@example.com")
	sess := createSession(t, s, u)
	othersSession := createSession(t, s, other)
	deleteUser(t, s, u.ID)

	if got, err := s.RotateSession(ctx, request(sess, sess.RefreshJTI, t0)); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("RotateSession(deleted user) = %+v, %v, want ErrNotFound", got, err)
	}
	if _, err := inspector(t, s).Session(ctx, sess.ID); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("Session(of deleted user) = %v, want ErrNotFound (cascade)", err)
	}
	unknown := request(othersSession, othersSession.RefreshJTI, t0)
	unknown.UserID = uuid.New()
	if got, err := s.RotateSession(ctx, unknown); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("RotateSession(unknown user) = %+v, %v, want ErrNotFound", got, err)
	}
	wantSession(t, "Session(other's)", readSession(t, s, othersSession.ID), othersSession)
}

func testRotateRace(t *testing.T, s auth.Store) {
	const n = 16
	u := createUser(t, s, "ada@example.com")
	sess := createSession(t, s, u)
	now := t0.Add(time.Hour)
	reqs := make([]auth.RotateRequest, n)
	got := make([]auth.Rotation, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		reqs[i] = request(sess, sess.RefreshJTI, now)
		wg.Go(func() { got[i], errs[i] = s.RotateSession(t.Context(), reqs[i]) })
	}
	wg.Wait()

	winner := -1
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("RotateSession() #%d = %v, want nil", i, errs[i])
		}
		if got[i].Outcome != auth.Rotated {
			continue
		}
		if winner >= 0 {
			t.Fatalf("RotateSession() #%d and #%d both Rotated, want exactly one", winner, i)
		}
		winner = i
	}
	if winner < 0 {
		t.Fatal("RotateSession(): none Rotated, want exactly one")
	}
	newJTI := reqs[winner].NewJTI
	for i := range n {
		want := auth.Rotation{Outcome: auth.Grace, CurrentJTI: newJTI, Role: u.Role}
		if i == winner {
			want.Outcome = auth.Rotated
		}
		if diff := cmp.Diff(got[i], want, exactTime); diff != "" {
			t.Errorf("RotateSession() #%d mismatch (-got +want):\n%s", i, diff)
		}
	}
	wantSession(t, "Session() after race", readSession(t, s, sess.ID), afterRotation(sess, reqs[winner]))
}

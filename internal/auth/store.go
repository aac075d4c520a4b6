package auth

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
)

// Errors a Store returns. Stores wrap them with context; callers test with errors.Is.
var (
	// ErrNotFound: the user or session asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrEmailTaken: another user already has this email.
	ErrEmailTaken = errors.New("email already registered")
	// ErrSessionInactive: the session does not exist, was revoked or has expired.
	ErrSessionInactive = errors.New("session inactive")
)

// RotateOutcome says what RotateSession did with a presented refresh token.
type RotateOutcome int

// The outcomes of RotateSession.
const (
	// Rotated: the presented token was the current one; the session now expects NewJTI.
	Rotated RotateOutcome = iota + 1
	// Grace: the presented token was replaced less than the grace window ago; nothing
	// changed and the caller gets the session's current refresh token id again.
	Grace
	// Reused: the presented token was replaced earlier than that, so it was stolen or
	// replayed; the session is now revoked.
	Reused
)

func (o RotateOutcome) String() string {
	switch o {
	case Rotated:
		return "rotated"
	case Grace:
		return "grace"
	case Reused:
		return "reuse_revoked"
	}
	return "unknown"
}

// RotateRequest is one refresh attempt on one session.
type RotateRequest struct {
	SessionID    uuid.UUID
	UserID       uuid.UUID
	PresentedJTI uuid.UUID
	NewJTI       uuid.UUID
	Now          time.Time
	// GraceStart: a previous token rotated at or after this instant is still accepted.
	// A zero GraceStart accepts every previous token: callers always set it.
	GraceStart time.Time
	// IdleStart: a session last used before this instant has been idle too long
	// and is inactive. Zero means no idle limit.
	IdleStart time.Time
}

// ProfileUpdate names the profile fields to change; nil leaves a field as it is.
type ProfileUpdate struct {
	Name, Photo *string
}

// Throttle is the failed-login state of one account key (a normalised email,
// whether or not a user has it).
type Throttle struct {
	Failures    int
	LockedUntil time.Time // zero when not locked
}

// Locked reports whether the account refuses logins at now.
func (t Throttle) Locked(now time.Time) bool { return now.Before(t.LockedUntil) }

// Rotation is the result of RotateSession.
type Rotation struct {
	Outcome RotateOutcome
	// CurrentJTI is the refresh token id the session expects after the call
	// (NewJTI when Rotated; the existing one when Grace; uuid.Nil when Reused).
	CurrentJTI uuid.UUID
	// Role is the role of the session's user, for the new access token
	// (empty when Reused).
	Role string
}

// Store keeps users and sessions. Every method is safe for concurrent use, also
// by several server instances sharing one database.
type Store interface {
	// CreateUser inserts u (ID and timestamps set by the caller). ErrEmailTaken if
	// the email is already used.
	CreateUser(ctx context.Context, u User) error
	// UserByEmail finds a user by normalised email. ErrNotFound if none.
	UserByEmail(ctx context.Context, email string) (User, error)
	// UserByID finds a user by id. ErrNotFound if none.
	UserByID(ctx context.Context, id uuid.UUID) (User, error)
	// MaxBcryptCost is the highest cost among the bcrypt hashes stored for
	// users imported from the reference server, 0 when none is left.
	MaxBcryptCost(ctx context.Context) (int, error)
	// SetPasswordHash replaces a user's password hash. ErrNotFound if no such user.
	SetPasswordHash(ctx context.Context, userID uuid.UUID, hash string, now time.Time) error

	// UpdateProfile changes the given fields and updated_at, and returns the
	// user. ErrNotFound if no such user.
	UpdateProfile(ctx context.Context, userID uuid.UUID, p ProfileUpdate, now time.Time) (User, error)
	// ChangePassword replaces the password hash and, in the same transaction,
	// revokes every active session of the user but keep. ErrNotFound if no such user.
	ChangePassword(ctx context.Context, userID uuid.UUID, hash string, keep uuid.UUID, now time.Time) error

	// CreateSession inserts a new session. ErrNotFound if the user does not exist.
	CreateSession(ctx context.Context, s Session) error
	// ActiveSessions lists the user's sessions active at now, most recently used first.
	ActiveSessions(ctx context.Context, userID uuid.UUID, now time.Time) ([]Session, error)
	// SessionUser checks, in one query, that the user exists and that the session
	// belongs to it and is active at now. ErrNotFound if the user does not exist,
	// ErrSessionInactive if the session is missing, revoked, expired or not the user's.
	SessionUser(ctx context.Context, userID, sessionID uuid.UUID, now time.Time) (User, error)
	// RotateSession atomically decides what a presented refresh token does to its
	// session (see RotateOutcome). ErrNotFound if the user no longer exists,
	// ErrSessionInactive if the session is missing, revoked, expired or not the user's.
	RotateSession(ctx context.Context, r RotateRequest) (Rotation, error)
	// RevokeSession ends one session of a user. ErrSessionInactive if it was not active.
	RevokeSession(ctx context.Context, userID, sessionID uuid.UUID, now time.Time) error
	// RevokeOtherSessions ends every active session of the user except keep
	// (uuid.Nil: all of them) and returns how many it ended.
	RevokeOtherSessions(ctx context.Context, userID, keep uuid.UUID, now time.Time) (int, error)

	// LoginThrottle reads an account's failed-login state; zero if it has none.
	LoginThrottle(ctx context.Context, account string, now time.Time) (Throttle, error)
	// RecordLoginFailure counts one more failure, atomically, starting again
	// from one when the last failure was before windowStart; lockFor gives the
	// lock duration for a failure count (0: no lock). It returns the new state.
	RecordLoginFailure(ctx context.Context, account string, now, windowStart time.Time, lockFor func(failures int) time.Duration) (Throttle, error)
	// ClearLoginFailures forgets an account's failures after a successful login.
	ClearLoginFailures(ctx context.Context, account string) error
	// PruneLoginFailures deletes failure records last touched before the instant.
	PruneLoginFailures(ctx context.Context, before time.Time) (int, error)
}

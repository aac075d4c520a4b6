package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/authapi/authapi/internal/password"
	"github.com/google/uuid"
)

// UpdateProfile changes the caller's name and photo (nil: unchanged).
func (s *Service) UpdateProfile(ctx context.Context, p Principal, name, photo *string) (User, error) {
	u, err := s.store.UpdateProfile(ctx, p.User.ID, ProfileUpdate{Name: name, Photo: photo}, s.clock())
	if errors.Is(err, ErrNotFound) {
		return User{}, ErrUserGone
	}
	if err != nil {
		return User{}, fmt.Errorf("update profile: %w", err)
	}
	return u, nil
}

// ChangePassword checks the current password and sets a new one; every other
// session of the user is revoked in the same transaction. A wrong current
// password counts towards the account's lockout exactly like a failed login,
// so a stolen session cannot be used to guess the password either.
func (s *Service) ChangePassword(ctx context.Context, p Principal, current, next string) error {
	done, err := s.checks.take(ctx, p.User.Email)
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	defer done()
	now := s.clock()
	th, err := s.store.LoginThrottle(ctx, p.User.Email, now)
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	if th.Locked(now) {
		return tooManyAttempts(th.LockedUntil.Sub(now))
	}
	ok, _, err := s.hasher.Verify(ctx, p.User.PasswordHash, current)
	if err != nil && !errors.Is(err, password.ErrInvalidHash) {
		return hashError("change password", err)
	}
	if !ok {
		if _, err := s.recordFailure(ctx, p.User.Email, now); err != nil {
			return fmt.Errorf("change password: %w", err)
		}
		return ErrWrongPassword
	}
	hash, err := s.hasher.Hash(ctx, next)
	if err != nil {
		return hashError("change password", err)
	}
	if err := s.store.ChangePassword(ctx, p.User.ID, hash, p.SessionID, now); err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	if th.Failures > 0 {
		if err := s.store.ClearLoginFailures(ctx, p.User.Email); err != nil {
			return fmt.Errorf("change password: %w", err)
		}
	}
	s.log.InfoContext(ctx, "password changed; other sessions revoked", "event", "password_changed", "user_id", p.User.ID)
	s.record(ctx, EventPasswordChange, OutcomeSuccess, p.User.ID)
	return nil
}

// LockoutPolicy is the per-account back-off after failed logins: from the
// Threshold-th failure within Window, the account is locked for Base, then
// twice as long with each further failure, up to Max. A zero Threshold turns
// the lockout off.
type LockoutPolicy struct {
	Threshold int
	Base, Max time.Duration
	Window    time.Duration
}

// DefaultLockout locks after 5 failures for 30 s, doubling up to 15 minutes,
// counting failures less than an hour apart.
var DefaultLockout = LockoutPolicy{Threshold: 5, Base: 30 * time.Second, Max: 15 * time.Minute, Window: time.Hour}

// lockFor is how long the failures-th failure locks the account.
func (l LockoutPolicy) lockFor(failures int) time.Duration {
	if l.Threshold <= 0 || failures < l.Threshold {
		return 0
	}
	d := l.Base
	for range failures - l.Threshold {
		if d >= l.Max {
			break
		}
		d *= 2
	}
	return min(d, l.Max)
}

// recordFailure counts a failed password check against an account.
func (s *Service) recordFailure(ctx context.Context, account string, now time.Time) (Throttle, error) {
	return s.store.RecordLoginFailure(ctx, account, now, now.Add(-s.cfg.Lockout.Window), s.cfg.Lockout.lockFor)
}

// loginFailed records a failed login and returns the error to answer with:
// the lock when the account was already locked, else bad credentials (the
// attempt that locks an account is still answered as a wrong password).
func (s *Service) loginFailed(ctx context.Context, email string, userID uuid.UUID, locked bool, now time.Time) error {
	th, err := s.recordFailure(ctx, email, now)
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	if locked {
		s.record(ctx, EventLogin, OutcomeLocked, userID)
		return tooManyAttempts(th.LockedUntil.Sub(now))
	}
	s.record(ctx, EventLogin, OutcomeBadCredentials, userID)
	if th.Locked(now) {
		s.log.WarnContext(ctx, "account locked after repeated login failures",
			"event", "lockout", "user_id", userID, "failures", th.Failures, "until", th.LockedUntil)
	}
	return ErrBadCredentials
}

// hashError turns a password pool failure into the answer for the client.
func hashError(op string, err error) error {
	if errors.Is(err, password.ErrBusy) || errors.Is(err, password.ErrUnavailable) {
		return ErrBusy
	}
	return fmt.Errorf("%s: hash password: %w", op, err)
}

package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/authapi/authapi/internal/token"
	"github.com/google/uuid"
)

// Refresh rotates a refresh token: the presented one stops working and a new
// pair is issued. A token rotated less than ReuseGrace ago gets the session's
// current pair again (two tabs refreshing at once); an older one is a replay, and
// the whole session is revoked.
func (s *Service) Refresh(ctx context.Context, refreshToken string) (Tokens, error) {
	c, err := s.tokens.Verify(refreshToken, token.Refresh)
	if err != nil {
		s.record(ctx, EventRefresh, OutcomeInvalid, uuid.Nil)
		return Tokens{}, ErrRefreshInvalid
	}
	now := s.clock()
	rot, err := s.store.RotateSession(ctx, RotateRequest{
		SessionID: c.SessionID, UserID: c.Subject, PresentedJTI: c.ID, NewJTI: uuid.New(),
		Now: now, GraceStart: now.Add(-s.cfg.ReuseGrace), IdleStart: s.idleStart(now),
	})
	switch {
	case errors.Is(err, ErrNotFound):
		s.record(ctx, EventRefresh, OutcomeInvalid, uuid.Nil)
		return Tokens{}, ErrRefreshUserGone
	case errors.Is(err, ErrSessionInactive):
		s.record(ctx, EventRefresh, OutcomeInvalid, c.Subject)
		return Tokens{}, ErrRefreshInvalid
	case err != nil:
		return Tokens{}, fmt.Errorf("refresh: %w", err)
	}
	s.record(ctx, EventRefresh, rot.Outcome.String(), c.Subject)
	if rot.Outcome == Reused {
		s.log.WarnContext(ctx, "refresh token reuse detected; session revoked",
			"event", "refresh_reuse", "user_id", c.Subject, "session_id", c.SessionID)
		return Tokens{}, ErrRefreshReused
	}
	return s.issue(c.Subject, rot.Role, c.SessionID, rot.CurrentJTI, now)
}

// LogoutScope says which sessions a logout ends.
type LogoutScope string

// The logout scopes.
const (
	ScopeCurrent LogoutScope = "current" // the caller's session (the default)
	ScopeOthers  LogoutScope = "others"  // every session but the caller's
	ScopeAll     LogoutScope = "all"     // every session of the user
)

// Logout revokes sessions: their refresh tokens and every access token issued
// for them stop working immediately.
func (s *Service) Logout(ctx context.Context, p Principal, scope LogoutScope) error {
	now := s.clock()
	var err error
	switch scope {
	case ScopeOthers:
		_, err = s.store.RevokeOtherSessions(ctx, p.User.ID, p.SessionID, now)
	case ScopeAll:
		_, err = s.store.RevokeOtherSessions(ctx, p.User.ID, uuid.Nil, now)
	default:
		err = s.store.RevokeSession(ctx, p.User.ID, p.SessionID, now)
	}
	if err != nil && !errors.Is(err, ErrSessionInactive) {
		return fmt.Errorf("logout: %w", err)
	}
	s.record(ctx, EventLogout, OutcomeRevoked, p.User.ID)
	return nil
}

// Sessions lists the caller's active sessions, most recently used first.
func (s *Service) Sessions(ctx context.Context, p Principal) ([]Session, error) {
	list, err := s.store.ActiveSessions(ctx, p.User.ID, s.clock())
	if err != nil {
		return nil, fmt.Errorf("sessions: %w", err)
	}
	return list, nil
}

// RevokeSession ends one of the caller's sessions. Any id that is not one of
// the caller's active sessions — someone else's included — is
// ErrSessionNotFound, so the answer never tells whether it exists.
func (s *Service) RevokeSession(ctx context.Context, p Principal, id uuid.UUID) error {
	err := s.store.RevokeSession(ctx, p.User.ID, id, s.clock())
	if errors.Is(err, ErrSessionInactive) {
		return ErrSessionNotFound
	}
	if err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	s.record(ctx, EventLogout, OutcomeRevoked, p.User.ID)
	return nil
}

// idleStart is the instant before which an unused session counts as idle.
func (s *Service) idleStart(now time.Time) time.Time {
	if s.cfg.SessionIdleTimeout <= 0 {
		return time.Time{}
	}
	return now.Add(-s.cfg.SessionIdleTimeout)
}

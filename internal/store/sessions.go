package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/authapi/authapi/internal/auth"
)

// sessionColumns lists sessions' columns in the order sessionDest scans them.
const sessionColumns = `s.id, s.user_id, s.refresh_jti, s.previous_jti, s.rotated_at,
	s.created_at, s.last_used_at, s.expires_at, s.revoked_at, s.user_agent, s.ip`

// sessionDest returns the scan destinations for sessionColumns. NULLs (no
// rotation yet, not revoked, or no session at all in a LEFT JOIN) scan to the
// zero values auth.Session documents.
func sessionDest(s *auth.Session) []any {
	return []any{
		&s.ID, &s.UserID, &s.RefreshJTI, &s.PreviousJTI, timeDest{&s.RotatedAt},
		timeDest{&s.CreatedAt}, timeDest{&s.LastUsedAt}, timeDest{&s.ExpiresAt},
		nullTimeDest{&s.RevokedAt}, nullString{&s.UserAgent}, nullString{&s.IP},
	}
}

// nullString scans NULL as "", which only happens for a LEFT JOIN with no
// session: the columns themselves are NOT NULL.
type nullString struct{ s *string }

// Scan implements sql.Scanner.
func (d nullString) Scan(src any) error {
	var ns sql.NullString
	if err := ns.Scan(src); err != nil {
		return err
	}
	*d.s = ns.String
	return nil
}

// CreateSession inserts a new session. It returns an error wrapping
// auth.ErrNotFound if the user does not exist.
func (db *DB) CreateSession(ctx context.Context, s auth.Session) error {
	ctx, cancel := db.bound(ctx)
	defer cancel()
	_, err := db.w.ExecContext(ctx, `
		INSERT INTO sessions (id, user_id, refresh_jti, previous_jti, rotated_at,
			created_at, last_used_at, expires_at, revoked_at, user_agent, ip)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		s.ID, s.UserID, s.RefreshJTI, nullUUID(s.PreviousJTI), db.d.nullTime(s.RotatedAt),
		db.d.time(s.CreatedAt), db.d.time(s.LastUsedAt), db.d.time(s.ExpiresAt),
		db.d.timePtr(s.RevokedAt), s.UserAgent, s.IP)
	if db.d.foreignKeyMissing(err) {
		return fmt.Errorf("create session %s: user %s: %w", s.ID, s.UserID, auth.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("create session %s: %w", s.ID, check(err))
	}
	return nil
}

// Session reads one session, active or not. It returns an error wrapping
// auth.ErrNotFound if there is none.
func (db *DB) Session(ctx context.Context, id uuid.UUID) (auth.Session, error) {
	ctx, cancel := db.bound(ctx)
	defer cancel()
	var s auth.Session
	err := db.scanRow(ctx, sessionDest(&s), `SELECT `+sessionColumns+` FROM sessions s WHERE s.id = $1`, id)
	if err != nil {
		return auth.Session{}, fmt.Errorf("session %s: %w", id, notFound(err))
	}
	return s, nil
}

// userSession reads a user and, in the same row, its session sessionID. The
// session is zero (ID uuid.Nil) when it does not exist or belongs to someone
// else. It returns an error wrapping auth.ErrNotFound if the user does not
// exist. The slow path of RotateSession reads through it.
func (db *DB) userSession(ctx context.Context, userID, sessionID uuid.UUID) (auth.User, auth.Session, error) {
	var (
		u auth.User
		s auth.Session
	)
	err := db.scanRow(ctx, append(userDest(&u), sessionDest(&s)...), `
		SELECT `+userColumns+`, `+sessionColumns+`
		FROM users u LEFT JOIN sessions s ON s.id = $2 AND s.user_id = u.id
		WHERE u.id = $1`, userID, sessionID)
	if err != nil {
		return auth.User{}, auth.Session{}, notFound(err)
	}
	return u, s, nil
}

// SessionUser returns the user if sessionID is one of its sessions and active
// at now, in one query: it runs on every authenticated request. The error
// wraps auth.ErrNotFound if the user does not exist and auth.ErrSessionInactive
// if the session is missing, another user's, revoked or expired.
//
// The session's activity (auth.Session.Active: not revoked, not expired) is
// decided in the join, so only the user's columns and one flag come back:
// reading and converting the session's eleven columns was a third of the
// query's cost, on the path every request takes.
func (db *DB) SessionUser(ctx context.Context, userID, sessionID uuid.UUID, now time.Time) (auth.User, error) {
	ctx, cancel := db.bound(ctx)
	defer cancel()
	var (
		u      auth.User
		active bool
	)
	err := db.scanRow(ctx, append(userDest(&u), &active), `
		SELECT `+userColumns+`, s.id IS NOT NULL
		FROM users u LEFT JOIN sessions s
			ON s.id = $2 AND s.user_id = u.id AND s.revoked_at IS NULL AND s.expires_at > $3
		WHERE u.id = $1`, userID, sessionID, db.d.time(now))
	if err != nil {
		return auth.User{}, fmt.Errorf("session %s of user %s: %w", sessionID, userID, notFound(err))
	}
	if !active {
		return auth.User{}, fmt.Errorf("session %s of user %s: %w", sessionID, userID, auth.ErrSessionInactive)
	}
	return u, nil
}

// rotateSQL swaps in the new refresh token id only if the presented one is the
// current one of an active session of the user, so of two concurrent callers
// exactly one changes the row. It returns only what the new access token
// needs from the user, the role: SQLite's RETURNING cannot name the tables of
// an UPDATE ... FROM, hence a subquery (a primary-key lookup) instead of a join.
const rotateSQL = `
	UPDATE sessions
	SET previous_jti = refresh_jti, refresh_jti = $4, rotated_at = $5, last_used_at = $5
	WHERE id = $1 AND user_id = $2 AND refresh_jti = $3 AND revoked_at IS NULL AND expires_at > $5
		AND last_used_at >= $6
	RETURNING (SELECT role FROM users WHERE users.id = sessions.user_id)`

// RotateSession decides what a presented refresh token does to its session.
// The common case, the current token, is one conditional UPDATE. Otherwise one
// read classifies the token: inactive session, a token replaced within the
// grace window (Grace, nothing changes), or anything older (Reused: the
// session is revoked, because the token was stolen or replayed).
func (db *DB) RotateSession(ctx context.Context, r auth.RotateRequest) (auth.Rotation, error) {
	ctx, cancel := db.bound(ctx)
	defer cancel()
	var role string
	err := db.scanWrite(ctx, []any{&role}, rotateSQL,
		r.SessionID, r.UserID, r.PresentedJTI, r.NewJTI, db.d.time(r.Now), db.d.time(r.IdleStart))
	if err == nil {
		return auth.Rotation{Outcome: auth.Rotated, CurrentJTI: r.NewJTI, Role: role}, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return auth.Rotation{}, fmt.Errorf("rotate session %s: %w", r.SessionID, check(err))
	}

	u, s, err := db.userSession(ctx, r.UserID, r.SessionID)
	if err != nil {
		return auth.Rotation{}, fmt.Errorf("rotate session %s of user %s: %w", r.SessionID, r.UserID, err)
	}
	switch {
	case s.ID == uuid.Nil || !s.Active(r.Now) || s.LastUsedAt.Before(r.IdleStart):
		return auth.Rotation{}, fmt.Errorf("rotate session %s: %w", r.SessionID, auth.ErrSessionInactive)
	case s.RefreshJTI == r.PresentedJTI:
		// The UPDATE's conditions held after all, which no committed change
		// can cause; refuse rather than revoke a session in good standing.
		return auth.Rotation{}, fmt.Errorf("rotate session %s: current token not rotated", r.SessionID)
	case s.PreviousJTI != uuid.Nil && s.PreviousJTI == r.PresentedJTI && !s.RotatedAt.Before(r.GraceStart):
		return auth.Rotation{Outcome: auth.Grace, CurrentJTI: s.RefreshJTI, Role: u.Role}, nil
	}
	if _, err := db.revoke(ctx, r.UserID, r.SessionID, r.Now); err != nil {
		return auth.Rotation{}, fmt.Errorf("rotate session %s: revoke on reuse: %w", r.SessionID, err)
	}
	return auth.Rotation{Outcome: auth.Reused}, nil
}

// RevokeSession ends one active session of a user. The error wraps
// auth.ErrSessionInactive if the session is missing, another user's, already
// revoked or expired.
func (db *DB) RevokeSession(ctx context.Context, userID, sessionID uuid.UUID, now time.Time) error {
	ctx, cancel := db.bound(ctx)
	defer cancel()
	revoked, err := db.revoke(ctx, userID, sessionID, now)
	if err != nil {
		return fmt.Errorf("revoke session %s: %w", sessionID, err)
	}
	if !revoked {
		return fmt.Errorf("revoke session %s of user %s: %w", sessionID, userID, auth.ErrSessionInactive)
	}
	return nil
}

// revoke sets revoked_at on an active session of the user and reports whether
// it did; the conditions make it safe to race with rotation and other revokes.
func (db *DB) revoke(ctx context.Context, userID, sessionID uuid.UUID, now time.Time) (bool, error) {
	res, err := db.w.ExecContext(ctx, `
		UPDATE sessions SET revoked_at = $3
		WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL AND expires_at > $3`,
		sessionID, userID, db.d.time(now))
	if err != nil {
		return false, check(err)
	}
	n, err := res.RowsAffected()
	return n > 0, check(err)
}

// ActiveSessions lists the user's sessions that are neither revoked nor
// expired at now, most recently used first.
func (db *DB) ActiveSessions(ctx context.Context, userID uuid.UUID, now time.Time) ([]auth.Session, error) {
	ctx, cancel := db.bound(ctx)
	defer cancel()
	release, err := db.takeReader(ctx)
	if err != nil {
		return nil, fmt.Errorf("sessions of user %s: %w", userID, check(err))
	}
	defer release()
	rows, err := db.db.QueryContext(ctx, `
		SELECT `+sessionColumns+` FROM sessions s
		WHERE s.user_id = $1 AND s.revoked_at IS NULL AND s.expires_at > $2
		ORDER BY s.last_used_at DESC, s.id`, userID, db.d.time(now))
	if err != nil {
		return nil, fmt.Errorf("sessions of user %s: %w", userID, check(err))
	}
	defer rows.Close()
	var out []auth.Session
	for rows.Next() {
		var s auth.Session
		if err := rows.Scan(sessionDest(&s)...); err != nil {
			return nil, fmt.Errorf("sessions of user %s: %w", userID, check(err))
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sessions of user %s: %w", userID, check(err))
	}
	return out, nil
}

// RevokeOtherSessions ends every active session of the user but keep
// (uuid.Nil: all) and returns how many it ended.
func (db *DB) RevokeOtherSessions(ctx context.Context, userID, keep uuid.UUID, now time.Time) (int, error) {
	ctx, cancel := db.bound(ctx)
	defer cancel()
	n, err := revokeOthers(ctx, db.w, db.d, userID, keep, now)
	if err != nil {
		return 0, fmt.Errorf("revoke sessions of user %s: %w", userID, check(err))
	}
	return n, nil
}

// execer is what a *sql.DB and a *sql.Tx have in common, so one statement can
// run alone or inside a transaction.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func revokeOthers(ctx context.Context, ex execer, d dialect, userID, keep uuid.UUID, now time.Time) (int, error) {
	res, err := ex.ExecContext(ctx, `
		UPDATE sessions SET revoked_at = $3
		WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL AND expires_at > $3`,
		userID, keep, d.time(now))
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// PruneSessions deletes sessions that ended (expired or revoked) before the
// instant: they can authenticate nothing, and a busy server makes many.
func (db *DB) PruneSessions(ctx context.Context, before time.Time) (int, error) {
	res, err := db.w.ExecContext(ctx, `
		DELETE FROM sessions WHERE expires_at < $1 OR revoked_at < $1`, db.d.time(before))
	if err != nil {
		return 0, fmt.Errorf("prune sessions: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

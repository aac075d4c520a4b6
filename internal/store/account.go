package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/authapi/authapi/internal/auth"
)

// UpdateProfile changes the given fields and updated_at in one statement and
// returns the user as stored. It returns an error wrapping auth.ErrNotFound if
// there is no such user.
func (db *DB) UpdateProfile(ctx context.Context, userID uuid.UUID, p auth.ProfileUpdate, now time.Time) (auth.User, error) {
	ctx, cancel := db.bound(ctx)
	defer cancel()
	var u auth.User
	// COALESCE keeps a column whose new value is NULL (not given).
	err := db.scanWrite(ctx, userDest(&u), `
		UPDATE users SET name = COALESCE($2, name), photo = COALESCE($3, photo), updated_at = $4
		WHERE id = $1
		RETURNING id, name, email, password, photo, verified, role, created_at, updated_at`,
		userID, p.Name, p.Photo, db.d.time(now))
	if err != nil {
		return auth.User{}, fmt.Errorf("update profile of user %s: %w", userID, notFound(err))
	}
	return u, nil
}

// ChangePassword replaces the password hash and revokes every other active
// session in one transaction: a thief holding another session is out the
// moment the owner's new password is in.
func (db *DB) ChangePassword(ctx context.Context, userID uuid.UUID, hash string, keep uuid.UUID, now time.Time) error {
	ctx, cancel := db.bound(ctx)
	defer cancel()
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("change password of user %s: %w", userID, check(err))
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE users SET password = $2, updated_at = $3 WHERE id = $1`,
		userID, hash, db.d.time(now))
	if err := oneRow(res, err); err != nil {
		return fmt.Errorf("change password of user %s: %w", userID, check(err))
	}
	if _, err := revokeOthers(ctx, tx, db.d, userID, keep, now); err != nil {
		return fmt.Errorf("change password of user %s: revoke sessions: %w", userID, check(err))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("change password of user %s: %w", userID, check(err))
	}
	return nil
}

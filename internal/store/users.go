package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/authapi/authapi/internal/auth"
)

// userColumns lists users' columns in the order userDest scans them.
const userColumns = `u.id, u.name, u.email, u.password, u.photo, u.verified, u.role, u.created_at, u.updated_at`

// userDest returns the scan destinations for userColumns.
func userDest(u *auth.User) []any {
	return []any{
		&u.ID, &u.Name, &u.Email, &u.PasswordHash, &u.Photo, &u.Verified, &u.Role,
		timeDest{&u.CreatedAt}, timeDest{&u.UpdatedAt},
	}
}

// CreateUser inserts u. It returns an error wrapping auth.ErrEmailTaken when
// another user has the email; the unique constraint decides, so two concurrent
// registrations cannot both pass a check and both insert.
func (db *DB) CreateUser(ctx context.Context, u auth.User) error {
	ctx, cancel := db.bound(ctx)
	defer cancel()
	_, err := db.w.ExecContext(ctx, `
		INSERT INTO users (id, name, email, password, photo, verified, role, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		u.ID, u.Name, u.Email, u.PasswordHash, u.Photo, u.Verified, u.Role,
		db.d.time(u.CreatedAt), db.d.time(u.UpdatedAt))
	if db.d.emailTaken(err) {
		return fmt.Errorf("create user %s: %w", u.ID, auth.ErrEmailTaken)
	}
	if err != nil {
		return fmt.Errorf("create user %s: %w", u.ID, check(err))
	}
	return nil
}

// UserByEmail finds the user with exactly this email; callers normalise it.
// It returns an error wrapping auth.ErrNotFound if there is none.
func (db *DB) UserByEmail(ctx context.Context, email string) (auth.User, error) {
	ctx, cancel := db.bound(ctx)
	defer cancel()
	var u auth.User
	if err := db.scanRow(ctx, userDest(&u), `SELECT `+userColumns+` FROM users u WHERE u.email = $1`, email); err != nil {
		return auth.User{}, fmt.Errorf("user by email: %w", notFound(err))
	}
	return u, nil
}

// UserByID finds a user by id. It returns an error wrapping auth.ErrNotFound if
// there is none.
func (db *DB) UserByID(ctx context.Context, id uuid.UUID) (auth.User, error) {
	ctx, cancel := db.bound(ctx)
	defer cancel()
	var u auth.User
	if err := db.scanRow(ctx, userDest(&u), `SELECT `+userColumns+` FROM users u WHERE u.id = $1`, id); err != nil {
		return auth.User{}, fmt.Errorf("user %s: %w", id, notFound(err))
	}
	return u, nil
}

// MaxBcryptCost returns the highest cost among the users' bcrypt hashes, the
// ones imported from the reference server (each becomes argon2id at its
// user's next login), or 0 when none is left. It reads the whole users table:
// the login path asks every few minutes, not per request.
func (db *DB) MaxBcryptCost(ctx context.Context) (int, error) {
	ctx, cancel := db.bound(ctx)
	defer cancel()
	var cost sql.NullString
	err := db.scanRow(ctx, []any{&cost}, `SELECT MAX(substr(password, 5, 2)) FROM users WHERE password LIKE $1`, "$2%")
	if err != nil {
		return 0, fmt.Errorf("bcrypt hashes: %w", check(err))
	}
	n, err := strconv.Atoi(cost.String)
	if !cost.Valid || err != nil {
		return 0, nil // none, or not a bcrypt cost: login refuses such a hash anyway
	}
	return n, nil
}

// SetPasswordHash replaces a user's password hash and sets updated_at to now.
// It returns an error wrapping auth.ErrNotFound if there is no such user.
func (db *DB) SetPasswordHash(ctx context.Context, userID uuid.UUID, hash string, now time.Time) error {
	ctx, cancel := db.bound(ctx)
	defer cancel()
	res, err := db.w.ExecContext(ctx,
		`UPDATE users SET password = $2, updated_at = $3 WHERE id = $1`,
		userID, hash, db.d.time(now))
	if err := oneRow(res, err); err != nil {
		return fmt.Errorf("set password of user %s: %w", userID, err)
	}
	return nil
}

// SetVerified marks a user's email as verified or not. It leaves updated_at
// alone: it is an administrative switch, and the store takes no clock. It
// returns an error wrapping auth.ErrNotFound if there is no such user.
func (db *DB) SetVerified(ctx context.Context, id uuid.UUID, verified bool) error {
	ctx, cancel := db.bound(ctx)
	defer cancel()
	res, err := db.w.ExecContext(ctx, `UPDATE users SET verified = $2 WHERE id = $1`, id, verified)
	if err := oneRow(res, err); err != nil {
		return fmt.Errorf("set verified of user %s: %w", id, err)
	}
	return nil
}

// DeleteUser deletes a user and, by the foreign key's cascade, its sessions.
// It returns an error wrapping auth.ErrNotFound if there is no such user.
func (db *DB) DeleteUser(ctx context.Context, id uuid.UUID) error {
	ctx, cancel := db.bound(ctx)
	defer cancel()
	res, err := db.w.ExecContext(ctx, `DELETE FROM users WHERE id = $1`, id)
	if err := oneRow(res, err); err != nil {
		return fmt.Errorf("delete user %s: %w", id, err)
	}
	return nil
}

// notFound turns sql.ErrNoRows into auth.ErrNotFound, and marks connection
// failures with auth.ErrUnavailable.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return auth.ErrNotFound
	}
	return check(err)
}

// oneRow checks the result of a statement that targets one row by key and
// reports auth.ErrNotFound when it touched none.
func oneRow(res sql.Result, err error) error {
	if err != nil {
		return check(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return check(err)
	}
	if n == 0 {
		return auth.ErrNotFound
	}
	return nil
}

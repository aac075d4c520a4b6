package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/authapi/authapi/internal/auth"
)

// LoginThrottle reads an account's failed-login state; the zero Throttle when
// the account has no recorded failures.
func (db *DB) LoginThrottle(ctx context.Context, account string, now time.Time) (auth.Throttle, error) {
	ctx, cancel := db.bound(ctx)
	defer cancel()
	var t auth.Throttle
	err := db.scanRow(ctx, []any{&t.Failures, timeDest{&t.LockedUntil}},
		`SELECT failures, locked_until FROM login_failures WHERE account = $1`, account)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.Throttle{}, nil
	}
	if err != nil {
		return auth.Throttle{}, fmt.Errorf("login throttle: %w", check(err))
	}
	return t, nil
}

// RecordLoginFailure counts a failure with one atomic upsert, so concurrent
// failures on several instances all count; the count starts again from one
// when the previous failure is older than windowStart. A lock, when lockFor
// asks for one, is set by a second statement that only ever extends it.
func (db *DB) RecordLoginFailure(ctx context.Context, account string, now, windowStart time.Time, lockFor func(int) time.Duration) (auth.Throttle, error) {
	ctx, cancel := db.bound(ctx)
	defer cancel()
	var t auth.Throttle
	err := db.scanWrite(ctx, []any{&t.Failures, timeDest{&t.LockedUntil}}, `
		INSERT INTO login_failures (account, failures, locked_until, updated_at)
		VALUES ($1, 1, NULL, $2)
		ON CONFLICT (account) DO UPDATE SET
			failures = CASE WHEN login_failures.updated_at < $3 THEN 1 ELSE login_failures.failures + 1 END,
			updated_at = $2
		RETURNING failures, locked_until`,
		account, db.d.time(now), db.d.time(windowStart))
	if err != nil {
		return auth.Throttle{}, fmt.Errorf("record login failure: %w", check(err))
	}
	d := lockFor(t.Failures)
	if d <= 0 {
		return t, nil
	}
	until := dbTime(now.Add(d))
	if !until.After(t.LockedUntil) {
		return t, nil
	}
	_, err = db.w.ExecContext(ctx, `
		UPDATE login_failures SET locked_until = $2
		WHERE account = $1 AND (locked_until IS NULL OR locked_until < $2)`,
		account, db.d.time(until))
	if err != nil {
		return auth.Throttle{}, fmt.Errorf("lock account: %w", check(err))
	}
	t.LockedUntil = until
	return t, nil
}

// ClearLoginFailures forgets an account's failures.
func (db *DB) ClearLoginFailures(ctx context.Context, account string) error {
	ctx, cancel := db.bound(ctx)
	defer cancel()
	if _, err := db.w.ExecContext(ctx, `DELETE FROM login_failures WHERE account = $1`, account); err != nil {
		return fmt.Errorf("clear login failures: %w", check(err))
	}
	return nil
}

// PruneLoginFailures deletes records last touched before the instant: every
// guessed email leaves a row, and they must not pile up.
func (db *DB) PruneLoginFailures(ctx context.Context, before time.Time) (int, error) {
	// No per-call deadline: maintenance, not a request, and a big backlog may
	// take a while to delete.
	res, err := db.w.ExecContext(ctx, `
		DELETE FROM login_failures
		WHERE updated_at < $1 AND (locked_until IS NULL OR locked_until < $1)`, db.d.time(before))
	if err != nil {
		return 0, fmt.Errorf("prune login failures: %w", check(err))
	}
	n, err := res.RowsAffected()
	return int(n), check(err)
}

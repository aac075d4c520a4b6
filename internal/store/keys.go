package store

import (
	"context"
	"fmt"

	"github.com/authapi/authapi/internal/keyring"
)

var _ keyring.Store = (*DB)(nil)

// signingKeyColumns lists signing_keys' columns in the order signingKeyDest
// scans them.
const signingKeyColumns = `kid, seq, alg, public_pem, private_key, created_at, active_from, retired_at`

func signingKeyDest(r *keyring.Record) []any {
	return []any{
		&r.ID, &r.Seq, &r.Alg, &r.PublicPEM, nullString{&r.PrivateKey},
		timeDest{&r.CreatedAt}, timeDest{&r.ActiveFrom}, timeDest{&r.RetiredAt},
	}
}

// SigningKeys returns every signing key, by seq ascending. The table holds a
// handful of rows: one per rotation.
func (db *DB) SigningKeys(ctx context.Context) ([]keyring.Record, error) {
	ctx, cancel := db.bound(ctx)
	defer cancel()
	release, err := db.takeReader(ctx)
	if err != nil {
		return nil, fmt.Errorf("signing keys: %w", check(err))
	}
	defer release()
	rows, err := db.db.QueryContext(ctx, `SELECT `+signingKeyColumns+` FROM signing_keys ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("signing keys: %w", check(err))
	}
	defer rows.Close()
	var recs []keyring.Record
	for rows.Next() {
		var r keyring.Record
		if err := rows.Scan(signingKeyDest(&r)...); err != nil {
			return nil, fmt.Errorf("signing keys: %w", check(err))
		}
		recs = append(recs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("signing keys: %w", check(err))
	}
	return recs, nil
}

// AddSigningKey inserts r and retires, in the same transaction, every earlier
// key that would still sign at r.ActiveFrom: their retired_at becomes
// r.ActiveFrom, or stays if already earlier. A key stops signing when the
// first later key becomes active, so an emergency rotation that follows one
// with a longer delay cuts the retirement short, and none is ever extended.
// If a key numbered r.Seq (or with r's kid) exists, nothing changes and the
// error wraps keyring.ErrConflict: of two concurrent rotations, exactly one
// wins.
func (db *DB) AddSigningKey(ctx context.Context, r keyring.Record) error {
	ctx, cancel := db.bound(ctx)
	defer cancel()
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("add signing key %s: %w", r.ID, check(err))
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, `
		UPDATE signing_keys SET retired_at = $1
		WHERE seq < $2 AND (retired_at IS NULL OR retired_at > $1)`,
		db.d.time(r.ActiveFrom), r.Seq)
	if err != nil {
		return fmt.Errorf("add signing key %s: retire the previous keys: %w", r.ID, check(err))
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO signing_keys (`+signingKeyColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		r.ID, r.Seq, r.Alg, r.PublicPEM, nullText(r.PrivateKey),
		db.d.time(r.CreatedAt), db.d.time(r.ActiveFrom), db.d.nullTime(r.RetiredAt))
	if db.d.violation(err).kind == uniqueViolation {
		return fmt.Errorf("add signing key %s (number %d): %w", r.ID, r.Seq, keyring.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("add signing key %s: %w", r.ID, check(err))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("add signing key %s: %w", r.ID, check(err))
	}
	return nil
}

// SetSigningKeyPrivate replaces the stored private key of kid: sealed after
// KEYS_ENCRYPTION_KEY is set, or "" (NULL) to erase it. It returns an error
// wrapping auth.ErrNotFound if there is no such key.
func (db *DB) SetSigningKeyPrivate(ctx context.Context, kid, privateKey string) error {
	ctx, cancel := db.bound(ctx)
	defer cancel()
	res, err := db.w.ExecContext(ctx, `UPDATE signing_keys SET private_key = $1 WHERE kid = $2`, nullText(privateKey), kid)
	if err := oneRow(res, err); err != nil {
		return fmt.Errorf("set private key of signing key %s: %w", kid, err)
	}
	return nil
}

// nullText encodes "" as SQL NULL.
func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

package keyring

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/authapi/authapi/internal/token"
)

// Rotate generates a new key for alg ("" for the algorithm of the newest
// key) and makes it the signing key of every
// instance delay from now; the key it replaces keeps verifying for
// Retention after that. A delay shorter than DefaultDelay means instances
// that have not reloaded yet refuse the new key's tokens for a while: keep
// it for a key that must stop signing at once. The first key is created
// first if the database has none.
func (r *Ring) Rotate(ctx context.Context, alg string, delay time.Duration) (Record, error) {
	if delay < 0 {
		return Record{}, errors.New("rotate: delay must not be negative")
	}
	recs, err := r.ensure(ctx)
	if err != nil {
		return Record{}, fmt.Errorf("rotate: %w", err)
	}
	if alg == "" {
		alg = recs[len(recs)-1].Alg
	}
	key, err := token.GenerateKey(alg)
	if err != nil {
		return Record{}, fmt.Errorf("rotate: %w", err)
	}
	now := r.o.Now()
	rec, err := r.record(key, recs[len(recs)-1].Seq+1, now, now.Add(delay))
	if err != nil {
		return Record{}, fmt.Errorf("rotate: %w", err)
	}
	if err := r.o.Store.AddSigningKey(ctx, rec); err != nil {
		if errors.Is(err, ErrConflict) {
			return Record{}, fmt.Errorf("rotate: %w; run it again", err)
		}
		return Record{}, fmt.Errorf("rotate: %w", err)
	}
	r.o.Log.Warn("security: signing key rotated", "event", "keys_rotated",
		"kid", rec.ID, "alg", rec.Alg, "previous_kid", recs[len(recs)-1].ID,
		"active_from", rec.ActiveFrom.UTC().Format(time.RFC3339), "encrypted", r.Encrypted())
	rec.PrivateKey = ""
	return rec, nil
}

// The states of a key, as List reports them.
const (
	StateSigning = "signing" // signs new tokens
	StatePending = "pending" // published; signs from its ActiveFrom on
	StateVerify  = "verify"  // replaced; verifies and is published until Until
	StateExpired = "expired" // its tokens have all expired; gone from the JWKS
)

// Status describes one key for people: never its private half.
type Status struct {
	ID, Alg, State string
	Seq            int64
	CreatedAt      time.Time
	ActiveFrom     time.Time
	RetiredAt      time.Time // zero if not retired
	// Until is when a replaced key leaves verification and the JWKS; zero
	// if not replaced.
	Until time.Time
	// Encrypted reports whether its private key is stored encrypted;
	// HasPrivate whether it is stored at all.
	Encrypted, HasPrivate bool
}

// List returns the state of every key, oldest first.
func (r *Ring) List(ctx context.Context) ([]Status, error) {
	recs, err := r.o.Store.SigningKeys(ctx)
	if err != nil {
		return nil, err
	}
	now := r.o.Now()
	signing := signingIndex(recs, now)
	out := make([]Status, 0, len(recs))
	for i, rec := range recs {
		s := Status{
			ID: rec.ID, Alg: rec.Alg, Seq: rec.Seq, CreatedAt: rec.CreatedAt, ActiveFrom: rec.ActiveFrom,
			RetiredAt: rec.RetiredAt, Encrypted: isSealed(rec.PrivateKey), HasPrivate: rec.PrivateKey != "",
		}
		if !rec.RetiredAt.IsZero() {
			s.Until = rec.RetiredAt.Add(r.Retention())
		}
		switch {
		case i == signing:
			s.State = StateSigning
		case i > signing && i == len(recs)-1:
			s.State = StatePending
		case r.expired(rec, now):
			s.State = StateExpired
		default:
			s.State = StateVerify
		}
		out = append(out, s)
	}
	return out, nil
}

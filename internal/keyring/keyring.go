// Package keyring keeps the JWT signing keys in the database when none is
// configured, so that every instance of a deployment signs with the same key
// and a rotation reaches all of them without a restart.
//
// Keys are numbered: the first is 1 and each rotation adds the next number.
// A rotation publishes the new key ahead of its use (ActiveFrom lies a couple
// of reload intervals ahead), so every instance can verify its tokens before
// any instance signs one, and then every instance switches at that instant.
// The key it replaces keeps verifying, and stays in the JWKS, until the
// tokens it signed have expired. Private keys are encrypted at rest with
// AES-256-GCM when a key-encryption key is configured, and erased from the
// database once their key has been replaced.
package keyring

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/authapi/authapi/internal/token"
)

// Record is one signing key as the database keeps it.
type Record struct {
	ID  string // kid: the RFC 7638 thumbprint of the public key
	Seq int64  // 1 for the first key, one more for each rotation
	Alg string // RS256, ES256 or EdDSA
	// PublicPEM is the PKIX public key.
	PublicPEM string
	// PrivateKey is the PKCS#8 PEM private key, or it sealed with the
	// key-encryption key (see seal); "" once erased after retirement.
	PrivateKey string
	CreatedAt  time.Time
	// ActiveFrom is when the key starts signing.
	ActiveFrom time.Time
	// RetiredAt is when a later key took over signing (the earliest
	// ActiveFrom of the later keys); zero while this is the newest key.
	RetiredAt time.Time
}

// String names the key without its private half, so that a Record passed to
// a logger or fmt by mistake never prints it.
func (r Record) String() string {
	return fmt.Sprintf("%s signing key %s (number %d)", r.Alg, r.ID, r.Seq)
}

// GoString is String for %#v.
func (r Record) GoString() string { return r.String() }

// Store is what the keyring needs of the database.
type Store interface {
	// SigningKeys returns every key, by Seq ascending.
	SigningKeys(ctx context.Context) ([]Record, error)
	// AddSigningKey inserts r and, in the same transaction, sets RetiredAt
	// to r.ActiveFrom on every earlier key not retired by then (unset, or
	// set later). It fails with an error wrapping ErrConflict if a key
	// numbered r.Seq exists.
	AddSigningKey(ctx context.Context, r Record) error
	// SetSigningKeyPrivate replaces the stored private key of kid; ""
	// erases it.
	SetSigningKeyPrivate(ctx context.Context, kid, privateKey string) error
}

// ErrConflict reports that another process added a signing key at the same
// time; reading the keys again and retrying resolves it.
var ErrConflict = errors.New("another signing key was added at the same time")

// Options configure a Ring.
type Options struct {
	Store Store
	// KEK is the 32-byte key-encryption key (KEYS_ENCRYPTION_KEY). Nil
	// stores private keys unencrypted.
	KEK []byte
	// Alg is the algorithm of the first key, when one must be generated.
	Alg string
	// ImportDir is where earlier versions kept the key they generated
	// (KEYS_DIR). If the database holds no key yet and ImportDir holds one,
	// it becomes the first key, so that the tokens it signed stay valid.
	ImportDir string
	// MaxTokenLifetime is the longest lifetime of a token (the refresh
	// token's): a replaced key verifies for that long after its retirement,
	// plus the delays of Retention.
	MaxTokenLifetime time.Duration
	// Interval is how often Run reloads the keys; zero means 30s.
	Interval time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Log receives key events; nil discards them.
	Log *slog.Logger
}

// DefaultInterval is the reload period when Options.Interval is zero.
const DefaultInterval = 30 * time.Second

// Ring loads, creates and rotates the signing keys of one database. It is
// safe for concurrent use.
type Ring struct {
	o Options

	mu sync.Mutex
	// parsed caches the private keys already decrypted, by kid.
	parsed map[string]*token.Key
	// applied describes the key set Run last gave the Manager.
	applied string
}

// New returns a Ring over o.Store. It does not touch the database.
func New(o Options) *Ring {
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Ring{o: o, parsed: map[string]*token.Key{}}
}

// Interval returns how often Run reloads the keys.
func (r *Ring) Interval() time.Duration { return r.o.Interval }

// Retention is how long a replaced key keeps verifying after its retirement:
// the longest token lifetime, plus two reload intervals (an instance that
// missed one reload may sign with it that much later), plus a minute of
// clock skew between instances.
func (r *Ring) Retention() time.Duration {
	return r.o.MaxTokenLifetime + 2*r.o.Interval + time.Minute
}

// DefaultDelay is how far ahead of its use a rotation publishes the new key
// by default: two reload intervals, so that every instance has loaded it
// even if one reload failed.
func (r *Ring) DefaultDelay() time.Duration { return 2 * r.o.Interval }

// Encrypted reports whether private keys are encrypted at rest.
func (r *Ring) Encrypted() bool { return r.o.KEK != nil }

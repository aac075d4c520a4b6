package token

import (
	"crypto"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// Defaults for the zero values of Options.
const (
	defaultLeeway        = 5 * time.Second
	defaultMaxTokenBytes = 8192
)

// Options tune a Manager. The zero value is usable.
type Options struct {
	// Issuer is written as iss, and then required on every token verified.
	Issuer string
	// Leeway is the clock skew allowed when checking exp, nbf and iat, since
	// the servers of a deployment never agree on the time exactly. Kept small:
	// it extends every token's life, and NTP keeps servers within milliseconds.
	// Zero (or less) means 5s.
	Leeway time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// MaxTokenBytes bounds the tokens Verify will look at; longer ones are
	// refused before any decoding. Zero (or less) means 8192.
	MaxTokenBytes int
	// CacheSize is how many verified access tokens Verify remembers, so that
	// a token presented again skips the signature check (see verifiedCache).
	// Zero means 10000, about 2 MiB; less than zero turns the cache off.
	// One keeps two tokens (one per generation).
	CacheSize int
}

// Manager issues tokens with one signing key and verifies tokens signed by
// any key it knows. It is safe for concurrent use; SetKeys replaces its keys
// while it is in use, for rotation.
type Manager struct {
	issuer   string
	leeway   time.Duration
	now      func() time.Time
	maxBytes int
	// cacheSize is Options.CacheSize resolved: 0 for no cache.
	cacheSize int
	// keys is the current key set, an immutable snapshot replaced whole by
	// SetKeys: Verify and Issue read it with one atomic load and no lock.
	keys atomic.Pointer[keyState]

	cacheHits, cacheMisses atomic.Uint64
}

// verifier checks tokens of one kid: its parser accepts that key's
// algorithm only, so a token can never choose how it is verified.
type verifier struct {
	alg    string
	key    crypto.PublicKey
	parser *jwt.Parser
}

// NewManager returns a Manager that signs with signing, which must not be nil.
func NewManager(signing *Key, opts Options) *Manager {
	if signing == nil {
		panic("token: NewManager needs a signing key")
	}
	m := &Manager{
		issuer:   opts.Issuer,
		leeway:   opts.Leeway,
		now:      opts.Now,
		maxBytes: opts.MaxTokenBytes,
	}
	switch {
	case opts.CacheSize == 0:
		m.cacheSize = defaultCacheSize
	case opts.CacheSize > 0:
		m.cacheSize = opts.CacheSize
	}
	if m.leeway <= 0 {
		m.leeway = defaultLeeway
	}
	if m.now == nil {
		m.now = time.Now
	}
	if m.maxBytes <= 0 {
		m.maxBytes = defaultMaxTokenBytes
	}
	if err := m.SetKeys(KeySet{Signing: signing}); err != nil {
		// A lone signing key is always a valid set.
		panic("token: NewManager: " + err.Error())
	}
	return m
}

// newVerifier returns the verifier of tokens signed with pub under alg only.
func (m *Manager) newVerifier(alg string, pub crypto.PublicKey) *verifier {
	opts := []jwt.ParserOption{
		jwt.WithValidMethods([]string{alg}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(m.leeway),
		jwt.WithTimeFunc(m.now),
		// Canonical base64 only: otherwise the unused low bits of a
		// segment's last character could be flipped to make a different
		// string that still verifies.
		jwt.WithStrictDecoding(),
	}
	if m.issuer != "" {
		opts = append(opts, jwt.WithIssuer(m.issuer))
	}
	return &verifier{alg: alg, key: pub, parser: jwt.NewParser(opts...)}
}

// SigningKey returns the key new tokens are signed with now.
func (m *Manager) SigningKey() *Key { return m.keys.Load().signingAt(m.now()) }

// wireClaims is the JWT payload. The fields are in the reference's order
// (sub, iat, nbf, jti, exp, type, fresh), followed by our additions.
type wireClaims struct {
	Subject   string           `json:"sub"`
	IssuedAt  *jwt.NumericDate `json:"iat,omitempty"`
	NotBefore *jwt.NumericDate `json:"nbf,omitempty"`
	ID        string           `json:"jti"`
	ExpiresAt *jwt.NumericDate `json:"exp,omitempty"`
	Type      Type             `json:"type"`
	Fresh     *bool            `json:"fresh,omitempty"`
	SessionID string           `json:"sid"`
	Issuer    string           `json:"iss,omitempty"`
	Role      string           `json:"role,omitempty"`
}

// The jwt.Claims methods, through which golang-jwt validates the times and iss.
func (c *wireClaims) GetExpirationTime() (*jwt.NumericDate, error) { return c.ExpiresAt, nil }
func (c *wireClaims) GetIssuedAt() (*jwt.NumericDate, error)       { return c.IssuedAt, nil }
func (c *wireClaims) GetNotBefore() (*jwt.NumericDate, error)      { return c.NotBefore, nil }
func (c *wireClaims) GetIssuer() (string, error)                   { return c.Issuer, nil }
func (c *wireClaims) GetSubject() (string, error)                  { return c.Subject, nil }
func (c *wireClaims) GetAudience() (jwt.ClaimStrings, error)       { return nil, nil }

// Issue signs c with the signing key; the header carries alg, typ "JWT" and
// kid. IssuedAt defaults to now and NotBefore to IssuedAt, as the reference
// sets them. Type, Subject, SessionID, ID and an ExpiresAt after IssuedAt are
// required: a token that could never be verified is a bug, reported here.
func (m *Manager) Issue(c Claims) (string, error) {
	if c.IssuedAt.IsZero() {
		c.IssuedAt = m.now()
	}
	if c.NotBefore.IsZero() {
		c.NotBefore = c.IssuedAt
	}
	// NumericDates are whole seconds; check what will actually be written.
	c.IssuedAt = c.IssuedAt.Truncate(time.Second)
	c.NotBefore = c.NotBefore.Truncate(time.Second)
	c.ExpiresAt = c.ExpiresAt.Truncate(time.Second)
	switch {
	case !c.Type.valid():
		return "", fmt.Errorf("issue token: type %q is neither %q nor %q", c.Type, Access, Refresh)
	case c.Subject == uuid.Nil || c.SessionID == uuid.Nil || c.ID == uuid.Nil:
		return "", errors.New("issue token: subject, session id and token id are required")
	case !c.ExpiresAt.After(c.IssuedAt):
		return "", errors.New("issue token: expiry must be after issue time")
	}
	wc := wireClaims{
		Subject:   c.Subject.String(),
		IssuedAt:  jwt.NewNumericDate(c.IssuedAt),
		NotBefore: jwt.NewNumericDate(c.NotBefore),
		ID:        c.ID.String(),
		ExpiresAt: jwt.NewNumericDate(c.ExpiresAt),
		Type:      c.Type,
		SessionID: c.SessionID.String(),
		Issuer:    m.issuer,
		Role:      c.Role,
	}
	if c.Type == Access {
		wc.Fresh = &c.Fresh
	}
	// The key is chosen at the token's issue time, so that every instance
	// switches to a scheduled key at the same moment without a reload.
	k := m.keys.Load().signingAt(c.IssuedAt)
	t := jwt.NewWithClaims(signingMethod(k.alg), &wc)
	t.Header["kid"] = k.kid
	s, err := t.SignedString(k.private)
	if err != nil {
		return "", fmt.Errorf("issue token: %w", err)
	}
	return s, nil
}

package token

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// Verify checks raw and returns its claims if it is a token of type want,
// signed by a key this Manager knows, before its exp, not before its nbf and
// iat (with the leeway for clock skew), from the configured issuer, and with UUIDs for sub, sid and jti.
// Anything else is an error wrapping ErrInvalid. An access token that passed
// before is answered from the cache of verified tokens, its exp checked again.
//
// The key and its algorithm come only from the kid header and our own map:
// alg none, HMAC with the public key as secret, another algorithm for the same
// key, and jku/jwk/x5u/x5c headers that point at an attacker's key are all
// refused or ignored.
func (m *Manager) Verify(raw string, want Type) (Claims, error) {
	if !want.valid() {
		return Claims{}, fmt.Errorf("%w: asked for unknown type %q", ErrInvalid, want)
	}
	if raw == "" {
		return Claims{}, fmt.Errorf("%w: empty", ErrInvalid)
	}
	// Before any decoding, so that a huge header costs nothing.
	if len(raw) > m.maxBytes {
		return Claims{}, fmt.Errorf("%w: %d bytes, more than %d", ErrInvalid, len(raw), m.maxBytes)
	}
	keys := m.keys.Load()
	if want != Access || keys.cache == nil {
		return m.verify(keys, raw, want)
	}
	c, key, ok := keys.cache.get(raw, m.now())
	if ok {
		m.cacheHits.Add(1)
		return c, nil
	}
	m.cacheMisses.Add(1)
	c, err := m.verify(keys, raw, want)
	if err == nil {
		keys.cache.put(key, c)
	}
	return c, err
}

// verify is Verify without the cache.
func (m *Manager) verify(keys *keyState, raw string, want Type) (Claims, error) {
	kid, err := headerKID(raw)
	if err != nil {
		return Claims{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	v, ok := keys.verifiers[kid]
	if !ok {
		return Claims{}, fmt.Errorf("%w: unknown kid %.64q", ErrInvalid, kid)
	}

	var wc wireClaims
	_, err = v.parser.ParseWithClaims(raw, &wc, func(t *jwt.Token) (any, error) {
		// The parser decoded the header once more; make sure it names the
		// same key, so no quirk of either decoding can pair kid A with key B.
		if got, _ := t.Header["kid"].(string); got != kid {
			return nil, errors.New("kid differs between decodings")
		}
		return v.key, nil
	})
	if err != nil {
		return Claims{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	// The leeway is for a token from a server whose clock runs a little ahead
	// (nbf, iat); it must not stretch exp, which the issuer set on purpose.
	if !m.now().Before(wc.ExpiresAt.Time) {
		return Claims{}, fmt.Errorf("%w: expired at %s", ErrInvalid, wc.ExpiresAt.Time.UTC().Format(time.RFC3339))
	}
	return wc.claims(want)
}

// headerKID reads the kid from the token's header, which is needed before
// parsing to choose the key and the one algorithm allowed with it.
func headerKID(raw string) (string, error) {
	seg, _, ok := strings.Cut(raw, ".")
	if !ok {
		return "", errors.New("not a JWS compact serialization")
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(seg)
	if err != nil {
		return "", errors.New("header is not base64url")
	}
	// A map, as golang-jwt decodes it: a struct field would also match "KID"
	// or "Kid", and the two decodings could then disagree.
	var h map[string]any
	if err := json.Unmarshal(b, &h); err != nil {
		return "", errors.New("header is not a JSON object")
	}
	kid, ok := h["kid"].(string)
	if !ok {
		return "", errors.New("no kid, or not a string")
	}
	return kid, nil
}

// claims checks what golang-jwt does not know about: our type claim and the
// UUID claims.
func (wc *wireClaims) claims(want Type) (Claims, error) {
	if wc.Type != want {
		return Claims{}, fmt.Errorf("%w: type %.20q, want %q", ErrInvalid, wc.Type, want)
	}
	c := Claims{Type: wc.Type, Role: wc.Role, Fresh: wc.Fresh != nil && *wc.Fresh}
	for _, f := range []struct {
		name string
		in   string
		out  *uuid.UUID
	}{
		{"sub", wc.Subject, &c.Subject},
		{"sid", wc.SessionID, &c.SessionID},
		{"jti", wc.ID, &c.ID},
	} {
		u, err := parseUUID(f.in)
		if err != nil {
			return Claims{}, fmt.Errorf("%w: %s: %v", ErrInvalid, f.name, err)
		}
		*f.out = u
	}
	// exp is required by the parser; iat and nbf may be absent.
	c.ExpiresAt = wc.ExpiresAt.Time
	if wc.IssuedAt != nil {
		c.IssuedAt = wc.IssuedAt.Time
	}
	if wc.NotBefore != nil {
		c.NotBefore = wc.NotBefore.Time
	}
	return c, nil
}

// parseUUID accepts only the canonical lower-case form we write: uuid.Parse
// alone would also take braces, a urn: prefix or no hyphens, so one id could
// be spelled several ways.
func parseUUID(s string) (uuid.UUID, error) {
	u, err := uuid.Parse(s)
	if err != nil || u.String() != s {
		return uuid.Nil, errors.New("not a canonical UUID")
	}
	if u == uuid.Nil {
		return uuid.Nil, errors.New("nil UUID")
	}
	return u, nil
}

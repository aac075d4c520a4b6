package token

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// PublicKey is a verification key: the public half of a signing key, bound
// to one algorithm, with its key id.
type PublicKey struct {
	alg string
	kid string
	key crypto.PublicKey // *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey
}

// NewPublicKey binds pub to alg after checking that it suits alg (RSA of
// 2048 bits or more for RS256, P-256 for ES256, Ed25519 for EdDSA). kid is
// the key id tokens name it by; "" means its RFC 7638 thumbprint, the id
// authapi gives its own keys.
func NewPublicKey(alg string, pub crypto.PublicKey, kid string) (PublicKey, error) {
	if err := checkAlg(alg, "algorithm"); err != nil {
		return PublicKey{}, err
	}
	if err := checkPublic(alg, pub); err != nil {
		return PublicKey{}, err
	}
	if kid == "" {
		var err error
		if kid, err = thumbprint(pub); err != nil {
			return PublicKey{}, err
		}
	}
	return PublicKey{alg: alg, kid: kid, key: pub}, nil
}

// PublicKey returns the public half of k, with the same alg and kid.
func (k *Key) PublicKey() PublicKey {
	return PublicKey{alg: k.alg, kid: k.kid, key: k.Public()}
}

// Alg returns the one algorithm tokens of this key may use.
func (p PublicKey) Alg() string { return p.alg }

// ID returns the key id.
func (p PublicKey) ID() string { return p.kid }

// Key returns the public key: *rsa.PublicKey, *ecdsa.PublicKey or
// ed25519.PublicKey.
func (p PublicKey) Key() crypto.PublicKey { return p.key }

// thumbprint is the RFC 7638 SHA-256 thumbprint of pub, base64url.
func thumbprint(pub crypto.PublicKey) (string, error) {
	jwk := jose.JSONWebKey{Key: pub}
	b, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("key id: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// checkPublic refuses a public key of the wrong kind for alg, or too weak.
func checkPublic(alg string, pub crypto.PublicKey) error {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if alg != RS256 {
			break
		}
		if bits := k.N.BitLen(); bits < minRSABits {
			return fmt.Errorf("RSA key is %d bits; at least %d are required", bits, minRSABits)
		}
		return nil
	case *ecdsa.PublicKey:
		if alg != ES256 {
			break
		}
		if k.Curve != elliptic.P256() {
			return fmt.Errorf("EC key is on curve %s; %s requires P-256", k.Curve.Params().Name, ES256)
		}
		return nil
	case ed25519.PublicKey:
		if alg == EdDSA && len(k) == ed25519.PublicKeySize {
			return nil
		}
		if alg == EdDSA {
			return errors.New("Ed25519 key has the wrong length")
		}
	default:
		return fmt.Errorf("%T keys cannot verify JWTs; use an RSA, EC P-256 or Ed25519 key", pub)
	}
	return fmt.Errorf("%s needs %s, not this key", alg, keyKindFor(alg))
}

// algFor returns the algorithm a public key of this kind is used with.
func algFor(pub crypto.PublicKey) (string, error) {
	switch pub.(type) {
	case *rsa.PublicKey:
		return RS256, nil
	case *ecdsa.PublicKey:
		return ES256, nil
	case ed25519.PublicKey:
		return EdDSA, nil
	}
	return "", fmt.Errorf("%T keys cannot verify JWTs; use an RSA, EC P-256 or Ed25519 key", pub)
}

// KeySet is everything a Manager signs and verifies with.
type KeySet struct {
	// Signing signs new tokens. Required.
	Signing *Key
	// Next, if not nil, replaces Signing for tokens issued at or after
	// NextFrom. A rotation publishes the next key ahead of its use, so that
	// every instance can verify its tokens before any instance issues one.
	Next     *Key
	NextFrom time.Time
	// Verify are further keys whose tokens are accepted, such as keys retired
	// by a rotation, until their tokens have expired. They are published in
	// the JWKS with Signing and Next.
	Verify []PublicKey
}

// keyState is the immutable form of a KeySet a Manager works from.
type keyState struct {
	signing  *Key
	next     *Key
	nextFrom time.Time
	// verifiers maps a kid to the only key and algorithm a token with that
	// kid may be checked with.
	verifiers map[string]*verifier
	// public lists the keys in the order the JWKS shows them: signing, next,
	// then the others.
	public []PublicKey
	jwks   []byte
	// cache remembers access tokens verified with these keys; nil when off.
	cache *verifiedCache
}

// signingAt returns the key that signs tokens issued at t.
func (s *keyState) signingAt(t time.Time) *Key {
	if s.next != nil && !t.Before(s.nextFrom) {
		return s.next
	}
	return s.signing
}

// SetKeys replaces the keys of m at once: tokens issued after it returns are
// signed with ks's signing key, and only tokens of ks's keys verify. Calls
// already running finish with the keys they started with. ks is refused, and
// m left unchanged, if it has no signing key or names one kid for two keys.
func (m *Manager) SetKeys(ks KeySet) error {
	if ks.Signing == nil {
		return errors.New("set keys: no signing key")
	}
	s := &keyState{
		signing: ks.Signing, next: ks.Next, nextFrom: ks.NextFrom, verifiers: map[string]*verifier{},
		cache: newVerifiedCache(m.cacheSize),
	}
	all := []PublicKey{ks.Signing.PublicKey()}
	if ks.Next != nil {
		all = append(all, ks.Next.PublicKey())
	}
	all = append(all, ks.Verify...)
	for _, p := range all {
		if p.key == nil || p.kid == "" {
			return errors.New("set keys: a verification key is the zero PublicKey")
		}
		if v, dup := s.verifiers[p.kid]; dup {
			if p.alg == v.alg && publicEqual(p.key, v.key) {
				continue // the same key twice, such as a retired key also listed
			}
			return fmt.Errorf("set keys: kid %q names two different keys", p.kid)
		}
		s.verifiers[p.kid] = m.newVerifier(p.alg, p.key)
		s.public = append(s.public, p)
	}
	jwks, err := encodeJWKS(s.public)
	if err != nil {
		return fmt.Errorf("set keys: %w", err)
	}
	s.jwks = jwks
	m.keys.Store(s)
	return nil
}

// publicEqual reports whether a and b are the same public key.
func publicEqual(a, b crypto.PublicKey) bool {
	e, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && e.Equal(b)
}

// VerifyKeys returns every key whose tokens Verify accepts, signing key first.
func (m *Manager) VerifyKeys() []PublicKey {
	return slices.Clone(m.keys.Load().public)
}

// JWKS returns the JSON Web Key Set (RFC 7517) of every key whose tokens
// Verify accepts: each with kty, kid, alg, use "sig" and the public
// parameters, never private ones. Another service can verify our tokens with
// it alone. It is computed when the keys are set, so calling it costs a copy.
func (m *Manager) JWKS() []byte {
	return slices.Clone(m.keys.Load().jwks)
}

// encodeJWKS builds the JWK Set of keys with go-jose.
func encodeJWKS(keys []PublicKey) ([]byte, error) {
	set := jose.JSONWebKeySet{Keys: make([]jose.JSONWebKey, 0, len(keys))}
	for _, p := range keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: p.key, KeyID: p.kid, Algorithm: p.alg, Use: "sig"})
	}
	b, err := json.Marshal(set)
	if err != nil {
		return nil, fmt.Errorf("encode JWKS: %w", err)
	}
	return b, nil
}

package token

import (
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/go-jose/go-jose/v4"
)

// maxJWKSBytes bounds a JWK Set ParseJWKS reads: a set of a few keys is a
// few kilobytes.
const maxJWKSBytes = 64 << 10

// ParsePublicPEM reads a PKIX or PKCS#1 public key for alg, with its
// thumbprint as kid. name says where it came from, for errors.
func ParsePublicPEM(alg string, publicPEM []byte, name string) (PublicKey, error) {
	if err := checkAlg(alg, name+": algorithm"); err != nil {
		return PublicKey{}, err
	}
	pub, err := parsePublic(publicPEM, name)
	if err != nil {
		return PublicKey{}, err
	}
	p, err := NewPublicKey(alg, crypto.PublicKey(pub), "")
	if err != nil {
		return PublicKey{}, fmt.Errorf("%s: %w", name, err)
	}
	return p, nil
}

// PublicPEM returns the public key as PKIX PEM text, the form ParsePublicPEM
// reads.
func (k *Key) PublicPEM() ([]byte, error) {
	_, pub, err := k.encodePEM()
	return pub, err
}

// PrivatePEM returns the private key as PKCS#8 PEM text, the form ParsePEM
// reads. It is for storing the key; never log or show it.
func (k *Key) PrivatePEM() ([]byte, error) {
	priv, _, err := k.encodePEM()
	return priv, err
}

// ParsePreviousKeys reads JWT_PREVIOUS_PUBLIC_KEYS: the public keys of
// earlier signing keys, whose tokens stay valid after a rotation by
// redeployment. The value is either a comma-separated list of public keys,
// each base64 of PEM (as JWT_PUBLIC_KEY) and optionally prefixed with its
// algorithm as "ES256:" (by default the algorithm follows from the key: RS256
// for RSA, ES256 for EC, EdDSA for Ed25519), or a JWK Set, such as the
// /.well-known/jwks.json the previous deployment served. Each key's kid is
// its thumbprint, or the kid its JWK names. "" is no keys.
func ParsePreviousKeys(value string) ([]PublicKey, error) {
	const name = "JWT_PREVIOUS_PUBLIC_KEYS"
	value = strings.TrimSpace(value)
	switch {
	case value == "":
		return nil, nil
	case strings.HasPrefix(value, "{"):
		keys, err := ParseJWKS([]byte(value))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return keys, nil
	}
	var keys []PublicKey
	for i, item := range strings.Split(value, ",") {
		item = strings.TrimSpace(item)
		label := fmt.Sprintf("%s item %d", name, i+1)
		if item == "" {
			return nil, fmt.Errorf("%s is empty; separate keys with one comma", label)
		}
		alg, b64, hasAlg := strings.Cut(item, ":")
		if !hasAlg || strings.HasPrefix(item, "-----BEGIN ") {
			alg, b64 = "", item
		}
		pemText, err := decodeSetting(b64, label)
		if err != nil {
			return nil, err
		}
		pub, err := parsePublic(pemText, label)
		if err != nil {
			return nil, err
		}
		if alg == "" {
			if alg, err = algFor(pub); err != nil {
				return nil, fmt.Errorf("%s: %w", label, err)
			}
		}
		if err := checkAlg(alg, label+": algorithm"); err != nil {
			return nil, err
		}
		p, err := NewPublicKey(alg, crypto.PublicKey(pub), "")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", label, err)
		}
		keys = append(keys, p)
	}
	return keys, nil
}

// ParseJWKS reads a JWK Set (RFC 7517) of public signing keys. Every key
// must name an algorithm offered here (RS256, ES256, EdDSA) that suits it,
// have use "sig" or none, and be public: a set holding a private key is
// refused, since it was surely published by mistake. A key without a kid
// gets its thumbprint. Errors are one line and never quote key material.
func ParseJWKS(data []byte) ([]PublicKey, error) {
	if len(data) > maxJWKSBytes {
		return nil, fmt.Errorf("JWK Set is %d bytes, more than %d", len(data), maxJWKSBytes)
	}
	// The keys are decoded one by one, so that an error names the key.
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, errors.New(`not a JWK Set: want {"keys":[...]}`)
	}
	if len(set.Keys) == 0 {
		return nil, errors.New("JWK Set has no keys")
	}
	keys := make([]PublicKey, 0, len(set.Keys))
	for i, raw := range set.Keys {
		var jwk jose.JSONWebKey
		if err := jwk.UnmarshalJSON(raw); err != nil {
			return nil, fmt.Errorf("JWK %d cannot be read: %s", i+1, oneLine(err))
		}
		p, err := jwkPublicKey(jwk)
		if err != nil {
			return nil, fmt.Errorf("JWK %d: %w", i+1, err)
		}
		keys = append(keys, p)
	}
	return keys, nil
}

// jwkPublicKey checks one decoded JWK of a set.
func jwkPublicKey(jwk jose.JSONWebKey) (PublicKey, error) {
	switch {
	case !jwk.Valid():
		return PublicKey{}, errors.New("not a valid key")
	case !jwk.IsPublic():
		return PublicKey{}, errors.New("holds a private key; publish public keys only")
	case jwk.Use != "" && jwk.Use != "sig":
		return PublicKey{}, fmt.Errorf("use is %.20q, want \"sig\"", jwk.Use)
	case jwk.Algorithm == "":
		return PublicKey{}, errors.New("has no alg; the algorithm of every key must be pinned")
	}
	if err := checkAlg(jwk.Algorithm, "alg"); err != nil {
		return PublicKey{}, err
	}
	return NewPublicKey(jwk.Algorithm, jwk.Key, jwk.KeyID)
}

// oneLine keeps the first line of err's message, short: decoding errors can
// quote their input.
func oneLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}

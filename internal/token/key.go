package token

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

// minRSABits is the smallest RSA modulus accepted. The reference's published
// demo key has 512 bits and can be factored in hours; 2048 is NIST's floor.
const minRSABits = 2048

// keyHint tells an operator how to get a key that works.
const keyHint = "generate one with: authapi keys generate"

// Key is a private signing key bound to one algorithm, with its key id.
type Key struct {
	alg     string
	private crypto.Signer // *rsa.PrivateKey, *ecdsa.PrivateKey or ed25519.PrivateKey
	kid     string
}

// GenerateKey makes a new key for alg: RSA 2048 bits for RS256, P-256 for
// ES256, Ed25519 for EdDSA.
func GenerateKey(alg string) (*Key, error) {
	if err := checkAlg(alg, "algorithm"); err != nil {
		return nil, err
	}
	var (
		priv crypto.Signer
		err  error
	)
	switch alg {
	case RS256:
		priv, err = rsa.GenerateKey(rand.Reader, minRSABits)
	case ES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case EdDSA:
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	}
	if err != nil {
		return nil, fmt.Errorf("generate %s key: %w", alg, err)
	}
	return newKey(alg, priv, names{alg: "algorithm", private: "generated key"})
}

// newKey checks that priv suits alg and computes its kid.
func newKey(alg string, priv crypto.Signer, n names) (*Key, error) {
	if err := checkKey(alg, priv, n); err != nil {
		return nil, err
	}
	jwk := jose.JSONWebKey{Key: priv.Public()}
	thumb, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("%s: key id: %w", n.private, err)
	}
	return &Key{alg: alg, private: priv, kid: base64.RawURLEncoding.EncodeToString(thumb)}, nil
}

// Alg returns the JWS algorithm the key signs with: RS256, ES256 or EdDSA.
func (k *Key) Alg() string { return k.alg }

// ID returns the key id written as the kid header: the RFC 7638 JWK
// thumbprint (SHA-256, base64url) of the public key. Deriving it from the key
// means the same key has the same kid on every server without configuration.
func (k *Key) ID() string { return k.kid }

// Public returns the public half: *rsa.PublicKey, *ecdsa.PublicKey or
// ed25519.PublicKey.
func (k *Key) Public() crypto.PublicKey { return k.private.Public() }

// String names the key without revealing it, so that a Key passed to a logger
// or fmt by mistake prints "RS256 key <kid>" rather than private numbers.
func (k *Key) String() string { return k.alg + " key " + k.kid }

// GoString is String for %#v, which would otherwise print the private key.
func (k *Key) GoString() string { return k.String() }

// EncodeBase64PEM returns the key the way JWT_PRIVATE_KEY and JWT_PUBLIC_KEY
// hold it: standard base64 of PEM text, PKCS#8 for the private key and PKIX
// for the public key. ParseKey reads both back.
func (k *Key) EncodeBase64PEM() (privateB64, publicB64 string, err error) {
	privPEM, pubPEM, err := k.encodePEM()
	if err != nil {
		return "", "", err
	}
	return base64.StdEncoding.EncodeToString(privPEM), base64.StdEncoding.EncodeToString(pubPEM), nil
}

// encodePEM returns the PKCS#8 private and PKIX public key as PEM text.
func (k *Key) encodePEM() (privatePEM, publicPEM []byte, err error) {
	der, err := x509.MarshalPKCS8PrivateKey(k.private)
	if err != nil {
		return nil, nil, fmt.Errorf("encode private key: %w", err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(k.Public())
	if err != nil {
		return nil, nil, fmt.Errorf("encode public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), nil
}

// signingMethod returns golang-jwt's implementation of alg, which checkAlg
// has already accepted.
func signingMethod(alg string) jwt.SigningMethod {
	switch alg {
	case RS256:
		return jwt.SigningMethodRS256
	case ES256:
		return jwt.SigningMethodES256
	default:
		return jwt.SigningMethodEdDSA
	}
}

// names says where a key came from, so that every error points at the
// setting or file an operator has to fix.
type names struct {
	alg, private, public string
}

// checkAlg refuses any algorithm but the three offered; label names the
// setting the value came from.
func checkAlg(alg, label string) error {
	switch alg {
	case RS256, ES256, EdDSA:
		return nil
	}
	return fmt.Errorf("%s %q is not supported; use %s, %s or %s", label, alg, RS256, ES256, EdDSA)
}

// checkKey refuses a key of the wrong kind for alg or too weak to sign with.
func checkKey(alg string, priv crypto.Signer, n names) error {
	var want string
	switch k := priv.(type) {
	case *rsa.PrivateKey:
		if alg == RS256 {
			if bits := k.N.BitLen(); bits < minRSABits {
				return fmt.Errorf("%s: RSA key is %d bits; at least %d are required (%s)", n.private, bits, minRSABits, keyHint)
			}
			return nil
		}
		want = RS256
	case *ecdsa.PrivateKey:
		if alg == ES256 {
			if k.Curve != elliptic.P256() {
				return fmt.Errorf("%s: EC key is on curve %s; %s requires P-256 (%s)", n.private, k.Curve.Params().Name, ES256, keyHint)
			}
			return nil
		}
		want = ES256
	case ed25519.PrivateKey:
		if alg == EdDSA {
			return nil
		}
		want = EdDSA
	default:
		return fmt.Errorf("%s: %T keys cannot sign JWTs; use an RSA, EC P-256 or Ed25519 key (%s)", n.private, priv, keyHint)
	}
	return fmt.Errorf("%s is %s but %s is %s key; set %s=%s or use %s", n.alg, alg, n.private, kindOf(priv), n.alg, want, keyKindFor(alg))
}

// kindOf names the kind of a key with its article, for error messages.
func kindOf(key crypto.Signer) string {
	switch key.(type) {
	case *rsa.PrivateKey:
		return "an RSA"
	case *ecdsa.PrivateKey:
		return "an EC"
	case ed25519.PrivateKey:
		return "an Ed25519"
	}
	return fmt.Sprintf("a %T", key)
}

// keyKindFor names the kind of key alg needs, for error messages.
func keyKindFor(alg string) string {
	switch alg {
	case RS256:
		return "an RSA key of 2048+ bits"
	case ES256:
		return "an EC P-256 key"
	default:
		return "an Ed25519 key"
	}
}

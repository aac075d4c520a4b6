package token

import (
	"bytes"
	"crypto"
	"crypto/ecdh"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// ParseKey reads the reference's JWT_PRIVATE_KEY and JWT_PUBLIC_KEY settings:
// standard base64 of PEM text. publicB64 may be "", in which case the public
// key is derived from the private one; when given it must match. Raw PEM text
// is accepted too, since pasting the PEM itself is a common slip. Every error
// is one line naming the setting to fix.
func ParseKey(alg, privateB64, publicB64 string) (*Key, error) {
	n := names{alg: "JWT_ALGORITHM", private: "JWT_PRIVATE_KEY", public: "JWT_PUBLIC_KEY"}
	if err := checkAlg(alg, n.alg); err != nil {
		return nil, err
	}
	privPEM, err := decodeSetting(privateB64, n.private)
	if err != nil {
		return nil, err
	}
	var pubPEM []byte
	if strings.TrimSpace(publicB64) != "" {
		if pubPEM, err = decodeSetting(publicB64, n.public); err != nil {
			return nil, err
		}
	}
	return parsePEM(alg, privPEM, pubPEM, n)
}

// ParsePEM is ParseKey for PEM text that is not base64-wrapped, such as the
// contents of key files. publicPEM may be nil.
func ParsePEM(alg string, privatePEM, publicPEM []byte) (*Key, error) {
	n := names{alg: "JWT_ALGORITHM", private: "private key", public: "public key"}
	if err := checkAlg(alg, n.alg); err != nil {
		return nil, err
	}
	return parsePEM(alg, privatePEM, publicPEM, n)
}

// decodeSetting undoes the base64 wrapping of a key setting.
func decodeSetting(value, name string) ([]byte, error) {
	value = strings.TrimSpace(value)
	if value == "" {
		return nil, fmt.Errorf("%s is empty (%s)", name, keyHint)
	}
	if strings.HasPrefix(value, "-----BEGIN ") {
		return []byte(value), nil
	}
	// The decoder skips \r and \n, so a value wrapped over several lines works.
	b, err := base64.StdEncoding.DecodeString(value)
	if err != nil {
		return nil, fmt.Errorf("%s is not valid base64 of a PEM key", name)
	}
	return b, nil
}

func parsePEM(alg string, privatePEM, publicPEM []byte, n names) (*Key, error) {
	priv, err := parsePrivate(privatePEM, n.private)
	if err != nil {
		return nil, err
	}
	// The kind and strength of the key are checked before the public key, so
	// that a weak or wrong key is reported as such and not as a mismatch.
	k, err := newKey(alg, priv, n)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(publicPEM)) == 0 {
		return k, nil
	}
	pub, err := parsePublic(publicPEM, n.public)
	if err != nil {
		return nil, err
	}
	if !pub.Equal(priv.Public()) {
		return nil, fmt.Errorf("%s does not match %s", n.public, n.private)
	}
	return k, nil
}

// firstBlock returns the first PEM block of data, skipping the EC PARAMETERS
// block that `openssl ecparam -genkey` writes ahead of the key.
func firstBlock(data []byte, name string) (*pem.Block, error) {
	for {
		block, rest := pem.Decode(data)
		if block == nil {
			return nil, fmt.Errorf("%s is not a PEM key (no -----BEGIN ...----- line found)", name)
		}
		if block.Type != "EC PARAMETERS" {
			return block, nil
		}
		data = rest
	}
}

// parsePrivate reads a PKCS#1, PKCS#8 or SEC1 private key.
func parsePrivate(data []byte, name string) (crypto.Signer, error) {
	block, err := firstBlock(data, name)
	if err != nil {
		return nil, err
	}
	if _, ok := block.Headers["Proc-Type"]; ok || block.Type == "ENCRYPTED PRIVATE KEY" {
		return nil, fmt.Errorf("%s is encrypted; give the unencrypted key (openssl pkey -in key.pem -out plain.pem)", name)
	}
	var key any
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case "PUBLIC KEY", "RSA PUBLIC KEY":
		return nil, fmt.Errorf("%s holds a public key (%s); it must be the private key", name, block.Type)
	default:
		return nil, fmt.Errorf("%s is a PEM %q block; want PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY (%s)", name, block.Type, keyHint)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %s block cannot be parsed: %v", name, block.Type, err)
	}
	if _, ok := key.(*ecdh.PrivateKey); ok {
		return nil, fmt.Errorf("%s is an X25519 key, which cannot sign; %s needs an Ed25519 key", name, EdDSA)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%s: %T keys cannot sign JWTs (%s)", name, key, keyHint)
	}
	return signer, nil
}

// publicKey is what every crypto public key type implements.
type publicKey interface {
	Equal(crypto.PublicKey) bool
}

// parsePublic reads a PKIX or PKCS#1 public key.
func parsePublic(data []byte, name string) (publicKey, error) {
	block, err := firstBlock(data, name)
	if err != nil {
		return nil, err
	}
	var key any
	switch block.Type {
	case "PUBLIC KEY":
		key, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		key, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY":
		return nil, fmt.Errorf("%s holds a private key (%s); it must be the public key, or leave it empty", name, block.Type)
	default:
		return nil, fmt.Errorf("%s is a PEM %q block; want PUBLIC KEY or RSA PUBLIC KEY", name, block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %s block cannot be parsed: %v", name, block.Type, err)
	}
	pub, ok := key.(publicKey)
	if !ok {
		return nil, errors.New(name + ": unsupported public key type")
	}
	return pub, nil
}

package keyring

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// KEKSize is the length of the key-encryption key: AES-256.
const KEKSize = 32

// sealedPrefix starts a private key sealed by seal; plaintext keys start
// with "-----BEGIN", so the two can never be confused.
const sealedPrefix = "aes256gcm:"

// isSealed reports whether a stored private key is encrypted.
func isSealed(stored string) bool { return strings.HasPrefix(stored, sealedPrefix) }

// seal encrypts a private key with AES-256-GCM under kek. The kid is the
// associated data, so a sealed key copied onto another row does not open.
func seal(kek []byte, kid string, privatePEM []byte) (string, error) {
	gcm, err := newGCM(kek)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("seal private key: %w", err)
	}
	out := gcm.Seal(nonce, nonce, privatePEM, []byte(kid))
	return sealedPrefix + base64.StdEncoding.EncodeToString(out), nil
}

// open decrypts what seal returned for kid.
func open(kek []byte, kid, stored string) ([]byte, error) {
	gcm, err := newGCM(kek)
	if err != nil {
		return nil, err
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(stored, sealedPrefix))
	if err != nil || len(raw) < gcm.NonceSize()+gcm.Overhead() {
		return nil, fmt.Errorf("signing key %s: the stored private key is damaged", kid)
	}
	n := gcm.NonceSize()
	plain, err := gcm.Open(nil, raw[:n], raw[n:], []byte(kid))
	if err != nil {
		return nil, fmt.Errorf("KEYS_ENCRYPTION_KEY does not decrypt signing key %s: it is not the key the signing keys were encrypted with", kid)
	}
	return plain, nil
}

func newGCM(kek []byte) (cipher.AEAD, error) {
	if len(kek) != KEKSize {
		return nil, errors.New("key-encryption key must be 32 bytes")
	}
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

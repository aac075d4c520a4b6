package config

import (
	"encoding/base64"
	"encoding/pem"
	"errors"
	"strings"
	"time"
)

// Limits of KEYS_REFRESH_INTERVAL: a reload is one small query, and rotation
// reaches every instance within two intervals.
const (
	minKeysRefresh = 10 * time.Millisecond
	maxKeysRefresh = 10 * time.Minute
	kekSize        = 32
)

// keys checks JWT_PRIVATE_KEY and JWT_PUBLIC_KEY: a private key alone (the
// public half is derived from it), both, or neither; each the right kind of
// PEM block. Whether the key suits JWT_ALGORITHM, and its size,
// is the token package's check when it parses the key. Key material is never
// put in an error.
func (p *problems) keys(private, public string) (string, string) {
	private, public = strings.TrimSpace(private), strings.TrimSpace(public)
	switch {
	case private == "" && public == "":
		return "", ""
	case private == "":
		p.add("JWT_PUBLIC_KEY is set but JWT_PRIVATE_KEY is not: set JWT_PRIVATE_KEY too, or neither (with neither, authapi generates a pair)")
		return "", ""
	case public == "":
		if !p.keyKind("JWT_PRIVATE_KEY", private, true) {
			return "", ""
		}
		return private, ""
	}
	if isSwapped(private, public) {
		p.add("JWT_PRIVATE_KEY holds a public key and JWT_PUBLIC_KEY a private one: swap their values")
		return "", ""
	}
	okPrivate := p.keyKind("JWT_PRIVATE_KEY", private, true)
	okPublic := p.keyKind("JWT_PUBLIC_KEY", public, false)
	if !okPrivate || !okPublic {
		return "", ""
	}
	return private, public
}

// previousKeys keeps JWT_PREVIOUS_PUBLIC_KEYS, which only make sense beside
// JWT_PRIVATE_KEY: keys in the database are rotated with authapi keys rotate.
// The keys themselves are parsed by the token package at start-up.
func (p *problems) previousKeys(raw, private string) string {
	s := strings.TrimSpace(raw)
	if s != "" && private == "" {
		p.add("JWT_PREVIOUS_PUBLIC_KEYS is set but JWT_PRIVATE_KEY is not: previous keys go with a configured key; without one, keys live in the database and `authapi keys rotate` keeps the old ones")
		return ""
	}
	return s
}

// encryptionKey decodes KEYS_ENCRYPTION_KEY: standard (or URL-safe) base64 of
// 32 bytes. The value is never put in an error.
func (p *problems) encryptionKey(raw string) []byte {
	s := strings.TrimSpace(raw)
	if s == "" {
		return nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) != kekSize {
				p.add("KEYS_ENCRYPTION_KEY decodes to %d bytes; it must be base64 of exactly %d random bytes (openssl rand -base64 32)", len(b), kekSize)
				return nil
			}
			return b
		}
	}
	p.add("KEYS_ENCRYPTION_KEY is not valid base64 (value not shown): give base64 of 32 random bytes (openssl rand -base64 32)")
	return nil
}

// refreshInterval checks KEYS_REFRESH_INTERVAL.
func (p *problems) refreshInterval(raw string) time.Duration {
	d, ok := parseDuration(raw)
	if !ok || d < minKeysRefresh || d > maxKeysRefresh {
		p.add("KEYS_REFRESH_INTERVAL must be a duration from %s to %s, such as 30s (got %q)", minKeysRefresh, maxKeysRefresh, raw)
		return 0
	}
	return d
}

func isSwapped(private, public string) bool {
	a, errA := decodeBlock(private)
	b, errB := decodeBlock(public)
	return errA == nil && errB == nil &&
		strings.HasSuffix(a.Type, "PUBLIC KEY") && strings.HasSuffix(b.Type, "PRIVATE KEY")
}

// keyKind reports whether value decodes to a private (or public) key PEM block,
// adding an error line if not.
func (p *problems) keyKind(name, value string, private bool) bool {
	const how = "give the base64 of a PEM key, as `authapi keys generate` prints"
	block, err := decodeBlock(value)
	if err != nil {
		p.add("%s is %s: %s", name, err, how)
		return false
	}
	isPrivate := strings.HasSuffix(block.Type, "PRIVATE KEY")
	isPublic := strings.HasSuffix(block.Type, "PUBLIC KEY") || block.Type == "CERTIFICATE"
	switch {
	case block.Type == "ENCRYPTED PRIVATE KEY":
		p.add("%s is an encrypted private key: give it unencrypted (authapi has no passphrase setting)", name)
	case private && isPublic:
		p.add("JWT_PRIVATE_KEY holds a public key: give the private key of the pair")
	case !private && isPrivate:
		p.add("JWT_PUBLIC_KEY holds a private key: give the public key of the pair")
	case private && !isPrivate:
		p.add("%s holds a PEM block of type %q, not a private key: %s", name, block.Type, how)
	case !private && !isPublic:
		p.add("%s holds a PEM block of type %q, not a public key: %s", name, block.Type, how)
	default:
		return true
	}
	return false
}

// DecodeKey turns the value of JWT_PRIVATE_KEY or JWT_PUBLIC_KEY into PEM. The
// value is standard base64 of PEM, as the reference uses (line breaks in it are
// ignored), or PEM itself. Errors never quote the value.
func DecodeKey(value string) ([]byte, error) {
	data, _, err := decode(value)
	return data, err
}

// decodeBlock returns the first PEM block of a key setting.
func decodeBlock(value string) (*pem.Block, error) {
	_, block, err := decode(value)
	return block, err
}

func decode(value string) ([]byte, *pem.Block, error) {
	value = strings.TrimSpace(value)
	data := []byte(value)
	if !strings.HasPrefix(value, "-----BEGIN ") {
		// Standard base64 as the reference; the decoder skips line breaks, so a
		// value wrapped over several lines works (the token package reads it alike).
		var err error
		if data, err = base64.StdEncoding.DecodeString(value); err != nil {
			return nil, nil, errors.New("not valid base64")
		}
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, nil, errors.New("not base64 of a PEM key (no -----BEGIN line after decoding)")
	}
	return data, block, nil
}

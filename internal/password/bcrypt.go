package password

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
)

const (
	// bcryptLen is the length of every modular-crypt bcrypt hash:
	// "$2b$" + 2 cost digits + "$" + 22 salt + 31 hash characters.
	bcryptLen = 60
	// maxBcryptCost bounds the work a stored hash can ask for: cost 31 would
	// run for days. The reference (passlib) writes cost 12.
	maxBcryptCost = 16
	// bcryptMaxInput is how many bytes of a password bcrypt uses.
	bcryptMaxInput = 72
	// bcryptAlphabet is bcrypt's own base64 alphabet.
	bcryptAlphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

// isBcrypt reports whether encoded claims to be one of the bcrypt variants we
// accept: $2a$ (x/crypto), $2b$ (passlib, OpenBSD) and $2y$ (PHP). The letters
// only name bugs of old C implementations; x/crypto computes all three alike.
func isBcrypt(encoded string) bool {
	return strings.HasPrefix(encoded, "$2a$") || strings.HasPrefix(encoded, "$2b$") ||
		strings.HasPrefix(encoded, "$2y$")
}

// BcryptCost returns the cost of a well-formed bcrypt hash (one imported from
// the reference server), and false for anything else.
func BcryptCost(encoded string) (int, bool) {
	if !isBcrypt(encoded) {
		return 0, false
	}
	cost, err := parseBcryptCost(encoded)
	return cost, err == nil
}

// TimeBcrypt computes one bcrypt hash of a random password at cost (clamped
// to the costs Verify accepts) in the calling goroutine and returns how long
// it took: what checking a password against a stored hash of that cost costs.
func TimeBcrypt(cost int) (time.Duration, error) {
	cost = min(max(cost, bcrypt.MinCost), maxBcryptCost)
	pw := make([]byte, 16)
	if _, err := rand.Read(pw); err != nil {
		return 0, err
	}
	began := time.Now()
	if _, err := bcrypt.GenerateFromPassword([]byte(hex.EncodeToString(pw)), cost); err != nil {
		return 0, err
	}
	return time.Since(began), nil
}

// parseBcryptCost checks the shape of a bcrypt hash and returns its cost.
// x/crypto/bcrypt is lenient (any minor letter, trailing bytes, any cost up to
// 31), so the checks it skips are done here first.
func parseBcryptCost(encoded string) (int, error) {
	if len(encoded) != bcryptLen || encoded[6] != '$' {
		return 0, fmt.Errorf("%w: bcrypt hash is not $2b$<cost>$<53 characters>", ErrInvalidHash)
	}
	d1, d2 := encoded[4], encoded[5]
	if d1 < '0' || d1 > '9' || d2 < '0' || d2 > '9' {
		return 0, fmt.Errorf("%w: bcrypt cost %q is not two digits", ErrInvalidHash, encoded[4:6])
	}
	cost := int(d1-'0')*10 + int(d2-'0')
	if cost < bcrypt.MinCost || cost > maxBcryptCost {
		return 0, fmt.Errorf("%w: bcrypt cost %d is outside %d..%d", ErrInvalidHash, cost, bcrypt.MinCost, maxBcryptCost)
	}
	for i := 7; i < bcryptLen; i++ {
		if strings.IndexByte(bcryptAlphabet, encoded[i]) < 0 {
			return 0, fmt.Errorf("%w: bcrypt hash has a byte outside its alphabet", ErrInvalidHash)
		}
	}
	return cost, nil
}

// verifyBcrypt checks password against a legacy bcrypt hash in constant time.
//
// bcrypt only ever reads the first 72 bytes of a password, and the reference
// server hashed longer passwords that way. Those bytes are cut off explicitly
// here because that is how the stored hash was made (x/crypto refuses longer
// input instead). The caller then re-hashes the full password with argon2id,
// which has no such limit, so the truncation ends with this login.
func verifyBcrypt(k kdf, encoded, password string) (bool, error) {
	if _, err := parseBcryptCost(encoded); err != nil {
		return false, err
	}
	pw := []byte(password)
	if len(pw) > bcryptMaxInput {
		pw = pw[:bcryptMaxInput]
	}
	ok, err := k.bcrypt([]byte(encoded), pw)
	if err != nil && !errors.Is(err, ErrUnavailable) {
		return false, fmt.Errorf("%w: bcrypt: %v", ErrInvalidHash, err)
	}
	return ok, err
}

// compareBcrypt is the comparison itself, wherever it runs: a mismatch is
// false with no error, any other error is bcrypt's objection to the hash.
func compareBcrypt(encoded, password []byte) (bool, error) {
	err := bcrypt.CompareHashAndPassword(encoded, password)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
		return false, nil
	default:
		return false, err
	}
}

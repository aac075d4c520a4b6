package password

import (
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Bounds on argon2id parameters, for our own Params and for every stored hash.
// A tampered or corrupt row must not make one login allocate gigabytes or spin
// for minutes, so anything outside them is refused rather than computed.
const (
	maxMemory  = 256 * 1024 // KiB: 13x OWASP's recommendation
	maxTime    = 16
	maxThreads = 16
	minSaltLen = 8 // RFC 9106 minimum
	maxSaltLen = 64
	minKeyLen  = 16
	maxKeyLen  = 64
	// maxEncodedLen is well above the longest string the bounds allow; it stops
	// a huge value before any splitting or decoding.
	maxEncodedLen = 512
)

// b64 is the PHC string encoding: standard alphabet, no padding, canonical.
var b64 = base64.RawStdEncoding.Strict()

// validate checks p against the bounds above. argon2 itself panics on t=0 or
// p=0 and silently raises m below 8*p, so both are refused here.
func (p Params) validate() error {
	switch {
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("time %d is outside 1..%d", p.Time, maxTime)
	case p.Threads < 1 || p.Threads > maxThreads:
		return fmt.Errorf("threads %d is outside 1..%d", p.Threads, maxThreads)
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory:
		return fmt.Errorf("memory %d KiB is outside %d..%d", p.Memory, 8*uint32(p.Threads), maxMemory)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("salt length %d is outside %d..%d", p.SaltLen, minSaltLen, maxSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("key length %d is outside %d..%d", p.KeyLen, minKeyLen, maxKeyLen)
	}
	return nil
}

// argon2Hash is a decoded argon2id PHC string. params.SaltLen and
// params.KeyLen mirror len(salt) and len(key) so that comparing params with a
// Hasher's tells whether the hash is current.
type argon2Hash struct {
	params Params
	salt   []byte
	key    []byte
}

// String encodes a in the PHC format shared by the reference implementation,
// libsodium and argon2-cffi.
func (a argon2Hash) String() string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, a.params.Memory, a.params.Time, a.params.Threads,
		b64.EncodeToString(a.salt), b64.EncodeToString(a.key))
}

// argon2id is the derivation itself, wherever it runs.
func argon2id(password, salt []byte, p Params) []byte {
	return argon2.IDKey(password, salt, p.Time, p.Memory, p.Threads, p.KeyLen)
}

// matches derives password's key with k and compares it with a's in constant
// time. Its error is k's, never a mismatch.
func (a argon2Hash) matches(k kdf, password string) (bool, error) {
	key, err := k.argon2id([]byte(password), a.salt, a.params)
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(key, a.key) == 1, nil
}

// parseArgon2 decodes $argon2id$v=19$m=<m>,t=<t>,p=<p>$<salt>$<hash>, strictly:
// the one form we write and that other argon2 libraries write too.
func parseArgon2(encoded string) (argon2Hash, error) {
	var a argon2Hash
	if len(encoded) > maxEncodedLen {
		return a, fmt.Errorf("%w: argon2id string of %d bytes", ErrInvalidHash, len(encoded))
	}
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return a, fmt.Errorf("%w: argon2id string does not have 5 $-separated fields", ErrInvalidHash)
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return a, fmt.Errorf("%w: argon2id version %q is not v=%d", ErrInvalidHash, parts[2], argon2.Version)
	}
	p, err := parseArgon2Params(parts[3])
	if err != nil {
		return a, fmt.Errorf("%w: argon2id params: %v", ErrInvalidHash, err)
	}
	if a.salt, err = b64.DecodeString(parts[4]); err != nil {
		return a, fmt.Errorf("%w: argon2id salt is not base64", ErrInvalidHash)
	}
	if a.key, err = b64.DecodeString(parts[5]); err != nil {
		return a, fmt.Errorf("%w: argon2id hash is not base64", ErrInvalidHash)
	}
	p.SaltLen, p.KeyLen = uint32(len(a.salt)), uint32(len(a.key))
	if err := p.validate(); err != nil {
		return a, fmt.Errorf("%w: argon2id params: %v", ErrInvalidHash, err)
	}
	a.params = p
	return a, nil
}

// parseArgon2Params reads "m=<m>,t=<t>,p=<p>" in that order; the bounds are
// checked afterwards by Params.validate.
func parseArgon2Params(s string) (Params, error) {
	var p Params
	fields := strings.Split(s, ",")
	if len(fields) != 3 {
		return p, fmt.Errorf("%q is not m=..,t=..,p=..", s)
	}
	var vals [3]uint64
	for i, name := range []string{"m", "t", "p"} {
		num, ok := strings.CutPrefix(fields[i], name+"=")
		if !ok {
			return p, fmt.Errorf("%q is not m=..,t=..,p=..", s)
		}
		v, err := strconv.ParseUint(num, 10, 32)
		if err != nil {
			return p, fmt.Errorf("%s=%q is not a number", name, num)
		}
		vals[i] = v
	}
	if vals[2] > maxThreads {
		return p, fmt.Errorf("threads %d is outside 1..%d", vals[2], maxThreads)
	}
	p.Memory, p.Time, p.Threads = uint32(vals[0]), uint32(vals[1]), uint8(vals[2])
	return p, nil
}

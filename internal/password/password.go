// Package password hashes new passwords with argon2id and verifies both argon2id
// PHC strings and the bcrypt hashes of users imported from the reference server.
package password

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Params are the argon2id cost parameters used for new hashes.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over memory
	Threads uint8  // lanes
	SaltLen uint32 // bytes of random salt
	KeyLen  uint32 // bytes of derived hash
}

// DefaultParams are OWASP's recommended minimum argon2id configuration
// (m=19 MiB, t=2, p=1): memory-hard, so guessing on GPUs costs far more than
// against the reference's bcrypt, while a login stays around 20ms of CPU.
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// Password length limits, in characters (runes). The API refuses passwords
// outside them; nothing is ever truncated.
const (
	MinLength = 8
	MaxLength = 256
)

// Errors returned by Hash and Verify.
var (
	// ErrTooShort is returned by Hash for a password under MinLength characters.
	ErrTooShort = errors.New("password is too short")
	// ErrTooLong is returned by Hash for a password over MaxLength characters.
	ErrTooLong = errors.New("password is too long")
	// ErrInvalidHash is wrapped by Verify's errors about the stored hash: it
	// is malformed, of an unknown scheme, or has parameters outside sane bounds.
	ErrInvalidHash = errors.New("invalid password hash")
	// ErrUnavailable is wrapped by every error of a Hasher on a Worker whose
	// process failed: the caller should answer 503 and let the client retry;
	// the Worker starts a new process.
	ErrUnavailable = errors.New("password hashing is unavailable")
)

// Hasher hashes and verifies passwords. It is safe for concurrent use.
type Hasher struct {
	params Params
	// dummy is an argon2id string with params, so that VerifyDummy costs
	// exactly what verifying a real user's current hash costs.
	dummy string
	kdf   kdf
}

// NewHasher checks p against the bounds Verify enforces on stored hashes and
// makes the dummy hash that VerifyDummy checks against.
func NewHasher(p Params) (*Hasher, error) {
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("argon2id params: %w", err)
	}
	// A random salt and a random key: verifying a password against them costs
	// one derivation with p, like a real hash, and matches no password, like
	// the hash of a random one would. Unlike hashing a random password, it
	// costs nothing at start-up and leaves no 19 MiB block behind.
	a := argon2Hash{params: p, salt: make([]byte, p.SaltLen), key: make([]byte, p.KeyLen)}
	_, _ = rand.Read(a.salt)
	_, _ = rand.Read(a.key)
	return &Hasher{params: p, dummy: a.String(), kdf: inProcess{}}, nil
}

// kdf computes the slow functions for a Hasher: in this process (inProcess),
// or in a hash worker process (Worker). Everything else (parsing, policy,
// salts, comparing keys) stays in the Hasher, so a worker only ever sees a
// password, a salt and cost parameters. Its errors are its own failures
// (ErrUnavailable), apart from bcrypt's objections to a stored hash.
type kdf interface {
	argon2id(password, salt []byte, p Params) ([]byte, error)
	bcrypt(encoded, password []byte) (bool, error)
}

// inProcess computes on the calling goroutine.
type inProcess struct{}

func (inProcess) argon2id(password, salt []byte, p Params) ([]byte, error) {
	return argon2id(password, salt, p), nil
}

func (inProcess) bcrypt(encoded, password []byte) (bool, error) {
	return compareBcrypt(encoded, password)
}

// OnWorker returns a Hasher like h that computes its hashes in w's process.
func (h *Hasher) OnWorker(w *Worker) *Hasher {
	c := *h
	c.kdf = w
	return &c
}

// workerRestarts counts the restarts of the hash worker h computes on, if any.
func (h *Hasher) workerRestarts() uint64 {
	if w, ok := h.kdf.(*Worker); ok {
		return w.Restarts()
	}
	return 0
}

// Hash returns an argon2id PHC string of password, e.g.
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>, with a fresh random salt.
// It returns ErrTooShort or ErrTooLong outside MinLength..MaxLength runes: the
// API checks first, this keeps a caller that forgot from storing such a hash.
func (h *Hasher) Hash(password string) (string, error) {
	switch n := utf8.RuneCountInString(password); {
	case n < MinLength:
		return "", ErrTooShort
	case n > MaxLength:
		return "", ErrTooLong
	}
	salt := make([]byte, h.params.SaltLen)
	// crypto/rand.Read never returns an error (it crashes the program if the
	// kernel cannot supply randomness), so there is nothing to handle.
	_, _ = rand.Read(salt)
	a := argon2Hash{params: h.params, salt: salt}
	var err error
	if a.key, err = h.kdf.argon2id([]byte(password), salt, h.params); err != nil {
		return "", err
	}
	return a.String(), nil
}

// Verify reports whether password matches encoded, an argon2id PHC string or a
// bcrypt hash ($2a$, $2b$, $2y$). rehash is true when the password matched but
// encoded is not what Hash would make today (bcrypt, or argon2id with other
// parameters): the caller should then store Hash(password). A wrong password
// is ok=false with a nil error; a malformed or absurd encoded string is an
// error wrapping ErrInvalidHash; a failed hash worker, ErrUnavailable.
func (h *Hasher) Verify(encoded, password string) (ok, rehash bool, err error) {
	switch {
	case strings.HasPrefix(encoded, "$argon2id$"):
		a, err := parseArgon2(encoded)
		if err != nil {
			return false, false, err
		}
		if ok, err := a.matches(h.kdf, password); !ok || err != nil {
			return false, false, err
		}
		return true, a.params != h.params, nil
	case isBcrypt(encoded):
		ok, err := verifyBcrypt(h.kdf, encoded, password)
		// bcrypt is only read for imported users; every match moves them to argon2id.
		return ok, ok, err
	default:
		return false, false, fmt.Errorf("%w: unknown scheme", ErrInvalidHash)
	}
}

// VerifyDummy burns the cost of one Verify with h's own parameters and throws
// the result away. Login calls it for an unknown email so that "no such user"
// and "wrong password" take the same time and cannot be told apart. Its only
// error is a hash worker's failure.
func (h *Hasher) VerifyDummy(password string) error {
	_, _, err := h.Verify(h.dummy, password)
	return err
}

package password

import (
	"errors"
	"strings"
	"testing"
)

// FuzzVerify feeds arbitrary stored hashes to Verify: whatever a corrupt or
// tampered row holds, Verify must return, not panic or allocate without bound.
func FuzzVerify(f *testing.F) {
	h := newHasher(f, cheap)
	good := mustHash(f, h, "correct horse")
	f.Add(good, "correct horse")
	f.Add(good, "wrong horse")
	f.Add("$argon2id$v=19$m=64,t=0,p=1$c29tZXNhbHRzb21lc2FsdA$MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI", "x")
	f.Add("$argon2id$v=19$m=64,t=1,p=0$c29tZXNhbHQ$aGFzaA", "x")
	for _, v := range bcryptVectors {
		f.Add(v.hash, v.password)
		f.Add("$2b$"+v.hash[4:], v.password)
	}
	f.Add("", "")
	f.Add("$2b$", "x")
	f.Add("$argon2id$", "x")
	f.Fuzz(func(t *testing.T, encoded, password string) {
		if expensive(encoded) {
			// Legal but slow (up to 256 MiB, bcrypt cost 16): correct, and
			// covered by the table tests; it would only stall the fuzzer.
			return
		}
		ok, rehash, err := h.Verify(encoded, password)
		if err != nil && (ok || rehash || !errors.Is(err, ErrInvalidHash)) {
			t.Fatalf("Verify = %v, %v, %v; an error must come with false, false and wrap ErrInvalidHash", ok, rehash, err)
		}
		if rehash && !ok {
			t.Fatalf("Verify = false, true: rehash without a match")
		}
	})
}

// expensive reports whether encoded parses into a hash that is within bounds
// but costs more than a fuzz iteration should.
func expensive(encoded string) bool {
	if strings.HasPrefix(encoded, "$argon2id$") {
		a, err := parseArgon2(encoded)
		return err == nil && a.params.Memory*a.params.Time > 4096
	}
	if isBcrypt(encoded) {
		cost, err := parseBcryptCost(encoded)
		return err == nil && cost > 6
	}
	return false
}

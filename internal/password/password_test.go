package password

import (
	"errors"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// cheap keeps the tests fast; only TestDefaultParams pays the real cost.
var cheap = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func newHasher(t testing.TB, p Params) *Hasher {
	t.Helper()
	h, err := NewHasher(p)
	if err != nil {
		t.Fatalf("NewHasher(%+v): %v", p, err)
	}
	return h
}

func mustHash(t testing.TB, h *Hasher, pw string) string {
	t.Helper()
	enc, err := h.Hash(pw)
	if err != nil {
		t.Fatalf("Hash(%q): %v", pw, err)
	}
	return enc
}

func TestHashFormat(t *testing.T) {
	t.Parallel()
	h := newHasher(t, cheap)
	a, b := mustHash(t, h, "correct horse"), mustHash(t, h, "correct horse")
	phc := regexp.MustCompile(`^\$argon2id\$v=19\$m=64,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !phc.MatchString(a) {
		t.Errorf("Hash = %q, want a PHC string matching %s", a, phc)
	}
	if a == b {
		t.Errorf("two hashes of one password are equal (%q): salt is not random", a)
	}
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	for name, h := range backends(t, newHasher(t, cheap)) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			testRoundTrip(t, h)
		})
	}
}

func testRoundTrip(t *testing.T, h *Hasher) {
	tests := []struct {
		name, password, wrong string
	}{
		{"ascii", "correct horse", "correct horsE"},
		{"exactly min", "12345678", "1234567"},
		{"spaces kept", " padded password ", "padded password"},
		{"unicode", "pässwörd-密码-🔑", "passwörd-密码-🔑"},
		{"nul byte", "pass\x00word1", "pass\x00word2"},
		{"max runes", strings.Repeat("é", MaxLength), strings.Repeat("é", MaxLength-1)},
		{"beyond 72 bytes", strings.Repeat("a", 100), strings.Repeat("a", 99) + "b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			enc := mustHash(t, h, tt.password)
			ok, rehash, err := h.Verify(enc, tt.password)
			if !ok || rehash || err != nil {
				t.Errorf("Verify(right) = %v, %v, %v; want true, false, nil", ok, rehash, err)
			}
			for _, wrong := range []string{tt.wrong, "", tt.password + " "} {
				ok, rehash, err := h.Verify(enc, wrong)
				if ok || rehash || err != nil {
					t.Errorf("Verify(%q) = %v, %v, %v; want false, false, nil", wrong, ok, rehash, err)
				}
			}
		})
	}
}

func TestHashLength(t *testing.T) {
	t.Parallel()
	h := newHasher(t, cheap)
	tests := []struct {
		name     string
		password string
		want     error
	}{
		{"empty", "", ErrTooShort},
		{"7 runes", "1234567", ErrTooShort},
		{"7 runes in 14 bytes", strings.Repeat("é", 7), ErrTooShort},
		{"8 runes", "12345678", nil},
		{"max runes in 4 bytes each", strings.Repeat("🔑", MaxLength), nil},
		{"one rune over max", strings.Repeat("a", MaxLength+1), ErrTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			enc, err := h.Hash(tt.password)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Hash error = %v, want %v", err, tt.want)
			}
			if err != nil && enc != "" {
				t.Errorf("Hash = %q with an error, want \"\"", enc)
			}
		})
	}
}

func TestDefaultParams(t *testing.T) {
	t.Parallel()
	h := newHasher(t, DefaultParams)
	enc := mustHash(t, h, "correct horse battery staple")
	if want := "$argon2id$v=19$m=19456,t=2,p=1$"; !strings.HasPrefix(enc, want) {
		t.Errorf("Hash = %q, want prefix %q", enc, want)
	}
	ok, rehash, err := h.Verify(enc, "correct horse battery staple")
	if !ok || rehash || err != nil {
		t.Errorf("Verify = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
}

func TestRehash(t *testing.T) {
	t.Parallel()
	h := newHasher(t, cheap)
	const pw = "correct horse"
	other := func(change func(*Params)) string {
		p := cheap
		change(&p)
		return mustHash(t, newHasher(t, p), pw)
	}
	legacy, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		encoded    string
		password   string
		ok, rehash bool
	}{
		{"same params", mustHash(t, h, pw), pw, true, false},
		{"more memory", other(func(p *Params) { p.Memory = 128 }), pw, true, true},
		{"more time", other(func(p *Params) { p.Time = 2 }), pw, true, true},
		{"more threads", other(func(p *Params) { p.Threads = 2 }), pw, true, true},
		{"longer salt", other(func(p *Params) { p.SaltLen = 32 }), pw, true, true},
		{"shorter key", other(func(p *Params) { p.KeyLen = 16 }), pw, true, true},
		{"other params, wrong password", other(func(p *Params) { p.Time = 2 }), "wrong horse", false, false},
		{"bcrypt", string(legacy), pw, true, true},
		{"bcrypt, wrong password", string(legacy), "wrong horse", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ok, rehash, err := h.Verify(tt.encoded, tt.password)
			if ok != tt.ok || rehash != tt.rehash || err != nil {
				t.Errorf("Verify = %v, %v, %v; want %v, %v, nil", ok, rehash, err, tt.ok, tt.rehash)
			}
		})
	}
}

// Vectors from Openwall's crypt_blowfish test suite, so bcrypt is checked
// against an implementation other than the one that verifies it.
const long72 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

var bcryptVectors = []struct{ hash, password string }{
	{"$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U"},
	{"$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK", "U*U*"},
	{"$2a$05$XXXXXXXXXXXXXXXXXXXXXOAcXxm9kjPGEMsLznoKqmqw7tc8WCx4a", "U*U*U"},
	{"$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui", long72 + "chars after 72 are ignored"},
}

func TestVerifyBcrypt(t *testing.T) {
	t.Parallel()
	for name, h := range backends(t, newHasher(t, cheap)) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			testVerifyBcrypt(t, h)
		})
	}
}

func testVerifyBcrypt(t *testing.T, h *Hasher) {
	// passlib, which the reference uses, writes $2b$; x/crypto writes $2a$.
	passlib, err := bcrypt.GenerateFromPassword([]byte("password123"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	type vector struct{ hash, password string }
	vectors := []vector{{"$2b$" + string(passlib[4:]), "password123"}}
	for _, v := range bcryptVectors {
		for _, prefix := range []string{"$2a$", "$2b$", "$2y$"} {
			vectors = append(vectors, vector{prefix + v.hash[4:], v.password})
		}
	}
	for _, v := range vectors {
		t.Run(v.hash, func(t *testing.T) {
			t.Parallel()
			ok, rehash, err := h.Verify(v.hash, v.password)
			if !ok || !rehash || err != nil {
				t.Errorf("Verify(right) = %v, %v, %v; want true, true, nil", ok, rehash, err)
			}
			wrong := "x" + v.password[1:]
			if ok, _, err := h.Verify(v.hash, wrong); ok || err != nil {
				t.Errorf("Verify(%q) = %v, %v; want false, nil", wrong, ok, err)
			}
		})
	}
}

// TestVerifyBcryptLong pins the legacy behaviour: a bcrypt hash only ever
// covered the first 72 bytes, so those decide, whatever follows.
func TestVerifyBcryptLong(t *testing.T) {
	t.Parallel()
	for name, h := range backends(t, newHasher(t, cheap)) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			testVerifyBcryptLong(t, h)
		})
	}
}

func testVerifyBcryptLong(t *testing.T, h *Hasher) {
	const hash = "$2b$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui"
	tests := []struct {
		password string
		ok       bool
	}{
		{long72, true},
		{long72 + "anything", true},
		{long72[:71] + "X" + "anything", false},
		{long72[:71], false},
	}
	for _, tt := range tests {
		ok, _, err := h.Verify(hash, tt.password)
		if ok != tt.ok || err != nil {
			t.Errorf("Verify(%d bytes) = %v, %v; want %v, nil", len(tt.password), ok, err, tt.ok)
		}
	}
}

func TestVerifyMalformed(t *testing.T) {
	t.Parallel()
	for name, h := range backends(t, newHasher(t, cheap)) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			testVerifyMalformed(t, h)
		})
	}
}

func testVerifyMalformed(t *testing.T, h *Hasher) {
	const salt, key = "c29tZXNhbHRzb21lc2FsdA", "MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI"
	argon := func(params string) string { return "$argon2id$v=19$" + params + "$" + salt + "$" + key }
	const bc = "$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"
	tests := []struct{ name, encoded string }{
		{"empty", ""},
		{"plain text", "correct horse"},
		{"argon2i", "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key},
		{"argon2d", "$argon2d$v=19$m=64,t=1,p=1$" + salt + "$" + key},
		{"old version", "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key},
		{"no version", "$argon2id$m=64,t=1,p=1$" + salt + "$" + key},
		{"missing hash", "$argon2id$v=19$m=64,t=1,p=1$" + salt},
		{"extra field", argon("m=64,t=1,p=1") + "$x"},
		{"params out of order", argon("t=1,m=64,p=1")},
		{"params missing", argon("m=64,t=1")},
		{"params extra", argon("m=64,t=1,p=1,k=2")},
		{"m not a number", argon("m=abc,t=1,p=1")},
		{"m negative", argon("m=-64,t=1,p=1")},
		{"m over 32 bits", argon("m=4294967296,t=1,p=1")},
		{"m below 8p", argon("m=8,t=1,p=2")},
		{"t zero would panic", argon("m=64,t=0,p=1")},
		{"p zero would panic", argon("m=64,t=1,p=0")},
		{"p over uint8", argon("m=64,t=1,p=256")},
		{"tampered m 4 GiB", argon("m=4194304,t=1,p=1")},
		{"tampered t", argon("m=64,t=100000,p=1")},
		{"tampered p", argon("m=2048,t=1,p=255")},
		{"salt not base64", "$argon2id$v=19$m=64,t=1,p=1$!!!!$" + key},
		{"salt padded", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "==$" + key},
		{"salt too short", "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$" + key},
		{"key too short", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$c2hvcnQ"},
		{"key too long", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + strings.Repeat("A", 200)},
		{"huge string", argon("m=64,t=1,p=1") + strings.Repeat("A", 1<<20)},
		{"bcrypt unknown minor", "$2x$" + bc[4:]},
		{"bcrypt no minor", "$2$" + bc[4:]},
		{"bcrypt cost 31", "$2b$31$" + bc[7:]},
		{"bcrypt cost 17", "$2b$17$" + bc[7:]},
		{"bcrypt cost 03", "$2b$03$" + bc[7:]},
		{"bcrypt cost letters", "$2b$ab$" + bc[7:]},
		{"bcrypt truncated", bc[:59]},
		{"bcrypt trailing", bc + "x"},
		{"bcrypt bad alphabet", bc[:59] + "+"},
		{"bcrypt no separator", "$2b$05x" + bc[7:]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ok, rehash, err := h.Verify(tt.encoded, "correct horse")
			if ok || rehash || !errors.Is(err, ErrInvalidHash) {
				t.Errorf("Verify = %v, %v, %v; want false, false, ErrInvalidHash", ok, rehash, err)
			}
		})
	}
}

func TestNewHasherRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(*Params)
	}{
		{"time 0", func(p *Params) { p.Time = 0 }},
		{"time huge", func(p *Params) { p.Time = maxTime + 1 }},
		{"threads 0", func(p *Params) { p.Threads = 0 }},
		{"memory below 8 per thread", func(p *Params) { p.Memory, p.Threads = 15, 2 }},
		{"memory huge", func(p *Params) { p.Memory = 4 << 20 }},
		{"salt 4 bytes", func(p *Params) { p.SaltLen = 4 }},
		{"key 8 bytes", func(p *Params) { p.KeyLen = 8 }},
		{"key huge", func(p *Params) { p.KeyLen = 1 << 20 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := cheap
			tt.change(&p)
			if h, err := NewHasher(p); err == nil {
				t.Errorf("NewHasher(%+v) = %v, nil; want an error", p, h)
			}
		})
	}
}

// TestVerifyDummyDoesRealWork checks without timing that VerifyDummy runs a
// full argon2id with the hasher's own params: it must allocate the m KiB of
// argon2 memory, as much as a real Verify does. It is not parallel so that no
// other test allocates while it measures.
func TestVerifyDummyDoesRealWork(t *testing.T) {
	p := Params{Memory: 4096, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	h := newHasher(t, p)
	enc := mustHash(t, h, "correct horse")
	allocated := func(f func()) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	verify := allocated(func() { _, _, _ = h.Verify(enc, "wrong horse") })
	dummy := allocated(func() { h.VerifyDummy("wrong horse") })
	if min := uint64(p.Memory) * 1024; dummy < min {
		t.Errorf("VerifyDummy allocated %d bytes, want at least the %d of argon2 memory", dummy, min)
	}
	if dummy < verify*3/4 || dummy > verify*4/3 {
		t.Errorf("VerifyDummy allocated %d bytes, want about what Verify does (%d)", dummy, verify)
	}
}

package token

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestRotationKeepsOldTokens swaps the keys the way a rotation does: tokens
// of the old key verify while it is listed, new tokens carry the new kid,
// and once the old key is dropped its tokens are refused.
func TestRotationKeepsOldTokens(t *testing.T) {
	t.Parallel()
	for _, alg := range algs() {
		t.Run(alg, func(t *testing.T) {
			t.Parallel()
			old, next := testKey(t, alg), otherKey(t, alg)
			m := testManager(t, old)
			oldToken := mustIssue(t, m, testClaims(Access))

			if err := m.SetKeys(KeySet{Signing: next, Verify: []PublicKey{old.PublicKey()}}); err != nil {
				t.Fatal(err)
			}
			if _, err := m.Verify(oldToken, Access); err != nil {
				t.Errorf("old token after rotation: %v", err)
			}
			newToken := mustIssue(t, m, testClaims(Access))
			if kid := decodePart(t, newToken, 0)["kid"]; kid != next.ID() {
				t.Errorf("new token kid = %v, want %s", kid, next.ID())
			}
			if m.SigningKey() != next {
				t.Errorf("SigningKey = %v, want %v", m.SigningKey(), next)
			}
			if got := kids(m.VerifyKeys()); !slices.Equal(got, []string{next.ID(), old.ID()}) {
				t.Errorf("VerifyKeys = %v, want new then old", got)
			}

			// The old key's tokens have expired: it leaves the set.
			if err := m.SetKeys(KeySet{Signing: next}); err != nil {
				t.Fatal(err)
			}
			if _, err := m.Verify(oldToken, Access); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "unknown kid") {
				t.Errorf("old token after its key left: error = %v, want unknown kid", err)
			}
			if _, err := m.Verify(newToken, Access); err != nil {
				t.Errorf("new token: %v", err)
			}
		})
	}
}

// TestNextKeyTakesOverAtNextFrom checks a scheduled switch: the next key is
// accepted at once and signs from NextFrom on, with no reload.
func TestNextKeyTakesOverAtNextFrom(t *testing.T) {
	t.Parallel()
	cur, next := testKey(t, ES256), otherKey(t, ES256)
	switchAt := testNow().Add(time.Minute)
	// Issue chooses by the token's iat; the clock only has to let every
	// token verify.
	m := NewManager(cur, Options{Issuer: testIssuer, Now: func() time.Time { return switchAt.Add(time.Second) }})
	if err := m.SetKeys(KeySet{Signing: cur, Next: next, NextFrom: switchAt}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		issued time.Time
		want   *Key
	}{
		{switchAt.Add(-time.Second), cur},
		{switchAt, next},
		{switchAt.Add(time.Second), next},
	} {
		c := testClaims(Access)
		c.IssuedAt, c.NotBefore, c.ExpiresAt = tt.issued, tt.issued, tt.issued.Add(time.Hour)
		raw := mustIssue(t, m, c)
		if kid := decodePart(t, raw, 0)["kid"]; kid != tt.want.ID() {
			t.Errorf("token issued at %s: kid %v, want %s", tt.issued.Format(time.TimeOnly), kid, tt.want.ID())
		}
		if _, err := m.Verify(raw, Access); err != nil {
			t.Errorf("token issued at %s: %v", tt.issued.Format(time.TimeOnly), err)
		}
	}
	if got := kids(m.VerifyKeys()); !slices.Equal(got, []string{cur.ID(), next.ID()}) {
		t.Errorf("VerifyKeys = %v, want current then next", got)
	}
}

func TestSetKeysRefuses(t *testing.T) {
	t.Parallel()
	k := testKey(t, EdDSA)
	m := testManager(t, k)
	other := otherKey(t, EdDSA)
	forged := other.PublicKey()
	forged.kid = k.ID() // another key under k's kid
	for name, ks := range map[string]KeySet{
		"no signing key":       {Verify: []PublicKey{k.PublicKey()}},
		"zero verify key":      {Signing: k, Verify: []PublicKey{{}}},
		"one kid for two keys": {Signing: k, Verify: []PublicKey{forged}},
	} {
		if err := m.SetKeys(ks); err == nil {
			t.Errorf("%s: SetKeys = nil, want an error", name)
		}
	}
	// A refused set leaves the keys as they were.
	if m.SigningKey() != k || len(m.VerifyKeys()) != 1 {
		t.Errorf("after refusals: signing %v, %d keys; want %v alone", m.SigningKey(), len(m.VerifyKeys()), k)
	}
	// The same key twice is not a conflict.
	if err := m.SetKeys(KeySet{Signing: k, Verify: []PublicKey{k.PublicKey()}}); err != nil || len(m.VerifyKeys()) != 1 {
		t.Errorf("signing key also listed: %v, %d keys; want nil, 1", err, len(m.VerifyKeys()))
	}
}

// TestSetKeysWhileVerifying swaps keys while tokens are verified and issued
// on other goroutines; run with -race.
func TestSetKeysWhileVerifying(t *testing.T) {
	t.Parallel()
	a, b := testKey(t, EdDSA), otherKey(t, EdDSA)
	m := testManager(t, a)
	tokA := mustIssue(t, m, testClaims(Access))
	both := []KeySet{
		{Signing: a, Verify: []PublicKey{b.PublicKey()}},
		{Signing: b, Verify: []PublicKey{a.PublicKey()}},
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := m.Verify(tokA, Access); err != nil {
					t.Errorf("Verify during swaps: %v", err)
					return
				}
				if _, err := m.Issue(testClaims(Refresh)); err != nil {
					t.Errorf("Issue during swaps: %v", err)
					return
				}
			}
		})
	}
	for i := range 200 {
		if err := m.SetKeys(both[i%2]); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
}

// TestJWKSShape pins the JSON of the key set: per key kty, kid, alg, use
// "sig" and the public parameters, and nothing private.
func TestJWKSShape(t *testing.T) {
	t.Parallel()
	rsa, ec, ed := testKey(t, RS256), testKey(t, ES256), testKey(t, EdDSA)
	m := testManager(t, rsa)
	if err := m.SetKeys(KeySet{Signing: rsa, Verify: []PublicKey{ec.PublicKey(), ed.PublicKey()}}); err != nil {
		t.Fatal(err)
	}
	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	if err := json.Unmarshal(m.JWKS(), &set); err != nil {
		t.Fatalf("JWKS %s: %v", m.JWKS(), err)
	}
	want := []struct {
		key    *Key
		kty    string
		fields []string
		crv    string
	}{
		{rsa, "RSA", []string{"alg", "e", "kid", "kty", "n", "use"}, ""},
		{ec, "EC", []string{"alg", "crv", "kid", "kty", "use", "x", "y"}, "P-256"},
		{ed, "OKP", []string{"alg", "crv", "kid", "kty", "use", "x"}, "Ed25519"},
	}
	if len(set.Keys) != len(want) {
		t.Fatalf("JWKS has %d keys, want %d: %s", len(set.Keys), len(want), m.JWKS())
	}
	for i, w := range want {
		got := set.Keys[i]
		if diff := cmp.Diff(w.fields, slices.Sorted(maps.Keys(got))); diff != "" {
			t.Errorf("key %d members (-want +got):\n%s", i, diff)
		}
		if got["kty"] != w.kty || got["kid"] != w.key.ID() || got["alg"] != w.key.Alg() || got["use"] != "sig" || got["crv"] != w.crv {
			t.Errorf("key %d = %v, want kty %s kid %s alg %s use sig crv %q", i, got, w.kty, w.key.ID(), w.key.Alg(), w.crv)
		}
	}
	// The RSA exponent of every key generated here is 65537.
	if e := set.Keys[0]["e"]; e != base64.RawURLEncoding.EncodeToString([]byte{1, 0, 1}) {
		t.Errorf("e = %q, want AQAB", e)
	}
	// Callers get a copy: changing it changes nothing.
	b := m.JWKS()
	b[0] = 'x'
	if m.JWKS()[0] != '{' {
		t.Error("JWKS returned the Manager's own buffer")
	}
}

// TestParseJWKSRoundTrip reads our own JWKS back: same keys, same kids.
func TestParseJWKSRoundTrip(t *testing.T) {
	t.Parallel()
	m := testManager(t, testKey(t, RS256))
	verify := []PublicKey{testKey(t, ES256).PublicKey(), testKey(t, EdDSA).PublicKey()}
	if err := m.SetKeys(KeySet{Signing: testKey(t, RS256), Verify: verify}); err != nil {
		t.Fatal(err)
	}
	got, err := ParseJWKS(m.JWKS())
	if err != nil {
		t.Fatal(err)
	}
	want := m.VerifyKeys()
	if len(got) != len(want) {
		t.Fatalf("ParseJWKS: %d keys, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].ID() != want[i].ID() || got[i].Alg() != want[i].Alg() || !publicEqual(got[i].Key(), want[i].Key()) {
			t.Errorf("key %d = %s %s, want %s %s", i, got[i].Alg(), got[i].ID(), want[i].Alg(), want[i].ID())
		}
	}
}

func TestParseJWKSRefuses(t *testing.T) {
	t.Parallel()
	rsaJWK := func(change func(map[string]any)) string {
		m := testManager(t, testKey(t, RS256))
		var set map[string][]map[string]any
		if err := json.Unmarshal(m.JWKS(), &set); err != nil {
			t.Fatal(err)
		}
		change(set["keys"][0])
		b, _ := json.Marshal(set)
		return string(b)
	}
	tests := []struct{ name, in, want string }{
		{"not JSON", "nope", "not a JWK Set"},
		{"no keys", `{"keys":[]}`, "has no keys"},
		{"no alg", rsaJWK(func(k map[string]any) { delete(k, "alg") }), "has no alg"},
		{"HMAC alg", rsaJWK(func(k map[string]any) { k["alg"] = "HS256" }), `alg "HS256" is not supported`},
		{"alg of another key kind", rsaJWK(func(k map[string]any) { k["alg"] = ES256 }), "ES256 needs an EC P-256 key"},
		{"encryption key", rsaJWK(func(k map[string]any) { k["use"] = "enc" }), `use is "enc"`},
		{"private key", rsaJWK(func(k map[string]any) { k["d"] = "AQAB" }), "JWK 1"},
		{"symmetric key", `{"keys":[{"kty":"oct","k":"c2VjcmV0","alg":"HS256"}]}`, "JWK 1"},
		{"too big", `{"keys":[` + strings.Repeat(" ", maxJWKSBytes) + `]}`, "more than"},
	}
	for _, tt := range tests {
		_, err := ParseJWKS([]byte(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: ParseJWKS error = %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

func TestParsePreviousKeys(t *testing.T) {
	t.Parallel()
	b64 := func(name string) string { return base64.StdEncoding.EncodeToString(readTestdata(t, name)) }
	rsa, ec, ed := testKey(t, RS256), testKey(t, ES256), testKey(t, EdDSA)

	got, err := ParsePreviousKeys(" " + b64("rsa2048_pub.pem") + " , ES256:" + b64("ec_p256_pub.pem") + "," + string(readTestdata(t, "ed25519_pub.pem")))
	if err != nil {
		t.Fatal(err)
	}
	want := []PublicKey{rsa.PublicKey(), ec.PublicKey(), ed.PublicKey()}
	if diff := cmp.Diff(kids(want), kids(got)); diff != "" {
		t.Errorf("kids (-want +got):\n%s", diff)
	}
	for i := range want {
		if got[i].Alg() != want[i].Alg() {
			t.Errorf("key %d alg = %s, want %s", i, got[i].Alg(), want[i].Alg())
		}
	}

	m := testManager(t, rsa)
	fromJWKS, err := ParsePreviousKeys(string(m.JWKS()))
	if err != nil || len(fromJWKS) != 1 || fromJWKS[0].ID() != rsa.ID() {
		t.Errorf("a JWK Set: %v, %v; want the RSA key", fromJWKS, err)
	}
	if keys, err := ParsePreviousKeys("  "); err != nil || keys != nil {
		t.Errorf("empty: %v, %v; want none", keys, err)
	}

	for _, tt := range []struct{ in, want string }{
		{b64("rsa2048_pub.pem") + ",", "item 2 is empty"},
		{"ES256:" + b64("rsa2048_pub.pem"), "ES256 needs an EC P-256 key"},
		{"HS256:" + b64("rsa2048_pub.pem"), `"HS256" is not supported`},
		{b64("rsa2048_pkcs8.pem"), "holds a private key"},
		{"!!!", "not valid base64"},
		{`{"keys":[]}`, "JWT_PREVIOUS_PUBLIC_KEYS: JWK Set has no keys"},
	} {
		_, err := ParsePreviousKeys(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "JWT_PREVIOUS_PUBLIC_KEYS") {
			t.Errorf("ParsePreviousKeys(%.30q) error = %v, want one naming the setting and containing %q", tt.in, err, tt.want)
		}
	}
}

func TestNewPublicKeyRefusesWeakKeys(t *testing.T) {
	t.Parallel()
	weak, err := ParsePEM(RS256, readTestdata(t, "rsa2048_pkcs1.pem"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewPublicKey(ES256, weak.Public(), ""); err == nil {
		t.Error("an RSA key accepted for ES256")
	}
	small := strings.TrimSpace(string(readTestdata(t, "rsa512.pem")))
	k, err := parsePrivate([]byte(small), "rsa512")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewPublicKey(RS256, k.Public(), ""); err == nil || !strings.Contains(err.Error(), "at least 2048") {
		t.Errorf("512-bit RSA key: error = %v, want at least 2048", err)
	}
}

func kids(keys []PublicKey) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.ID()
	}
	return out
}

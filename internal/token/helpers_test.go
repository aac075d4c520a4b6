package token

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// The fixed inputs of the tests: a clock, an issuer and ids, so that tokens
// and their claims are reproducible.
const (
	testIssuer  = "https://authapi.test"
	testSubject = "9240b5d6-af23-4b30-8046-71eb54d8afd7"
	testSession = "0196a3c1-7e5f-7c3a-9b2d-4f8e6a1c2d3e"
	testTokenID = "a1da32a1-2646-48ad-90ae-0f41e39c3c68"
)

// testNow is the clock of every test Manager.
func testNow() time.Time { return time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC) }

// testKeyFiles names, per algorithm, the testdata key the tests sign with.
func testKeyFile(alg string) string {
	switch alg {
	case RS256:
		return "rsa2048_pkcs1.pem"
	case ES256:
		return "ec_p256_sec1.pem"
	default:
		return "ed25519_pkcs8.pem"
	}
}

func algs() []string { return []string{RS256, ES256, EdDSA} }

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// testKey returns the fixed testdata key for alg; parsing is much faster than
// generating RSA keys, and the fixed kid keeps the golden files stable.
func testKey(t testing.TB, alg string) *Key {
	t.Helper()
	k, err := ParsePEM(alg, readTestdata(t, testKeyFile(alg)), nil)
	if err != nil {
		t.Fatalf("ParsePEM(%s): %v", alg, err)
	}
	return k
}

// otherKey returns a second key for alg, unknown to the test Managers.
func otherKey(t testing.TB, alg string) *Key {
	t.Helper()
	if alg == RS256 {
		k, err := ParsePEM(alg, readTestdata(t, "rsa2048_other.pem"), nil)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	k, err := GenerateKey(alg)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func testManager(t testing.TB, k *Key) *Manager {
	t.Helper()
	return NewManager(k, Options{Issuer: testIssuer, Now: testNow})
}

// testClaims are the claims the tests issue: a token of typ, valid for 15
// minutes from testNow.
func testClaims(typ Type) Claims {
	now := testNow()
	return Claims{
		Subject:   uuid.MustParse(testSubject),
		SessionID: uuid.MustParse(testSession),
		ID:        uuid.MustParse(testTokenID),
		Type:      typ,
		Role:      "user",
		IssuedAt:  now,
		NotBefore: now,
		ExpiresAt: now.Add(15 * time.Minute),
	}
}

func mustIssue(t testing.TB, m *Manager, c Claims) string {
	t.Helper()
	raw, err := m.Issue(c)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	return raw
}

// decodePart returns segment i (0 header, 1 payload) of a token as a map.
func decodePart(t testing.TB, raw string, i int) map[string]any {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(strings.Split(raw, ".")[i])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// forge builds a token by hand from header and payload and signs it with
// method and key, so that attacks can set any header and claims at all.
func forge(t testing.TB, method jwt.SigningMethod, key any, header, payload map[string]any) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	input := enc(header) + "." + enc(payload)
	sig, err := method.Sign(input, key)
	if err != nil {
		t.Fatalf("sign with %s: %v", method.Alg(), err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// goodPayload is a valid access token payload for the test Managers.
func goodPayload() map[string]any {
	now := testNow().Unix()
	return map[string]any{
		"sub": testSubject, "sid": testSession, "jti": testTokenID,
		"iat": now, "nbf": now, "exp": now + 900,
		"type": "access", "fresh": false, "iss": testIssuer,
	}
}

// goodHeader is the header of a valid token signed with k.
func goodHeader(k *Key) map[string]any {
	return map[string]any{"alg": k.Alg(), "typ": "JWT", "kid": k.ID()}
}

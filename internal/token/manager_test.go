package token

import (
	"encoding/json"
	"errors"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	for _, alg := range algs() {
		t.Run(alg, func(t *testing.T) {
			t.Parallel()
			k := testKey(t, alg)
			m := testManager(t, k)
			tests := []struct {
				name string
				c    Claims
			}{
				{"access", testClaims(Access)},
				{"access fresh", func() Claims { c := testClaims(Access); c.Fresh = true; return c }()},
				{"access without role", func() Claims { c := testClaims(Access); c.Role = ""; return c }()},
				{"refresh", testClaims(Refresh)},
			}
			for _, tt := range tests {
				raw := mustIssue(t, m, tt.c)
				got, err := m.Verify(raw, tt.c.Type)
				if err != nil {
					t.Fatalf("%s: Verify: %v", tt.name, err)
				}
				if diff := cmp.Diff(tt.c, got); diff != "" {
					t.Errorf("%s: claims after a round trip (-issued +verified):\n%s", tt.name, diff)
				}
				h := decodePart(t, raw, 0)
				if want := goodHeader(k); !cmp.Equal(h, want) {
					t.Errorf("%s: header = %v, want %v", tt.name, h, want)
				}
			}
		})
	}
}

func TestIssueTruncatesAndDefaultsTimes(t *testing.T) {
	t.Parallel()
	m := testManager(t, testKey(t, EdDSA))
	c := testClaims(Access)
	c.IssuedAt, c.NotBefore = time.Time{}, time.Time{}
	c.ExpiresAt = testNow().Add(15*time.Minute + 999*time.Millisecond)
	got, err := m.Verify(mustIssue(t, m, c), Access)
	if err != nil {
		t.Fatal(err)
	}
	want := testClaims(Access) // iat = nbf = now, exp cut to whole seconds
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("claims (-want +got):\n%s", diff)
	}
}

// TestClaimsGolden pins the exact header and claims of each token type: these
// are what the reference's clients decode.
func TestClaimsGolden(t *testing.T) {
	t.Parallel()
	m := testManager(t, testKey(t, RS256))
	tests := []struct {
		name string
		c    Claims
		keys []string
	}{
		{"access", testClaims(Access), []string{"exp", "fresh", "iat", "iss", "jti", "nbf", "role", "sid", "sub", "type"}},
		{"refresh", testClaims(Refresh), []string{"exp", "iat", "iss", "jti", "nbf", "role", "sid", "sub", "type"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := mustIssue(t, m, tt.c)
			got := map[string]any{"header": decodePart(t, raw, 0), "payload": decodePart(t, raw, 1)}

			// The key sets are asserted here as well as in the golden file,
			// so that a careless -update cannot drop fresh or add a claim.
			payload := got["payload"].(map[string]any)
			keys := slices.Sorted(maps.Keys(payload))
			if diff := cmp.Diff(tt.keys, keys); diff != "" {
				t.Errorf("claim names (-want +got):\n%s", diff)
			}

			path := filepath.Join("testdata", tt.name+".golden.json")
			if *update {
				b, _ := json.MarshalIndent(got, "", "  ")
				if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var want map[string]any
			if err := json.Unmarshal(readTestdata(t, tt.name+".golden.json"), &want); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("token (-golden +got):\n%s", diff)
			}
		})
	}
}

func TestIssueRefuses(t *testing.T) {
	t.Parallel()
	m := testManager(t, testKey(t, EdDSA))
	tests := []struct {
		name   string
		change func(*Claims)
	}{
		{"no type", func(c *Claims) { c.Type = "" }},
		{"unknown type", func(c *Claims) { c.Type = "id" }},
		{"nil subject", func(c *Claims) { c.Subject = uuid.Nil }},
		{"nil session", func(c *Claims) { c.SessionID = uuid.Nil }},
		{"nil token id", func(c *Claims) { c.ID = uuid.Nil }},
		{"no expiry", func(c *Claims) { c.ExpiresAt = time.Time{} }},
		{"expiry before issue", func(c *Claims) { c.ExpiresAt = c.IssuedAt.Add(-time.Second) }},
	}
	for _, tt := range tests {
		c := testClaims(Access)
		tt.change(&c)
		if raw, err := m.Issue(c); err == nil {
			t.Errorf("%s: Issue = %q, nil; want an error", tt.name, raw)
		}
	}
}

// TestVerifyLeeway checks the clock skew window at both edges: a token is good
// from 5s before nbf/iat until just before exp (exp itself is the first instant
// a token is expired, as RFC 7519 says; the leeway never extends it).
func TestVerifyLeeway(t *testing.T) {
	t.Parallel()
	k := testKey(t, EdDSA)
	issuer := testManager(t, k)
	raw := mustIssue(t, issuer, testClaims(Access))
	exp, iat := testNow().Add(15*time.Minute), testNow()
	tests := []struct {
		name string
		now  time.Time
		ok   bool
	}{
		{"at issue", iat, true},
		{"5s before iat and nbf", iat.Add(-5 * time.Second), true},
		{"6s before iat and nbf", iat.Add(-6 * time.Second), false},
		{"1s before exp", exp.Add(-time.Second), true},
		{"at exp", exp, false},
		{"4s after exp", exp.Add(4 * time.Second), false},
	}
	for _, tt := range tests {
		m := NewManager(k, Options{Issuer: testIssuer, Now: func() time.Time { return tt.now }})
		_, err := m.Verify(raw, Access)
		if (err == nil) != tt.ok {
			t.Errorf("%s: Verify error = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

func TestOptionsDefaults(t *testing.T) {
	t.Parallel()
	k := testKey(t, EdDSA)
	m := NewManager(k, Options{})
	if m.leeway != 5*time.Second || m.maxBytes != 8192 || m.now == nil || m.issuer != "" {
		t.Errorf("defaults: leeway %v, max %d, now set %v, issuer %q; want 5s, 8192, true, \"\"",
			m.leeway, m.maxBytes, m.now != nil, m.issuer)
	}
	// Without an issuer configured, none is written and none is required.
	c := testClaims(Access)
	c.IssuedAt, c.NotBefore, c.ExpiresAt = time.Time{}, time.Time{}, time.Now().Add(time.Minute)
	raw := mustIssue(t, m, c)
	if _, ok := decodePart(t, raw, 1)["iss"]; ok {
		t.Error("iss written with no Issuer configured")
	}
	if _, err := m.Verify(raw, Access); err != nil {
		t.Errorf("Verify with the real clock: %v", err)
	}
	if m.SigningKey() != k {
		t.Errorf("SigningKey = %v, want %v", m.SigningKey(), k)
	}
}

// TestMaxTokenBytes proves that the size limit, and not the signature or the
// claims, is what refuses a big but correctly signed token.
func TestMaxTokenBytes(t *testing.T) {
	t.Parallel()
	k := testKey(t, EdDSA)
	p := goodPayload()
	p["pad"] = strings.Repeat("x", 8192)
	raw := forge(t, signingMethod(k.Alg()), k.private, goodHeader(k), p)

	if _, err := testManager(t, k).Verify(raw, Access); !errors.Is(err, ErrInvalid) {
		t.Errorf("Verify(%d bytes) with the default limit: error = %v, want ErrInvalid", len(raw), err)
	}
	big := NewManager(k, Options{Issuer: testIssuer, Now: testNow, MaxTokenBytes: 1 << 20})
	if _, err := big.Verify(raw, Access); err != nil {
		t.Errorf("Verify(%d bytes) with a 1 MiB limit: %v", len(raw), err)
	}
}

func TestKeyDoesNotPrintSecrets(t *testing.T) {
	t.Parallel()
	k := testKey(t, RS256)
	want := "RS256 key " + k.ID()
	for _, got := range []string{k.String(), k.GoString()} {
		if got != want {
			t.Errorf("printed key = %q, want %q", got, want)
		}
	}
}

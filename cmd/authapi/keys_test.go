package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/authapi/authapi/internal/store/storetest"
	"github.com/authapi/authapi/internal/token"
)

// client is a minimal API client for the keys tests.
type client struct {
	t    *testing.T
	base string
}

func (c client) do(method, path, body, bearer string) (int, []byte) {
	c.t.Helper()
	req, _ := http.NewRequestWithContext(c.t.Context(), method, c.base+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// login returns a fresh access token.
func (c client) login(email string) string {
	c.t.Helper()
	status, b := c.do("POST", "/api/auth/login", `{"email":"`+email+`","password":"password123"}`, "")
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(b, &out); status != http.StatusOK || err != nil {
		c.t.Fatalf("login = %d %s", status, b)
	}
	return out.AccessToken
}

// me reports the status of GET /api/users/me with tok.
func (c client) me(tok string) int {
	c.t.Helper()
	status, _ := c.do("GET", "/api/users/me", "", tok)
	return status
}

// jwksKids returns the kids the instance publishes.
func (c client) jwksKids() []string {
	c.t.Helper()
	status, b := c.do("GET", "/.well-known/jwks.json", "", "")
	var set struct {
		Keys []struct{ Kid string } `json:"keys"`
	}
	if err := json.Unmarshal(b, &set); status != http.StatusOK || err != nil {
		c.t.Fatalf("jwks = %d %s", status, b)
	}
	var kids []string
	for _, k := range set.Keys {
		kids = append(kids, k.Kid)
	}
	return kids
}

// kidOf reads the kid header of a token.
func kidOf(t *testing.T, tok string) string {
	t.Helper()
	seg, _, _ := strings.Cut(tok, ".")
	b, err := base64.RawURLEncoding.DecodeString(seg)
	var h struct{ Kid string }
	if err != nil || json.Unmarshal(b, &h) != nil {
		t.Fatalf("token header %q", seg)
	}
	return h.Kid
}

var newKidLine = regexp.MustCompile(`new signing key (\S+) `)

// TestRotationAcrossInstances runs two instances of the real program on one
// database, rotates with `authapi keys rotate`, and checks that both publish
// the new key, then sign with it, while the tokens of the old key keep
// working on both: nobody is logged out.
func TestRotationAcrossInstances(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, kind := range storetest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			env := map[string]string{
				"DATABASE_URL":          storetest.DSN(t, kind),
				"KEYS_REFRESH_INTERVAL": "100ms",
				"KEYS_ENCRYPTION_KEY":   base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{3}, 32)),
			}
			a, b := client{t, startServer(t, env)}, client{t, startServer(t, env)}
			status, body := a.do("POST", "/api/auth/register", `{"name":"Ada","email":"ada@example.com","password":"password123","passwordConfirm":"password123"}`, "")
			if status != http.StatusCreated {
				t.Fatalf("register = %d %s", status, body)
			}
			oldToken := a.login("ada@example.com")
			oldKid := kidOf(t, oldToken)
			if b.me(oldToken) != http.StatusOK || !slices.Equal(b.jwksKids(), []string{oldKid}) {
				t.Fatalf("instance B does not share A's key %s: JWKS %v", oldKid, b.jwksKids())
			}

			var out bytes.Buffer
			if err := run(t.Context(), []string{"keys", "rotate"}, envMap(env), &out, io.Discard); err != nil {
				t.Fatalf("keys rotate: %v", err)
			}
			m := newKidLine.FindStringSubmatch(out.String())
			if m == nil {
				t.Fatalf("keys rotate printed %q, want the new kid", out.String())
			}
			newKid := m[1]
			rotated := time.Now()

			// Both publish the new key at their next reload, before it signs.
			for _, c := range []client{a, b} {
				deadline := time.Now().Add(5 * time.Second)
				for !slices.Equal(c.jwksKids(), []string{oldKid, newKid}) {
					if time.Now().After(deadline) {
						t.Fatalf("%s JWKS %v 5s after rotating, want [%s %s]", c.base, c.jwksKids(), oldKid, newKid)
					}
					time.Sleep(20 * time.Millisecond)
				}
			}
			// Two reload intervals after the rotation, both sign with it.
			// The key is chosen by the token's issue time, which is in whole
			// seconds: the first token of the new key is one issued at the
			// first whole second from its start on. (Waiting only past the
			// start failed about one run in six.)
			activeBy := rotated.Add(200 * time.Millisecond)
			time.Sleep(time.Until(activeBy.Truncate(time.Second).Add(time.Second + 50*time.Millisecond)))
			for _, c := range []client{a, b} {
				tok := c.login("ada@example.com")
				if got := kidOf(t, tok); got != newKid {
					t.Errorf("%s signs with %s after the switch, want %s", c.base, got, newKid)
				}
				for _, other := range []client{a, b} {
					if other.me(tok) != http.StatusOK {
						t.Errorf("a token of the new key from %s is refused by %s", c.base, other.base)
					}
				}
				if c.me(oldToken) != http.StatusOK {
					t.Errorf("%s refuses the token of the old key after the rotation", c.base)
				}
			}

			out.Reset()
			if err := run(t.Context(), []string{"keys", "list"}, envMap(env), &out, io.Discard); err != nil {
				t.Fatalf("keys list: %v", err)
			}
			for _, want := range []*regexp.Regexp{
				regexp.MustCompile(`(?m)^1\s+` + regexp.QuoteMeta(oldKid) + `\s+RS256\s+verify\s.*\sencrypted$`),
				regexp.MustCompile(`(?m)^2\s+` + regexp.QuoteMeta(newKid) + `\s+RS256\s+signing\s.*\sencrypted$`),
			} {
				if !want.MatchString(out.String()) {
					t.Errorf("keys list:\n%s\ndoes not match %s", out.String(), want)
				}
			}
			if strings.Contains(out.String(), "PRIVATE KEY-----") || strings.Contains(out.String(), "aes256gcm:") {
				t.Errorf("keys list shows private material:\n%s", out.String())
			}
		})
	}
}

// TestEncryptionKeyErrors: a start with another KEYS_ENCRYPTION_KEY, or
// without it, fails with one line saying what to fix.
func TestEncryptionKeyErrors(t *testing.T) {
	t.Chdir(t.TempDir())
	kek := func(b byte) string { return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, 32)) }
	env := map[string]string{"DATABASE_URL": "keys.db", "KEYS_ENCRYPTION_KEY": kek(1)}
	_, stop := startInstance(t, env)
	stop()
	for _, tc := range []struct {
		kek, want string
	}{
		{kek(2), "KEYS_ENCRYPTION_KEY does not decrypt signing key"},
		{"", "is encrypted: set KEYS_ENCRYPTION_KEY"},
	} {
		env["KEYS_ENCRYPTION_KEY"] = tc.kek
		err := runServe(t.Context(), nil, envMap(env), io.Discard, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("start with KEYS_ENCRYPTION_KEY %q: error = %v, want one line containing %q", tc.kek, err, tc.want)
		}
	}
}

// TestRotationByRedeploy rotates configured keys: the new deployment signs
// with its JWT_PRIVATE_KEY and still accepts the old key's tokens through
// JWT_PREVIOUS_PUBLIC_KEYS, until the old key is dropped from it.
func TestRotationByRedeploy(t *testing.T) {
	t.Chdir(t.TempDir())
	pair := func(alg string) (priv, pub, kid string) {
		k, err := token.GenerateKey(alg)
		if err != nil {
			t.Fatal(err)
		}
		priv, pub, err = k.EncodeBase64PEM()
		if err != nil {
			t.Fatal(err)
		}
		return priv, pub, k.ID()
	}
	oldPriv, oldPub, oldKid := pair(token.ES256)
	newPriv, _, newKid := pair(token.EdDSA)
	env := map[string]string{"DATABASE_URL": "redeploy.db", "JWT_ALGORITHM": "ES256", "JWT_PRIVATE_KEY": oldPriv}

	base, stop := startInstance(t, env)
	c := client{t, base}
	c.do("POST", "/api/auth/register", `{"name":"Ada","email":"ada@example.com","password":"password123","passwordConfirm":"password123"}`, "")
	oldToken := c.login("ada@example.com")
	stop()

	env["JWT_ALGORITHM"], env["JWT_PRIVATE_KEY"], env["JWT_PREVIOUS_PUBLIC_KEYS"] = "EdDSA", newPriv, "ES256:"+oldPub
	base, stop = startInstance(t, env)
	c = client{t, base}
	if got := c.jwksKids(); !slices.Equal(got, []string{newKid, oldKid}) {
		t.Errorf("JWKS after redeploy = %v, want [%s %s]", got, newKid, oldKid)
	}
	if c.me(oldToken) != http.StatusOK {
		t.Error("the old key's token is refused with the old key in JWT_PREVIOUS_PUBLIC_KEYS")
	}
	if got := kidOf(t, c.login("ada@example.com")); got != newKid {
		t.Errorf("new tokens have kid %s, want %s", got, newKid)
	}
	stop()

	delete(env, "JWT_PREVIOUS_PUBLIC_KEYS")
	c = client{t, startServer(t, env)}
	if c.me(oldToken) != http.StatusUnauthorized {
		t.Error("the old key's token still works after it left JWT_PREVIOUS_PUBLIC_KEYS")
	}

	// keys rotate refuses: configured keys are rotated by redeploying.
	err := run(t.Context(), []string{"keys", "rotate"}, envMap(env), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "JWT_PRIVATE_KEY is set") {
		t.Errorf("keys rotate with JWT_PRIVATE_KEY: %v, want a refusal naming it", err)
	}
}

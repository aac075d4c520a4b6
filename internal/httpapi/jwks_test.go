package httpapi_test

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

// TestJWKSPlainConsumer verifies a token issued by login the way another
// service would: with nothing but /.well-known/jwks.json, read once with
// go-jose and once by hand from n and e, and golang-jwt.
func TestJWKSPlainConsumer(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		e.register("Ada", "ada@example.com", "password123")
		tok := e.login("ada@example.com", "password123").access

		r := e.do(req{path: "/.well-known/jwks.json"})
		r.expect(t, http.StatusOK, "")
		if got := r.header.Get("Cache-Control"); got != "public, max-age=300" {
			t.Errorf("Cache-Control = %q, want public, max-age=300", got)
		}
		if got := r.header.Get("Content-Type"); got != "application/json" {
			t.Errorf("Content-Type = %q, want application/json", got)
		}

		// go-jose, as JWKS client libraries read it.
		var set jose.JSONWebKeySet
		if err := json.Unmarshal(r.body, &set); err != nil {
			t.Fatalf("JWKS %s: %v", r.body, err)
		}
		keyfunc := func(tk *jwt.Token) (any, error) {
			kid, _ := tk.Header["kid"].(string)
			keys := set.Key(kid)
			if len(keys) != 1 || keys[0].Algorithm != tk.Method.Alg() || keys[0].Use != "sig" {
				t.Fatalf("JWKS has %d keys for kid %q (alg %s): %s", len(keys), kid, tk.Method.Alg(), r.body)
			}
			return keys[0].Key, nil
		}
		parser := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithExpirationRequired())
		parsed, err := parser.Parse(tok, keyfunc)
		if err != nil || !parsed.Valid {
			t.Fatalf("token does not verify with the JWKS through go-jose: %v", err)
		}
		if parsed.Header["kid"] != e.key.ID() {
			t.Errorf("token kid = %v, want %s", parsed.Header["kid"], e.key.ID())
		}

		// By hand: the RSA public key from n and e alone.
		var raw struct {
			Keys []struct{ Kty, Kid, Alg, Use, N, E string } `json:"keys"`
		}
		if err := json.Unmarshal(r.body, &raw); err != nil || len(raw.Keys) != 1 {
			t.Fatalf("JWKS %s: %v", r.body, err)
		}
		k := raw.Keys[0]
		n, errN := base64.RawURLEncoding.DecodeString(k.N)
		ex, errE := base64.RawURLEncoding.DecodeString(k.E)
		if errN != nil || errE != nil || k.Kty != "RSA" || k.Alg != "RS256" || k.Use != "sig" || k.Kid != e.key.ID() {
			t.Fatalf("JWK = %+v; want an RS256 signing key with base64url n and e", k)
		}
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(ex).Int64())}
		if _, err := parser.Parse(tok, func(*jwt.Token) (any, error) { return pub, nil }); err != nil {
			t.Errorf("token does not verify with n and e of the JWKS: %v", err)
		}

		// Only public parameters are published.
		var members []map[string]any
		var doc struct {
			Keys *[]map[string]any `json:"keys"`
		}
		doc.Keys = &members
		_ = json.Unmarshal(r.body, &doc)
		for _, private := range []string{"d", "p", "q", "dp", "dq", "qi"} {
			if _, ok := members[0][private]; ok {
				t.Errorf("JWKS publishes the private parameter %q", private)
			}
		}
	})
}

package token

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzVerify mutates good tokens and garbage: Verify must never panic, every
// failure must wrap ErrInvalid, and nothing but a token we issued may pass.
func FuzzVerify(f *testing.F) {
	type issued struct {
		raw    string
		claims Claims
	}
	managers := map[string]*Manager{}
	bySigningInput := map[string]issued{}
	for _, alg := range algs() {
		m := testManager(f, testKey(f, alg))
		managers[alg] = m
		for _, typ := range []Type{Access, Refresh} {
			c := testClaims(typ)
			raw := mustIssue(f, m, c)
			bySigningInput[raw[:strings.LastIndexByte(raw, '.')]] = issued{raw, c}
			f.Add(raw)
		}
	}
	for _, s := range []string{"", ".", "..", "a.b.c", "eyJhbGciOiJub25lIn0.e30.", "e30.e30.e30"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for alg, m := range managers {
			for _, want := range []Type{Access, Refresh} {
				got, err := m.Verify(raw, want)
				if err != nil {
					if !errors.Is(err, ErrInvalid) {
						t.Fatalf("%s: Verify error %v does not wrap ErrInvalid", alg, err)
					}
					continue
				}
				// The signature covers header and payload, so those must be
				// exactly what we issued. RS256 and EdDSA signatures are
				// deterministic too; ECDSA ones are not, and (r, n-s) is an
				// equally valid signature of the same claims.
				dot := strings.LastIndexByte(raw, '.')
				orig, ok := bySigningInput[raw[:max(dot, 0)]]
				if !ok || (alg != ES256 && raw != orig.raw) {
					t.Fatalf("%s: Verify accepted a token we never issued: %q", alg, raw)
				}
				if diff := cmp.Diff(orig.claims, got); diff != "" || want != orig.claims.Type {
					t.Fatalf("%s: Verify(%s) returned other claims (-issued +got):\n%s", alg, want, diff)
				}
			}
		}
	})
}

// FuzzParseKey feeds arbitrary settings to ParseKey: it must never panic,
// and every refusal must be the one line an operator reads in the log.
func FuzzParseKey(f *testing.F) {
	seeds := []struct{ alg, priv, pub string }{
		{RS256, "rsa2048_pkcs1.pem", "rsa2048_pub.pem"},
		{RS256, "rsa2048_pkcs8.pem", "rsa2048_pub_pkcs1.pem"},
		{RS256, "rsa512.pem", ""},
		{ES256, "ec_p256_sec1.pem", "ec_p256_pub.pem"},
		{ES256, "ec_p384_sec1.pem", ""},
		{EdDSA, "ed25519_pkcs8.pem", "ed25519_pub.pem"},
		{EdDSA, "ed25519_encrypted.pem", ""},
		{EdDSA, "x25519_pkcs8.pem", ""},
	}
	for _, s := range seeds {
		pub := ""
		if s.pub != "" {
			pub = base64.StdEncoding.EncodeToString(readTestdata(f, s.pub))
		}
		f.Add(s.alg, base64.StdEncoding.EncodeToString(readTestdata(f, s.priv)), pub)
		f.Add(s.alg, string(readTestdata(f, s.priv)), pub)
	}
	f.Add("HS256", "", "")
	f.Fuzz(func(t *testing.T, alg, priv, pub string) {
		k, err := ParseKey(alg, priv, pub)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("ParseKey error %q has more than one line", err)
			}
			return
		}
		if k.Alg() != alg || k.ID() == "" {
			t.Fatalf("ParseKey = %v (alg %q), want an %s key with an id", k, k.Alg(), alg)
		}
	})
}

// FuzzHeaderKID feeds arbitrary tokens to the header parser that picks the
// key: it must never panic, and a kid it returns must be exactly the one the
// header's JSON holds.
func FuzzHeaderKID(f *testing.F) {
	m := testManager(f, testKey(f, EdDSA))
	f.Add(mustIssue(f, m, testClaims(Access)))
	for _, s := range []string{
		"", ".", "e30.", "eyJraWQiOjF9.", // {"kid":1}
		"eyJraWQiOiJhIiwia2lkIjoiYiJ9.x.y",                      // {"kid":"a","kid":"b"}
		"eyJLSUQiOiJhIn0.",                                      // {"KID":"a"}
		"eyJqa3UiOiJodHRwOi8vZXZpbC9rZXlzIiwia2lkIjoiayJ9.e30.", // jku and kid
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		kid, err := headerKID(raw)
		if err != nil {
			if kid != "" {
				t.Fatalf("headerKID(%q) = %q with error %v", raw, kid, err)
			}
			return
		}
		seg, _, _ := strings.Cut(raw, ".")
		b, derr := base64.RawURLEncoding.Strict().DecodeString(seg)
		if derr != nil {
			t.Fatalf("headerKID accepted a header that is not strict base64url: %q", seg)
		}
		var h map[string]any
		if err := json.Unmarshal(b, &h); err != nil || h["kid"] != kid {
			t.Fatalf("headerKID(%q) = %q, but the header is %s", raw, kid, b)
		}
	})
}

// FuzzParseJWKS feeds arbitrary documents to the JWK Set parser (used for
// JWT_PREVIOUS_PUBLIC_KEYS): it must never panic, errors must be one line,
// and every key it returns must be a public key fit for its pinned alg.
func FuzzParseJWKS(f *testing.F) {
	m := testManager(f, testKey(f, RS256))
	if err := m.SetKeys(KeySet{Signing: testKey(f, RS256), Verify: []PublicKey{testKey(f, ES256).PublicKey(), testKey(f, EdDSA).PublicKey()}}); err != nil {
		f.Fatal(err)
	}
	f.Add(m.JWKS())
	for _, s := range []string{
		`{}`, `{"keys":null}`, `{"keys":[{}]}`, `{"keys":[{"kty":"oct","k":"AAAA","alg":"HS256"}]}`,
		`{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","alg":"EdDSA"}]}`,
		`{"keys":[{"kty":"EC","crv":"P-256","x":"","y":"","alg":"ES256"}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, err := ParseJWKS(data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("ParseJWKS error %q has more than one line", err)
			}
			return
		}
		if len(keys) == 0 {
			t.Fatal("ParseJWKS returned no keys and no error")
		}
		for _, k := range keys {
			if k.ID() == "" || checkAlg(k.Alg(), "alg") != nil || checkPublic(k.Alg(), k.Key()) != nil {
				t.Fatalf("ParseJWKS returned an unfit key: %s %q %T", k.Alg(), k.ID(), k.Key())
			}
			// Every key it returns can be put in a Manager.
			if err := m.SetKeys(KeySet{Signing: testKey(t, RS256), Verify: []PublicKey{k}}); err != nil && !strings.Contains(err.Error(), "names two different keys") {
				t.Fatalf("SetKeys with a parsed key: %v", err)
			}
		}
	})
}

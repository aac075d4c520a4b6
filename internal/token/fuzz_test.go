package token

import (
	"encoding/base64"
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

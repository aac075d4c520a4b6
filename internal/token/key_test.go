package token

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// b64 wraps a testdata file the way the reference's settings hold keys.
func b64(t *testing.T, name string) string {
	t.Helper()
	if name == "" {
		return ""
	}
	return base64.StdEncoding.EncodeToString(readTestdata(t, name))
}

func TestParseKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		alg           string
		private, pub  string // testdata files, "" for none
		rawPriv       string // used instead of private when set
		wantErr       string // a substring of the error; "" means success
		wantSameKidAs string // testdata file whose key must have the same kid
	}{
		{name: "RSA PKCS#1", alg: RS256, private: "rsa2048_pkcs1.pem"},
		{name: "RSA PKCS#8", alg: RS256, private: "rsa2048_pkcs8.pem", wantSameKidAs: "rsa2048_pkcs1.pem"},
		{name: "RSA with PKIX public", alg: RS256, private: "rsa2048_pkcs1.pem", pub: "rsa2048_pub.pem"},
		{name: "RSA with PKCS#1 public", alg: RS256, private: "rsa2048_pkcs8.pem", pub: "rsa2048_pub_pkcs1.pem"},
		{name: "EC SEC1 after EC PARAMETERS", alg: ES256, private: "ec_p256_sec1.pem", pub: "ec_p256_pub.pem"},
		{name: "EC PKCS#8", alg: ES256, private: "ec_p256_pkcs8.pem", wantSameKidAs: "ec_p256_sec1.pem"},
		{name: "Ed25519 PKCS#8", alg: EdDSA, private: "ed25519_pkcs8.pem", pub: "ed25519_pub.pem"},
		{name: "raw PEM instead of base64", alg: EdDSA, rawPriv: string(mustRead("ed25519_pkcs8.pem"))},
		{name: "base64 wrapped over lines", alg: EdDSA, rawPriv: wrap(base64.StdEncoding.EncodeToString(mustRead("ed25519_pkcs8.pem")), 64)},

		{name: "RSA 512 (the reference's demo key size)", alg: RS256, private: "rsa512.pem",
			wantErr: "JWT_PRIVATE_KEY: RSA key is 512 bits; at least 2048 are required (generate one with: authapi keys generate)"},
		{name: "RSA 1024", alg: RS256, private: "rsa1024.pem", wantErr: "JWT_PRIVATE_KEY: RSA key is 1024 bits; at least 2048 are required"},
		{name: "mismatched pair", alg: RS256, private: "rsa2048_other.pem", pub: "rsa2048_pub.pem",
			wantErr: "JWT_PUBLIC_KEY does not match JWT_PRIVATE_KEY"},
		{name: "public of another algorithm", alg: EdDSA, private: "ed25519_pkcs8.pem", pub: "ec_p256_pub.pem",
			wantErr: "JWT_PUBLIC_KEY does not match JWT_PRIVATE_KEY"},
		{name: "ES256 with an RSA key", alg: ES256, private: "rsa2048_pkcs1.pem",
			wantErr: "JWT_ALGORITHM is ES256 but JWT_PRIVATE_KEY is an RSA key; set JWT_ALGORITHM=RS256 or use an EC P-256 key"},
		{name: "RS256 with an EC key", alg: RS256, private: "ec_p256_pkcs8.pem", wantErr: "JWT_ALGORITHM is RS256 but JWT_PRIVATE_KEY is an EC key"},
		{name: "RS256 with an Ed25519 key", alg: RS256, private: "ed25519_pkcs8.pem", wantErr: "JWT_ALGORITHM is RS256 but JWT_PRIVATE_KEY is an Ed25519 key"},
		{name: "EdDSA with an EC key", alg: EdDSA, private: "ec_p256_sec1.pem", wantErr: "JWT_ALGORITHM is EdDSA but JWT_PRIVATE_KEY is an EC key"},
		{name: "ES256 with P-384", alg: ES256, private: "ec_p384_sec1.pem", wantErr: "JWT_PRIVATE_KEY: EC key is on curve P-384; ES256 requires P-256"},
		{name: "X25519", alg: EdDSA, private: "x25519_pkcs8.pem", wantErr: "JWT_PRIVATE_KEY is an X25519 key, which cannot sign"},
		{name: "encrypted", alg: EdDSA, private: "ed25519_encrypted.pem", wantErr: "JWT_PRIVATE_KEY is encrypted"},
		{name: "public key as private", alg: RS256, private: "rsa2048_pub.pem", wantErr: "JWT_PRIVATE_KEY holds a public key (PUBLIC KEY); it must be the private key"},
		{name: "private key as public", alg: RS256, private: "rsa2048_pkcs1.pem", pub: "rsa2048_pkcs1.pem",
			wantErr: "JWT_PUBLIC_KEY holds a private key (RSA PRIVATE KEY); it must be the public key"},
		{name: "HS256", alg: "HS256", private: "rsa2048_pkcs1.pem", wantErr: `JWT_ALGORITHM "HS256" is not supported; use RS256, ES256 or EdDSA`},
		{name: "lower-case alg", alg: "rs256", private: "rsa2048_pkcs1.pem", wantErr: `JWT_ALGORITHM "rs256" is not supported`},
		{name: "bad base64", alg: RS256, rawPriv: "not base64!", wantErr: "JWT_PRIVATE_KEY is not valid base64 of a PEM key"},
		{name: "base64 of no PEM", alg: RS256, rawPriv: base64.StdEncoding.EncodeToString([]byte("hello")), wantErr: "JWT_PRIVATE_KEY is not a PEM key"},
		{name: "PEM of junk", alg: RS256, rawPriv: base64.StdEncoding.EncodeToString(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("junk")})),
			wantErr: "JWT_PRIVATE_KEY: PRIVATE KEY block cannot be parsed"},
		{name: "certificate", alg: RS256, rawPriv: base64.StdEncoding.EncodeToString(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("x")})),
			wantErr: `JWT_PRIVATE_KEY is a PEM "CERTIFICATE" block`},
		{name: "empty", alg: RS256, rawPriv: " ", wantErr: "JWT_PRIVATE_KEY is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			priv := tt.rawPriv
			if priv == "" {
				priv = b64(t, tt.private)
			}
			k, err := ParseKey(tt.alg, priv, b64(t, tt.pub))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseKey error = %v, want one containing %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("ParseKey error %q has more than one line", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseKey: %v", err)
			}
			if k.Alg() != tt.alg {
				t.Errorf("Alg = %q, want %q", k.Alg(), tt.alg)
			}
			if tt.wantSameKidAs != "" {
				if want := testKeyFromFile(t, tt.alg, tt.wantSameKidAs).ID(); k.ID() != want {
					t.Errorf("ID = %q, want %q (same key, other encoding)", k.ID(), want)
				}
			}
		})
	}
}

func TestParsePEMNamesItsInputs(t *testing.T) {
	t.Parallel()
	_, err := ParsePEM(RS256, readTestdata(t, "rsa2048_other.pem"), readTestdata(t, "rsa2048_pub.pem"))
	if want := "public key does not match private key"; err == nil || err.Error() != want {
		t.Errorf("ParsePEM error = %v, want %q", err, want)
	}
	_, err = ParsePEM(RS256, readTestdata(t, "rsa512.pem"), nil)
	if want := "private key: RSA key is 512 bits"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("ParsePEM error = %v, want prefix %q", err, want)
	}
}

func TestGenerateKey(t *testing.T) {
	t.Parallel()
	for _, alg := range algs() {
		t.Run(alg, func(t *testing.T) {
			t.Parallel()
			k, err := GenerateKey(alg)
			if err != nil {
				t.Fatal(err)
			}
			switch pub := k.Public().(type) {
			case *rsa.PublicKey:
				if alg != RS256 || pub.N.BitLen() != 2048 {
					t.Errorf("%s key: RSA %d bits", alg, pub.N.BitLen())
				}
			case *ecdsa.PublicKey:
				if alg != ES256 || pub.Curve.Params().Name != "P-256" {
					t.Errorf("%s key: EC %s", alg, pub.Curve.Params().Name)
				}
			case ed25519.PublicKey:
				if alg != EdDSA {
					t.Errorf("%s key: Ed25519", alg)
				}
			default:
				t.Errorf("%s key: %T", alg, pub)
			}
			if k.Alg() != alg {
				t.Errorf("Alg = %q, want %q", k.Alg(), alg)
			}
		})
	}
	if _, err := GenerateKey("HS256"); err == nil {
		t.Error("GenerateKey(HS256) succeeded")
	}
}

// TestKeyID recomputes each kid by the letter of RFC 7638, independently of
// go-jose: SHA-256 of the required members in lexicographic order.
func TestKeyID(t *testing.T) {
	t.Parallel()
	enc := base64.RawURLEncoding.EncodeToString
	for _, alg := range algs() {
		k := testKey(t, alg)
		var members string
		switch pub := k.Public().(type) {
		case *rsa.PublicKey:
			e := []byte{byte(pub.E >> 16), byte(pub.E >> 8), byte(pub.E)}
			members = fmt.Sprintf(`{"e":"%s","kty":"RSA","n":"%s"}`, enc(e), enc(pub.N.Bytes()))
		case *ecdsa.PublicKey:
			b, err := pub.Bytes() // 0x04 || X || Y
			if err != nil {
				t.Fatal(err)
			}
			members = fmt.Sprintf(`{"crv":"P-256","kty":"EC","x":"%s","y":"%s"}`, enc(b[1:33]), enc(b[33:]))
		case ed25519.PublicKey:
			members = fmt.Sprintf(`{"crv":"Ed25519","kty":"OKP","x":"%s"}`, enc(pub))
		}
		sum := sha256.Sum256([]byte(members))
		if want := enc(sum[:]); k.ID() != want {
			t.Errorf("%s: ID = %q, want %q", alg, k.ID(), want)
		}
	}
}

func TestEncodeBase64PEM(t *testing.T) {
	t.Parallel()
	for _, alg := range algs() {
		k := testKey(t, alg)
		privB64, pubB64, err := k.EncodeBase64PEM()
		if err != nil {
			t.Fatal(err)
		}
		for name, want := range map[string]string{privB64: "PRIVATE KEY", pubB64: "PUBLIC KEY"} {
			b, _ := base64.StdEncoding.DecodeString(name)
			if block, _ := pem.Decode(b); block == nil || block.Type != want {
				t.Errorf("%s: encoded key is not a %q PEM block", alg, want)
			}
		}
		for _, pub := range []string{pubB64, ""} {
			back, err := ParseKey(alg, privB64, pub)
			if err != nil {
				t.Fatalf("%s: ParseKey(EncodeBase64PEM()): %v", alg, err)
			}
			if back.ID() != k.ID() || back.Alg() != alg {
				t.Errorf("%s: round trip gave %v, want %v", alg, back, k)
			}
		}
	}
}

// writeKeyFiles writes k as an earlier version kept a generated key: the
// private key 0600, the public key 0644, in a new directory.
func writeKeyFiles(t *testing.T, dir string, k *Key) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	priv, pub, err := k.encodePEM()
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, privateKeyFile), priv, 0o600)
	writeFile(t, filepath.Join(dir, publicKeyFile), pub, 0o644)
}

func TestLoadFiles(t *testing.T) {
	t.Parallel()
	for _, alg := range []string{ES256, EdDSA} { // RS256 generation is slow under -race
		t.Run(alg, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "keys")
			k := otherKey(t, alg)
			writeKeyFiles(t, dir, k)
			got, err := LoadFiles(dir, alg)
			if err != nil || got.ID() != k.ID() || got.Alg() != alg {
				t.Fatalf("LoadFiles() = %v, %v; want %v", got, err, k)
			}
			// The public file is optional: it is derived from the private key.
			if err := os.Remove(filepath.Join(dir, publicKeyFile)); err != nil {
				t.Fatal(err)
			}
			if got, err := LoadFiles(dir, alg); err != nil || got.ID() != k.ID() {
				t.Fatalf("LoadFiles(no public file) = %v, %v; want %v", got, err, k)
			}
		})
	}
	if _, err := LoadFiles(t.TempDir(), EdDSA); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("LoadFiles(empty dir) = %v, want fs.ErrNotExist", err)
	}
}

func TestLoadFilesRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		alg     string
		setup   func(t *testing.T, dir string)
		wantErr string
	}{
		{"private key readable by others", EdDSA, func(t *testing.T, dir string) {
			chmod(t, filepath.Join(dir, privateKeyFile), 0o644)
		}, "can be read or changed by other users (mode 0644); run: chmod 600 "},
		{"private key readable by group", EdDSA, func(t *testing.T, dir string) {
			chmod(t, filepath.Join(dir, privateKeyFile), 0o640)
		}, "(mode 0640); run: chmod 600 "},
		{"algorithm changed", ES256, nil, privateKeyFile + " is an Ed25519 key; set JWT_ALGORITHM=EdDSA or use an EC P-256 key"},
		{"stale public key", EdDSA, func(t *testing.T, dir string) {
			_, pub, err := otherKey(t, EdDSA).encodePEM()
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(dir, publicKeyFile), pub, 0o644)
		}, publicKeyFile + " does not match "},
		{"unknown algorithm", "HS256", nil, `JWT_ALGORITHM "HS256" is not supported`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeKeyFiles(t, dir, otherKey(t, EdDSA))
			if tt.setup != nil {
				tt.setup(t, dir)
			}
			_, err := LoadFiles(dir, tt.alg)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("LoadFiles error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func testKeyFromFile(t *testing.T, alg, name string) *Key {
	t.Helper()
	k, err := ParsePEM(alg, readTestdata(t, name), nil)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// mustRead reads a testdata file for a table literal, before any t exists.
func mustRead(name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		panic(err)
	}
	return b
}

func writeFile(t *testing.T, path string, data []byte, perm os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, data, perm); err != nil {
		t.Fatal(err)
	}
}

func chmod(t *testing.T, path string, perm os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, perm); err != nil {
		t.Fatal(err)
	}
}

// wrap breaks s into lines of n characters, as `base64` does by default.
func wrap(s string, n int) string {
	var b strings.Builder
	for len(s) > n {
		b.WriteString(s[:n] + "\n")
		s = s[n:]
	}
	b.WriteString(s)
	return b.String()
}

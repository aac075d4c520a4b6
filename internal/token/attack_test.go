package token

import (
	"encoding/json"
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

// fixture is what an attack needs: our key and Manager, and keys the Manager
// does not know.
type fixture struct {
	key     *Key   // ours
	other   *Key   // same algorithm, the attacker's
	foreign *Key   // another algorithm, the attacker's
	pubPEM  []byte // our public key as published
	m       *Manager
}

func newFixture(t *testing.T, alg string) fixture {
	t.Helper()
	k := testKey(t, alg)
	foreignAlg := RS256
	if alg == RS256 {
		foreignAlg = ES256
	}
	_, pubPEM, err := k.encodePEM()
	if err != nil {
		t.Fatal(err)
	}
	return fixture{key: k, other: otherKey(t, alg), foreign: otherKey(t, foreignAlg), pubPEM: pubPEM, m: testManager(t, k)}
}

// attack builds a token, given a fixture, and says which type to verify it
// as and whether it must be accepted (the controls) or refused.
type attack struct {
	name  string
	build func(t *testing.T, f fixture) string
	want  Type   // Access when ""
	ok    bool   // a control, which must be accepted
	only  string // the one algorithm the attack applies to, if any
}

// signed returns an attack builder: the good header and payload, changed by
// editH and editP, signed by the key pick chooses.
func signed(pick func(fixture) *Key, editH, editP func(map[string]any)) func(*testing.T, fixture) string {
	return func(t *testing.T, f fixture) string {
		h, p := goodHeader(f.key), goodPayload()
		k := pick(f)
		h["alg"] = k.Alg()
		if editH != nil {
			editH(h)
		}
		if editP != nil {
			editP(p)
		}
		return forge(t, signingMethod(k.Alg()), k.private, h, p)
	}
}

func ours(f fixture) *Key    { return f.key }
func theirs(f fixture) *Key  { return f.other }
func foreign(f fixture) *Key { return f.foreign }

// claim returns a payload edit setting name to v, or deleting it when v is nil.
func claim(name string, v any) func(map[string]any) {
	return func(p map[string]any) {
		if v == nil {
			delete(p, name)
			return
		}
		p[name] = v
	}
}

// header is claim for the header.
func header(name string, v any) func(map[string]any) { return claim(name, v) }

func attacks() []attack {
	now := testNow().Unix()
	unsigned := func(h map[string]any) func(*testing.T, fixture) string {
		return func(t *testing.T, f fixture) string {
			hh := maps.Clone(h)
			if _, ok := hh["kid"]; ok {
				hh["kid"] = f.key.ID()
			}
			return forge(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, hh, goodPayload())
		}
	}
	fixed := func(raw string) func(*testing.T, fixture) string {
		return func(*testing.T, fixture) string { return raw }
	}
	good := signed(ours, nil, nil)
	return []attack{
		{name: "control: forged with our key", build: good, want: Access, ok: true},
		{name: "control: jku ignored, our key", build: signed(ours, header("jku", "https://evil.example/jwks.json"), nil), want: Access, ok: true},

		{name: "alg none", build: unsigned(map[string]any{"alg": "none", "typ": "JWT", "kid": ""})},
		{name: "alg none without kid", build: unsigned(map[string]any{"alg": "none", "typ": "JWT"})},
		{name: "HS256 with the public key PEM as secret", build: func(t *testing.T, f fixture) string {
			return forge(t, jwt.SigningMethodHS256, f.pubPEM, map[string]any{"alg": "HS256", "typ": "JWT", "kid": f.key.ID()}, goodPayload())
		}},
		{name: "HS256 with the kid as secret", build: func(t *testing.T, f fixture) string {
			return forge(t, jwt.SigningMethodHS256, []byte(f.key.ID()), map[string]any{"alg": "HS256", "typ": "JWT", "kid": f.key.ID()}, goodPayload())
		}},
		{name: "RS512 with our key", build: otherRSAMethod(jwt.SigningMethodRS512), only: RS256},
		{name: "PS256 with our key", build: otherRSAMethod(jwt.SigningMethodPS256), only: RS256},
		{name: "other key, our kid", build: signed(theirs, nil, nil)},
		{name: "other algorithm's key, our kid", build: signed(foreign, nil, nil)},
		{name: "attacker's own kid", build: func(t *testing.T, f fixture) string {
			return forge(t, signingMethod(f.other.Alg()), f.other.private, goodHeader(f.other), goodPayload())
		}},
		{name: "jku to the attacker's keys", build: signed(theirs, header("jku", "https://evil.example/jwks.json"), nil)},
		{name: "x5u to the attacker's cert", build: signed(theirs, header("x5u", "https://evil.example/cert.pem"), nil)},
		{name: "x5c with junk", build: signed(theirs, header("x5c", []string{"MIIB"}), nil)},
		{name: "jwk embedding the attacker's key", build: func(t *testing.T, f fixture) string {
			b, err := json.Marshal(jose.JSONWebKey{Key: f.other.Public()})
			if err != nil {
				t.Fatal(err)
			}
			var jwk map[string]any
			_ = json.Unmarshal(b, &jwk)
			return signed(theirs, header("jwk", jwk), nil)(t, f)
		}},
		{name: "no kid", build: signed(ours, header("kid", nil), nil)},
		{name: "unknown kid", build: signed(ours, header("kid", "2024-rotated"), nil)},
		{name: "kid not a string", build: signed(ours, header("kid", 1), nil)},
		{name: "kid spelled KID", build: signed(ours, func(h map[string]any) { h["KID"] = h["kid"]; delete(h, "kid") }, nil)},
		{name: "signature removed", build: func(t *testing.T, f fixture) string {
			raw := good(t, f)
			return raw[:strings.LastIndexByte(raw, '.')+1]
		}},
		{name: "signature of another token", build: func(t *testing.T, f fixture) string {
			a := good(t, f)
			b := signed(ours, nil, claim("role", "admin"))(t, f)
			return b[:strings.LastIndexByte(b, '.')] + a[strings.LastIndexByte(a, '.'):]
		}},
		{name: "non-canonical base64 signature", build: func(t *testing.T, f fixture) string {
			return flipUnusedBits(good(t, f))
		}},
		{name: "extra segment", build: func(t *testing.T, f fixture) string { return good(t, f) + ".e30" }},
		{name: "leading space", build: func(t *testing.T, f fixture) string { return " " + good(t, f) }},
		{name: "Bearer prefix left on", build: func(t *testing.T, f fixture) string { return "Bearer " + good(t, f) }},

		{name: "no exp", build: signed(ours, nil, claim("exp", nil))},
		{name: "exp as a string", build: signed(ours, nil, claim("exp", "2099-01-01"))},
		{name: "expired", build: signed(ours, nil, claim("exp", now-31))},
		{name: "nbf in the future", build: signed(ours, nil, claim("nbf", now+31))},
		{name: "iat in the future", build: signed(ours, nil, claim("iat", now+3600))},
		{name: "wrong issuer", build: signed(ours, nil, claim("iss", "https://evil.example"))},
		{name: "no issuer", build: signed(ours, nil, claim("iss", nil))},
		{name: "refresh used as access", build: signed(ours, nil, claim("type", "refresh")), want: Access},
		{name: "access used as refresh", build: good, want: Refresh},
		{name: "no type", build: signed(ours, nil, claim("type", nil))},
		{name: "type in capitals", build: signed(ours, nil, claim("type", "ACCESS"))},
		{name: "sub not a UUID", build: signed(ours, nil, claim("sub", "1"))},
		{name: "sub a number", build: signed(ours, nil, claim("sub", 42))},
		{name: "sub in braces", build: signed(ours, nil, claim("sub", "{"+testSubject+"}"))},
		{name: "sub as a URN", build: signed(ours, nil, claim("sub", "urn:uuid:"+testSubject))},
		{name: "sub upper-case", build: signed(ours, nil, claim("sub", strings.ToUpper(testSubject)))},
		{name: "sub nil UUID", build: signed(ours, nil, claim("sub", "00000000-0000-0000-0000-000000000000"))},
		{name: "no sub", build: signed(ours, nil, claim("sub", nil))},
		{name: "sid not a UUID", build: signed(ours, nil, claim("sid", "session-1"))},
		{name: "no sid", build: signed(ours, nil, claim("sid", nil))},
		{name: "jti not a UUID", build: signed(ours, nil, claim("jti", "abc"))},
		{name: "no jti", build: signed(ours, nil, claim("jti", nil))},
		{name: "over 8 KiB", build: signed(ours, nil, claim("pad", strings.Repeat("x", 8192)))},
		{name: "unknown want", build: good, want: "id"},

		{name: "empty string", build: fixed("")},
		{name: "garbage", build: fixed("garbage")},
		{name: "three empty segments", build: fixed("..")},
		{name: "dots only", build: fixed("...")},
		{name: "header only", build: fixed("eyJhbGciOiJSUzI1NiJ9")},
		{name: "header not JSON", build: fixed("bm90IGpzb24.e30.c2ln")},
		{name: "header a JSON array", build: fixed("WzFd.e30.c2ln")},
	}
}

// otherRSAMethod signs the good token with our RSA key under another RSA
// algorithm, named in the header.
func otherRSAMethod(method jwt.SigningMethod) func(*testing.T, fixture) string {
	return func(t *testing.T, f fixture) string {
		h := goodHeader(f.key)
		h["alg"] = method.Alg()
		return forge(t, method, f.key.private, h, goodPayload())
	}
}

// flipUnusedBits changes the last character of the signature so that only
// bits that base64 throws away differ: a lenient decoder yields the same
// signature from a different string.
func flipUnusedBits(raw string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, raw[len(raw)-1])
	return raw[:len(raw)-1] + string(alphabet[last^1])
}

func TestVerifyAttacks(t *testing.T) {
	t.Parallel()
	for _, alg := range algs() {
		t.Run(alg, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, alg)
			for _, a := range attacks() {
				if a.only != "" && a.only != alg {
					continue
				}
				want := a.want
				if want == "" {
					want = Access
				}
				raw := a.build(t, f)
				_, err := f.m.Verify(raw, want)
				switch {
				case a.ok && err != nil:
					t.Errorf("%s: Verify: %v; want success", a.name, err)
				case !a.ok && !errors.Is(err, ErrInvalid):
					t.Errorf("%s: Verify error = %v; want ErrInvalid", a.name, err)
				}
			}
		})
	}
}

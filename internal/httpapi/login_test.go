package httpapi_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// Transcript section 3: login, with deliberate difference 6.
func TestLogin(t *testing.T) {
	forEachDB(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		e.register("Alice Example", "alice@example.com", "password123")
		login := func(body string, header map[string]string) resp {
			return e.do(req{method: "POST", path: "/api/auth/login", body: body, header: header})
		}
		bad := `{"detail":"Incorrect Email or Password"}`
		tests := []struct {
			name   string
			body   string
			header map[string]string
			status int
			want   string
		}{
			{"34 wrong password", `{"email": "alice@example.com", "password": "wrongpass1"}`, nil, 400, bad},
			{"35 unknown email", `{"email": "nobody@example.com", "password": "password123"}`, nil, 400, bad},
			{"36 other case", `{"email": "ALICE@EXAMPLE.COM", "password": "password123"}`, nil, 200, ""},
			{"37 short password", `{"email": "alice@example.com", "password": "short12"}`, nil, 422,
				`{"detail":[{"loc":["body","password"],"msg":"ensure this value has at least 8 characters","type":"value_error.any_str.min_length","ctx":{"limit_value":8}}]}`},
			{"38 invalid email", `{"email": "alice", "password": "password123"}`, nil, 422,
				`{"detail":[{"loc":["body","email"],"msg":"value is not a valid email address","type":"value_error.email"}]}`},
			{"39 missing fields", `{}`, nil, 422,
				`{"detail":[{"loc":["body","email"],"msg":"field required","type":"value_error.missing"},{"loc":["body","password"],"msg":"field required","type":"value_error.missing"}]}`},
			{"42 extra fields ignored", `{"email": "alice@example.com", "password": "password123", "remember": true}`, nil, 200, ""},
			{"44 Basic header ignored", `{"email": "alice@example.com", "password": "password123"}`, map[string]string{"Authorization": "Basic YWxpY2U6cGFzcw=="}, 200, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				login(tc.body, tc.header).expect(t, tc.status, tc.want)
			})
		}
		t.Run("40 malformed JSON", func(t *testing.T) {
			r := login(`{bad json`, nil)
			r.expect(t, 422, "")
			if !strings.Contains(string(r.body), "value_error.jsondecode") {
				t.Errorf("body %s, want a jsondecode item", r.body)
			}
		})
		t.Run("text/plain refused (difference 11)", func(t *testing.T) {
			r := e.do(req{method: "POST", path: "/api/auth/login", body: `{"email":"alice@example.com","password":"password123"}`, contentType: "text/plain"})
			r.expect(t, 415, `{"detail":"Content-Type must be application/json"}`)
		})
		t.Run("41 form post refused", func(t *testing.T) {
			r := e.do(req{method: "POST", path: "/api/auth/login", body: "email=alice@example.com&password=password123", contentType: "application/x-www-form-urlencoded"})
			r.expect(t, 415, `{"detail":"Content-Type must be application/json"}`)
		})
		t.Run("33 happy path cookies and body", func(t *testing.T) {
			r := login(`{"email": "alice@example.com", "password": "password123"}`, nil)
			r.expect(t, 200, "")
			body := r.json(t)
			if body["status"] != "success" || len(body) != 2 {
				t.Fatalf("body = %v, want status and access_token only", body)
			}
			if r.header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", r.header.Get("Cache-Control"))
			}
			access := r.cookie("access_token")
			if access == nil || access.Value != body["access_token"] {
				t.Fatalf("access_token cookie %v does not carry the body's token", access)
			}
			checkCookie(t, access, "/", 900, true)
			checkCookie(t, r.cookie("refresh_token"), "/api/auth", 3600, true)
			logged := r.cookie("logged_in")
			checkCookie(t, logged, "/", 900, false)
			if logged.Value != "True" {
				t.Errorf("logged_in = %q, want True", logged.Value)
			}
		})
	})
}

func checkCookie(t *testing.T, c *http.Cookie, path string, maxAge int, httpOnly bool) {
	t.Helper()
	if c == nil {
		t.Fatal("cookie missing")
	}
	if c.Path != path || c.MaxAge != maxAge || c.HttpOnly != httpOnly || c.SameSite != http.SameSiteLaxMode {
		t.Errorf("cookie %s: path %q max-age %d httponly %v samesite %v; want %q %d %v Lax",
			c.Name, c.Path, c.MaxAge, c.HttpOnly, c.SameSite, path, maxAge, httpOnly)
	}
	if c.Expires.IsZero() || c.Expires.Sub(time.Now()) > time.Duration(maxAge+5)*time.Second {
		t.Errorf("cookie %s expires %v, want about %d s from now", c.Name, c.Expires, maxAge)
	}
}

// claims decodes a JWT's header and payload without verifying it.
func claims(t *testing.T, jwt string) (header, payload map[string]any) {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("%q is not a JWT", jwt)
	}
	for i, dst := range []*map[string]any{&header, &payload} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, dst); err != nil {
			t.Fatal(err)
		}
	}
	return header, payload
}

func keysOf(m map[string]any) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}

// Token anatomy: the claims of both tokens, pinned.
func TestTokenClaims(t *testing.T) {
	e := newEnv(t, "sqlite")
	u := e.register("Alice", "alice@example.com", "password123")
	s := e.login("alice@example.com", "password123")
	for _, tc := range []struct {
		raw, typ, keys string
		ttl            float64
	}{
		{s.access, "access", "exp,fresh,iat,iss,jti,nbf,role,sid,sub,type", 900},
		{s.refresh, "refresh", "exp,iat,iss,jti,nbf,sid,sub,type", 3600},
	} {
		h, p := claims(t, tc.raw)
		if got := keysOf(h); got != "alg,kid,typ" {
			t.Errorf("%s header keys = %s, want alg,kid,typ", tc.typ, got)
		}
		if h["alg"] != "RS256" || h["typ"] != "JWT" || h["kid"] != e.key.ID() {
			t.Errorf("%s header = %v", tc.typ, h)
		}
		if got := keysOf(p); got != tc.keys {
			t.Errorf("%s claim keys = %s, want %s", tc.typ, got, tc.keys)
		}
		if p["sub"] != u["id"] || p["type"] != tc.typ || p["iss"] != "authapi" {
			t.Errorf("%s claims = %v", tc.typ, p)
		}
		if p["exp"].(float64)-p["iat"].(float64) != tc.ttl || p["nbf"] != p["iat"] {
			t.Errorf("%s exp-iat = %v, want %v; nbf %v iat %v", tc.typ, p["exp"].(float64)-p["iat"].(float64), tc.ttl, p["nbf"], p["iat"])
		}
		for _, k := range []string{"jti", "sid"} {
			if _, err := uuid.Parse(p[k].(string)); err != nil {
				t.Errorf("%s %s = %v, want a UUID", tc.typ, k, p[k])
			}
		}
	}
	_, pa := claims(t, s.access)
	_, pr := claims(t, s.refresh)
	if pa["fresh"] != false || pa["role"] != "user" || pa["sid"] != pr["sid"] || pa["jti"] == pr["jti"] {
		t.Errorf("access %v / refresh %v: want fresh false, role user, same sid, distinct jti", pa, pr)
	}
}

// Domain and Secure, when configured, are on every cookie, and logout deletes
// each cookie with the attributes it was set with (else browsers keep it).
func TestCookieAttributesConfigured(t *testing.T) {
	e := newEnv(t, "sqlite", func(c *envConfig) {
		c.Cookies.Domain, c.Cookies.Secure, c.Cookies.SameSite = "example.com", true, http.SameSiteStrictMode
	})
	e.register("Alice", "alice@example.com", "password123")
	r := e.do(req{method: "POST", path: "/api/auth/login", body: `{"email":"alice@example.com","password":"password123"}`})
	r.expect(t, 200, "")
	out := e.do(req{method: "POST", path: "/api/auth/logout", header: map[string]string{"Authorization": "Bearer " + r.cookie("access_token").Value}})
	out.expect(t, 200, "")
	for _, name := range []string{"access_token", "refresh_token", "logged_in"} {
		set, del := r.cookie(name), out.cookie(name)
		if set == nil || del == nil {
			t.Fatalf("%s: set %v, deleted %v", name, set, del)
		}
		if set.Domain != "example.com" || !set.Secure {
			t.Errorf("%s set with Domain %q Secure %v, want example.com and Secure", name, set.Domain, set.Secure)
		}
		if del.Domain != set.Domain || del.Path != set.Path || del.Secure != set.Secure || del.SameSite != set.SameSite || del.HttpOnly != set.HttpOnly {
			t.Errorf("%s deleted with %+v, set with %+v", name, del, set)
		}
	}
}

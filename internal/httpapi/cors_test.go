package httpapi_test

import (
	"strings"
	"testing"
)

// Transcript section 8: CORS for the configured frontend only.
func TestCORS(t *testing.T) {
	e := newEnv(t, "sqlite")
	e.register("Alice", "alice@example.com", "password123")
	preflight := func(origin, method, headers, path string) resp {
		h := map[string]string{"Origin": origin, "Access-Control-Request-Method": method}
		if headers != "" {
			h["Access-Control-Request-Headers"] = headers
		}
		return e.do(req{method: "OPTIONS", path: path, header: h})
	}
	t.Run("96 preflight from the frontend", func(t *testing.T) {
		r := preflight(testOrigin, "POST", "content-type,authorization", "/api/auth/login")
		if r.status != 200 || r.header.Get("Access-Control-Allow-Origin") != testOrigin ||
			r.header.Get("Access-Control-Allow-Credentials") != "true" || r.header.Get("Access-Control-Max-Age") != "600" {
			t.Fatalf("got %d %v", r.status, r.header)
		}
	})
	t.Run("97 any requested header", func(t *testing.T) {
		r := preflight(testOrigin, "GET", "x-anything", "/api/users/me")
		if r.status != 200 || r.header.Get("Access-Control-Allow-Headers") == "" {
			t.Fatalf("got %d %v", r.status, r.header)
		}
	})
	for _, origin := range []string{"http://evil.example", "http://127.0.0.1:3000"} {
		t.Run("98-99 preflight from "+origin, func(t *testing.T) {
			r := preflight(origin, "POST", "content-type", "/api/auth/login")
			if r.status != 400 || string(r.body) != "Disallowed CORS origin" || r.header.Get("Access-Control-Allow-Origin") != "" {
				t.Fatalf("got %d %q %v, want 400 Disallowed CORS origin without Allow-Origin", r.status, r.body, r.header)
			}
		})
	}
	t.Run("101 simple request from the frontend", func(t *testing.T) {
		r := e.do(req{path: "/api/healthchecker", header: map[string]string{"Origin": testOrigin}})
		r.expect(t, 200, `{"message":"Hello World"}`)
		if r.header.Get("Access-Control-Allow-Origin") != testOrigin || r.header.Get("Access-Control-Allow-Credentials") != "true" {
			t.Errorf("CORS headers missing: %v", r.header)
		}
		// The page's script may read Retry-After (to wait as a 429 or 503
		// asks) and the request id (to report a problem).
		exposed := strings.ToLower(r.header.Get("Access-Control-Expose-Headers"))
		for _, h := range []string{"retry-after", "x-request-id"} {
			if !strings.Contains(exposed, h) {
				t.Errorf("Access-Control-Expose-Headers = %q, want %s in it", exposed, h)
			}
		}
	})
	t.Run("102 simple request from elsewhere", func(t *testing.T) {
		r := e.do(req{path: "/api/healthchecker", header: map[string]string{"Origin": "http://evil.example"}})
		r.expect(t, 200, `{"message":"Hello World"}`)
		if r.header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("Allow-Origin = %q for a foreign origin", r.header.Get("Access-Control-Allow-Origin"))
		}
	})
	t.Run("103 login from the frontend", func(t *testing.T) {
		r := e.do(req{method: "POST", path: "/api/auth/login", header: map[string]string{"Origin": testOrigin},
			body: `{"email":"alice@example.com","password":"password123"}`})
		r.expect(t, 200, "")
		if r.header.Get("Access-Control-Allow-Origin") != testOrigin || r.cookie("access_token") == nil {
			t.Errorf("want cookies and CORS headers together: %v", r.header)
		}
	})
	t.Run("104 401 carries CORS headers", func(t *testing.T) {
		r := e.do(req{path: "/api/users/me", header: map[string]string{"Origin": testOrigin}})
		r.expect(t, 401, `{"detail":"You are not logged in"}`)
		if r.header.Get("Access-Control-Allow-Origin") != testOrigin {
			t.Errorf("401 without CORS headers: the frontend could not read it")
		}
	})
	t.Run("cross-origin form-style login refused", func(t *testing.T) {
		r := e.do(req{method: "POST", path: "/api/auth/login", header: map[string]string{"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"},
			body: `{"email":"alice@example.com","password":"password123"}`})
		r.expect(t, 403, `{"detail":"Cross-origin request refused"}`)
	})
	t.Run("security headers", func(t *testing.T) {
		r := e.do(req{path: "/api/healthchecker"})
		if r.header.Get("X-Content-Type-Options") != "nosniff" || r.header.Get("Content-Security-Policy") == "" {
			t.Errorf("security headers missing: %v", r.header)
		}
	})
}

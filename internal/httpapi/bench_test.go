package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/authapi/authapi/internal/store/storetest"
	"github.com/authapi/authapi/internal/token"
)

// The two hot handlers through the whole HTTP stack (middleware, huma, the
// service, a real database) but no network, per database. Compare with the
// server's CPU per request in docs/PERFORMANCE.md: the difference is the
// network and connection handling.

// benchKeys are the signing keys the benchmarks run with, by algorithm:
// RS256, the default, and EdDSA, whose cheap signatures leave the rest of
// the request's cost in plain view.
func benchKeys(b *testing.B) map[string]*token.Key {
	ed, err := token.GenerateKey(token.EdDSA)
	if err != nil {
		b.Fatal(err)
	}
	return map[string]*token.Key{token.RS256: signingKey(b), token.EdDSA: ed}
}

// forEachBench runs f on every database with every key of benchKeys, as
// DATABASE/ALG.
func forEachBench(b *testing.B, f func(b *testing.B, kind string, key envOption)) {
	keys := benchKeys(b)
	for _, kind := range storetest.Kinds() {
		for _, alg := range []string{token.RS256, token.EdDSA} {
			k := keys[alg]
			b.Run(kind+"/"+alg, func(b *testing.B) {
				f(b, kind, func(c *envConfig) { c.key = k })
			})
		}
	}
}

// BenchmarkMe is GET /api/users/me with a Bearer token and with the cookie.
func BenchmarkMe(b *testing.B) {
	forEachBench(b, func(b *testing.B, kind string, key envOption) {
		e := newEnv(b, kind, key)
		e.register("Bench", "bench@example.com", "password123")
		s := e.login("bench@example.com", "password123")
		for _, tc := range []struct {
			name string
			r    req
		}{
			{"bearer", req{path: "/api/users/me", header: map[string]string{"Authorization": "Bearer " + s.access}}},
			{"cookie", req{path: "/api/users/me", cookies: map[string]string{"access_token": s.access}}},
		} {
			b.Run(tc.name, func(b *testing.B) {
				for b.Loop() {
					if r := e.do(tc.r); r.status != http.StatusOK {
						b.Fatalf("status %d: %s", r.status, r.body)
					}
				}
			})
		}
	})
}

// BenchmarkRefresh is POST /api/auth/refresh, each call presenting the
// refresh token the previous one returned: one rotation chain.
func BenchmarkRefresh(b *testing.B) {
	forEachBench(b, func(b *testing.B, kind string, key envOption) {
		e := newEnv(b, kind, key)
		e.register("Bench", "bench@example.com", "password123")
		refresh := e.login("bench@example.com", "password123").refresh
		for b.Loop() {
			r := e.do(req{method: http.MethodPost, path: "/api/auth/refresh", cookies: map[string]string{"refresh_token": refresh}})
			c := r.cookie("refresh_token")
			if r.status != http.StatusOK || c == nil {
				b.Fatalf("status %d: %s", r.status, r.body)
			}
			refresh = c.Value
		}
	})
}

// BenchmarkLogin is POST /api/auth/login with the password hash as served
// (argon2id, 19 MiB, t=2): its floor is password.BenchmarkVerify/argon2id-default.
func BenchmarkLogin(b *testing.B) {
	for _, kind := range storetest.Kinds() {
		b.Run(kind, func(b *testing.B) {
			e := newEnv(b, kind, func(c *envConfig) { c.realHash = true })
			e.register("Bench", "bench@example.com", "password123")
			body := `{"email":"bench@example.com","password":"password123"}`
			for b.Loop() {
				if r := e.do(req{method: http.MethodPost, path: "/api/auth/login", body: body}); r.status != http.StatusOK {
					b.Fatalf("status %d: %s", r.status, r.body)
				}
			}
		})
	}
}

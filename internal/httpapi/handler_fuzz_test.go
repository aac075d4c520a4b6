package httpapi_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/authapi/authapi/internal/auth"
	"github.com/authapi/authapi/internal/httpapi"
	"github.com/authapi/authapi/internal/password"
	"github.com/authapi/authapi/internal/store/storetest"
	"github.com/authapi/authapi/internal/token"
)

// fuzzServer is the whole handler over SQLite, with a small body limit and a
// registered, logged-in user whose tokens seed the corpus.
func fuzzServer(tb testing.TB) (h http.Handler, access, refresh string) {
	tb.Helper()
	db := storetest.Open(tb, storetest.SQLite)
	hasher, err := password.NewHasher(password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
	if err != nil {
		tb.Fatal(err)
	}
	key, err := token.GenerateKey(token.ES256)
	if err != nil {
		tb.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := auth.NewService(auth.Deps{
		Store: db, Hasher: password.NewPool(hasher, 2, 64), Tokens: token.NewManager(key, token.Options{Issuer: "authapi"}), Log: log,
	}, auth.Config{
		AccessTTL: 15 * time.Minute, RefreshTTL: time.Hour, ReuseGrace: 10 * time.Second,
		SessionMaxLifetime: 24 * time.Hour, Lockout: auth.DefaultLockout,
	})
	h, err = httpapi.NewServer(httpapi.Options{
		Service: svc, Logger: log, ClientOrigins: []string{testOrigin}, MaxBodyBytes: 4096, Version: "fuzz",
		Cookies: httpapi.CookieConfig{SameSite: http.SameSiteLaxMode, AccessTTL: 15 * time.Minute, RefreshTTL: time.Hour},
	})
	if err != nil {
		tb.Fatal(err)
	}
	send := func(path, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec
	}
	send("/api/auth/register", `{"name":"F","email":"f@example.com","password":"password123","passwordConfirm":"password123"}`)
	rec := send("/api/auth/login", `{"email":"f@example.com","password":"password123"}`)
	for _, c := range rec.Result().Cookies() {
		switch c.Name {
		case "access_token":
			access = c.Value
		case "refresh_token":
			refresh = c.Value
		}
	}
	if access == "" || refresh == "" {
		tb.Fatalf("fuzz server: login failed: %d %s", rec.Code, rec.Body)
	}
	return h, access, refresh
}

var fuzzMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"}

// FuzzHandler sends random methods, paths, headers and bodies through the
// real handler: whatever arrives, the answer is never a 5xx and never a panic
// (recoverPanics would turn one into a 500, so "no 5xx" covers both).
func FuzzHandler(f *testing.F) {
	h, access, refresh := fuzzServer(f)
	bomb := strings.Repeat("[", 3000)
	for _, s := range []struct {
		m                           uint8
		path, hname, hval, ct, body string
	}{
		{1, "/api/auth/login", "", "", "application/json", `{"email":"f@example.com","password":"password123"}`},
		{1, "/api/auth/register", "", "", "application/json", `{"name":"A","email":"a@b.co","password":"password123","passwordConfirm":"password123"}`},
		{1, "/api/auth/register", "", "", "application/json", bomb},
		{1, "/api/auth/login", "", "", "application/json", strings.Repeat(`{"email":`, 400)},
		{1, "/api/auth/login", "", "", "text/plain", `email=a&password=b`},
		{1, "/api/auth/login", "", "", "application/json; charset=\x00", `{}`},
		{0, "/api/users/me", "Authorization", "Bearer " + access, "", ""},
		{0, "/api/users/me", "Authorization", "Bearer " + refresh, "", ""},
		{0, "/api/users/me", "Cookie", "access_token=" + access + "; access_token=x", "", ""},
		{1, "/api/auth/refresh", "Authorization", "Bearer " + refresh, "", ""},
		{0, "/api/auth/refresh", "Sec-Fetch-Site", "cross-site", "", ""},
		{1, "/api/auth/logout", "Origin", "https://evil.example", "", ""},
		{0, "/api/auth/sessions", "Authorization", "Bearer " + access, "", ""},
		{4, "/api/auth/sessions/not-a-uuid", "Authorization", "Bearer " + access, "", ""},
		{3, "/api/users/me", "Authorization", "Bearer " + access, "application/json", `{"name":{"x":1}}`},
		{1, "/api/users/me/password", "Authorization", "Bearer " + access, "application/json", `{"current_password":1}`},
		{6, "/api/auth/login", "Access-Control-Request-Method", "POST", "", ""},
		{0, "/%2e%2e/%00", "X-Request-ID", "\u00e9\u00e9", "", ""},
		{0, "/metrics", "X-Forwarded-For", "1.2.3.4, ::1, garbage", "", ""},
		{0, "/readyz", "", "", "", ""},
		{5, "/docs/", "Range", "bytes=0-1", "", ""},
		{7, "/api/auth/login/", "", "", "", ""},
	} {
		f.Add(s.m, s.path, s.hname, s.hval, s.ct, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, m uint8, path, hname, hval, ct string, body []byte) {
		u, err := url.ParseRequestURI("/" + strings.TrimPrefix(path, "/"))
		if err != nil {
			return // net/http's parser would have refused it before any handler
		}
		r := httptest.NewRequest(fuzzMethods[int(m)%len(fuzzMethods)], "/", strings.NewReader(string(body)))
		r.URL, r.RequestURI = u, u.RequestURI()
		if validHeader(hname, hval) {
			r.Header.Set(hname, hval)
		}
		if validHeader("Content-Type", ct) {
			r.Header.Set("Content-Type", ct)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code >= 500 {
			t.Fatalf("%s %s (%s: %q, %q) = %d %s", r.Method, u, hname, hval, body, rec.Code, rec.Body)
		}
	})
}

// validHeader reports whether net/http would have let the header through.
func validHeader(name, value string) bool {
	if name == "" || strings.ContainsAny(value, "\r\n\x00") {
		return false
	}
	for _, c := range name {
		if c <= ' ' || c >= 0x7f || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, c) {
			return false
		}
	}
	return true
}

// A JSON nesting bomb the size of the body limit is refused with 422, and
// cheaply: the decoder stops at its depth limit instead of building the tree.
func TestNestingBombRefusedCheaply(t *testing.T) {
	// Not parallel: AllocsPerRun refuses to run beside other tests.
	e := newEnv(t, storetest.SQLite)
	for _, body := range []string{
		strings.Repeat("[", 1<<20-16),
		strings.Repeat(`{"a":`, (1<<20-16)/5),
	} {
		start := time.Now()
		r := e.do(req{method: "POST", path: "/api/auth/login", body: body})
		if elapsed := time.Since(start); elapsed > time.Second {
			t.Errorf("nesting bomb took %s", elapsed)
		}
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("nesting bomb: %d %s", r.status, r.body)
		}
	}
	allocs := testing.AllocsPerRun(3, func() {
		e.do(req{method: "POST", path: "/api/auth/register", body: strings.Repeat("[", 1<<19)})
	})
	if allocs > 2000 {
		t.Errorf("nesting bomb cost %.0f allocations, want it refused without building anything", allocs)
	}
}

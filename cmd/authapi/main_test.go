package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authapi/authapi/internal/password"
	"github.com/authapi/authapi/internal/store"
	"github.com/authapi/authapi/internal/store/storetest"
	"github.com/authapi/authapi/internal/token"
)

// TestMain lets this test binary be a hash worker: runServe starts one (as
// HASH_PROCESS defaults to true on Linux) by running its own executable.
func TestMain(m *testing.M) {
	password.RunWorkerIfChild()
	os.Exit(m.Run())
}

// envMap is a getenv over a map, so tests never touch the process environment.
func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// startServer runs the real program (runServe) on a free port and returns its
// base URL; the server stops when the test ends, and must stop cleanly.
func startServer(t *testing.T, env map[string]string) string {
	t.Helper()
	base, _ := startInstance(t, env)
	return base
}

// startInstance is startServer that can also be stopped before the test
// ends, as a redeployment does; stop waits for a clean stop and may be called
// more than once.
func startInstance(t *testing.T, env map[string]string) (base string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	logs := &syncWriter{w: &bytes.Buffer{}}
	go func() {
		done <- runServe(ctx, []string{"--addr", "127.0.0.1:0"}, envMap(env), logs, func(addr string) { ready <- addr })
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("server did not stop cleanly: %v", err)
				}
			case <-time.After(20 * time.Second):
				t.Error("server did not stop within 20s")
			}
		})
	}
	t.Cleanup(stop)
	select {
	case addr := <-ready:
		return "http://" + addr, stop
	case err := <-done:
		t.Fatalf("server did not start: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start within 30s")
	}
	return "", stop
}

// The whole walk-through of the README, against the real program on SQLite
// (keys generated on first run) and on PostgreSQL when TEST_DATABASE_URL is set.
func TestWalkThrough(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, kind := range storetest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			env := map[string]string{} // SQLite: the default ./data/authapi.db
			if kind == storetest.Postgres {
				env["DATABASE_URL"] = storetest.DSN(t, kind)
			}
			base := startServer(t, env)
			jar, _ := cookiejar.New(nil)
			c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
			send := func(method, path, body string, want int) map[string]any {
				t.Helper()
				req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
				if body != "" {
					req.Header.Set("Content-Type", "application/json")
				}
				resp, err := c.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				if resp.StatusCode != want {
					t.Fatalf("%s %s = %d %s, want %d", method, path, resp.StatusCode, b, want)
				}
				var v map[string]any
				_ = json.Unmarshal(b, &v)
				return v
			}
			send("GET", "/api/healthchecker", "", 200)
			send("POST", "/api/auth/register", `{"name":"Alice","email":"alice@example.com","password":"password123","passwordConfirm":"password123"}`, 201)
			send("POST", "/api/auth/login", `{"email":"alice@example.com","password":"password123"}`, 200)
			if me := send("GET", "/api/users/me", "", 200); me["email"] != "alice@example.com" {
				t.Fatalf("me = %v", me)
			}
			send("POST", "/api/auth/refresh", "", 200)
			send("GET", "/api/users/me", "", 200)
			send("POST", "/api/auth/logout", "", 200)
			send("GET", "/api/users/me", "", 401)
			send("GET", "/openapi.json", "", 200)
			send("GET", "/docs", "", 200)
			if jwks := send("GET", "/.well-known/jwks.json", "", 200); len(jwks["keys"].([]any)) != 1 {
				t.Errorf("JWKS = %v, want one key", jwks)
			}
		})
	}
	// The generated key is kept in the database, shared by every instance,
	// no longer in a file beside it.
	if _, err := os.Stat(filepath.Join("data", "jwt_private_key.pem")); err == nil {
		t.Error("a key file was written; keys belong in the database")
	}
	db, err := store.Open(t.Context(), filepath.Join("data", "authapi.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if keys, err := db.SigningKeys(t.Context()); err != nil || len(keys) != 1 {
		t.Errorf("signing keys in the SQLite database = %d, %v; want 1", len(keys), err)
	}
}

// Bad configuration stops start-up with one line naming the problem.
func TestBadConfigStopsStartup(t *testing.T) {
	t.Chdir(t.TempDir())
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"minutes", map[string]string{"ACCESS_TOKEN_EXPIRES_IN": "abc"}, "ACCESS_TOKEN_EXPIRES_IN"},
		{"origin", map[string]string{"CLIENT_ORIGIN": "*"}, "CLIENT_ORIGIN"},
		{"algorithm", map[string]string{"JWT_ALGORITHM": "HS256"}, "JWT_ALGORITHM"},
		{"small RSA key", map[string]string{"JWT_PRIVATE_KEY": smallRSAKey}, "at least 2048"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := runServe(t.Context(), nil, envMap(tc.env), io.Discard, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Count(strings.TrimSpace(err.Error()), "\n") != 0 {
				t.Fatalf("error = %v, want one line mentioning %q", err, tc.want)
			}
		})
	}
}

// keys generate prints a pair that the server accepts as configuration.
func TestKeysGenerate(t *testing.T) {
	for _, alg := range []string{token.RS256, token.ES256, token.EdDSA} {
		t.Run(alg, func(t *testing.T) {
			var out bytes.Buffer
			if err := run(t.Context(), []string{"keys", "generate", "--alg", alg}, envMap(nil), &out, io.Discard); err != nil {
				t.Fatal(err)
			}
			vars := map[string]string{}
			for line := range strings.Lines(out.String()) {
				k, v, _ := strings.Cut(strings.TrimSpace(line), "=")
				vars[k] = v
			}
			if vars["JWT_ALGORITHM"] != alg {
				t.Fatalf("output %q lacks JWT_ALGORITHM=%s", out.String(), alg)
			}
			k, err := token.ParseKey(alg, vars["JWT_PRIVATE_KEY"], vars["JWT_PUBLIC_KEY"])
			if err != nil || k.Alg() != alg {
				t.Fatalf("generated pair does not parse: %v", err)
			}
		})
	}
}

// migrate up/status/down drive the schema of the configured database.
func TestMigrateCommand(t *testing.T) {
	t.Chdir(t.TempDir())
	env := envMap(map[string]string{"DATABASE_URL": filepath.Join(t.TempDir(), "m.db")})
	var out bytes.Buffer
	for _, args := range [][]string{{"migrate", "up"}, {"migrate", "status"}, {"migrate", "down"}, {"migrate", "up"}} {
		if err := run(t.Context(), args, env, &out, io.Discard); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	if !strings.Contains(out.String(), "00001") {
		t.Errorf("status output %q does not list the first migration", out.String())
	}
	if err := run(t.Context(), []string{"migrate", "sideways"}, env, &out, io.Discard); err == nil {
		t.Error("unknown migrate command accepted")
	}
	dir := t.TempDir()
	if err := run(t.Context(), []string{"migrate", "--dir", dir, "create", "add_things"}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"postgres", "sqlite"} {
		m, _ := filepath.Glob(filepath.Join(dir, d, "*add_things.sql"))
		if len(m) != 1 {
			t.Errorf("create made %v in %s, want one file", m, d)
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	if err := run(t.Context(), []string{"frobnicate"}, envMap(nil), io.Discard, io.Discard); err == nil {
		t.Fatal("unknown command accepted")
	}
}

// syncWriter lets the server goroutine log while the test may read.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// smallRSAKey is a 512-bit RSA key like the tutorial's published demo key, in
// the reference's base64-of-PEM form: authapi must refuse it.
const smallRSAKey = "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JSUJWUUlCQURBTkJna3Foa2lHOXcwQkFRRUZBQVNDQVQ4d2dnRTdBZ0VBQWtFQXR3WW9PZUk5OUkrL0RtWDIKOG5HaFp2N0lOM1VwSy91VVRsQWh2UDhYZW8xQjNubUg1QTA0d3FzZUI2eUhzT05LQUt3YnBQd2lxQTFGbmM2TwozMDEyMlFJREFRQUJBa0VBbjNoMjdsQ0o2U0NpdVJudy9MZ3ppUGx3WEpueUlNZVpKazg5eGw2Q0I1MjRzK1p0CllQVXV5UmJjanBzQVlwMEx3U1EvSXlnT1puU1RQbStQVmRRWG5RSWhBT25YNmt1djlFYVF5bVU0ZU1Nc1Nic1cKVlhqQ1ArYTRxUkN1bU5WbVdFRzdBaUVBeUYyU2FyeVVTWG5CNDNmK2NnUkhBUnF4aEZoRjVrVHMxTmZRTklLYQpobnNDSUhUWVVaZE9MV1lSTlVETXJmTUFMenRQbHBmSG9EeCtLdVJPQ2NvZjRKdS9BaUF5RHBhR3pnZ3A5eDVHCmF2TUpueUh5RjY0anh6M25VbTdzbWVJdFREZTR3d0loQUlqcEhWUGRFZ3NIS2xvQjJYUHo0S25hcSs5cFJXT0gKZEdmU2NRektIQ0UwCi0tLS0tRU5EIFBSSVZBVEUgS0VZLS0tLS0K"

package httpapi_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authapi/authapi/internal/auth"
	"github.com/authapi/authapi/internal/httpapi"
	"github.com/authapi/authapi/internal/password"
	"github.com/authapi/authapi/internal/store"
	"github.com/authapi/authapi/internal/store/storetest"
	"github.com/authapi/authapi/internal/token"
)

// The tests run the real handler over a real database: SQLite always,
// PostgreSQL too when TEST_DATABASE_URL is set.

const testOrigin = "http://localhost:3000"

var (
	keyOnce sync.Once
	testKey *token.Key
	testRSA *rsa.PrivateKey // the same key, for tests that forge tokens with it
)

// signingKey is one RSA key for the whole package: generating 2048-bit keys is slow.
func signingKey(t testing.TB) *token.Key {
	t.Helper()
	keyOnce.Do(func() {
		priv, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(priv)
		if err != nil {
			panic(err)
		}
		k, err := token.ParsePEM(token.RS256, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil)
		if err != nil {
			panic(err)
		}
		testKey, testRSA = k, priv
	})
	return testKey
}

// clock is a test clock that starts at the real time and moves when told.
type clock struct{ offset atomic.Int64 }

func (c *clock) Now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *clock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// eventLog records the service's events for tests to check.
type eventLog struct {
	mu     sync.Mutex
	events []auth.Event
}

func (l *eventLog) Record(_ context.Context, e auth.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

// count returns how many events of name and outcome were recorded.
func (l *eventLog) count(name, outcome string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, e := range l.events {
		if e.Name == name && e.Outcome == outcome {
			n++
		}
	}
	return n
}

type env struct {
	t       testing.TB
	events  *eventLog
	handler http.Handler
	db      *store.DB
	key     *token.Key
	clock   *clock
	cfg     auth.Config
	hasher  *password.Pool
	tokens  *token.Manager
}

// envConfig is everything a test may change about the server it gets.
type envConfig struct {
	auth.Config
	httpapi.Options
	hashWorkers, hashQueue int
	hashMemory             uint32                      // KiB; 64 unless set
	realHash               bool                        // password.DefaultParams, as served
	key                    *token.Key                  // the signing key; signingKey's RS256 key unless set
	wrapStore              func(auth.Store) auth.Store // what the service sees of the database, when set
	db                     *store.DB                   // a database shared with another env; a fresh one unless set
}

type envOption func(*envConfig)

// newEnv builds the whole server over a fresh database of the given kind.
func newEnv(t testing.TB, kind string, opts ...envOption) *env {
	t.Helper()
	ec := envConfig{
		Config: auth.Config{
			AccessTTL: 15 * time.Minute, RefreshTTL: 60 * time.Minute,
			ReuseGrace: 10 * time.Second, SessionMaxLifetime: 30 * 24 * time.Hour,
			Lockout: auth.DefaultLockout,
		},
		hashWorkers: 2, hashQueue: 64,
	}
	for _, o := range opts {
		o(&ec)
	}
	db := ec.db
	if db == nil {
		db = storetest.Open(t, kind)
	}
	cfg := ec.Config
	params := password.Params{Memory: max(64, ec.hashMemory), Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	if ec.realHash {
		params = password.DefaultParams
	}
	hasher, err := password.NewHasher(params)
	if err != nil {
		t.Fatal(err)
	}
	pool := password.NewPool(hasher, ec.hashWorkers, ec.hashQueue)
	clk := &clock{}
	key := ec.key
	if key == nil {
		key = signingKey(t)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	tokens := token.NewManager(key, token.Options{Issuer: "authapi", Now: clk.Now})
	events := &eventLog{}
	var st auth.Store = db
	if ec.wrapStore != nil {
		st = ec.wrapStore(db)
	}
	svc := auth.NewService(auth.Deps{Store: st, Hasher: pool, Tokens: tokens, Now: clk.Now, Log: log, Events: events}, cfg)
	o := ec.Options
	o.Service, o.Logger, o.ClientOrigins, o.MaxBodyBytes, o.Version, o.Now = svc, log, []string{testOrigin}, 1<<20, "test", clk.Now
	o.Cookies.SameSite, o.Cookies.AccessTTL, o.Cookies.RefreshTTL = http.SameSiteLaxMode, cfg.AccessTTL, cfg.RefreshTTL
	h, err := httpapi.NewServer(o)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, events: events, handler: h, db: db, key: key, clock: clk, cfg: cfg, hasher: pool, tokens: tokens}
}

// forEachDB runs a test on every available database.
func forEachDB(t *testing.T, f func(t *testing.T, kind string)) {
	t.Helper()
	for _, kind := range storetest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			f(t, kind)
		})
	}
}

// req is one request to send.
type req struct {
	method, path string
	body         string // sent as is
	contentType  string // default application/json when body is set; "-" for none
	header       map[string]string
	cookies      map[string]string
	remote       string // the peer address; httptest's 192.0.2.1:1234 unless set
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (e *env) do(r req) resp {
	e.t.Helper()
	if r.method == "" {
		r.method = http.MethodGet
	}
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	hr := httptest.NewRequestWithContext(e.t.Context(), r.method, r.path, body)
	switch {
	case r.contentType == "-":
	case r.contentType != "":
		hr.Header.Set("Content-Type", r.contentType)
	case r.body != "":
		hr.Header.Set("Content-Type", "application/json")
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	if r.remote != "" {
		hr.RemoteAddr = r.remote
	}
	for k, v := range r.cookies {
		hr.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, hr)
	return resp{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

// json decodes the body into a generic value.
func (r resp) json(t testing.TB) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", r.body, err)
	}
	return v
}

// cookie returns the Set-Cookie of the given name.
func (r resp) cookie(name string) *http.Cookie {
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// expect checks status and, when want is not empty, that the body is exactly
// the JSON want (compared as JSON, not bytes).
func (r resp) expect(t testing.TB, status int, want string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
	if want == "" {
		return
	}
	var got, exp any
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatalf("body %q is not JSON: %v", r.body, err)
	}
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		t.Fatalf("bad want %q: %v", want, err)
	}
	gb, _ := json.Marshal(got)
	eb, _ := json.Marshal(exp)
	if !bytes.Equal(gb, eb) {
		t.Fatalf("body = %s, want %s", gb, eb)
	}
}

// register creates a user through the API and returns its JSON.
func (e *env) register(name, email, pw string) map[string]any {
	e.t.Helper()
	r := e.do(req{method: "POST", path: "/api/auth/register", body: mustJSON(map[string]any{
		"name": name, "email": email, "photo": "default.png", "password": pw, "passwordConfirm": pw,
	})})
	r.expect(e.t, http.StatusCreated, "")
	return r.json(e.t)
}

// session is what a client holds after login.
type session struct{ access, refresh string }

// login logs in through the API and returns the cookies' tokens.
func (e *env) login(email, pw string) session {
	e.t.Helper()
	r := e.do(req{method: "POST", path: "/api/auth/login", body: mustJSON(map[string]string{"email": email, "password": pw})})
	r.expect(e.t, http.StatusOK, "")
	a, rf := r.cookie("access_token"), r.cookie("refresh_token")
	if a == nil || rf == nil {
		e.t.Fatalf("login set no token cookies: %v", r.header.Values("Set-Cookie"))
	}
	return session{access: a.Value, refresh: rf.Value}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

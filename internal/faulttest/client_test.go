package faulttest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// client talks to authapi instances as an API client does, with Bearer
// tokens rather than cookies so that one client can use several instances.
type client struct {
	http *http.Client
}

func newClient(timeout time.Duration) *client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	return &client{http: &http.Client{Timeout: timeout, Transport: tr}}
}

// reply is one answer.
type reply struct {
	status  int
	header  http.Header
	body    []byte
	cookies []*http.Cookie
	elapsed time.Duration
}

// json decodes the body as an object, or returns nil.
func (r reply) json() map[string]any {
	var v map[string]any
	_ = json.Unmarshal(r.body, &v)
	return v
}

// str returns a string field of the JSON body.
func (r reply) str(field string) string {
	s, _ := r.json()[field].(string)
	return s
}

// cookie returns the value of a cookie the reply sets.
func (r reply) cookie(name string) string {
	for _, c := range r.cookies {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// do sends one request; body is JSON when not empty, bearer an
// Authorization Bearer token when not empty.
func (c *client) do(method, url, body, bearer string) (reply, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return reply{}, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return reply{elapsed: time.Since(start)}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, header: resp.Header, body: b, cookies: resp.Cookies(), elapsed: time.Since(start)}
	return r, err
}

// must sends a request and fails the test unless the status is want.
func (c *client) must(t *testing.T, want int, method, url, body, bearer string) reply {
	t.Helper()
	r, err := c.do(method, url, body, bearer)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	if r.status != want {
		t.Fatalf("%s %s = %d %s, want %d", method, url, r.status, r.body, want)
	}
	return r
}

// account is a registered user's credentials and current tokens.
type account struct {
	email, password string
	access, refresh string
}

func registerBody(email, pw string) string {
	return fmt.Sprintf(`{"name":"Load","email":%q,"password":%q,"passwordConfirm":%q}`, email, pw, pw)
}

func loginBody(email, pw string) string {
	return fmt.Sprintf(`{"email":%q,"password":%q}`, email, pw)
}

// signup registers and logs in a new account on base.
func (c *client) signup(t *testing.T, base, email string) *account {
	t.Helper()
	a := &account{email: email, password: "password-" + email}
	c.must(t, http.StatusCreated, "POST", base+"/api/auth/register", registerBody(a.email, a.password), "")
	c.login(t, base, a)
	return a
}

// login logs a in on base and keeps its tokens.
func (c *client) login(t *testing.T, base string, a *account) {
	t.Helper()
	r := c.must(t, http.StatusOK, "POST", base+"/api/auth/login", loginBody(a.email, a.password), "")
	a.access, a.refresh = r.str("access_token"), r.cookie("refresh_token")
	if a.access == "" || a.refresh == "" {
		t.Fatalf("login gave no tokens: %s %v", r.body, r.cookies)
	}
}

// refresh rotates a's refresh token on base; on 200 it keeps the new tokens.
func (c *client) refresh(base string, a *account) (reply, error) {
	r, err := c.do("POST", base+"/api/auth/refresh", "", a.refresh)
	if err == nil && r.status == http.StatusOK {
		a.access, a.refresh = r.str("access_token"), r.str("refresh_token")
	}
	return r, err
}

// claim reads one claim of a JWT without verifying it (the server did).
func claim(t *testing.T, jwt, name string) string {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", jwt)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("JWT payload: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(b, &claims); err != nil {
		t.Fatalf("JWT payload: %v", err)
	}
	s, _ := claims[name].(string)
	return s
}

// waitReady polls /readyz until it answers want or d passes.
func waitReady(t *testing.T, c *client, base string, want int, d time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < d {
		r, err := c.do("GET", base+"/readyz", "", "")
		if err == nil && r.status == want {
			return time.Since(start)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("/readyz did not answer %d within %s", want, d)
	return 0
}

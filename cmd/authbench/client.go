package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// benchPassword is every benchmark user's password.
const benchPassword = "benchmark-password-1"

// chainHeader carries the index of the refresh chain a request belongs to, so
// that chainTransport can hand the rotated token back to that chain.
const chainHeader = "X-Authbench-Chain"

// account is a user the benchmark registered, with the session it logged in.
type account struct {
	email   string
	access  string // access token of the session
	refresh string // refresh token at login; chains then rotate their own copy
}

// chains are the refresh-token rotation chains of the virtual users. A chain is
// in the free channel while no request uses it; a refresh takes one, and
// chainTransport puts it back with the token the server answered. So every
// virtual user follows its own rotation, as a real client does.
type chains struct {
	tokens []string // index: chain
	free   chan int
}

func newChains(accounts []account) *chains {
	c := &chains{tokens: make([]string, len(accounts)), free: make(chan int, len(accounts))}
	for i, a := range accounts {
		c.tokens[i] = a.refresh
		c.free <- i
	}
	return c
}

// take waits for a free chain and returns it with its current refresh token.
func (c *chains) take(ctx context.Context) (int, string, error) {
	select {
	case i := <-c.free:
		return i, c.tokens[i], nil
	case <-ctx.Done():
		return 0, "", ctx.Err()
	}
}

// put returns chain i with its next refresh token ("" keeps the old one).
func (c *chains) put(i int, token string) {
	if token != "" {
		c.tokens[i] = token
	}
	c.free <- i
}

// politeHeader marks a request whose client honours Retry-After, as a real
// login form does: a 503 or 429 answer is held back for the time the server
// asks (at most 5 s) before the virtual user may send its next request.
const politeHeader = "X-Authbench-Polite"

// chainTransport completes refresh requests tagged with chainHeader: it reads
// the new refresh token from the body before vegeta sees the response. It also
// makes requests tagged with politeHeader wait out Retry-After.
type chainTransport struct {
	base   http.RoundTripper
	chains *chains
}

// RoundTrip implements http.RoundTripper.
func (t *chainTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Header.Get(politeHeader) != "" {
		return t.polite(req)
	}
	tag := req.Header.Get(chainHeader)
	if tag == "" || t.chains == nil {
		return t.base.RoundTrip(req)
	}
	i, err := strconv.Atoi(tag)
	if err != nil || i < 0 || i >= len(t.chains.tokens) {
		return nil, fmt.Errorf("bad %s %q", chainHeader, tag)
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		t.chains.put(i, "")
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	var next struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err == nil && resp.StatusCode == http.StatusOK {
		_ = json.Unmarshal(body, &next)
	}
	t.chains.put(i, next.RefreshToken)
	return resp, err
}

func (t *chainTransport) polite(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil || (resp.StatusCode != http.StatusServiceUnavailable && resp.StatusCode != http.StatusTooManyRequests) {
		return resp, err
	}
	secs, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil || secs < 0 {
		secs = 1
	}
	select {
	case <-time.After(min(time.Duration(secs)*time.Second, 5*time.Second)):
	case <-req.Context().Done():
	}
	return resp, nil
}

// newClient returns the HTTP client of one attack: keep-alive connections to
// the server, at most conns of them idle, and refresh chains completed by
// chainTransport.
func newClient(conns int, ch *chains) *http.Client {
	tr := &http.Transport{
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     30 * time.Second,
	}
	return &http.Client{Timeout: 60 * time.Second, Transport: &chainTransport{base: tr, chains: ch}}
}

// setupAccounts registers n users and logs each in once, with conc requests
// at a time: argon2id makes both slow, so this is where the start-up time goes.
func setupAccounts(ctx context.Context, base, runID string, n, conc int) ([]account, error) {
	c := &http.Client{Timeout: 120 * time.Second}
	accounts := make([]account, n)
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for range max(conc, 1) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				a, err := newAccount(ctx, c, base, fmt.Sprintf("setup-%s-%d@bench.example", runID, i))
				if err != nil {
					mu.Lock()
					firstErr = cmp.Or(firstErr, err)
					mu.Unlock()
					return
				}
				accounts[i] = a
			}
		})
	}
	wg.Wait()
	return accounts, firstErr
}

func newAccount(ctx context.Context, c *http.Client, base, email string) (account, error) {
	reg := registerBody(email)
	if _, err := postJSON(ctx, c, base+"/api/auth/register", reg, http.StatusCreated); err != nil {
		return account{}, err
	}
	body, err := postJSON(ctx, c, base+"/api/auth/login", loginBody(email), http.StatusOK)
	if err != nil {
		return account{}, err
	}
	// Login answers the access token in the body, the refresh token only as a cookie.
	a := account{email: email}
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(body.body, &out); err != nil {
		return account{}, fmt.Errorf("login %s: %w", email, err)
	}
	a.access = out.AccessToken
	for _, ck := range body.cookies {
		if ck.Name == "refresh_token" {
			a.refresh = ck.Value
		}
	}
	if a.access == "" || a.refresh == "" {
		return account{}, fmt.Errorf("login %s: no tokens in the answer", email)
	}
	return a, nil
}

type answer struct {
	body    []byte
	cookies []*http.Cookie
}

func postJSON(ctx context.Context, c *http.Client, url string, body []byte, want int) (answer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, err
	}
	if resp.StatusCode != want {
		return answer{}, fmt.Errorf("POST %s: status %d, want %d: %s", url, resp.StatusCode, want, b)
	}
	return answer{body: b, cookies: resp.Cookies()}, nil
}

func registerBody(email string) []byte {
	b, _ := json.Marshal(map[string]string{
		"name": "Bench User", "email": email, "password": benchPassword, "passwordConfirm": benchPassword,
	})
	return b
}

func loginBody(email string) []byte {
	b, _ := json.Marshal(map[string]string{"email": email, "password": benchPassword})
	return b
}

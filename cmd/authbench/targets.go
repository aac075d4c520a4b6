package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// targets makes the requests of the scenarios. Virtual users take turns over
// the accounts set up before the run.
type targets struct {
	base     string
	runID    string
	accounts []account
	chains   *chains
	next     atomic.Uint64 // round robin over accounts
	regs     atomic.Uint64 // registrations so far, for unique emails
	mixes    atomic.Uint64 // position in the mix
}

func (t *targets) account() account {
	return t.accounts[int(t.next.Add(1)-1)%len(t.accounts)]
}

func (t *targets) health(tgt *vegeta.Target) error {
	tgt.Method, tgt.URL = http.MethodGet, t.base+"/api/healthchecker"
	return nil
}

// meBearer asks who the caller is with the access token in the Authorization header.
func (t *targets) meBearer(tgt *vegeta.Target) error {
	tgt.Method, tgt.URL = http.MethodGet, t.base+"/api/users/me"
	tgt.Header = http.Header{"Authorization": {"Bearer " + t.account().access}}
	return nil
}

// meCookie does the same with the access_token cookie, as a browser does.
func (t *targets) meCookie(tgt *vegeta.Target) error {
	tgt.Method, tgt.URL = http.MethodGet, t.base+"/api/users/me"
	tgt.Header = http.Header{"Cookie": {"access_token=" + t.account().access + "; logged_in=True"}}
	return nil
}

// refresh rotates the refresh token of a free chain; the token comes back in
// the body because it is sent in the Authorization header.
func (t *targets) refresh(ctx context.Context) vegeta.Targeter {
	return func(tgt *vegeta.Target) error {
		i, token, err := t.chains.take(ctx)
		if err != nil {
			return err
		}
		tgt.Method, tgt.URL = http.MethodPost, t.base+"/api/auth/refresh"
		tgt.Header = http.Header{"Authorization": {"Bearer " + token}, chainHeader: {strconv.Itoa(i)}}
		return nil
	}
}

func (t *targets) login(tgt *vegeta.Target) error {
	tgt.Method, tgt.URL = http.MethodPost, t.base+"/api/auth/login"
	tgt.Header = http.Header{"Content-Type": {"application/json"}}
	tgt.Body = loginBody(t.account().email)
	return nil
}

// floodLogin is a login by a client that honours Retry-After.
func (t *targets) floodLogin(tgt *vegeta.Target) error {
	if err := t.login(tgt); err != nil {
		return err
	}
	tgt.Header.Set(politeHeader, "1")
	return nil
}

func (t *targets) register(tgt *vegeta.Target) error {
	n := t.regs.Add(1)
	tgt.Method, tgt.URL = http.MethodPost, t.base+"/api/auth/register"
	tgt.Header = http.Header{"Content-Type": {"application/json"}}
	tgt.Body = registerBody(fmt.Sprintf("load-%s-%d@bench.example", t.runID, n))
	return nil
}

// mix is a product's traffic: of every 50 requests, 45 ask who the caller is
// (90 %), 4 refresh (8 %) and 1 logs in (2 %), interleaved.
func (t *targets) mix(ctx context.Context) vegeta.Targeter {
	refresh := t.refresh(ctx)
	return func(tgt *vegeta.Target) error {
		switch k := (t.mixes.Add(1) - 1) % 50; {
		case k == 25:
			return t.login(tgt)
		case k%12 == 6: // 6, 18, 30, 42
			return refresh(tgt)
		case k%2 == 0:
			return t.meCookie(tgt)
		default:
			return t.meBearer(tgt)
		}
	}
}

// opOf names the operation of a request from its URL.
func opOf(base, url string) string {
	switch strings.TrimPrefix(url, base) {
	case "/api/healthchecker":
		return "health"
	case "/api/users/me":
		return "me"
	case "/api/auth/refresh":
		return "refresh"
	case "/api/auth/login":
		return "login"
	case "/api/auth/register":
		return "register"
	}
	return url
}

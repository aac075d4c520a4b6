package faulttest

import (
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/authapi/authapi/internal/store/storetest"
)

// Fault 3: SIGTERM while 32 connections run. /readyz turns 503 before the
// listener closes, every request sent before the signal completes
// successfully, nothing gets a 5xx, and the process exits 0 within drain
// delay + SHUTDOWN_TIMEOUT.
func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	kind := storetest.SQLite
	if postgresAvailable() {
		kind = storetest.Postgres
	}
	dir := t.TempDir()
	dsn := filepath.Join(dir, "authapi.db")
	if kind == storetest.Postgres {
		dsn = storetest.DSN(t, kind)
	}
	const drain, timeout = 2 * time.Second, 10 * time.Second
	inst := start(t, dir, map[string]string{
		"DATABASE_URL": dsn, "SHUTDOWN_DRAIN_DELAY": drain.String(), "SHUTDOWN_TIMEOUT": timeout.String(),
	})
	c := newClient(15 * time.Second)
	const conns = 32
	accounts := make([]*account, 4)
	for i := range accounts {
		accounts[i] = c.signup(t, inst.base, fmt.Sprintf("drain%d@example.com", i))
	}

	type result struct {
		sent, done time.Time
		status     int
		err        error
	}
	var (
		mu      sync.Mutex
		results []result
		signal  atomic.Int64 // UnixNano of SIGTERM, 0 before
		wg      sync.WaitGroup
	)
	for w := range conns {
		wg.Go(func() {
			a := accounts[w%len(accounts)]
			for i := 0; ; i++ {
				res := result{sent: time.Now()}
				var r reply
				if i%2 == 0 {
					// Login hashes a password: slow enough to be in flight at the signal.
					r, res.err = c.do("POST", inst.base+"/api/auth/login", loginBody(a.email, a.password), "")
				} else {
					r, res.err = c.do("GET", inst.base+"/api/users/me", "", a.access)
				}
				res.done, res.status = time.Now(), r.status
				mu.Lock()
				results = append(results, res)
				mu.Unlock()
				if res.err != nil {
					return // the listener is gone
				}
			}
		})
	}

	time.Sleep(1500 * time.Millisecond)
	signal.Store(time.Now().UnixNano())
	sigAt := time.Now()
	if err := inst.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// /readyz must turn 503 while the listener still answers: polled until
	// it says 503 (good) or the connection is refused (too late).
	var readyDown time.Duration
	for {
		r, err := c.do("GET", inst.base+"/readyz", "", "")
		if err != nil {
			t.Errorf("/readyz refused (%v) before it ever answered 503", err)
			break
		}
		if r.status == http.StatusServiceUnavailable {
			readyDown = time.Since(sigAt)
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	exited, err := inst.wait(drain + timeout + 2*time.Second)
	exitAfter := time.Since(sigAt)
	if !exited {
		t.Fatalf("still running %s after SIGTERM", exitAfter)
	}
	if err != nil {
		t.Errorf("exit: %v\n%s", err, inst.logs)
	}
	wg.Wait()

	var before, inFlight, after, afterOK int
	for _, r := range results {
		if r.sent.Before(sigAt) {
			before++
			if r.done.After(sigAt) {
				inFlight++
			}
			if r.err != nil || r.status >= 300 {
				t.Errorf("request sent %s before SIGTERM: %d %v", sigAt.Sub(r.sent), r.status, r.err)
			}
			continue
		}
		after++
		switch {
		case r.err != nil: // refused once the listener closed: a balancer retries elsewhere
		case r.status >= 500:
			t.Errorf("request sent after SIGTERM: %d", r.status)
		default:
			afterOK++
		}
	}
	if t.Failed() {
		for _, l := range inst.logs.lines("dependency unavailable") {
			t.Log(l)
		}
	}
	if inFlight == 0 {
		t.Error("no request was in flight at SIGTERM: the test proved nothing")
	}
	t.Logf("%d requests before SIGTERM all succeeded, %d of them in flight at the signal; %d after it (%d served while draining); /readyz 503 after %s; exit after %s",
		before, inFlight, after, afterOK, readyDown.Round(time.Millisecond), exitAfter.Round(time.Millisecond))
}

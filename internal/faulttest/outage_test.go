package faulttest

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to check the data directly
)

// outcome is what one request during the outage test got.
type outcome struct {
	at         time.Time
	what       string // "me", "login", "register"
	status     int
	body       string
	retryAfter string
	elapsed    time.Duration
	err        error
	email      string // register: the address
}

// Fault 1: PostgreSQL stops while requests run. Every request answers within
// a bound, with 200-class answers or 503 {"detail":"Service temporarily
// unavailable"} and Retry-After, never a hang or a 500; /readyz turns 503 and
// /healthz stays 200; once PostgreSQL is back, service resumes by itself and
// every registration that was answered 201 is still there.
func TestDatabaseOutage(t *testing.T) {
	t.Parallel()
	pg := newCluster(t)
	inst := start(t, t.TempDir(), map[string]string{"DATABASE_URL": pg.DSN(), "DATABASE_TIMEOUT": "1s"})
	c := newClient(10 * time.Second)
	var accounts []*account
	for i := range 4 {
		accounts = append(accounts, c.signup(t, inst.base, fmt.Sprintf("before%d@example.com", i)))
	}

	var (
		mu       sync.Mutex
		results  []outcome
		stopLoad atomic.Bool
		wg       sync.WaitGroup
		seq      atomic.Int64
	)
	for w := range 6 {
		wg.Go(func() {
			for !stopLoad.Load() {
				o := outcome{at: time.Now()}
				var r reply
				switch n := seq.Add(1); n % 3 {
				case 0:
					o.what = "me"
					r, o.err = c.do("GET", inst.base+"/api/users/me", "", accounts[w%len(accounts)].access)
				case 1:
					o.what, o.email = "register", fmt.Sprintf("during%d@example.com", n)
					r, o.err = c.do("POST", inst.base+"/api/auth/register", registerBody(o.email, "password123"), "")
				default:
					a := accounts[w%len(accounts)]
					o.what = "login"
					r, o.err = c.do("POST", inst.base+"/api/auth/login", loginBody(a.email, a.password), "")
				}
				o.status, o.body, o.retryAfter, o.elapsed = r.status, string(r.body), r.header.Get("Retry-After"), r.elapsed
				mu.Lock()
				results = append(results, o)
				mu.Unlock()
				time.Sleep(20 * time.Millisecond)
			}
		})
	}

	time.Sleep(time.Second)
	stopAt := time.Now()
	pg.stop()
	down := waitReady(t, c, inst.base, http.StatusServiceUnavailable, 5*time.Second)
	t.Logf("PostgreSQL stopped; /readyz 503 after %s", down.Round(time.Millisecond))
	c.must(t, http.StatusOK, "GET", inst.base+"/healthz", "", "")
	time.Sleep(2 * time.Second) // the outage, under load
	pg.start()
	startAt := time.Now()
	up := waitReady(t, c, inst.base, http.StatusOK, 30*time.Second)
	t.Logf("PostgreSQL restarted; /readyz 200 after %s", up.Round(time.Millisecond))
	recoveredAt := time.Now()
	time.Sleep(time.Second) // load after recovery
	stopLoad.Store(true)
	wg.Wait()

	var ok, unavailable, afterRecovery int
	var slowest time.Duration
	for _, o := range results {
		if o.err != nil {
			t.Errorf("%s at %s: transport error %v", o.what, o.at.Format(time.StampMilli), o.err)
			continue
		}
		slowest = max(slowest, o.elapsed)
		if o.elapsed > 2500*time.Millisecond {
			t.Errorf("%s took %s, want a bounded answer", o.what, o.elapsed)
		}
		switch {
		case o.status == http.StatusServiceUnavailable:
			unavailable++
			if strings.TrimSpace(o.body) != `{"detail":"Service temporarily unavailable"}` || o.retryAfter == "" {
				t.Errorf("%s: 503 body %q Retry-After %q", o.what, o.body, o.retryAfter)
			}
			// Answered after the stop began, and sent before recovery was seen.
			if o.at.Add(o.elapsed).Before(stopAt) || o.at.After(recoveredAt) {
				t.Errorf("%s at %s: 503 outside the outage", o.what, o.at.Format(time.StampMilli))
			}
		case o.status < 300:
			ok++
			if o.at.After(recoveredAt) {
				afterRecovery++
			}
		default:
			t.Errorf("%s: status %d %s", o.what, o.status, o.body)
		}
	}
	t.Logf("%d requests: %d ok, %d answered 503 during the outage (%s), slowest %s; %d ok after recovery",
		len(results), ok, unavailable, startAt.Sub(stopAt).Round(time.Millisecond), slowest.Round(time.Millisecond), afterRecovery)
	if unavailable == 0 || afterRecovery == 0 {
		t.Errorf("want 503s during the outage and successes after it")
	}

	// No lost committed data: every 201 is a row, and old accounts log in.
	db, err := sql.Open("pgx", pg.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, o := range results {
		if o.what != "register" || o.status != http.StatusCreated {
			continue
		}
		var n int
		if err := db.QueryRowContext(context.Background(), `SELECT count(*) FROM users WHERE email = $1`, o.email).Scan(&n); err != nil || n != 1 {
			t.Errorf("registered %s: %d rows (%v)", o.email, n, err)
		}
	}
	for _, a := range accounts {
		c.login(t, inst.base, a)
	}
	if lines := inst.logs.lines("request failed"); len(lines) > 0 {
		t.Errorf("%d requests failed as internal errors, first: %v", len(lines), lines[0])
	}
}

package httpapi_test

import (
	"context"
	"golang.org/x/crypto/bcrypt"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authapi/authapi/internal/auth"
	"github.com/authapi/authapi/internal/httpapi"
	"github.com/authapi/authapi/internal/password"
)

func loginReq(email, pw string, header map[string]string) req {
	return req{method: "POST", path: "/api/auth/login", header: header, body: mustJSON(map[string]string{"email": email, "password": pw})}
}

// After five failures an account is locked, for unknown emails exactly as for
// real ones; the lock holds even for the right password, lifts with time,
// and is kept in the database so every instance sees it.
func TestLockout(t *testing.T) {
	forEachDB(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		e.register("Alice", "alice@example.com", "password123")
		for _, email := range []string{"alice@example.com", "nobody@example.com"} {
			for range 5 {
				e.do(loginReq(email, "wrongpass1", nil)).expect(t, 400, `{"detail":"Incorrect Email or Password"}`)
			}
			r := e.do(loginReq(email, "password123", nil))
			r.expect(t, 429, `{"detail":"Too many failed attempts, try again later"}`)
			// This attempt counted too (6th failure): the 30 s lock doubled.
			if secs, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || secs < 31 || secs > 60 {
				t.Errorf("%s: Retry-After = %q, want 31..60 s", email, r.header.Get("Retry-After"))
			}
		}
		th, err := e.db.LoginThrottle(t.Context(), "alice@example.com", e.clock.Now())
		if err != nil || !th.Locked(e.clock.Now()) {
			t.Fatalf("lock not in the database: %+v, %v", th, err)
		}
		e.clock.Advance(2 * time.Minute) // the 6th failure (above) doubled the lock to 60 s
		e.login("alice@example.com", "password123")
		if th, _ := e.db.LoginThrottle(t.Context(), "alice@example.com", e.clock.Now()); th.Failures != 0 {
			t.Errorf("a successful login left %d failures", th.Failures)
		}
		if got := e.events.count("login", "locked"); got != 2 {
			t.Errorf("locked login events = %d, want 2", got)
		}
	})
}

// Guesses sent all at once get no more checks than the threshold: each
// password check waits for the one before it on the same account, so it sees
// that one's failure. Without that, all twenty read a count of 0 while the
// first was still hashing, and all twenty were checked.
func TestLockoutUnderParallelGuesses(t *testing.T) {
	forEachDB(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind, func(c *envConfig) { c.hashMemory = 4096 }) // a few ms per hash
		e.register("Alice", "alice@example.com", "password123")
		const guesses = 20
		statuses := make(chan int, guesses)
		var wg sync.WaitGroup
		for range guesses {
			wg.Go(func() { statuses <- e.do(loginReq("alice@example.com", "wrongpass1", nil)).status })
		}
		wg.Wait()
		close(statuses)
		count := map[int]int{}
		for s := range statuses {
			count[s]++
		}
		threshold := auth.DefaultLockout.Threshold
		if count[400] != threshold || count[429] != guesses-threshold {
			t.Errorf("answers %v, want %d × 400 (checked) and %d × 429 (locked)", count, threshold, guesses-threshold)
		}
	})
}

// Two instances on one database share the lockout: failures on one lock the
// account on the other.
func TestLockoutSharedBetweenInstances(t *testing.T) {
	forEachDB(t, func(t *testing.T, kind string) {
		a := newEnv(t, kind)
		b := newEnv(t, kind, func(c *envConfig) { c.db = a.db })
		a.register("Alice", "alice@example.com", "password123")
		for i := range 5 {
			e := []*env{a, b}[i%2] // alternate, as a round-robin balancer would
			e.do(loginReq("alice@example.com", "wrongpass1", nil)).expect(t, 400, "")
		}
		for _, e := range []*env{a, b} {
			e.do(loginReq("alice@example.com", "password123", nil)).expect(t, 429, "")
		}
	})
}

// A wrong current password in a password change counts like a failed login.
func TestPasswordChangeCountsTowardsLockout(t *testing.T) {
	e := newEnv(t, "sqlite")
	e.register("Alice", "alice@example.com", "password123")
	s := e.login("alice@example.com", "password123")
	change := req{method: "POST", path: "/api/users/me/password", header: bearer(s.access),
		body: `{"current_password":"guess-guess","new_password":"newpassword1"}`}
	for range 5 {
		e.do(change).expect(t, 400, `{"detail":"Incorrect password"}`)
	}
	e.do(change).expect(t, 429, "")
	e.do(loginReq("alice@example.com", "password123", nil)).expect(t, 429, "")
}

// Per-address token buckets, with forwarding headers believed only from trusted proxies.
func TestRateLimits(t *testing.T) {
	e := newEnv(t, "sqlite", func(c *envConfig) {
		c.RateLimits = httpapi.RateLimits{Auth: 3, Refresh: 2}
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}
		c.Lockout.Threshold = 0
	})
	e.register("Alice", "alice@example.com", "password123") // 1 of 3
	from := func(ip string) map[string]string { return map[string]string{"X-Forwarded-For": ip} }
	e.do(loginReq("alice@example.com", "wrongpass1", nil)).expect(t, 400, "") // 2
	e.do(loginReq("alice@example.com", "wrongpass1", nil)).expect(t, 400, "") // 3
	r := e.do(loginReq("alice@example.com", "password123", nil))
	r.expect(t, 429, `{"detail":"Too many requests, try again later"}`)
	if secs, _ := strconv.Atoi(r.header.Get("Retry-After")); secs < 1 || secs > 20 {
		t.Errorf("Retry-After = %q", r.header.Get("Retry-After"))
	}
	// Behind the trusted proxy (192.0.2.1 is httptest's peer), each client has its own bucket.
	r = e.do(loginReq("alice@example.com", "password123", from("203.0.113.9")))
	r.expect(t, 200, "")
	// An untrusted peer cannot pick its bucket with the header.
	for i := range 4 {
		lr := loginReq("alice@example.com", "wrongpass1", from("203.0.113."+strconv.Itoa(100+i)))
		lr.remote = "198.51.100.7:4321"
		want := 400
		if i == 3 {
			want = 429
		}
		e.do(lr).expect(t, want, "")
	}
	// Refresh has its own bucket; me has none.
	refresh := r.cookie("refresh_token").Value
	for i := range 3 {
		rr := e.do(req{method: "POST", path: "/api/auth/refresh", cookies: map[string]string{"refresh_token": refresh}})
		if i < 2 {
			rr.expect(t, 200, "")
			refresh = rr.cookie("refresh_token").Value
			continue
		}
		rr.expect(t, 429, "")
	}
	for range 5 {
		e.do(req{path: "/api/users/me", cookies: map[string]string{"access_token": r.cookie("access_token").Value}}).expect(t, 200, "")
	}
}

// When the hash pool and its queue are full, logins get 503 at once, and
// requests that need no hash are not held up.
func TestHashPoolFull(t *testing.T) {
	// One worker, no queue, and a hash slow enough that 16 logins at once collide.
	e := newEnv(t, "sqlite", func(c *envConfig) { c.hashWorkers, c.hashQueue, c.hashMemory = 1, 0, 4*1024 })
	e.register("Alice", "alice@example.com", "password123")
	s := e.login("alice@example.com", "password123")
	const n = 16
	results := make(chan resp, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range n {
		wg.Go(func() {
			<-start
			results <- e.do(loginReq("alice@example.com", "password123", nil))
		})
	}
	close(start)
	e.do(req{path: "/api/users/me", header: bearer(s.access)}).expect(t, 200, "")
	wg.Wait()
	close(results)
	count := map[int]int{}
	for r := range results {
		count[r.status]++
		if r.status == 503 {
			// The 503 says when to come back.
			r.expect(t, 503, `{"detail":"Server busy, try again shortly"}`)
			if r.header.Get("Retry-After") != "1" {
				t.Errorf("Retry-After = %q, want 1", r.header.Get("Retry-After"))
			}
		}
	}
	if count[200] < 1 || count[503] < 1 || count[200]+count[503] != n {
		t.Fatalf("status counts %v: want some 200, some 503 and nothing else", count)
	}
}

// readCounter counts the reads a login makes before its hash, on the real
// store underneath.
type readCounter struct {
	auth.Store
	reads atomic.Int64
}

func (c *readCounter) UserByEmail(ctx context.Context, email string) (auth.User, error) {
	c.reads.Add(1)
	return c.Store.UserByEmail(ctx, email)
}

func (c *readCounter) LoginThrottle(ctx context.Context, account string, now time.Time) (auth.Throttle, error) {
	c.reads.Add(1)
	return c.Store.LoginThrottle(ctx, account, now)
}

// A login that the full hash pool refuses is refused before it reads
// anything: a flood the pool turns away costs the database nothing.
func TestHashPoolRefusesBeforeReading(t *testing.T) {
	forEachDB(t, func(t *testing.T, kind string) {
		var rc *readCounter
		e := newEnv(t, kind, func(c *envConfig) {
			c.hashWorkers, c.hashQueue = 1, 0
			c.wrapStore = func(s auth.Store) auth.Store { rc = &readCounter{Store: s}; return rc }
		})
		e.register("Alice", "alice@example.com", "password123")
		// The pool's only place, taken as a login in progress would hold it.
		slot, err := e.hasher.Reserve()
		if err != nil {
			t.Fatal(err)
		}
		before := rc.reads.Load()
		e.do(loginReq("alice@example.com", "password123", nil)).expect(t, 503, `{"detail":"Server busy, try again shortly"}`)
		e.do(loginReq("nobody@example.com", "password123", nil)).expect(t, 503, `{"detail":"Server busy, try again shortly"}`)
		if n := rc.reads.Load() - before; n != 0 {
			t.Errorf("refused logins made %d reads, want none", n)
		}
		// A registration still answers what the reference does, however busy
		// the pool: its read comes first.
		e.do(req{method: "POST", path: "/api/auth/register", body: mustJSON(map[string]any{
			"name": "Alice", "email": "alice@example.com", "photo": "default.png", "password": "password123", "passwordConfirm": "password123",
		})}).expect(t, 409, `{"detail":"Account already exist"}`)
		before = rc.reads.Load()
		slot.Release()
		e.login("alice@example.com", "password123")
		if n := rc.reads.Load() - before; n != 2 {
			t.Errorf("an admitted login made %d reads, want 2 (throttle and user)", n)
		}
		if s := e.hasher.Stats(); s.Rejected != 2 || s.Running != 0 || s.Waiting != 0 || s.Reserved != 0 {
			t.Errorf("pool stats = %+v, want 2 refused and nothing held", s)
		}
		if slot, err := e.hasher.Reserve(); err != nil {
			t.Errorf("the login did not give its place back: %v", err)
		} else {
			slot.Release()
		}
	})
}

// Unknown email, wrong password, locked account and unverified account cost
// the same: one password hash each, and the same database work within a
// little. The four run back to back in a new random order each round, and
// each is compared with its round's mean: load from outside (other tests, GC)
// comes in bursts longer than a round and so cancels out of the ratios.
//
// It runs without the race detector only (.ci/run runs it so, apart), and
// with the real hash's memory cost, so that the comparison is the real one.
func TestLoginTimingIsUniform(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("timing test: needs -race off and no -short")
	}
	e := newEnv(t, "sqlite", func(c *envConfig) {
		c.hashWorkers, c.hashQueue = 1, 64
		c.hashMemory = password.DefaultParams.Memory
		c.Lockout = auth.LockoutPolicy{Threshold: 3, Base: time.Hour, Max: time.Hour, Window: time.Hour}
	})
	e.register("Known", "known@example.com", "password123")
	e.register("Unverified", "unverified@example.com", "password123")
	e.register("Locked", "locked@example.com", "password123")
	u, _ := e.db.UserByEmail(t.Context(), "unverified@example.com")
	if err := e.db.SetVerified(t.Context(), u.ID, false); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		e.do(loginReq("locked@example.com", "wrongpass1", nil))
	}
	cases := []timedLogin{
		{"unknown email", "nobody@example.com", "password123", 400},
		{"wrong password", "known@example.com", "wrongpass1", 400},
		{"locked account", "locked@example.com", "password123", 429},
		{"unverified account", "unverified@example.com", "password123", 401},
	}
	expectUniformLogins(t, e, cases)
}

// An account imported from the reference server keeps its bcrypt hash until
// its user logs in, and bcrypt (cost 9 here, passlib's 12 in a real import)
// takes far longer than the test's argon2id: a wrong password on it must not
// answer slower than an unknown email, or every imported account could be
// listed by timing. Every failed login takes at least a little more than one
// bcrypt at the highest stored cost while such hashes remain.
func TestLoginTimingWithImportedHashes(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("timing test: needs -race off and no -short")
	}
	e := newEnv(t, "sqlite", func(c *envConfig) {
		c.hashWorkers, c.hashQueue = 1, 64
		c.Lockout = auth.LockoutPolicy{Threshold: 3, Base: time.Hour, Max: time.Hour, Window: time.Hour}
	})
	e.register("Known", "known@example.com", "password123")
	e.register("Imported", "imported@example.com", "password123")
	e.register("Locked", "locked@example.com", "password123")
	hash, err := bcrypt.GenerateFromPassword([]byte("password123"), 9)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := e.db.UserByEmail(t.Context(), "imported@example.com")
	if err := e.db.SetPasswordHash(t.Context(), u.ID, string(hash), e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		e.do(loginReq("locked@example.com", "wrongpass1", nil))
	}
	cases := []timedLogin{
		{"unknown email", "nobody@example.com", "password123", 400},
		{"wrong password, argon2id account", "known@example.com", "wrongpass1", 400},
		{"wrong password, imported bcrypt account", "imported@example.com", "wrongpass1", 400},
		{"locked account", "locked@example.com", "password123", 429},
	}
	expectUniformLogins(t, e, cases)
}

// expectUniformLogins fails the test when the cases' median times differ by
// more than 10 %. A burst of outside load can still skew one measurement: a
// second one must confirm a difference before the test fails.
func expectUniformLogins(t *testing.T, e *env, cases []timedLogin) {
	t.Helper()
	var lo, hi float64
	for attempt := 1; attempt <= 2; attempt++ {
		lo, hi = measureLogins(t, e, cases)
		if hi <= 1.10*lo {
			return
		}
		t.Logf("attempt %d: median ratios from %.3f to %.3f", attempt, lo, hi)
	}
	t.Errorf("login times differ by more than 10%%: median ratios from %.3f to %.3f", lo, hi)
}

type timedLogin struct {
	name, email, pw string
	status          int
}

// measureLogins runs the cases in rounds and returns the smallest and largest
// median ratio of a case's time to its round's mean.
func measureLogins(t *testing.T, e *env, cases []timedLogin) (lo, hi float64) {
	t.Helper()
	const rounds, warmup = 40, 3
	ratios := make([][]float64, len(cases))
	for round := range rounds + warmup {
		d := make([]time.Duration, len(cases))
		for _, i := range rand.Perm(len(cases)) {
			c := cases[i]
			start := time.Now()
			r := e.do(loginReq(c.email, c.pw, nil))
			d[i] = time.Since(start)
			if r.status != c.status {
				t.Fatalf("%s: status %d, want %d (%s)", c.name, r.status, c.status, r.body)
			}
		}
		// The accounts answered 400 (unknown email, wrong password) would
		// lock too after 3 failures: start them again so each case keeps its
		// own path.
		for _, c := range cases {
			if c.status != http.StatusBadRequest {
				continue
			}
			if err := e.db.ClearLoginFailures(t.Context(), c.email); err != nil {
				t.Fatal(err)
			}
		}
		if round < warmup {
			continue
		}
		var sum time.Duration
		for _, x := range d {
			sum += x
		}
		mean := float64(sum) / float64(len(d))
		for i, x := range d {
			ratios[i] = append(ratios[i], float64(x)/mean)
		}
	}
	lo, hi = 10.0, 0.0
	for i, r := range ratios {
		sort.Float64s(r)
		med := r[len(r)/2]
		lo, hi = min(lo, med), max(hi, med)
		t.Logf("%-20s median %.3f of its round's mean", cases[i].name, med)
	}
	return lo, hi
}

// With COOKIE_PREFIX, cookies carry __Host-/__Secure- names, and unprefixed
// token cookies (which anyone could plant) are ignored.
func TestCookiePrefix(t *testing.T) {
	e := newEnv(t, "sqlite", func(c *envConfig) { c.Cookies.Prefixed, c.Cookies.Secure = true, true })
	e.register("Alice", "alice@example.com", "password123")
	r := e.do(loginReq("alice@example.com", "password123", nil))
	r.expect(t, 200, "")
	access, refresh, logged := r.cookie("__Host-access_token"), r.cookie("__Secure-refresh_token"), r.cookie("__Host-logged_in")
	if access == nil || refresh == nil || logged == nil || !access.Secure || access.Path != "/" || access.Domain != "" || refresh.Path != "/api/auth" {
		t.Fatalf("cookies = %v", r.header.Values("Set-Cookie"))
	}
	e.do(req{path: "/api/users/me", cookies: map[string]string{"__Host-access_token": access.Value}}).expect(t, 200, "")
	e.do(req{path: "/api/users/me", cookies: map[string]string{"access_token": access.Value}}).expect(t, 401, `{"detail":"You are not logged in"}`)
	rr := e.do(req{method: "POST", path: "/api/auth/refresh", cookies: map[string]string{"__Secure-refresh_token": refresh.Value}})
	rr.expect(t, 200, "")
	if rr.cookie("__Secure-refresh_token") == nil {
		t.Errorf("refresh did not set the prefixed cookie: %v", rr.header.Values("Set-Cookie"))
	}
	out := e.do(req{method: "POST", path: "/api/auth/logout", cookies: map[string]string{"__Host-access_token": rr.cookie("__Host-access_token").Value}})
	out.expect(t, 200, "")
	if c := out.cookie("__Host-access_token"); c == nil || c.MaxAge != -1 {
		t.Errorf("logout did not delete the prefixed cookie: %v", out.header.Values("Set-Cookie"))
	}
}

// A session not refreshed within the idle limit cannot be refreshed.
func TestSessionIdleTimeout(t *testing.T) {
	e := newEnv(t, "sqlite", func(c *envConfig) { c.SessionIdleTimeout = 30 * time.Minute })
	e.register("Alice", "alice@example.com", "password123")
	s := e.login("alice@example.com", "password123")
	e.clock.Advance(20 * time.Minute)
	r := e.do(req{method: "POST", path: "/api/auth/refresh", header: bearer(s.refresh)})
	r.expect(t, 200, "")
	next := r.json(t)["refresh_token"].(string)
	e.clock.Advance(31 * time.Minute)
	e.do(req{method: "POST", path: "/api/auth/refresh", header: bearer(next)}).expect(t, 400, `{"detail":"Refresh token is invalid or has expired"}`)
}

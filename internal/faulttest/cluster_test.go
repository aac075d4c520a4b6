package faulttest

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authapi/authapi/internal/store/storetest"
)

// startMany starts n instances on one database at the same moment and waits
// until all listen.
func startMany(t *testing.T, n int, env map[string]string) []*instance {
	t.Helper()
	insts := make([]*instance, n)
	for i := range insts {
		insts[i] = startAsync(t, t.TempDir(), env)
	}
	for _, inst := range insts {
		inst.waitListening()
	}
	return insts
}

// Fault 4: three instances on one PostgreSQL, requests spread round-robin.
func TestThreeInstances(t *testing.T) {
	t.Parallel()
	if !postgresAvailable() {
		t.Skip("TEST_DATABASE_URL not set")
	}
	dsn := storetest.DSN(t, storetest.Postgres)
	insts := startMany(t, 3, map[string]string{"DATABASE_URL": dsn})
	c := newClient(10 * time.Second)
	at := func(i int) string { return insts[i%len(insts)].base }

	t.Run("tokens work on every instance", func(t *testing.T) {
		a := c.signup(t, at(0), "roundrobin@example.com")
		for i := range 6 {
			c.must(t, http.StatusOK, "GET", at(i)+"/api/users/me", "", a.access)
			if r, err := c.refresh(at(i+1), a); err != nil || r.status != http.StatusOK {
				t.Fatalf("refresh on instance %d: %d %s %v", (i+1)%3, r.status, r.body, err)
			}
		}
	})

	t.Run("concurrent refresh of one token on two instances", func(t *testing.T) {
		// The documented outcome: one rotation; the other call is inside the
		// grace window and gets the same new refresh token (same jti), so
		// there is never a second live branch.
		for round := range 10 {
			a := c.signup(t, at(round), fmt.Sprintf("race%d@example.com", round))
			old := a.refresh
			var wg sync.WaitGroup
			replies := make([]reply, 2)
			errs := make([]error, 2)
			startGate := make(chan struct{})
			for k := range 2 {
				wg.Go(func() {
					<-startGate
					replies[k], errs[k] = c.do("POST", at(round+k)+"/api/auth/refresh", "", old)
				})
			}
			close(startGate)
			wg.Wait()
			var jtis []string
			for k, r := range replies {
				if errs[k] != nil || r.status != http.StatusOK {
					t.Fatalf("round %d: refresh %d = %d %s %v", round, k, r.status, r.body, errs[k])
				}
				jtis = append(jtis, claim(t, r.str("refresh_token"), "jti"))
			}
			if jtis[0] != jtis[1] {
				t.Fatalf("round %d: two live branches: refresh tokens %s and %s", round, jtis[0], jtis[1])
			}
			// The one branch is live on the third instance.
			a.refresh = replies[0].str("refresh_token")
			if r, err := c.refresh(at(round+2), a); err != nil || r.status != http.StatusOK {
				t.Fatalf("round %d: continuing the branch: %d %s %v", round, r.status, r.body, err)
			}
		}
		// Exactly one of each pair was a grace answer, as the instances count them.
		grace := 0
		for _, inst := range insts {
			m := c.must(t, http.StatusOK, "GET", inst.base+"/metrics", "", "")
			var n int
			fmt.Sscanf(strings.TrimPrefix(metricLine(string(m.body), `authapi_refreshes_total{outcome="grace"}`), `authapi_refreshes_total{outcome="grace"} `), "%d", &n)
			grace += n
		}
		if grace != 10 {
			t.Errorf("%d grace refreshes over the instances, want exactly 10 (one per race)", grace)
		}
	})

	t.Run("logout on one is effective on the others at once", func(t *testing.T) {
		a := c.signup(t, at(0), "logout@example.com")
		c.must(t, http.StatusOK, "POST", at(0)+"/api/auth/logout", "", a.access)
		c.must(t, http.StatusUnauthorized, "GET", at(1)+"/api/users/me", "", a.access)
		c.must(t, http.StatusBadRequest, "POST", at(2)+"/api/auth/refresh", "", a.refresh)
	})

	t.Run("lockout is shared", func(t *testing.T) {
		a := c.signup(t, at(0), "lockout@example.com")
		// Five failures spread over the three instances lock the account...
		for i := range 5 {
			c.must(t, http.StatusBadRequest, "POST", at(i)+"/api/auth/login", loginBody(a.email, "wrong-password"), "")
		}
		// ...on every instance, even with the right password.
		for i := range 3 {
			r := c.must(t, http.StatusTooManyRequests, "POST", at(i)+"/api/auth/login", loginBody(a.email, a.password), "")
			if r.header.Get("Retry-After") == "" {
				t.Errorf("instance %d: 429 without Retry-After", i)
			}
		}
	})
}

// Fault 4, key rotation: three instances keeping their keys in the database;
// `authapi keys rotate` run once is used by all of them within a minute (here
// with KEYS_REFRESH_INTERVAL=500ms, so within about two seconds; with the
// default 30s a rotation signs from 60s on). Tokens of the old key keep
// working everywhere, and tokens of the new one work on every instance.
func TestKeyRotationAcrossInstances(t *testing.T) {
	t.Parallel()
	if !postgresAvailable() {
		t.Skip("TEST_DATABASE_URL not set")
	}
	dsn := storetest.DSN(t, storetest.Postgres)
	env := map[string]string{
		"DATABASE_URL": dsn, "KEYS_REFRESH_INTERVAL": "500ms",
		"JWT_PRIVATE_KEY": "", "JWT_PUBLIC_KEY": "", "JWT_ALGORITHM": "ES256", // keys in the database
	}
	insts := []*instance{start(t, t.TempDir(), env)} // the first creates the key...
	insts = append(insts, startMany(t, 2, env)...)   // ...the others load it
	c := newClient(10 * time.Second)
	a := c.signup(t, insts[0].base, "rotation@example.com")
	oldKid := headerKid(t, a.access)

	rotate := exec.Command(binary, "keys", "rotate")
	rotate.Dir = t.TempDir()
	rotate.Env = []string{"PATH=" + os.Getenv("PATH"), "DATABASE_URL=" + dsn, "KEYS_REFRESH_INTERVAL=500ms", "LOG_FORMAT=json"}
	out, err := rotate.CombinedOutput()
	if err != nil {
		t.Fatalf("keys rotate: %v\n%s", err, out)
	}
	rotated := time.Now()

	// Poll each instance until what it signs carries a new kid.
	newKid := make([]string, len(insts))
	for i, inst := range insts {
		for {
			b := &account{email: a.email, password: a.password}
			c.login(t, inst.base, b)
			if k := headerKid(t, b.access); k != oldKid {
				newKid[i] = k
				// A token of the new key works on every instance.
				for _, other := range insts {
					c.must(t, http.StatusOK, "GET", other.base+"/api/users/me", "", b.access)
				}
				break
			}
			if time.Since(rotated) > time.Minute {
				t.Fatalf("instance %d still signs with %s a minute after the rotation", i, oldKid)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	t.Logf("rotation %s -> %s used by all three instances %s after keys rotate", oldKid, newKid[0], time.Since(rotated).Round(time.Millisecond))
	if newKid[0] != newKid[1] || newKid[1] != newKid[2] {
		t.Errorf("instances sign with different keys: %v", newKid)
	}
	// The old key's tokens still verify everywhere.
	for _, inst := range insts {
		c.must(t, http.StatusOK, "GET", inst.base+"/api/users/me", "", a.access)
	}
}

// headerKid returns the kid of a JWT's header.
func headerKid(t *testing.T, jwt string) string {
	t.Helper()
	head, _, _ := strings.Cut(jwt, ".")
	b, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		t.Fatalf("JWT header: %v", err)
	}
	var h struct {
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(b, &h); err != nil || h.Kid == "" {
		t.Fatalf("JWT header %s: no kid (%v)", b, err)
	}
	return h.Kid
}

// Fault 5: three instances starting together on an empty database migrate it
// exactly once, on PostgreSQL (advisory lock) and SQLite (lock file).
func TestConcurrentMigrations(t *testing.T) {
	t.Parallel()
	for _, kind := range storetest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			dsn := filepath.Join(t.TempDir(), "authapi.db")
			driver := "sqlite"
			if kind == storetest.Postgres {
				dsn, driver = storetest.DSN(t, kind), "pgx"
			}
			insts := startMany(t, 3, map[string]string{"DATABASE_URL": dsn})
			c := newClient(10 * time.Second)
			for _, inst := range insts {
				waitReady(t, c, inst.base, http.StatusOK, 10*time.Second)
			}
			db, err := sql.Open(driver, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			want := migrationCount(t, kind)
			var rows, distinct int
			q := `SELECT count(*), count(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0`
			if err := db.QueryRowContext(context.Background(), q).Scan(&rows, &distinct); err != nil {
				t.Fatal(err)
			}
			if rows != want || distinct != want {
				t.Errorf("goose_db_version: %d rows, %d versions; want each migration once (%d)", rows, distinct, want)
			}
			// And the schema works from every instance.
			for i, inst := range insts {
				c.signup(t, inst.base, fmt.Sprintf("m%d@example.com", i))
			}
		})
	}
}

// migrationCount is how many migration files the repository has for kind.
func migrationCount(t *testing.T, kind string) int {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join("..", "store", "migrations", kind))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") {
			n++
		}
	}
	return n
}

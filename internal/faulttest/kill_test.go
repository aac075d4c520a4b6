package faulttest

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" driver, to check the data directly

	"github.com/authapi/authapi/internal/store/storetest"
)

// Fault 2: SIGKILL during a refresh storm, on SQLite (WAL) and PostgreSQL.
// After a restart every client refreshes again with the token it holds: the
// one from its last 200, or, if its last request died with the process, the
// one before (its rotation either never committed, or committed and is
// within the grace window). No session is half-rotated, and no user or
// session row is lost or duplicated.
func TestKillDuringRefreshStorm(t *testing.T) {
	t.Parallel()
	for _, kind := range storetest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			dsn := filepath.Join(dir, "authapi.db")
			if kind == storetest.Postgres {
				dsn = storetest.DSN(t, kind)
			}
			env := map[string]string{"DATABASE_URL": dsn, "REFRESH_REUSE_GRACE": "1m"}
			inst := start(t, dir, env)
			c := newClient(10 * time.Second)
			const clients = 12
			accounts := make([]*account, clients)
			for i := range accounts {
				accounts[i] = c.signup(t, inst.base, fmt.Sprintf("storm%d@example.com", i))
			}

			// Each client rotates as fast as it can until the process dies.
			var wg sync.WaitGroup
			inFlight := make([]bool, clients) // the last request got no answer
			rotations := make([]int, clients)
			for i, a := range accounts {
				wg.Go(func() {
					for {
						r, err := c.refresh(inst.base, a)
						if err != nil {
							inFlight[i] = true
							return
						}
						if r.status != http.StatusOK {
							t.Errorf("client %d: refresh = %d %s before the kill", i, r.status, r.body)
							return
						}
						rotations[i]++
					}
				})
			}
			time.Sleep(1500 * time.Millisecond)
			inst.kill()
			wg.Wait()
			total := 0
			for _, n := range rotations {
				total += n
			}
			t.Logf("%d rotations before SIGKILL", total)

			inst = start(t, dir, env)
			for i, a := range accounts {
				r, err := c.refresh(inst.base, a)
				if err != nil || r.status != http.StatusOK {
					t.Errorf("client %d (in flight %v): refresh after restart = %d %s %v", i, inFlight[i], r.status, r.body, err)
					continue
				}
				// And the chain goes on: the new token rotates normally.
				if r, err := c.refresh(inst.base, a); err != nil || r.status != http.StatusOK {
					t.Errorf("client %d: second refresh after restart = %d %s %v", i, r.status, r.body, err)
				}
			}
			m := c.must(t, http.StatusOK, "GET", inst.base+"/metrics", "", "")
			t.Logf("after restart: %d clients had a request in flight; %s", count(inFlight),
				metricLine(string(m.body), `authapi_refreshes_total{outcome="grace"}`))
			checkRows(t, kind, dsn, clients)
		})
	}
}

// checkRows checks the tables directly: exactly n users and n sessions, each
// session live and consistently rotated.
func checkRows(t *testing.T, kind, dsn string, n int) {
	t.Helper()
	driver := "pgx"
	if kind == storetest.SQLite {
		driver = "sqlite"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	var users, distinct, sessions, bad int
	q := func(query string, dst *int) {
		t.Helper()
		if err := db.QueryRowContext(ctx, query).Scan(dst); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
	}
	q(`SELECT count(*) FROM users`, &users)
	q(`SELECT count(DISTINCT email) FROM users`, &distinct)
	q(`SELECT count(*) FROM sessions`, &sessions)
	// Half-rotated: a previous token without a rotation time or the other way
	// round, the same id twice, or a revoked session nobody logged out.
	q(`SELECT count(*) FROM sessions WHERE refresh_jti IS NULL OR refresh_jti = previous_jti
		OR (previous_jti IS NULL) <> (rotated_at IS NULL) OR revoked_at IS NOT NULL`, &bad)
	if users != n || distinct != n || sessions != n || bad != 0 {
		t.Errorf("rows: %d users (%d distinct), %d sessions, %d inconsistent; want %d, %d, %d, 0", users, distinct, sessions, bad, n, n, n)
	}
}

func count(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// metricLine returns the line of a Prometheus exposition that starts with series.
func metricLine(exposition, series string) string {
	for line := range strings.Lines(exposition) {
		if strings.HasPrefix(line, series+" ") {
			return strings.TrimSpace(line)
		}
	}
	return series + " (absent)"
}

package metrics

import (
	"database/sql"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/authapi/authapi/internal/auth"
	"github.com/authapi/authapi/internal/password"
	"github.com/authapi/authapi/internal/token"
)

type fakePool struct{ s password.PoolStats }

func (f fakePool) Stats() password.PoolStats { return f.s }

type fakeStats struct{ s sql.DBStats }

func (f fakeStats) PoolStats() map[string]sql.DBStats {
	return map[string]sql.DBStats{"read": f.s, "write": {MaxOpenConnections: 1, WaitCount: 7}}
}

type fakeCache struct{ s token.CacheStats }

func (f fakeCache) CacheStats() token.CacheStats { return f.s }

// scrape returns the text exposition of m.
func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("scrape status %d", rec.Code)
	}
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

func TestMetricsExposition(t *testing.T) {
	t.Parallel()
	m := New("v1.2.3")
	m.WatchDB(fakeStats{sql.DBStats{MaxOpenConnections: 8, InUse: 3, Idle: 2, WaitCount: 5, WaitDuration: 1500 * time.Millisecond}})
	m.WatchHashPool(fakePool{password.PoolStats{Workers: 1, Capacity: 33, Running: 1, Waiting: 7, Reserved: 5, Done: 10, Rejected: 2, Unavailable: 3, WorkerRestarts: 4, TotalWait: 2 * time.Second}})
	m.WatchTokenCache(fakeCache{token.CacheStats{Hits: 90, Misses: 10}})
	ctx := t.Context()
	m.ObserveRequest("POST /api/auth/login", 200, 40*time.Millisecond)
	m.ObserveRequest("unmatched", 404, time.Millisecond)
	m.Record(ctx, auth.Event{Name: auth.EventLogin, Outcome: auth.OutcomeBadCredentials})
	m.Record(ctx, auth.Event{Name: auth.EventRefresh, Outcome: auth.Rotated.String()})
	m.Record(ctx, auth.Event{Name: auth.EventRefresh, Outcome: auth.Reused.String()})
	m.Record(ctx, auth.Event{Name: auth.EventLogout, Outcome: auth.OutcomeRevoked})
	m.Record(ctx, auth.Event{Name: "unknown", Outcome: "x"}) // ignored, never a panic
	m.Record(ctx, auth.Event{Name: auth.EventLogin, Outcome: auth.OutcomeLocked})
	m.Record(ctx, auth.Event{Name: auth.EventPasswordChange, Outcome: auth.OutcomeSuccess})
	m.RateLimited("auth")

	out := scrape(t, m)
	for _, want := range []string{
		`authapi_build_info{version="v1.2.3"} 1`,
		`authapi_http_requests_total{route="POST /api/auth/login",status="200"} 1`,
		`authapi_http_requests_total{route="unmatched",status="404"} 1`,
		`authapi_http_request_duration_seconds_count{route="POST /api/auth/login"} 1`,
		`authapi_logins_total{outcome="bad_credentials"} 1`,
		`authapi_logins_total{outcome="success"} 0`,
		`authapi_refreshes_total{outcome="rotated"} 1`,
		`authapi_refreshes_total{outcome="grace"} 0`,
		`authapi_refreshes_total{outcome="reuse_revoked"} 1`,
		`authapi_sessions_revoked_total{reason="logout"} 1`,
		`authapi_sessions_revoked_total{reason="reuse"} 1`,
		`authapi_sessions_revoked_total{reason="password_change"} 1`,
		`authapi_logins_total{outcome="locked"} 1`,
		`authapi_rate_limit_rejections_total{limit="auth"} 1`,
		`authapi_rate_limit_rejections_total{limit="lockout"} 1`,
		`authapi_rate_limit_rejections_total{limit="refresh"} 0`,
		`authapi_password_hash_queue_depth 7`,
		`authapi_token_cache_lookups_total{result="hit"} 90`,
		`authapi_token_cache_lookups_total{result="miss"} 10`,
		`authapi_password_hash_running 1`,
		`authapi_password_hash_reserved 5`,
		`authapi_password_hash_limit{kind="capacity"} 33`,
		`authapi_password_hash_total 10`,
		`authapi_password_hash_rejected_total 2`,
		`authapi_password_hash_unavailable_total 3`,
		`authapi_password_hash_worker_restarts_total 4`,
		`authapi_password_hash_wait_seconds_total 2`,
		`authapi_db_connections{pool="read",state="in_use"} 3`,
		`authapi_db_connections{pool="read",state="idle"} 2`,
		`authapi_db_connections_max{pool="read"} 8`,
		`authapi_db_connections_max{pool="write"} 1`,
		`authapi_db_wait_total{pool="read"} 5`,
		`authapi_db_wait_total{pool="write"} 7`,
		`authapi_db_wait_seconds_total{pool="read"} 1.5`,
		`go_goroutines `,
		`process_resident_memory_bytes `,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("exposition lacks %q", want)
		}
	}
}

// Two Metrics in one process do not collide: each has its own registry.
func TestMetricsIndependent(t *testing.T) {
	t.Parallel()
	a, b := New("a"), New("b")
	a.ObserveRequest("GET /healthz", 200, time.Millisecond)
	if strings.Contains(scrape(t, b), `route="GET /healthz"`) {
		t.Error("a request observed by one Metrics shows in another")
	}
}

package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/authapi/authapi/internal/auth"
	"github.com/authapi/authapi/internal/config"
	"github.com/authapi/authapi/internal/httpapi"
	"github.com/authapi/authapi/internal/metrics"
	"github.com/authapi/authapi/internal/store"
	"github.com/authapi/authapi/internal/token"
)

// readiness decides what /readyz answers: not while draining for shutdown,
// nor while the database is unreachable, its schema behind, or no signing key
// is loaded. The reasons it gives are fixed words: /readyz may be public.
type readiness struct {
	db       *store.DB
	tokens   *token.Manager
	draining atomic.Bool
	log      *slog.Logger
}

// check implements httpapi.Readiness.
func (r *readiness) check(ctx context.Context) error {
	if r.draining.Load() {
		return errors.New("draining")
	}
	if r.tokens == nil || r.tokens.SigningKey() == nil {
		return errors.New("no signing key loaded")
	}
	if err := r.db.Ping(ctx); err != nil {
		r.log.DebugContext(ctx, "readiness: database ping failed", "error", err)
		return errors.New("database unreachable")
	}
	if err := r.db.SchemaCurrent(ctx); err != nil {
		r.log.DebugContext(ctx, "readiness: schema check failed", "error", err)
		if errors.Is(err, auth.ErrUnavailable) {
			return errors.New("database unreachable")
		}
		return errors.New("database schema not up to date")
	}
	return nil
}

// newMetrics makes the metrics of this process, or nil when they are off.
func newMetrics(cfg config.Config, db *store.DB) *metrics.Metrics {
	if !cfg.MetricsEnabled {
		return nil
	}
	m := metrics.New(version)
	m.WatchDB(db)
	return m
}

// events is where the service's events go: security log lines, and metrics.
func events(log *slog.Logger, m *metrics.Metrics) auth.Events {
	if m == nil {
		return auth.LogEvents(log)
	}
	return auth.MultiEvents(auth.LogEvents(log), m)
}

// observer is m as an httpapi.Observer, nil when metrics are off (a
// nil *Metrics in the interface would not compare equal to nil).
func observer(m *metrics.Metrics) httpapi.Observer {
	if m == nil {
		return nil
	}
	return m
}

// serveMetrics serves /metrics on a listener of its own when METRICS_ADDR
// asks for one, and returns a function that stops it. It does nothing (and
// returns a no-op) when metrics are off or share the main listener.
func serveMetrics(cfg config.Config, m *metrics.Metrics, log *slog.Logger) (stop func(context.Context), err error) {
	if m == nil || cfg.MetricsAddr == "" {
		return func(context.Context) {}, nil
	}
	ln, err := net.Listen("tcp", cfg.MetricsAddr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second}
	log.Info("metrics listening", "addr", ln.Addr().String())
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server stopped", "error", err)
		}
	}()
	return func(ctx context.Context) { _ = srv.Shutdown(ctx) }, nil
}

// readHeaderTimeout is the part of HTTP_READ_TIMEOUT headers may take.
func readHeaderTimeout(read time.Duration) time.Duration {
	return min(5*time.Second, read)
}

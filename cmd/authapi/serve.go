package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/authapi/authapi/internal/auth"
	"github.com/authapi/authapi/internal/config"
	"github.com/authapi/authapi/internal/docsui"
	"github.com/authapi/authapi/internal/httpapi"
	"github.com/authapi/authapi/internal/metrics"
	"github.com/authapi/authapi/internal/password"
	"github.com/authapi/authapi/internal/store"
	"github.com/authapi/authapi/internal/token"
	"github.com/authapi/authapi/internal/webui"
)

// runServe starts the server and blocks until ctx is cancelled, then shuts down
// gracefully. onReady, when not nil, learns the address it listens on.
func runServe(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer, onReady func(addr string)) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "", "listen address HOST:PORT (default from ADDR, else :8000)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load(getenv, ".env")
	if err != nil {
		return err
	}
	if *addr != "" {
		cfg.Addr = *addr
	}
	log := newLogger(stderr, cfg.LogLevel, cfg.LogFormat)

	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetQueryTimeout(cfg.DatabaseTimeout)
	if cfg.AutoMigrate {
		if err := db.MigrateUp(ctx); err != nil {
			return fmt.Errorf("migrate database: %w", err)
		}
	}
	tokens, stopKeys, err := startKeys(ctx, cfg, db, log)
	if err != nil {
		return err
	}
	defer stopKeys()
	pool, stopHashing, err := startHashing(cfg, log)
	if err != nil {
		return err
	}
	defer stopHashing()
	m := newMetrics(cfg, db)
	ready := &readiness{db: db, tokens: tokens, log: log}
	handler, err := newHandler(cfg, db, tokens, pool, log, m, ready)
	if err != nil {
		return err
	}
	// Hashing in process, most of what the heap ever holds is argon2id's
	// 19 MiB per hash, which has no pointers: a collection costs little
	// however often it runs, while each GC-percent point of heap growth
	// allowed is resident memory. 50 instead of Go's 100 took the mixed
	// load's peak RSS from 93 to 75-77 MiB with no change in CPU per request
	// (docs/PERFORMANCE.md). With the hash worker the server's heap is a few
	// MiB of short-lived request garbage, and Go's 100 costs less: three
	// alternating rounds, SQLite/EdDSA, CPU per me request 79-87 -> 64-77 us,
	// per refresh 274-305 -> 239-282 us, for 2-3 MiB more. GOGC, when set,
	// is the operator's choice and kept.
	if _, set := os.LookupEnv("GOGC"); !set && !cfg.HashProcess {
		debug.SetGCPercent(inProcessGCPercent)
	}
	stopMetrics, err := serveMetrics(cfg, m, log)
	if err != nil {
		return fmt.Errorf("listen on METRICS_ADDR %s: %w", cfg.MetricsAddr, err)
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (set ADDR or --addr to a free HOST:PORT)", cfg.Addr, err)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: readHeaderTimeout(cfg.ReadTimeout),
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("authapi listening", "addr", ln.Addr().String(), "database", db.Dialect(), "alg", tokens.SigningKey().Alg(), "kid", tokens.SigningKey().ID(), "version", version)
	if onReady != nil {
		onReady(ln.Addr().String())
	}

	mctx, stopMaintenance := context.WithCancel(ctx)
	defer stopMaintenance()
	go maintain(mctx, db, log)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// Readiness fails first, so balancers stop sending traffic while the
	// listener still takes what they send meanwhile.
	ready.draining.Store(true)
	log.Info("draining", "delay", cfg.DrainDelay.String())
	select {
	case <-time.After(cfg.DrainDelay):
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("shutting down", "timeout", cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	defer stopMetrics(sctx)
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// inProcessGCPercent is the GC target serve sets when it hashes passwords in
// its own process, unless GOGC is set.
const inProcessGCPercent = 50

// startProcs is GOMAXPROCS as the runtime chose it (cores, or the CPU limit
// of the container), before startHashing adds one per hash.
var startProcs = runtime.GOMAXPROCS(0)

// startHashing returns the pool that bounds password hashing, computing in a
// hash worker process (HASH_PROCESS) or in this one, and the function that
// stops the worker.
func startHashing(cfg config.Config, log *slog.Logger) (*password.Pool, func(), error) {
	hasher, err := password.NewHasher(password.DefaultParams)
	if err != nil {
		return nil, nil, err
	}
	stop := func() {}
	if cfg.HashProcess {
		w, err := password.StartWorker(cfg.HashConcurrency, log)
		if err != nil {
			return nil, nil, fmt.Errorf("%w (set HASH_PROCESS=false to hash in the server's own process)", err)
		}
		log.Debug("hash worker started", "pid", w.PID(), "hashes_at_once", cfg.HashConcurrency)
		hasher, stop = hasher.OnWorker(w), func() { _ = w.Close() }
	} else if _, set := os.LookupEnv("GOMAXPROCS"); !set {
		// In process, a running hash holds a Go P for its tens of
		// milliseconds. One more P per hash leaves a P per core for the
		// requests that need no hash, so they never wait behind a hash in
		// Go's run queue (whose preemption comes every 10 ms); the kernel
		// shares the cores between the threads instead, at a finer grain.
		// This fixes the number: the runtime no longer follows a change of
		// the container's CPU limit while running. GOMAXPROCS, when set, is
		// the operator's choice and kept.
		runtime.GOMAXPROCS(startProcs + cfg.HashConcurrency)
	}
	return password.NewPool(hasher, cfg.HashConcurrency, cfg.HashQueue), stop, nil
}

// newHandler wires the service and the HTTP layer.
func newHandler(cfg config.Config, db *store.DB, tokens *token.Manager, pool *password.Pool, log *slog.Logger, m *metrics.Metrics, ready *readiness) (http.Handler, error) {
	if m != nil {
		m.WatchHashPool(pool)
		m.WatchTokenCache(tokens)
	}
	svc := auth.NewService(auth.Deps{Store: db, Hasher: pool, Tokens: tokens, Now: time.Now, Log: log, Events: events(log, m)}, auth.Config{
		AccessTTL: cfg.AccessTTL, RefreshTTL: cfg.RefreshTTL, ReuseGrace: cfg.RefreshReuseGrace,
		SessionMaxLifetime: cfg.SessionMaxLifetime, SessionIdleTimeout: cfg.SessionIdleTimeout,
		EmailVerification: cfg.EmailVerification,
		Lockout: auth.LockoutPolicy{
			Threshold: cfg.LockoutThreshold, Base: cfg.LockoutBase, Max: cfg.LockoutMax, Window: time.Hour,
		},
	})
	var accountPage http.Handler
	if cfg.AccountPage {
		accountPage = webui.Handler()
	}
	var metricsHandler http.Handler
	if m != nil && cfg.MetricsAddr == "" {
		metricsHandler = m.Handler()
	}
	return httpapi.NewServer(httpapi.Options{
		Service: svc, Logger: log, ClientOrigins: cfg.ClientOrigins, MaxBodyBytes: cfg.MaxBodyBytes,
		Version: version, Docs: docsui.Handler("/openapi.json"), AccountPage: accountPage,
		Ready: ready.check, Metrics: metricsHandler, Observer: observer(m),
		RateLimits:     httpapi.RateLimits{Auth: cfg.RateLimitAuth, Refresh: cfg.RateLimitRefresh},
		TrustedProxies: cfg.TrustedProxies,
		ProxyHeader:    cfg.ProxyHeader,
		Cookies: httpapi.CookieConfig{
			Secure: cfg.CookieSecure, Domain: cfg.CookieDomain, SameSite: sameSite(cfg.CookieSameSite),
			AccessTTL: cfg.AccessTTL, RefreshTTL: cfg.RefreshTTL, Prefixed: cfg.CookiePrefix,
		},
	})
}

func sameSite(s string) http.SameSite {
	switch strings.ToLower(s) {
	case "strict":
		return http.SameSiteStrictMode
	case "none":
		return http.SameSiteNoneMode
	}
	return http.SameSiteLaxMode
}

// newLogger builds the process logger; config validated level and format.
func newLogger(w io.Writer, level, format string) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: lvl}
	// Every line logged with a request's context carries its request_id.
	if format == "json" {
		return slog.New(httpapi.LogHandler(slog.NewJSONHandler(w, opts)))
	}
	return slog.New(httpapi.LogHandler(slog.NewTextHandler(w, opts)))
}

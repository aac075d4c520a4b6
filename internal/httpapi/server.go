// Package httpapi is authapi's HTTP layer: the routes, request decoding, cookies,
// CORS and CSRF protection, and the mapping of domain errors to status codes.
package httpapi

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/authapi/authapi/internal/auth"
	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/rs/cors"
)

// Options configures NewServer.
type Options struct {
	Service *auth.Service
	Logger  *slog.Logger
	Cookies CookieConfig
	// ClientOrigins are the browser origins allowed to call the API with
	// credentials (CORS) and trusted by the CSRF check.
	ClientOrigins []string
	// MaxBodyBytes caps every request body; larger ones get 413.
	MaxBodyBytes int64
	// RateLimits caps requests per client address.
	RateLimits RateLimits
	// TrustedProxies may set the client's address in ProxyHeader; nobody
	// else's are read.
	TrustedProxies []netip.Prefix
	// ProxyHeader is "forwarded" (RFC 7239) or, when empty or anything else,
	// X-Forwarded-For: the one header the trusted proxies write. The other is
	// ignored, since a proxy that writes one passes the other through from
	// the client.
	ProxyHeader string
	// Version is shown in the OpenAPI document.
	Version string
	// Docs serves the interactive documentation page at /docs (nil: none).
	Docs http.Handler
	// AccountPage serves the account page at / and its assets under /ui/
	// (nil: none).
	AccountPage http.Handler
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Ready backs GET /readyz (nil: always ready). GET /healthz is always served.
	Ready Readiness
	// Metrics, when not nil, is served at GET /metrics on this handler.
	Metrics http.Handler
	// Observer learns the route, status and duration of every request (nil: none).
	Observer Observer
}

// RateLimits are requests per minute per client address (0: no limit).
type RateLimits struct {
	Auth    int // login, register, password change
	Refresh int // refresh
}

// server holds what the handlers share.
type server struct {
	svc          *auth.Service
	log          *slog.Logger
	cookies      CookieConfig
	csrf         *http.CrossOriginProtection
	authLimit    *ipLimiter
	refreshLimit *ipLimiter
	obs          Observer
}

// NewServer returns the complete HTTP handler of authapi.
func NewServer(o Options) (http.Handler, error) {
	installErrorShape()
	csrf := http.NewCrossOriginProtection()
	for _, origin := range o.ClientOrigins {
		if err := csrf.AddTrustedOrigin(origin); err != nil {
			return nil, fmt.Errorf("client origin %q: %w", origin, err)
		}
	}
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSONError(w, http.StatusForbidden, "Cross-origin request refused")
	}))
	now := o.Now
	if now == nil {
		now = time.Now
	}
	s := &server{
		svc: o.Service, log: o.Logger, cookies: o.Cookies, csrf: csrf,
		authLimit:    newIPLimiter(o.RateLimits.Auth, now),
		refreshLimit: newIPLimiter(o.RateLimits.Refresh, now),
		obs:          o.Observer,
	}

	mux := http.NewServeMux()
	cfg := huma.DefaultConfig("authapi", o.Version)
	cfg.Info.Description = "Register, log in, refresh and log out with RS256/ES256/EdDSA JWTs in HttpOnly cookies or a Bearer header."
	cfg.CreateHooks = nil // no $schema field or Link header: bodies are exactly the contract's
	cfg.DocsPath = ""     // our own docs page, with embedded assets
	cfg.SchemasPath = ""
	api := humago.New(mux, cfg)
	s.routes(api)
	if o.Docs != nil {
		mux.Handle("GET /docs", o.Docs)
		mux.Handle("GET /docs/", o.Docs)
	}
	// Operational endpoints: outside the OpenAPI document, which describes the
	// API clients use.
	mux.HandleFunc("GET /healthz", healthz)
	mux.Handle("GET /readyz", readyz(o.Ready, o.Logger))
	if o.Metrics != nil {
		mux.Handle("GET /metrics", o.Metrics)
	}
	if o.AccountPage != nil {
		mux.Handle("GET /{$}", o.AccountPage)
		mux.Handle("GET /ui/", o.AccountPage)
	}

	var h http.Handler = jsonFallback(mux)
	h = limitBody(h, o.MaxBodyBytes)
	h = o.Cookies.normalizeNames(h)
	h = withClientIP(h, o.TrustedProxies, o.ProxyHeader)
	h = csrf.Handler(h)
	h = withCORS(h, o.ClientOrigins)
	h = securityHeaders(h)
	h = recoverPanics(h, o.Logger)
	h = observe(h, o.Logger, o.Observer)
	return h, nil
}

// withCORS lets the configured browser origins call the API with credentials.
// A preflight from any other origin gets 400, as the reference answers it.
func withCORS(next http.Handler, origins []string) http.Handler {
	c := cors.New(cors.Options{
		AllowedOrigins:   origins,
		AllowCredentials: true,
		AllowedMethods:   []string{"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"},
		AllowedHeaders:   []string{"*"},
		// Browsers hide other response headers from the page's script; a
		// client honouring Retry-After (429, 503) must be able to read it.
		ExposedHeaders:       []string{"Retry-After", RequestIDHeader},
		MaxAge:               600,
		OptionsSuccessStatus: http.StatusOK,
	})
	h := c.Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
		if preflight && r.Header.Get("Origin") != "" && !c.OriginAllowed(r) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte("Disallowed CORS origin"))
			return
		}
		h.ServeHTTP(w, r)
	})
}

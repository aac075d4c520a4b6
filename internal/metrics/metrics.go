// Package metrics exposes authapi's Prometheus metrics: HTTP requests by route
// and status, latency, the service's security events, rate-limit rejections,
// the password-hash queue and the database pool. Everything lives in a
// registry of its own, made by New, never the process-global one.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/authapi/authapi/internal/auth"
)

// namespace prefixes every metric name.
const namespace = "authapi"

// Metrics holds the collectors. Its methods are safe for concurrent use and
// cheap enough for the request path.
type Metrics struct {
	reg             *prometheus.Registry
	requests        *prometheus.CounterVec
	duration        *prometheus.HistogramVec
	events          map[string]*prometheus.CounterVec // by auth event name
	sessionsRevoked *prometheus.CounterVec
	rateLimited     *prometheus.CounterVec
}

// New returns metrics in a fresh registry, with Go runtime and process
// metrics and authapi_build_info{version}.
func New(version string) *Metrics {
	reg := prometheus.NewRegistry()
	f := factory{reg}
	m := &Metrics{
		reg: reg,
		requests: f.counterVec("http_requests_total",
			"HTTP requests served, by route (ServeMux pattern, or unmatched) and status code.", "route", "status"),
		duration: f.histogramVec("http_request_duration_seconds",
			"Time to serve an HTTP request, by route.", prometheus.DefBuckets, "route"),
		events: map[string]*prometheus.CounterVec{
			auth.EventLogin:    f.counterVec("logins_total", "Login attempts, by outcome.", "outcome"),
			auth.EventRefresh:  f.counterVec("refreshes_total", "Refresh attempts, by outcome (rotated, grace, reuse_revoked, invalid).", "outcome"),
			auth.EventRegister: f.counterVec("registrations_total", "Registration attempts, by outcome.", "outcome"),
			auth.EventLogout:   f.counterVec("logouts_total", "Logouts, by outcome.", "outcome"),
		},
		sessionsRevoked: f.counterVec("sessions_revoked_total",
			"Sessions ended before they expired, by reason (logout, reuse).", "reason"),
		rateLimited: f.counterVec("rate_limit_rejections_total",
			"Requests refused by a per-address rate limit (auth, refresh) or an account lockout (lockout).", "limit"),
	}
	// Series that exist from the start, so rate() and alerts see zeros
	// rather than nothing before the first event.
	for _, o := range []string{auth.OutcomeSuccess, auth.OutcomeBadCredentials, auth.OutcomeNotVerified, auth.OutcomeLocked} {
		m.events[auth.EventLogin].WithLabelValues(o)
	}
	for _, o := range []string{auth.Rotated.String(), auth.Grace.String(), auth.Reused.String(), auth.OutcomeInvalid} {
		m.events[auth.EventRefresh].WithLabelValues(o)
	}
	for _, r := range []string{"logout", "reuse", "password_change"} {
		m.sessionsRevoked.WithLabelValues(r)
	}
	for _, l := range []string{"auth", "refresh", "lockout"} {
		m.rateLimited.WithLabelValues(l)
	}
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: namespace, Name: "build_info", Help: "Always 1; the version label says which build runs.",
			ConstLabels: prometheus.Labels{"version": version},
		}, func() float64 { return 1 }),
	)
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Registry is where more collectors go (see WatchDB and WatchHashPool).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// ObserveRequest counts a finished request and its duration; it implements
// httpapi.Observer.
func (m *Metrics) ObserveRequest(route string, status int, elapsed time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route).Observe(elapsed.Seconds())
}

// Record counts a service event; it implements auth.Events.
func (m *Metrics) Record(_ context.Context, e auth.Event) {
	if c, ok := m.events[e.Name]; ok {
		c.WithLabelValues(e.Outcome).Inc()
	}
	// Revocations are counted per request that caused them (a logout with
	// scope=all is one), by why they happened.
	switch {
	case e.Name == auth.EventLogout && e.Outcome == auth.OutcomeRevoked:
		m.sessionsRevoked.WithLabelValues("logout").Inc()
	case e.Name == auth.EventRefresh && e.Outcome == auth.Reused.String():
		m.sessionsRevoked.WithLabelValues("reuse").Inc()
	case e.Name == auth.EventPasswordChange && e.Outcome == auth.OutcomeSuccess:
		m.sessionsRevoked.WithLabelValues("password_change").Inc()
	case e.Name == auth.EventLogin && e.Outcome == auth.OutcomeLocked:
		m.rateLimited.WithLabelValues("lockout").Inc()
	}
}

// RateLimited counts one request refused by the named per-address limit; it
// implements httpapi.Observer.
func (m *Metrics) RateLimited(limit string) {
	m.rateLimited.WithLabelValues(limit).Inc()
}

// factory registers collectors under the namespace as it makes them.
type factory struct{ reg *prometheus.Registry }

func (f factory) counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: name, Help: help}, labels)
	f.reg.MustRegister(c)
	return c
}

func (f factory) histogramVec(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Name: name, Help: help, Buckets: buckets}, labels)
	f.reg.MustRegister(h)
	return h
}

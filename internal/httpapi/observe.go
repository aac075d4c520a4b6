package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// RequestIDHeader carries a request's id, in and out.
const RequestIDHeader = "X-Request-ID"

// maxRequestIDLen caps an incoming request id; longer ones are replaced.
const maxRequestIDLen = 64

// unmatchedRoute labels requests no route took (404, 405, redirects), so that
// random paths cannot create a metric series each.
const unmatchedRoute = "unmatched"

// Observer learns what the HTTP layer does: metrics implement it. Its methods
// run on the request path and must not block.
type Observer interface {
	// ObserveRequest is told of every finished request. route is the
	// ServeMux pattern that served it ("POST /api/auth/login") or "unmatched".
	ObserveRequest(route string, status int, elapsed time.Duration)
	// RateLimited is told of each request a per-address limit refused
	// ("auth" or "refresh").
	RateLimited(limit string)
}

// requestInfo travels in a request's context: its id for every log line, and
// the route, filled in by the router once it has matched one.
type requestInfo struct {
	id    string
	route string
}

type requestInfoKey struct{}

// RequestID returns the id of the request ctx belongs to, or "".
func RequestID(ctx context.Context) string {
	if info, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
		return info.id
	}
	return ""
}

// setRoute records the matched route for the access log and metrics.
func setRoute(ctx context.Context, pattern string) {
	if info, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
		info.route = pattern
	}
}

// observe gives each request an id (the client's X-Request-ID if it is short
// and safe, else a new one), echoes it in the response, puts it in the context
// for every log line of the request, and when the request is done writes one
// access-log line and tells the observer.
func observe(next http.Handler, log *slog.Logger, obs Observer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{id: r.Header.Get(RequestIDHeader)}
		if !validRequestID(info.id) {
			info.id = newRequestID()
		}
		w.Header().Set(RequestIDHeader, info.id)
		ctx := context.WithValue(r.Context(), requestInfoKey{}, info)
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			elapsed := time.Since(start)
			status := sw.status
			if status == 0 {
				status = http.StatusOK // nothing written: net/http sends 200
			}
			route := info.route
			if route == "" {
				route = unmatchedRoute
			}
			if obs != nil {
				obs.ObserveRequest(route, status, elapsed)
			}
			// The path, never the query: a misbehaving client may put a token there.
			log.LogAttrs(ctx, slog.LevelInfo, "request",
				slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("route", route),
				slog.Int("status", status), slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
				slog.Int64("bytes", sw.bytes), slog.String("remote", peerHost(r.RemoteAddr)))
		}()
		next.ServeHTTP(sw, r.WithContext(ctx))
	})
}

// peerHost is the address of the connection's peer, without the port. (The
// client address behind trusted proxies is worked out further in.)
func peerHost(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return remoteAddr
	}
	return host
}

// validRequestID accepts ids of 1 to 64 letters, digits and -_.: only, so a
// client cannot forge log lines or bloat them.
func validRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for i := range len(id) {
		c := id[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == ':'
		if !ok {
			return false
		}
	}
	return true
}

// newRequestID returns 24 random hex digits.
func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}

// statusWriter remembers the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush keeps streaming working through the wrapper.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// LogHandler wraps a slog.Handler so that every record logged with a request's
// context carries its request_id. Build the process logger with it.
func LogHandler(h slog.Handler) slog.Handler { return requestIDHandler{h} }

type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}

package httpapi

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"path"
	"strings"
)

// apiCSP forbids everything: API responses are data, never a document to render.
// The docs page sets its own.
const apiCSP = "default-src 'none'; frame-ancestors 'none'"

// securityHeaders adds headers every response carries.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", apiCSP)
		h.Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}

// recoverPanics turns a panic into a logged 500 that tells the client nothing.
func recoverPanics(next http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			log.ErrorContext(r.Context(), "panic serving request", "method", r.Method, "path", r.URL.Path, "panic", v)
			writeJSONError(w, http.StatusInternalServerError, "Internal Server Error")
		}()
		next.ServeHTTP(w, r)
	})
}

// limitBody caps request bodies; reading past the cap fails and the handler answers 413.
func limitBody(next http.Handler, limit int64) http.Handler {
	if limit <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			writeJSONError(w, http.StatusRequestEntityTooLarge, "Request body too large")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

// jsonFallback gives the router's own answers the contract's shape: unknown
// route 404 {"detail":"Not Found"}, wrong method 405 {"detail":"Method Not
// Allowed"} with Allow, and a trailing slash redirected (307) to the route
// without it. HEAD is not served implicitly for GET routes (405), as the
// reference does.
func jsonFallback(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		route := r
		if r.Method == http.MethodHead {
			// ServeMux answers HEAD with the GET route; a method nobody registers
			// makes it report 405 and the Allow list instead.
			route = r.Clone(r.Context())
			route.Method = "HEAD_"
		}
		h, pattern := mux.Handler(route)
		if pattern != "" {
			setRoute(r.Context(), pattern)
			mux.ServeHTTP(w, r) // not h: ServeHTTP also sets the path values
			return
		}
		// Only a clean path that starts with one slash is redirected: the
		// Location of "//evil.example/x/" would be protocol-relative, a link to
		// another site.
		if p := strings.TrimSuffix(r.URL.Path, "/"); p != r.URL.Path && localPath(p) {
			probe := route.Clone(r.Context())
			probe.URL.Path = p
			if _, found := mux.Handler(probe); found != "" {
				target := *r.URL
				target.Path = p
				http.Redirect(w, r, target.String(), http.StatusTemporaryRedirect)
				return
			}
		}
		h.ServeHTTP(&fallbackWriter{ResponseWriter: w}, route)
	})
}

// localPath reports whether p is a clean absolute path on this host: it
// starts with exactly one slash and has no empty, "." or ".." segments.
func localPath(p string) bool {
	return strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//") && path.Clean(p) == p
}

// fallbackWriter rewrites ServeMux's plain-text 404 and 405 into JSON.
type fallbackWriter struct {
	http.ResponseWriter
	rewritten bool
}

func (f *fallbackWriter) WriteHeader(code int) {
	switch code {
	case http.StatusNotFound:
		f.rewritten = true
		writeJSONError(f.ResponseWriter, code, "Not Found")
	case http.StatusMethodNotAllowed:
		f.rewritten = true
		h := f.Header()
		h.Set("Allow", strings.Join(withoutHead(h.Values("Allow")), ", "))
		writeJSONError(f.ResponseWriter, code, "Method Not Allowed")
	default:
		f.ResponseWriter.WriteHeader(code)
	}
}

func (f *fallbackWriter) Write(b []byte) (int, error) {
	if f.rewritten {
		return len(b), nil // the router's text body is replaced by ours
	}
	return f.ResponseWriter.Write(b)
}

// withoutHead drops HEAD from an Allow list: GET routes do not answer HEAD here.
func withoutHead(allow []string) []string {
	var out []string
	for _, v := range allow {
		for m := range strings.SplitSeq(v, ",") {
			if m = strings.TrimSpace(m); m != "" && m != http.MethodHead {
				out = append(out, m)
			}
		}
	}
	return out
}

// writeJSONError writes {"detail": msg} outside huma (router and middleware answers).
func writeJSONError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"detail": msg})
}

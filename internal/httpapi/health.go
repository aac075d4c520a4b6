package httpapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/authapi/authapi/internal/auth"
)

// Readiness reports whether this instance should get traffic: nil when it is
// ready, else an error whose message says why in a few safe words (it is shown
// to whoever can reach /readyz).
type Readiness func(ctx context.Context) error

// readyTimeout bounds one readiness check, so a probe never outwaits the
// balancer that sent it.
const readyTimeout = time.Second

// healthz answers 200 while the process can serve HTTP at all.
func healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 when ready, else 503 with the reason, so that a load
// balancer sends traffic elsewhere: database down, schema behind, no key, or
// draining before shutdown.
func readyz(ready Readiness, log *slog.Logger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", noStore)
		if ready == nil {
			writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		if err := ready(ctx); err != nil {
			log.DebugContext(ctx, "not ready", "reason", err.Error())
			w.Header().Set("Retry-After", retrySeconds(auth.ErrUnavailable.RetryAfter))
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	}
}

// writeJSON writes v as the whole response, outside huma.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

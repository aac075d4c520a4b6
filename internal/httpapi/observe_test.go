package httpapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authapi/authapi/internal/auth"
)

// observed records what observe reports.
type observed struct {
	mu     sync.Mutex
	routes []string
	status []int
}

func (o *observed) ObserveRequest(route string, status int, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.routes = append(o.routes, route)
	o.status = append(o.status, status)
}

func (o *observed) RateLimited(string) {}

func TestObserveRequestID(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	log := slog.New(LogHandler(slog.NewJSONHandler(&logs, nil)))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /x/{id}", func(w http.ResponseWriter, r *http.Request) {
		log.InfoContext(r.Context(), "inside handler")
		w.WriteHeader(http.StatusTeapot)
	})
	obs := &observed{}
	h := observe(jsonFallback(mux), log, obs)

	tests := []struct {
		name, in  string
		keep      bool
		path      string
		wantRoute string
		wantCode  int
	}{
		{"client id kept", "req-42.a_b:c", true, "/x/1", "GET /x/{id}", 418},
		{"no id", "", false, "/x/2", "GET /x/{id}", 418},
		{"unsafe id replaced", "a b\nlevel=ERROR", false, "/x/3", "GET /x/{id}", 418},
		{"long id replaced", strings.Repeat("a", 65), false, "/nope", unmatchedRoute, 404},
	}
	for _, tt := range tests {
		logs.Reset()
		r := httptest.NewRequest("GET", tt.path+"?token=secret-in-query", nil)
		if tt.in != "" {
			r.Header.Set(RequestIDHeader, tt.in)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		id := rec.Header().Get(RequestIDHeader)
		if tt.keep && id != tt.in || !tt.keep && (id == tt.in || !validRequestID(id)) {
			t.Errorf("%s: response id %q for request id %q", tt.name, id, tt.in)
		}
		// Every line of the request, the handler's and the access line, has the id.
		lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
		for _, line := range lines {
			if !strings.Contains(line, `"request_id":"`+id+`"`) {
				t.Errorf("%s: log line without request_id %s: %s", tt.name, id, line)
			}
		}
		last := lines[len(lines)-1]
		if !strings.Contains(last, `"msg":"request"`) || !strings.Contains(last, fmt.Sprintf(`"status":%d`, tt.wantCode)) {
			t.Errorf("%s: access line %s", tt.name, last)
		}
		if strings.Contains(logs.String(), "secret-in-query") {
			t.Errorf("%s: query string logged", tt.name)
		}
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	for i, tt := range tests {
		if obs.routes[i] != tt.wantRoute || obs.status[i] != tt.wantCode {
			t.Errorf("%s: observed %s %d, want %s %d", tt.name, obs.routes[i], obs.status[i], tt.wantRoute, tt.wantCode)
		}
	}
}

// A store failure marked unavailable is a 503 with Retry-After and the
// contract's error shape; the cause is logged, not shown.
func TestFailUnavailable(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	cause := fmt.Errorf("login: user by email: %w", fmt.Errorf("%w: %w", auth.ErrUnavailable, io.ErrUnexpectedEOF))
	err := fail(t.Context(), log, cause)
	var ae *apiError
	if !errors.As(err, &ae) {
		t.Fatalf("fail returned %T", err)
	}
	if ae.GetStatus() != 503 || ae.GetHeaders().Get("Retry-After") == "" || ae.Detail != "Service temporarily unavailable" {
		t.Fatalf("got %d %v %v", ae.GetStatus(), ae.GetHeaders(), ae.Detail)
	}
	if !strings.Contains(logs.String(), "unexpected EOF") || !strings.Contains(logs.String(), "level=WARN") {
		t.Errorf("cause not logged at warn: %s", logs.String())
	}
}

func TestReadyz(t *testing.T) {
	t.Parallel()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, tt := range []struct {
		ready Readiness
		code  int
	}{
		{nil, 200},
		{func(context.Context) error { return nil }, 200},
		{func(context.Context) error { return errors.New("draining") }, 503},
	} {
		rec := httptest.NewRecorder()
		readyz(tt.ready, log).ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
		if rec.Code != tt.code {
			t.Errorf("readyz = %d %s, want %d", rec.Code, rec.Body, tt.code)
		}
		if tt.code == 503 && (rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), "draining")) {
			t.Errorf("503 without Retry-After or reason: %v %s", rec.Header(), rec.Body)
		}
	}
}

package httpapi_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/authapi/authapi/internal/httpapi"
	"github.com/authapi/authapi/internal/webui"
)

// The account page is mounted at exactly / and under /ui/, with its own CSP in
// place of the API's; without it, / is an unknown route.
func TestAccountPageRoutes(t *testing.T) {
	t.Parallel()
	newServer := func(page http.Handler) http.Handler {
		h, err := httpapi.NewServer(httpapi.Options{
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), ClientOrigins: []string{testOrigin},
			MaxBodyBytes: 1 << 20, Version: "test", AccountPage: page,
		})
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	do := func(h http.Handler, method, target string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), method, target, nil))
		return rec
	}

	on := newServer(webui.Handler())
	rec := do(on, "GET", "/")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Security-Policy") != webui.ContentSecurityPolicy {
		t.Errorf("GET / = %d with CSP %q, want 200 with the page's CSP", rec.Code, rec.Header().Get("Content-Security-Policy"))
	}
	if rec := do(on, "GET", "/ui/app.js"); rec.Code != http.StatusOK {
		t.Errorf("GET /ui/app.js = %d, want 200", rec.Code)
	}
	if rec := do(on, "GET", "/api/healthchecker"); rec.Code != http.StatusOK || rec.Header().Get("Content-Security-Policy") == webui.ContentSecurityPolicy {
		t.Errorf("GET /api/healthchecker = %d with CSP %q, want 200 with the API's CSP", rec.Code, rec.Header().Get("Content-Security-Policy"))
	}
	for _, target := range []string{"/other", "/ui/missing.js"} {
		if rec := do(on, "GET", target); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", target, rec.Code)
		}
	}
	if rec := do(on, "POST", "/"); rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST / = %d, want 405", rec.Code)
	}

	off := newServer(nil)
	for _, target := range []string{"/", "/ui/app.js"} {
		rec := do(off, "GET", target)
		if rec.Code != http.StatusNotFound || rec.Body.String() != `{"detail":"Not Found"}`+"\n" {
			t.Errorf("page off: GET %s = %d %q, want 404 Not Found", target, rec.Code, rec.Body)
		}
	}
}

package webui

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func get(t *testing.T, h http.Handler, method, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), method, target, nil))
	return rec
}

func TestPage(t *testing.T) {
	t.Parallel()
	h := Handler()
	rec := get(t, h, http.MethodGet, "/")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET / status = %d, want 200", rec.Code)
	}
	hdr := rec.Header()
	for name, want := range map[string]string{
		"Content-Type":            "text/html; charset=utf-8",
		"Content-Security-Policy": ContentSecurityPolicy,
		"Cache-Control":           cacheRevalid,
		"X-Content-Type-Options":  "nosniff",
	} {
		if got := hdr.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	body := rec.Body.String()
	for _, want := range []string{`src="/ui/app.js?v=`, `href="/ui/app.css?v=`, `aria-live="polite"`, `<label for="login-email">`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if rec := get(t, h, http.MethodHead, "/"); rec.Code != http.StatusOK {
		t.Errorf("HEAD / status = %d, want 200", rec.Code)
	}
}

// The page must work under its own CSP, which allows no inline code: every
// script has a src, there is no style element or attribute, no inline handler.
func TestPageHasNoInlineCode(t *testing.T) {
	t.Parallel()
	body := get(t, Handler(), http.MethodGet, "/").Body.String()
	inline := []*regexp.Regexp{
		regexp.MustCompile(`<script(\s[^>]*)?>\s*[^<\s]`), // a script with a body
		regexp.MustCompile(`<script>`),
		regexp.MustCompile(`<style`),
		regexp.MustCompile(`\sstyle=`),
		regexp.MustCompile(`\son[a-z]+=`),
		regexp.MustCompile(`javascript:`),
		regexp.MustCompile(`(?i)https?://`), // nothing from another site
	}
	for _, re := range inline {
		if m := re.FindString(body); m != "" {
			t.Errorf("page contains %q, which the CSP would block or which leaves the site", m)
		}
	}
}

// app.js builds the page with textContent only, so nothing the API returns
// (a name, a user agent) can become markup.
func TestScriptNeverWritesHTML(t *testing.T) {
	t.Parallel()
	js, err := files.ReadFile("app.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, sink := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"} {
		if strings.Contains(string(js), sink) {
			t.Errorf("app.js uses %s", sink)
		}
	}
	if !strings.Contains(string(js), `credentials: "include"`) {
		t.Error(`app.js does not call fetch with credentials: "include"`)
	}
}

func TestAssets(t *testing.T) {
	t.Parallel()
	h := Handler().(*handler)
	for name, ct := range map[string]string{"app.js": "text/javascript; charset=utf-8", "app.css": "text/css; charset=utf-8"} {
		a := h.assets[name]
		rec := get(t, h, http.MethodGet, "/ui/"+name+"?v="+a.version)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s status = %d, want 200", name, rec.Code)
		}
		if got := rec.Header().Get("Content-Type"); got != ct {
			t.Errorf("%s Content-Type = %q, want %q", name, got, ct)
		}
		if got := rec.Header().Get("Cache-Control"); got != cacheVersioned {
			t.Errorf("%s with its version: Cache-Control = %q, want %q", name, got, cacheVersioned)
		}
		if rec.Body.Len() != len(a.data) {
			t.Errorf("%s body is %d bytes, want %d", name, rec.Body.Len(), len(a.data))
		}
		if got := get(t, h, http.MethodGet, "/ui/"+name+"?v=old").Header().Get("Cache-Control"); got != cacheRevalid {
			t.Errorf("%s with another version: Cache-Control = %q, want %q", name, got, cacheRevalid)
		}
	}
}

func TestNotFoundAndMethods(t *testing.T) {
	t.Parallel()
	h := Handler()
	for _, target := range []string{"/ui/", "/ui/index.html", "/ui/../app.js", "/ui/sub/app.js", "/app.js", "/index.html"} {
		rec := get(t, h, http.MethodGet, target)
		if rec.Code != http.StatusNotFound || rec.Body.String() != `{"detail":"Not Found"}`+"\n" {
			t.Errorf("GET %s = %d %q, want 404 {\"detail\":\"Not Found\"}", target, rec.Code, rec.Body)
		}
	}
	rec := get(t, h, http.MethodPost, "/")
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST / = %d Allow %q, want 405 Allow GET, HEAD", rec.Code, rec.Header().Get("Allow"))
	}
}

package docsui

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
)

// newServer mounts the handler as the server does.
func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	h := Handler("/openapi.json")
	mux.Handle("GET /docs", h)
	mux.Handle("GET /docs/", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func get(t *testing.T, rawURL string, header map[string]string) response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	// A bare transport: the default one would ask for gzip and unpack it silently.
	res, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{res.StatusCode, res.Header, body}
}

var (
	attrURL     = regexp.MustCompile(`(?:src|href)="([^"]*)"`)
	scriptTag   = regexp.MustCompile(`<script[^>]*>([^<]*)</script>`)
	wantContent = map[string]string{
		"swagger-ui-bundle.js": "text/javascript; charset=utf-8",
		"swagger-ui.css":       "text/css; charset=utf-8",
		"docs.js":              "text/javascript; charset=utf-8",
		"docs.css":             "text/css; charset=utf-8",
	}
)

func TestPage(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	for _, pagePath := range []string{"/docs", "/docs/"} {
		t.Run(pagePath, func(t *testing.T) {
			t.Parallel()
			res := get(t, srv.URL+pagePath, nil)
			page := string(res.body)
			if res.status != http.StatusOK {
				t.Fatalf("GET %s: status %d, want 200", pagePath, res.status)
			}
			checkHeader(t, res.header, "Content-Type", "text/html; charset=utf-8")
			checkHeader(t, res.header, "Cache-Control", "no-cache")
			checkHeader(t, res.header, "Content-Security-Policy", ContentSecurityPolicy)
			for _, want := range []string{"<title>authapi API docs</title>", `data-spec-url="/openapi.json"`} {
				if !strings.Contains(page, want) {
					t.Errorf("page does not contain %q:\n%s", want, page)
				}
			}
			for _, banned := range []string{"cdn.", "http://", "https://", "<style", "style=", "unpkg", "jsdelivr"} {
				if strings.Contains(page, banned) {
					t.Errorf("page contains %q:\n%s", banned, page)
				}
			}
			for _, m := range scriptTag.FindAllStringSubmatch(page, -1) {
				if strings.TrimSpace(m[1]) != "" || !strings.Contains(m[0], "src=") {
					t.Errorf("inline script %q: the CSP allows only script files", m[0])
				}
			}
			checkAssets(t, srv.URL+pagePath, page)
		})
	}
}

// checkAssets fetches every URL the page refers to and checks that each is a
// local asset, served with its type and a long cache lifetime.
func checkAssets(t *testing.T, pageURL, page string) {
	t.Helper()
	base, err := url.Parse(pageURL)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, m := range attrURL.FindAllStringSubmatch(page, -1) {
		ref := m[1]
		if ref == "/openapi.json" || ref == "data:," {
			continue // the spec, served by the API; the empty icon that saves a /favicon.ico request
		}
		u, err := url.Parse(ref)
		if err != nil || u.Scheme != "" || u.Host != "" || strings.HasPrefix(ref, "/") {
			t.Errorf("page refers to %q: want a relative URL of a local asset", ref)
			continue
		}
		abs := base.ResolveReference(u)
		name := abs.Path[strings.LastIndex(abs.Path, "/")+1:]
		seen[name] = true
		res := get(t, abs.String(), nil)
		if res.status != http.StatusOK {
			t.Errorf("GET %s: status %d, want 200", abs, res.status)
			continue
		}
		checkHeader(t, res.header, "Content-Type", wantContent[name])
		checkHeader(t, res.header, "Cache-Control", "public, max-age=31536000, immutable")
		checkHeader(t, res.header, "X-Content-Type-Options", "nosniff")
		if want := embedded(t, name); !bytes.Equal(res.body, want) {
			t.Errorf("GET %s: body of %d bytes, want the embedded %d bytes", abs, len(res.body), len(want))
		}
	}
	for name := range wantContent {
		if !seen[name] {
			t.Errorf("page does not load %s", name)
		}
	}
}

func embedded(t *testing.T, name string) []byte {
	t.Helper()
	data, err := files.ReadFile(assetFiles[name])
	if err != nil {
		t.Fatalf("reading embedded %s: %v", name, err)
	}
	return data
}

func checkHeader(t *testing.T, h http.Header, key, want string) {
	t.Helper()
	if got := h.Get(key); got != want {
		t.Errorf("%s = %q, want %q", key, got, want)
	}
}

func TestAssetCaching(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	a := Handler("").(*handler).assets["docs.css"]
	tests := []struct {
		name, query string
		header      map[string]string
		wantStatus  int
		wantCache   string
		wantGzip    bool
	}{
		{"unversioned", "", nil, 200, "no-cache", false},
		{"stale version", "?v=0000", nil, 200, "no-cache", false},
		{"current version", "?v=" + a.version, nil, 200, "public, max-age=31536000, immutable", false},
		{"etag match", "", map[string]string{"If-None-Match": `"` + a.version + `"`}, 304, "no-cache", false},
		{"gzip", "", map[string]string{"Accept-Encoding": "br, gzip"}, 200, "no-cache", true},
		{"gzip refused", "", map[string]string{"Accept-Encoding": "gzip;q=0"}, 200, "no-cache", false},
		// A 304 carries no Content-Encoding: net/http drops it with the body.
		{"gzip etag match", "", map[string]string{"Accept-Encoding": "gzip", "If-None-Match": `"` + a.version + `-gz"`}, 304, "no-cache", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := get(t, srv.URL+"/docs/docs.css"+tt.query, tt.header)
			if res.status != tt.wantStatus {
				t.Fatalf("status %d, want %d", res.status, tt.wantStatus)
			}
			checkHeader(t, res.header, "Cache-Control", tt.wantCache)
			checkHeader(t, res.header, "Vary", "Accept-Encoding")
			gotGzip := res.header.Get("Content-Encoding") == "gzip"
			if gotGzip != tt.wantGzip {
				t.Errorf("Content-Encoding %q, want gzip %v", res.header.Get("Content-Encoding"), tt.wantGzip)
			}
			if res.status != http.StatusOK {
				return
			}
			body := res.body
			if gotGzip {
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(body, embedded(t, "docs.css")) {
				t.Error("body differs from the embedded docs.css")
			}
		})
	}
}

func TestHead(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	for _, p := range []string{"/docs", "/docs/swagger-ui-bundle.js"} {
		res, err := http.Head(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || len(body) != 0 {
			t.Errorf("HEAD %s: status %d with %d body bytes, want 200 and none", p, res.StatusCode, len(body))
		}
	}
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	for _, p := range []string{"/docs/nope.js", "/docs/foo", "/docs/foo/", "/docs/assets/swagger-ui.css", "/docs/page.html", "/docs/foo/docs.js"} {
		res := get(t, srv.URL+p, nil)
		if res.status != http.StatusNotFound || string(res.body) != `{"detail":"Not Found"}`+"\n" {
			t.Errorf("GET %s: %d %q, want 404 {\"detail\":\"Not Found\"}", p, res.status, res.body)
		}
	}
}

func TestMethodNotAllowed(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	Handler("/openapi.json").ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/docs", nil))
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST /docs: %d, Allow %q; want 405, GET, HEAD", rec.Code, rec.Header().Get("Allow"))
	}
}

// TestOtherMounts: the relative asset URLs work wherever the handler is mounted,
// with or without a ServeMux subtree pattern.
func TestOtherMounts(t *testing.T) {
	t.Parallel()
	h := Handler("/openapi.json")
	mux := http.NewServeMux()
	mux.Handle("GET /api/reference", h)
	mux.Handle("GET /api/reference/", h)
	mux.Handle("/stripped/", http.StripPrefix("/stripped", h))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	for _, p := range []string{"/api/reference", "/api/reference/", "/stripped/"} {
		res := get(t, srv.URL+p, nil)
		if res.status != http.StatusOK {
			t.Fatalf("GET %s: status %d", p, res.status)
		}
		checkAssets(t, srv.URL+p, string(res.body))
	}
}

func TestSpecURLIsEscaped(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	Handler(`/x"><script>alert(1)</script>`).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/docs", nil))
	if strings.Contains(rec.Body.String(), "<script>alert") {
		t.Errorf("spec URL reached the page unescaped:\n%s", rec.Body)
	}
}

func TestAcceptsGzip(t *testing.T) {
	t.Parallel()
	tests := map[string]bool{
		"": false, "gzip": true, "GZIP": true, "deflate, gzip;q=0.5": true, "gzip;q=0": false,
		"gzip; q=0.000": false, "br": false, "x-gzip": false, "*": false,
	}
	for header, want := range tests {
		if got := acceptsGzip(header); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", header, got, want)
		}
	}
}

// TestReadmeVersion keeps README.md's recorded swagger-ui-dist version equal
// to the version built into the embedded bundle.
func TestReadmeVersion(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`PACKAGE_VERSION:"([0-9.]+)"`).FindSubmatch(embedded(t, "swagger-ui-bundle.js"))
	if m == nil {
		t.Fatal("no PACKAGE_VERSION in swagger-ui-bundle.js")
	}
	if want := "swagger-ui-dist@" + string(m[1]); !strings.Contains(string(readme), want) {
		t.Errorf("README.md does not record %s", want)
	}
}

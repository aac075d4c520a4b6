// Package docsui serves the interactive API documentation page: Swagger UI
// from the swagger-ui-dist npm package, embedded in the binary, so the page
// needs no internet access and no CDN, and works under a Content-Security-Policy
// that allows only 'self' for scripts and styles.
//
// Mount the handler on the page's path and on the folder of the same name, so
// that it also serves the assets:
//
//	h := docsui.Handler("/openapi.json")
//	mux.Handle("GET /docs", h)  // the page
//	mux.Handle("GET /docs/", h) // the page again, and /docs/swagger-ui.css etc.
//
// The page refers to its assets by relative URLs ("./docs/swagger-ui.css" from
// /docs, "swagger-ui.css" from /docs/), so any mount path works without a
// prefix parameter.
package docsui

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
)

// ContentSecurityPolicy is the policy the page is served with. Swagger UI's
// stylesheet draws its icons with data: images; the spec and "Try it out"
// requests go to the same origin.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Cache-Control values. Asset URLs in the page carry a version (?v=<hash>), so
// a versioned request can be cached for good; anything else is revalidated.
const (
	cacheVersioned = "public, max-age=31536000, immutable"
	cacheRevalid   = "no-cache"
)

//go:embed assets/swagger-ui-bundle.js assets/swagger-ui.css docs.js docs.css page.html
var files embed.FS

// assetFiles maps each asset's URL name to its embedded file.
var assetFiles = map[string]string{
	"swagger-ui-bundle.js": "assets/swagger-ui-bundle.js",
	"swagger-ui.css":       "assets/swagger-ui.css",
	"docs.js":              "docs.js",
	"docs.css":             "docs.css",
}

var pageTemplate = template.Must(template.ParseFS(files, "page.html"))

// Handler returns the handler of the docs page, which loads the OpenAPI
// document from specURL (best an absolute path such as "/openapi.json": a
// relative one is resolved against the page's URL). See the package comment
// for how to mount it. GET and HEAD are answered; other methods get 405.
func Handler(specURL string) http.Handler {
	h := &handler{specURL: specURL, assets: make(map[string]*asset, len(assetFiles))}
	for name, file := range assetFiles {
		data, err := files.ReadFile(file)
		if err != nil {
			// The files are embedded at build time: a missing one is a build bug.
			panic("docsui: " + err.Error())
		}
		h.assets[name] = newAsset(name, data)
	}
	return h
}

type handler struct {
	specURL string
	assets  map[string]*asset
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeDetail(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	dir, name := path.Split(r.URL.Path)
	a := h.assets[name]
	// Under a ServeMux subtree pattern ("GET /docs/"), only the folder itself
	// and its assets exist. Without one (an exact pattern, StripPrefix, another
	// router) every path that is not an asset is the page.
	if sub := subtree(r.Pattern); sub != "" && strings.HasPrefix(r.URL.Path, sub) {
		switch {
		case r.URL.Path == sub:
			h.servePage(w, r, "")
		case dir == sub && a != nil:
			a.serve(w, r)
		default:
			writeDetail(w, http.StatusNotFound, "Not Found")
		}
		return
	}
	switch {
	case a != nil:
		a.serve(w, r)
	case name == "":
		h.servePage(w, r, "")
	default:
		h.servePage(w, r, "./"+url.PathEscape(name)+"/")
	}
}

// servePage writes the page, with asset URLs relative to base.
func (h *handler) servePage(w http.ResponseWriter, r *http.Request, base string) {
	var buf bytes.Buffer
	err := pageTemplate.Execute(&buf, pageData{Base: base, SpecURL: h.specURL, assets: h.assets})
	if err != nil {
		// The template and its data are fixed: this cannot fail but by a bug.
		writeDetail(w, http.StatusInternalServerError, "internal error")
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Cache-Control", cacheRevalid)
	hdr.Set("Content-Security-Policy", ContentSecurityPolicy)
	hdr.Set("Referrer-Policy", "no-referrer")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(buf.Bytes()))
}

type pageData struct {
	Base    string
	SpecURL string
	assets  map[string]*asset
}

// Version returns the version tag of the named asset, for its URL.
func (d pageData) Version(name string) string {
	return d.assets[name].version
}

// subtree returns the path of a ServeMux subtree pattern ("/docs/" for
// "GET /docs/"), or "" for any other pattern.
func subtree(pattern string) string {
	i := strings.IndexByte(pattern, '/')
	if i < 0 {
		return ""
	}
	p := pattern[i:]
	if !strings.HasSuffix(p, "/") || strings.Contains(p, "{") {
		return ""
	}
	return p
}

// writeDetail writes an error in the API's shape, {"detail": "..."}.
func writeDetail(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	// detail is one of this package's constant messages: no escaping needed.
	_, _ = w.Write([]byte(`{"detail":"` + detail + `"}` + "\n"))
}

func hash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:8])
}

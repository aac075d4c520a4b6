// Package webui serves the account page: a small HTML, CSS and JavaScript
// client of authapi, embedded in the binary, with no build step and nothing
// loaded from elsewhere. A person can register, log in, see and edit their
// profile, list and revoke their sessions, change their password and log out.
//
// The page is also the example for frontend authors: app.js calls the API with
// fetch(..., {credentials: "include"}) and the cookies, exactly as a frontend on
// a CLIENT_ORIGIN does, and refreshes the tokens once when a call gets 401.
//
// Mount the handler at the site root and at the asset folder:
//
//	h := webui.Handler()
//	mux.Handle("GET /{$}", h) // the page
//	mux.Handle("GET /ui/", h) // /ui/app.js, /ui/app.css
package webui

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"net/http"
	"path"
	"time"
)

// AssetPrefix is the folder the page loads its script and stylesheet from.
const AssetPrefix = "/ui/"

// ContentSecurityPolicy is the policy the page is served with: its own script
// and stylesheet only (no inline code), API calls to the same origin, and no
// framing.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; " +
	"connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// Cache-Control values: the page's asset URLs carry a content hash (?v=), so a
// request with the current hash may be cached for good.
const (
	cacheVersioned = "public, max-age=31536000, immutable"
	cacheRevalid   = "no-cache"
)

//go:embed index.html app.css app.js
var files embed.FS

var pageTemplate = template.Must(template.ParseFS(files, "index.html"))

// Handler returns the handler of the account page and its assets. GET and HEAD
// are answered; anything it does not know is 404 in the API's error shape.
func Handler() http.Handler {
	h := &handler{assets: map[string]*asset{}}
	for _, name := range []string{"app.css", "app.js"} {
		data, err := files.ReadFile(name)
		if err != nil {
			// The files are embedded at build time: a missing one is a build bug.
			panic("webui: " + err.Error())
		}
		h.assets[name] = newAsset(name, data)
	}
	var page bytes.Buffer
	err := pageTemplate.Execute(&page, pageData{Prefix: AssetPrefix, assets: h.assets})
	if err != nil {
		panic("webui: " + err.Error()) // fixed template and data: a build bug
	}
	h.page = page.Bytes()
	return h
}

type handler struct {
	page   []byte
	assets map[string]*asset
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("X-Content-Type-Options", "nosniff")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hdr.Set("Allow", "GET, HEAD")
		writeDetail(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	if r.URL.Path == "/" {
		hdr.Set("Content-Type", "text/html; charset=utf-8")
		hdr.Set("Cache-Control", cacheRevalid)
		hdr.Set("Content-Security-Policy", ContentSecurityPolicy)
		hdr.Set("Referrer-Policy", "no-referrer")
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(h.page))
		return
	}
	dir, name := path.Split(r.URL.Path)
	a := h.assets[name]
	if dir != AssetPrefix || a == nil {
		writeDetail(w, http.StatusNotFound, "Not Found")
		return
	}
	hdr.Set("Content-Type", a.contentType)
	if r.URL.Query().Get("v") == a.version {
		hdr.Set("Cache-Control", cacheVersioned)
	} else {
		hdr.Set("Cache-Control", cacheRevalid)
	}
	hdr.Set("ETag", `"`+a.version+`"`)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.data))
}

// asset is one embedded file.
type asset struct {
	data        []byte
	contentType string
	version     string // short content hash: the ?v= of the page's URLs and the ETag
}

func newAsset(name string, data []byte) *asset {
	ct := "text/css; charset=utf-8"
	if path.Ext(name) == ".js" {
		ct = "text/javascript; charset=utf-8"
	}
	sum := sha256.Sum256(data)
	return &asset{data: data, contentType: ct, version: hex.EncodeToString(sum[:8])}
}

type pageData struct {
	Prefix string
	assets map[string]*asset
}

// Version returns the content hash of the named asset, for its URL.
func (d pageData) Version(name string) string { return d.assets[name].version }

// writeDetail writes an error in the API's shape, {"detail": "..."}.
func writeDetail(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	// detail is one of this package's constant messages: no escaping needed.
	_, _ = w.Write([]byte(`{"detail":"` + detail + `"}` + "\n"))
}

package httpapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/authapi/authapi/internal/auth"
)

// CookieConfig says how the token cookies are written.
type CookieConfig struct {
	Secure     bool
	Domain     string
	SameSite   http.SameSite
	AccessTTL  time.Duration
	RefreshTTL time.Duration
	// Prefixed names the cookies __Host-access_token, __Host-logged_in and
	// __Secure-refresh_token: browsers then refuse them unless Secure, and
	// (__Host-) from any other host or path, so a sibling subdomain or a
	// network attacker cannot plant a cookie of its own. Requires Secure and
	// no Domain. Off by default: the reference's clients read "logged_in".
	Prefixed bool
}

// name is the cookie name as written, with the prefix when configured.
func (c CookieConfig) name(base string) string {
	if !c.Prefixed {
		return base
	}
	if base == refreshCookie {
		return "__Secure-" + base // __Host- would force Path=/
	}
	return "__Host-" + base
}

// normalizeNames lets the handlers read the plain names whatever is
// configured: with prefixes on, it drops any unprefixed token cookie (which
// anyone could have planted) and renames the prefixed ones.
func (c CookieConfig) normalizeNames(next http.Handler) http.Handler {
	if !c.Prefixed {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cookies := r.Cookies()
		if len(cookies) == 0 {
			next.ServeHTTP(w, r)
			return
		}
		r = r.Clone(r.Context())
		r.Header.Del("Cookie")
		for _, ck := range cookies {
			switch ck.Name {
			case accessCookie, refreshCookie, loggedInCookie:
				continue
			case c.name(accessCookie), c.name(refreshCookie), c.name(loggedInCookie):
				ck.Name = ck.Name[strings.Index(ck.Name, "-")+1:]
			}
			r.AddCookie(ck)
		}
		next.ServeHTTP(w, r)
	})
}

// refreshPath keeps the refresh token away from every route but the two that
// need it, so it is not sent, logged or exposed with ordinary API calls.
const refreshPath = "/api/auth"

// tokenCookies sets the three cookies of a logged-in browser.
func (c CookieConfig) tokenCookies(t auth.Tokens) []http.Cookie {
	return []http.Cookie{
		c.cookie(accessCookie, t.Access, "/", t.AccessExpires, c.AccessTTL, true),
		c.cookie(refreshCookie, t.Refresh, refreshPath, t.RefreshExpires, c.RefreshTTL, true),
		// logged_in is for the frontend's JavaScript to read, so it is not HttpOnly.
		c.cookie(loggedInCookie, "True", "/", t.AccessExpires, c.AccessTTL, false),
	}
}

// clearCookies deletes the three cookies with the attributes they were set with;
// a browser keeps a cookie whose deletion names another path or domain.
func (c CookieConfig) clearCookies() []http.Cookie {
	epoch := time.Unix(0, 0)
	cookies := []http.Cookie{
		c.cookie(accessCookie, "", "/", epoch, 0, true),
		c.cookie(refreshCookie, "", refreshPath, epoch, 0, true),
		c.cookie(loggedInCookie, "", "/", epoch, 0, false),
	}
	for i := range cookies {
		cookies[i].MaxAge = -1 // written as Max-Age=0
	}
	return cookies
}

func (c CookieConfig) cookie(name, value, path string, expires time.Time, ttl time.Duration, httpOnly bool) http.Cookie {
	return http.Cookie{
		Name: c.name(name), Value: value, Path: path, Domain: c.Domain,
		Expires: expires, MaxAge: int(ttl / time.Second),
		Secure: c.Secure, HttpOnly: httpOnly, SameSite: c.SameSite,
	}
}

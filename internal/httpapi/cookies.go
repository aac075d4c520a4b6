package httpapi

import (
	"net/http"
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
		Name: name, Value: value, Path: path, Domain: c.Domain,
		Expires: expires, MaxAge: int(ttl / time.Second),
		Secure: c.Secure, HttpOnly: httpOnly, SameSite: c.SameSite,
	}
}

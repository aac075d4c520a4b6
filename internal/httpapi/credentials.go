package httpapi

import (
	"strings"

	"github.com/authapi/authapi/internal/auth"
)

// Cookie names, as the reference server sets them.
const (
	accessCookie   = "access_token"
	refreshCookie  = "refresh_token"
	loggedInCookie = "logged_in"
)

// bearerToken reads an Authorization header. present is false when there is no
// header. A header that is not exactly "Bearer <token>" (scheme in any case) is
// malformed: the caller answers 401 rather than fall back to a cookie, because
// a client that sent a header meant it.
func bearerToken(header string) (token string, present, ok bool) {
	if header == "" {
		return "", false, false
	}
	parts := strings.Fields(header)
	if len(parts) != 2 || !strings.EqualFold(parts[0], "bearer") {
		return "", true, false
	}
	return parts[1], true, true
}

// accessToken picks the access token of a request: the Authorization header
// wins when present, else the access_token cookie.
func accessToken(authorization, cookie string) (string, error) {
	token, present, ok := bearerToken(authorization)
	switch {
	case present && !ok:
		return "", auth.ErrInvalidToken
	case present:
		return token, nil
	case cookie != "":
		return cookie, nil
	}
	return "", auth.ErrNotLoggedIn
}

// refreshToken picks the refresh token of a request the same way, from the
// Authorization header or the refresh_token cookie.
func refreshToken(authorization, cookie string) (token string, fromHeader bool, err error) {
	token, present, ok := bearerToken(authorization)
	switch {
	case present && !ok:
		return "", false, auth.ErrInvalidToken
	case present:
		return token, true, nil
	case cookie != "":
		return cookie, false, nil
	}
	return "", false, auth.ErrRefreshMissing
}

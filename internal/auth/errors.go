package auth

import "errors"

// Code identifies a domain error. Codes are stable: the HTTP layer maps each one
// to a status code in a single table, and clients may rely on the messages.
type Code string

// The domain error codes.
const (
	CodeNotLoggedIn      Code = "not_logged_in"      // no access token presented
	CodeInvalidToken     Code = "invalid_token"      // bad, expired or revoked access token
	CodeUserGone         Code = "user_gone"          // token of a deleted user
	CodeNotVerified      Code = "not_verified"       // protected route, unverified user
	CodeLoginNotVerified Code = "login_not_verified" // login, right password, unverified user
	CodeBadCredentials   Code = "bad_credentials"    // login with wrong email or password
	CodeEmailTaken       Code = "email_taken"        // register with a used email
	CodePasswordMismatch Code = "password_mismatch"  // password and passwordConfirm differ
	CodeRefreshMissing   Code = "refresh_missing"    // refresh without a refresh token
	CodeRefreshInvalid   Code = "refresh_invalid"    // bad, expired or revoked refresh token
	CodeRefreshReused    Code = "refresh_reused"     // rotated refresh token replayed: session revoked
	CodeRefreshUserGone  Code = "refresh_user_gone"  // refresh token of a deleted user
	CodeUnavailable      Code = "unavailable"        // the database cannot be reached now; retry later
)

// Error is a domain error with a stable code and a message safe to show a client.
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string { return e.Message }

// The domain errors, with the reference server's messages word for word where it
// had one.
var (
	ErrNotLoggedIn      = &Error{CodeNotLoggedIn, "You are not logged in"}
	ErrInvalidToken     = &Error{CodeInvalidToken, "Token is invalid or has expired"}
	ErrUserGone         = &Error{CodeUserGone, "User no longer exist"}
	ErrNotVerified      = &Error{CodeNotVerified, "Please verify your account"}
	ErrLoginNotVerified = &Error{CodeLoginNotVerified, "Please verify your email address"}
	ErrBadCredentials   = &Error{CodeBadCredentials, "Incorrect Email or Password"}
	ErrAccountExists    = &Error{CodeEmailTaken, "Account already exist"}
	ErrPasswordMismatch = &Error{CodePasswordMismatch, "Passwords do not match"}
	ErrRefreshMissing   = &Error{CodeRefreshMissing, "Please provide refresh token"}
	ErrRefreshInvalid   = &Error{CodeRefreshInvalid, "Refresh token is invalid or has expired"}
	ErrRefreshReused    = &Error{CodeRefreshReused, "Refresh token was already used; the session has been signed out, please log in again"}
	ErrRefreshUserGone  = &Error{CodeRefreshUserGone, "User no longer exist"}
	// ErrUnavailable is a passing failure of a dependency, the database above all:
	// connection refused or reset, pool exhausted, a query past its deadline,
	// SQLite busy beyond its timeout. Stores wrap such errors with it, and
	// clients get 503 and may retry. A write that failed this way may still have
	// committed (the answer was lost, not the change): callers must not assume
	// either, which rotation's grace window covers for refresh.
	ErrUnavailable = &Error{CodeUnavailable, "Service temporarily unavailable"}
)

// CodeOf returns the code of a domain error in err's chain, or "" if there is none.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

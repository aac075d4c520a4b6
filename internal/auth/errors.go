package auth

import (
	"errors"
	"time"
)

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
	CodeSessionNotFound  Code = "session_not_found"  // not one of the caller's active sessions
	CodeWrongPassword    Code = "wrong_password"     // password change with a wrong current password
	CodeTooManyAttempts  Code = "too_many_attempts"  // account locked after repeated failures
	CodeBusy             Code = "busy"               // password hashing at capacity
	CodeUnavailable      Code = "unavailable"        // the database cannot be reached now; retry later
)

// Error is a domain error with a stable code and a message safe to show a client.
type Error struct {
	Code    Code
	Message string
	// RetryAfter, when set, tells the client how long to wait before trying again.
	RetryAfter time.Duration
}

func (e *Error) Error() string { return e.Message }

// The domain errors, with the reference server's messages word for word where it
// had one.
var (
	ErrNotLoggedIn      = &Error{Code: CodeNotLoggedIn, Message: "You are not logged in"}
	ErrInvalidToken     = &Error{Code: CodeInvalidToken, Message: "Token is invalid or has expired"}
	ErrUserGone         = &Error{Code: CodeUserGone, Message: "User no longer exist"}
	ErrNotVerified      = &Error{Code: CodeNotVerified, Message: "Please verify your account"}
	ErrLoginNotVerified = &Error{Code: CodeLoginNotVerified, Message: "Please verify your email address"}
	ErrBadCredentials   = &Error{Code: CodeBadCredentials, Message: "Incorrect Email or Password"}
	ErrAccountExists    = &Error{Code: CodeEmailTaken, Message: "Account already exist"}
	ErrPasswordMismatch = &Error{Code: CodePasswordMismatch, Message: "Passwords do not match"}
	ErrRefreshMissing   = &Error{Code: CodeRefreshMissing, Message: "Please provide refresh token"}
	ErrRefreshInvalid   = &Error{Code: CodeRefreshInvalid, Message: "Refresh token is invalid or has expired"}
	ErrRefreshReused    = &Error{Code: CodeRefreshReused, Message: "Refresh token was already used; the session has been signed out, please log in again"}
	ErrRefreshUserGone  = &Error{Code: CodeRefreshUserGone, Message: "User no longer exist"}
	ErrSessionNotFound  = &Error{Code: CodeSessionNotFound, Message: "Session not found"}
	ErrWrongPassword    = &Error{Code: CodeWrongPassword, Message: "Incorrect password"}
	ErrBusy             = &Error{Code: CodeBusy, Message: "Server busy, try again shortly", RetryAfter: time.Second}
	// ErrUnavailable is a passing failure of a dependency, the database above all:
	// connection refused or reset, pool exhausted, a query past its deadline,
	// SQLite busy beyond its timeout. Stores wrap such errors with it, and
	// clients get 503 and may retry. A write that failed this way may still have
	// committed (the answer was lost, not the change): callers must not assume
	// either, which rotation's grace window covers for refresh.
	ErrUnavailable = &Error{Code: CodeUnavailable, Message: "Service temporarily unavailable", RetryAfter: 2 * time.Second}
)

// tooManyAttempts is the error for a locked account, with how long the lock lasts.
func tooManyAttempts(wait time.Duration) *Error {
	return &Error{Code: CodeTooManyAttempts, Message: "Too many failed attempts, try again later", RetryAfter: wait}
}

// CodeOf returns the code of a domain error in err's chain, or "" if there is none.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

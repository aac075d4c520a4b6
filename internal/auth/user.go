// Package auth is the domain of authapi: users, sessions, and the service that
// registers, logs in, refreshes and logs out. It knows nothing of HTTP or SQL.
package auth

import (
	"time"

	"github.com/google/uuid"
)

// Roles a user can have. New users always get RoleUser.
const (
	RoleUser  = "user"
	RoleAdmin = "admin"
)

// DefaultPhoto is stored when a registration omits the photo.
const DefaultPhoto = "default.png"

// User is an account. PasswordHash is a PHC string (argon2id) or a bcrypt hash
// imported from the reference server; it never leaves the server.
type User struct {
	ID           uuid.UUID
	Name         string
	Email        string
	Photo        string
	PasswordHash string
	Verified     bool
	Role         string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Session is one login on one device. Its refresh token rotates: RefreshJTI is
// the id of the only refresh token that may rotate the session, PreviousJTI the
// one it replaced, accepted until RotatedAt plus the grace window so that two
// tabs refreshing at once do not sign the user out.
type Session struct {
	ID          uuid.UUID
	UserID      uuid.UUID
	RefreshJTI  uuid.UUID
	PreviousJTI uuid.UUID // uuid.Nil until the first rotation
	RotatedAt   time.Time // zero until the first rotation
	CreatedAt   time.Time
	LastUsedAt  time.Time
	ExpiresAt   time.Time  // absolute end of the session, however often it refreshes
	RevokedAt   *time.Time // nil while the session is active
	UserAgent   string
	IP          string
}

// Active reports whether the session can still authenticate requests at now.
func (s Session) Active(now time.Time) bool {
	return s.RevokedAt == nil && now.Before(s.ExpiresAt)
}

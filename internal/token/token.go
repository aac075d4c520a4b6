// Package token holds the JWT signing keys and issues and verifies the access
// and refresh tokens. It knows nothing of HTTP or storage: revocation and
// rotation are decided by the caller from the claims returned here.
package token

import (
	"errors"
	"time"

	"github.com/google/uuid"
)

// The signing algorithms offered. Each key is bound to exactly one of them,
// and a token is only ever verified with the algorithm of the key its kid names.
const (
	RS256 = "RS256" // RSASSA-PKCS1-v1_5 with SHA-256, RSA 2048+ bits: the reference's default
	ES256 = "ES256" // ECDSA on P-256 with SHA-256
	EdDSA = "EdDSA" // Ed25519
)

// Type is the "type" claim, which keeps a refresh token from being used as an
// access token and the other way round.
type Type string

// The token types.
const (
	Access  Type = "access"
	Refresh Type = "refresh"
)

// Claims are the claims of an access or refresh token.
type Claims struct {
	Subject   uuid.UUID // sub: the user id
	SessionID uuid.UUID // sid: the login session, for revocation and rotation
	ID        uuid.UUID // jti: this token
	Type      Type      // type
	Role      string    // role; omitted from the token when ""
	// Fresh is written to access tokens only. Login issues fresh=false, as
	// the reference does.
	Fresh bool
	// IssuedAt, NotBefore and ExpiresAt are iat, nbf and exp, whole seconds.
	IssuedAt, NotBefore, ExpiresAt time.Time
}

// ErrInvalid is wrapped by every error Verify returns; the wrapping text says
// why, for logs. Clients should only ever see "invalid", never the reason.
var ErrInvalid = errors.New("invalid token")

func (t Type) valid() bool { return t == Access || t == Refresh }

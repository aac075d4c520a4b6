package auth

import (
	"context"

	"github.com/google/uuid"
)

// Event is something security-relevant the service did: metrics count them,
// and logs record them. Name and Outcome come from the constants below.
type Event struct {
	Name    string
	Outcome string
	UserID  uuid.UUID // uuid.Nil when no user is known (unknown email, bad token)
}

// Event names and outcomes.
const (
	EventRegister       = "register"        // outcomes: created, exists
	EventLogin          = "login"           // outcomes: success, bad_credentials, not_verified, locked
	EventRefresh        = "refresh"         // outcomes: rotated, grace, reuse_revoked, invalid
	EventLogout         = "logout"          // outcome: revoked
	EventPasswordChange = "password_change" // outcome: success

	OutcomeCreated        = "created"
	OutcomeExists         = "exists"
	OutcomeSuccess        = "success"
	OutcomeBadCredentials = "bad_credentials"
	OutcomeNotVerified    = "not_verified"
	OutcomeInvalid        = "invalid"
	OutcomeRevoked        = "revoked"
	OutcomeLocked         = "locked"
)

// Events receives the service's events. Record must be cheap and must not
// block: it runs on the request path.
type Events interface {
	Record(ctx context.Context, e Event)
}

// noEvents is the Events of a service that was given none.
type noEvents struct{}

func (noEvents) Record(context.Context, Event) {}

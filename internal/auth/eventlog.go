package auth

import (
	"context"
	"log/slog"

	"github.com/google/uuid"
)

// LogEvents returns Events that write security events as their own log lines
// at warn: failed logins (wrong password, unknown email, unverified) with
// event=login_failed. The user id is logged when one is known, never the
// email or password typed. Refresh-token reuse is logged by the Service
// itself, with the session, so it is not repeated here.
func LogEvents(log *slog.Logger) Events { return logEvents{log} }

type logEvents struct{ log *slog.Logger }

func (l logEvents) Record(ctx context.Context, e Event) {
	if e.Name != EventLogin || e.Outcome == OutcomeSuccess {
		return
	}
	attrs := []slog.Attr{slog.String("event", "login_failed"), slog.String("reason", e.Outcome)}
	if e.UserID != uuid.Nil {
		attrs = append(attrs, slog.String("user_id", e.UserID.String()))
	}
	l.log.LogAttrs(ctx, slog.LevelWarn, "login failed", attrs...)
}

// MultiEvents returns Events that hand each event to all of es in order.
func MultiEvents(es ...Events) Events { return multiEvents(es) }

type multiEvents []Events

func (m multiEvents) Record(ctx context.Context, e Event) {
	for _, x := range m {
		x.Record(ctx, e)
	}
}

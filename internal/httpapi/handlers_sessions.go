package httpapi

import (
	"context"
	"time"

	"github.com/authapi/authapi/internal/auth"
	"github.com/google/uuid"
)

// sessionResponse is one entry of the session list.
type sessionResponse struct {
	ID         string `json:"id" format:"uuid"`
	CreatedAt  string `json:"created_at" format:"date-time"`
	LastUsedAt string `json:"last_used_at" format:"date-time" doc:"Last login or refresh"`
	ExpiresAt  string `json:"expires_at" format:"date-time" doc:"The session ends then, however often it refreshes"`
	UserAgent  string `json:"user_agent"`
	IP         string `json:"ip"`
	Current    bool   `json:"current" doc:"The session of the token that made this request"`
}

type sessionsOutput struct {
	Body struct {
		Sessions []sessionResponse `json:"sessions"`
	}
}

func (s *server) sessions(ctx context.Context, in *AccessCredentials) (*sessionsOutput, error) {
	p, err := s.authenticate(ctx, in)
	if err != nil {
		return nil, err
	}
	list, err := s.svc.Sessions(ctx, p)
	if err != nil {
		return nil, fail(ctx, s.log, err)
	}
	out := &sessionsOutput{}
	out.Body.Sessions = make([]sessionResponse, 0, len(list))
	for _, sess := range list {
		out.Body.Sessions = append(out.Body.Sessions, sessionResponse{
			ID: sess.ID.String(), CreatedAt: formatTime(sess.CreatedAt), LastUsedAt: formatTime(sess.LastUsedAt),
			ExpiresAt: formatTime(sess.ExpiresAt), UserAgent: sess.UserAgent, IP: sess.IP, Current: sess.ID == p.SessionID,
		})
	}
	return out, nil
}

type revokeSessionInput struct {
	AccessCredentials
	ID string `path:"id" doc:"A session id from the session list"`
}

func (s *server) revokeSession(ctx context.Context, in *revokeSessionInput) (*statusOutput, error) {
	p, err := s.authenticate(ctx, &in.AccessCredentials)
	if err != nil {
		return nil, err
	}
	id, err := uuid.Parse(in.ID)
	if err != nil {
		return nil, fail(ctx, s.log, auth.ErrSessionNotFound)
	}
	if err := s.svc.RevokeSession(ctx, p, id); err != nil {
		return nil, fail(ctx, s.log, err)
	}
	return successOutput(), nil
}

type statusOutput struct {
	Body statusResponse
}

func successOutput() *statusOutput {
	return &statusOutput{Body: statusResponse{Status: "success"}}
}

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

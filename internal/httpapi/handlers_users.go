package httpapi

import (
	"context"

	"github.com/authapi/authapi/internal/auth"
)

// userResponse is the wire form of a user, in the reference's field order. It is
// built field by field from auth.User, so a password hash can never leak.
type userResponse struct {
	Name      string `json:"name"`
	Email     string `json:"email" format:"email"`
	Photo     string `json:"photo"`
	ID        string `json:"id" format:"uuid"`
	Role      string `json:"role" enum:"user,admin"`
	Verified  bool   `json:"verified"`
	CreatedAt string `json:"created_at" format:"date-time"`
	UpdatedAt string `json:"updated_at" format:"date-time"`
}

// timeLayout writes times as the reference does: microseconds and a numeric offset.
const timeLayout = "2006-01-02T15:04:05.000000-07:00"

func newUserResponse(u auth.User) userResponse {
	return userResponse{
		Name: u.Name, Email: u.Email, Photo: u.Photo, ID: u.ID.String(), Role: u.Role, Verified: u.Verified,
		CreatedAt: u.CreatedAt.UTC().Format(timeLayout), UpdatedAt: u.UpdatedAt.UTC().Format(timeLayout),
	}
}

type healthOutput struct {
	Body messageResponse
}

type messageResponse struct {
	Message string `json:"message" example:"Hello World"`
}

func (s *server) health(context.Context, *struct{}) (*healthOutput, error) {
	out := &healthOutput{}
	out.Body.Message = "Hello World"
	return out, nil
}

func (s *server) me(ctx context.Context, in *AccessCredentials) (*userOutput, error) {
	p, err := s.authenticate(ctx, in)
	if err != nil {
		return nil, err
	}
	return &userOutput{Body: newUserResponse(p.User)}, nil
}

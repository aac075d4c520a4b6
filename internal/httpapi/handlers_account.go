package httpapi

import (
	"context"

	"github.com/danielgtaylor/huma/v2"
)

// profileBody changes the caller's profile; a field left out stays as it is.
type profileBody struct {
	Name  string `json:"name,omitempty" maxLength:"255" doc:"New display name"`
	Photo string `json:"photo,omitempty" maxLength:"2048" doc:"New photo URL or file name"`
}

type profileInput struct {
	AccessCredentials
	body    profileBody
	present map[string]bool
}

// Resolve decodes the body (see readJSON), noting which fields were sent so
// that an empty string can clear a photo while an absent field changes nothing.
func (in *profileInput) Resolve(ctx huma.Context) []error {
	var errs []error
	in.present, errs = readJSONFields(ctx.Header("Content-Type"), ctx.BodyReader(), &in.body)
	return errs
}

func (s *server) updateProfile(ctx context.Context, in *profileInput) (*userOutput, error) {
	p, err := s.authenticate(ctx, &in.AccessCredentials)
	if err != nil {
		return nil, err
	}
	var name, photo *string
	if in.present["name"] {
		name = &in.body.Name
	}
	if in.present["photo"] {
		photo = &in.body.Photo
	}
	u, err := s.svc.UpdateProfile(ctx, p, name, photo)
	if err != nil {
		return nil, fail(ctx, s.log, err)
	}
	return &userOutput{Body: newUserResponse(u)}, nil
}

// passwordBody changes the caller's password.
type passwordBody struct {
	CurrentPassword string `json:"current_password" maxLength:"256" doc:"The password now"`
	NewPassword     string `json:"new_password" minLength:"8" maxLength:"256" doc:"8 to 256 characters"`
}

type passwordInput struct {
	AccessCredentials
	body passwordBody
}

// Resolve decodes the body (see readJSON).
func (in *passwordInput) Resolve(ctx huma.Context) []error {
	return readJSON(ctx.Header("Content-Type"), ctx.BodyReader(), &in.body)
}

func (s *server) changePassword(ctx context.Context, in *passwordInput) (*statusOutput, error) {
	p, err := s.authenticate(ctx, &in.AccessCredentials)
	if err != nil {
		return nil, err
	}
	if err := s.svc.ChangePassword(ctx, p, in.body.CurrentPassword, in.body.NewPassword); err != nil {
		return nil, fail(ctx, s.log, err)
	}
	return successOutput(), nil
}

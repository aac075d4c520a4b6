package httpapi

import (
	"context"
	"net/http"

	"github.com/authapi/authapi/internal/auth"
	"github.com/danielgtaylor/huma/v2"
)

// registerBody is the wire form of a registration. role, verified, id and
// timestamps are not fields: whatever a client sends for them is ignored.
type registerBody struct {
	Name            string `json:"name" maxLength:"255" doc:"Display name"`
	Email           string `json:"email" format:"email" maxLength:"320" doc:"Trimmed and lower-cased before it is stored; 'Name <addr>' is accepted"`
	Photo           string `json:"photo,omitempty" maxLength:"2048" doc:"Photo URL or file name; default.png when omitted"`
	Password        string `json:"password" minLength:"8" maxLength:"256" doc:"8 to 256 characters, never truncated"`
	PasswordConfirm string `json:"passwordConfirm" doc:"Must equal password"`
}

type registerInput struct{ body registerBody }

// Resolve decodes the body (see readJSON).
func (in *registerInput) Resolve(ctx huma.Context) []error {
	return readJSON(ctx.Header("Content-Type"), ctx.BodyReader(), &in.body)
}

type userOutput struct {
	Body userResponse
}

func (s *server) register(ctx context.Context, in *registerInput) (*userOutput, error) {
	b := in.body
	if b.Photo == "" {
		b.Photo = auth.DefaultPhoto
	}
	u, err := s.svc.Register(ctx, auth.RegisterInput{
		Name: b.Name, Email: b.Email, Photo: b.Photo, Password: b.Password, PasswordConfirm: b.PasswordConfirm,
	})
	if err != nil {
		return nil, fail(ctx, s.log, err)
	}
	return &userOutput{Body: newUserResponse(u)}, nil
}

// loginBody is the wire form of a login.
type loginBody struct {
	Email    string `json:"email" format:"email" maxLength:"320"`
	Password string `json:"password" minLength:"8" maxLength:"256"`
}

type loginInput struct {
	body   loginBody
	client auth.ClientMeta
}

// Resolve decodes the body and notes who is logging in, for the session list.
func (in *loginInput) Resolve(ctx huma.Context) []error {
	ip := ""
	if addr := clientIPFrom(ctx.Context()); addr.IsValid() {
		ip = addr.String()
	}
	in.client = auth.ClientMeta{UserAgent: ctx.Header("User-Agent"), IP: ip}
	return readJSON(ctx.Header("Content-Type"), ctx.BodyReader(), &in.body)
}

type loginOutput struct {
	SetCookie    []http.Cookie `header:"Set-Cookie"`
	CacheControl string        `header:"Cache-Control"`
	Body         loginResponse
}

type loginResponse struct {
	Status      string `json:"status" example:"success"`
	AccessToken string `json:"access_token" doc:"The access JWT, also set as the access_token cookie"`
}

func (s *server) login(ctx context.Context, in *loginInput) (*loginOutput, error) {
	t, err := s.svc.Login(ctx, in.body.Email, in.body.Password, in.client)
	if err != nil {
		return nil, fail(ctx, s.log, err)
	}
	out := &loginOutput{SetCookie: s.cookies.tokenCookies(t), CacheControl: noStore}
	out.Body.Status = "success"
	out.Body.AccessToken = t.Access
	return out, nil
}

// noStore keeps tokens out of every cache between the server and the client.
const noStore = "no-store"

type refreshInput struct {
	Authorization string `header:"Authorization" doc:"Bearer <refresh token>; wins over the cookie"`
	RefreshToken  string `cookie:"refresh_token" doc:"The refresh token cookie set by login"`
}

type refreshOutput struct {
	SetCookie    []http.Cookie `header:"Set-Cookie"`
	CacheControl string        `header:"Cache-Control"`
	Body         refreshResponse
}

type refreshResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty" doc:"The new refresh token, only when the old one came in the Authorization header (a cookie client gets it as a cookie only)"`
}

func (s *server) refresh(ctx context.Context, in *refreshInput) (*refreshOutput, error) {
	raw, fromHeader, err := refreshToken(in.Authorization, in.RefreshToken)
	if err != nil {
		return nil, fail(ctx, s.log, err)
	}
	t, err := s.svc.Refresh(ctx, raw)
	if err != nil {
		return nil, fail(ctx, s.log, err)
	}
	out := &refreshOutput{SetCookie: s.cookies.tokenCookies(t), CacheControl: noStore}
	out.Body.AccessToken = t.Access
	if fromHeader {
		// A header client cannot read HttpOnly cookies, and its old refresh token
		// just stopped working: it needs the new one in the body.
		out.Body.RefreshToken = t.Refresh
	}
	return out, nil
}

// AccessCredentials carries the access token of a protected route. It is
// exported only so that huma reads its fields where an input embeds it.
type AccessCredentials struct {
	Authorization string `header:"Authorization" doc:"Bearer <access token>; wins over the cookie"`
	AccessToken   string `cookie:"access_token" doc:"The access token cookie set by login"`
}

// authenticate resolves the caller of a protected route.
func (s *server) authenticate(ctx context.Context, in *AccessCredentials) (auth.Principal, error) {
	raw, err := accessToken(in.Authorization, in.AccessToken)
	if err != nil {
		return auth.Principal{}, fail(ctx, s.log, err)
	}
	p, err := s.svc.Authenticate(ctx, raw)
	if err != nil {
		return auth.Principal{}, fail(ctx, s.log, err)
	}
	return p, nil
}

type logoutOutput struct {
	SetCookie []http.Cookie `header:"Set-Cookie"`
	Body      statusResponse
}

type statusResponse struct {
	Status string `json:"status" example:"success"`
}

type logoutInput struct {
	AccessCredentials
	Scope string `query:"scope" enum:"current,others,all" default:"current" doc:"Which sessions to end: this one (current), all but this one (others), or every one (all)"`
}

func (s *server) logout(ctx context.Context, in *logoutInput) (*logoutOutput, error) {
	p, err := s.authenticate(ctx, &in.AccessCredentials)
	if err != nil {
		return nil, err
	}
	scope := auth.LogoutScope(in.Scope)
	if err := s.svc.Logout(ctx, p, scope); err != nil {
		return nil, fail(ctx, s.log, err)
	}
	out := &logoutOutput{}
	if scope != auth.ScopeOthers {
		out.SetCookie = s.cookies.clearCookies() // this browser's session is over
	}
	out.Body.Status = "success"
	return out, nil
}

package httpapi

import (
	"net/http"
	"reflect"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
)

// routes lists every operation of the API.
func (s *server) routes(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "healthchecker", Method: http.MethodGet, Path: "/api/healthchecker",
		Summary: "Health check", Tags: []string{"Health"},
	}, s.health)

	authLimit := rateLimited(api, s.authLimit, "auth", s.obs)
	huma.Register(api, huma.Operation{
		OperationID: "register", Method: http.MethodPost, Path: "/api/auth/register",
		Summary: "Create an account", Tags: []string{"Auth"}, DefaultStatus: http.StatusCreated,
		Errors:      []int{http.StatusBadRequest, http.StatusConflict, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity, http.StatusTooManyRequests, http.StatusServiceUnavailable},
		Middlewares: huma.Middlewares{authLimit},
	}, s.register)
	documentBody[registerBody](api, "/api/auth/register", http.MethodPost)

	huma.Register(api, huma.Operation{
		OperationID: "login", Method: http.MethodPost, Path: "/api/auth/login",
		Summary:     "Log in",
		Description: "Checks the password, opens a session and sets the access_token, refresh_token and logged_in cookies.",
		Tags:        []string{"Auth"},
		Errors:      []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity, http.StatusTooManyRequests, http.StatusServiceUnavailable},
		Middlewares: huma.Middlewares{authLimit},
	}, s.login)
	documentBody[loginBody](api, "/api/auth/login", http.MethodPost)

	for _, method := range []string{http.MethodGet, http.MethodPost} {
		huma.Register(api, huma.Operation{
			OperationID: "refresh-" + strings.ToLower(method), Method: method, Path: "/api/auth/refresh",
			Summary: "Refresh the tokens",
			Description: "Rotates the refresh token (from the Authorization header or the refresh_token cookie): " +
				"the presented one stops working. Replaying a rotated token after the grace window signs the session out.",
			Tags:        []string{"Auth"},
			Errors:      []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusTooManyRequests},
			Middlewares: huma.Middlewares{sameSiteOnly(api, s.csrf), rateLimited(api, s.refreshLimit, "refresh", s.obs)},
		}, s.refresh)

		huma.Register(api, huma.Operation{
			OperationID: "logout-" + strings.ToLower(method), Method: method, Path: "/api/auth/logout",
			Summary: "Log out",
			Description: "Revokes the session (scope=current, the default), every other session of the user (others) or all of them (all): " +
				"their refresh and access tokens stop working at once. Deletes the cookies unless scope=others.",
			Tags:        []string{"Auth"},
			Errors:      []int{http.StatusUnauthorized, http.StatusForbidden},
			Middlewares: huma.Middlewares{sameSiteOnly(api, s.csrf)},
		}, s.logout)
	}

	huma.Register(api, huma.Operation{
		OperationID: "list-sessions", Method: http.MethodGet, Path: "/api/auth/sessions",
		Summary: "The caller's active sessions", Tags: []string{"Sessions"},
		Errors: []int{http.StatusUnauthorized},
	}, s.sessions)

	huma.Register(api, huma.Operation{
		OperationID: "revoke-session", Method: http.MethodDelete, Path: "/api/auth/sessions/{id}",
		Summary:     "Revoke one of the caller's sessions",
		Description: "404 for any id that is not one of the caller's active sessions, whoever it belongs to.",
		Tags:        []string{"Sessions"},
		Errors:      []int{http.StatusUnauthorized, http.StatusNotFound},
	}, s.revokeSession)

	huma.Register(api, huma.Operation{
		OperationID: "me", Method: http.MethodGet, Path: "/api/users/me",
		Summary: "The current user", Tags: []string{"Users"},
		Errors: []int{http.StatusUnauthorized},
	}, s.me)

	huma.Register(api, huma.Operation{
		OperationID: "update-me", Method: http.MethodPatch, Path: "/api/users/me",
		Summary: "Change name or photo", Tags: []string{"Users"},
		Errors: []int{http.StatusUnauthorized, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity},
	}, s.updateProfile)
	documentBody[profileBody](api, "/api/users/me", http.MethodPatch)

	huma.Register(api, huma.Operation{
		OperationID: "change-password", Method: http.MethodPost, Path: "/api/users/me/password",
		Summary:     "Change the password",
		Description: "Checks the current password (failures count towards the account lockout), sets the new one and revokes every other session.",
		Tags:        []string{"Users"},
		Errors:      []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity, http.StatusTooManyRequests, http.StatusServiceUnavailable},
		Middlewares: huma.Middlewares{authLimit},
	}, s.changePassword)
	documentBody[passwordBody](api, "/api/users/me/password", http.MethodPost)

	registerJWKS(api, s)
}

// documentBody adds the JSON request body of an operation to the OpenAPI
// document, from the wire struct that readJSON decodes. It is added after
// registration on purpose: an operation registered with a body would have huma
// read and validate the body itself, in its own error shape.
func documentBody[T any](api huma.API, path, method string) {
	schema := huma.SchemaFromType(api.OpenAPI().Components.Schemas, reflect.TypeFor[T]())
	schema.AdditionalProperties = true // unknown fields are ignored, not refused
	item := api.OpenAPI().Paths[path]
	op := map[string]*huma.Operation{http.MethodPost: item.Post, http.MethodPatch: item.Patch}[method]
	op.RequestBody = &huma.RequestBody{
		Required: true,
		Content:  map[string]*huma.MediaType{"application/json": {Schema: schema}},
	}
}

// sameSiteOnly refuses a GET that a browser sent from another site. GET refresh
// and logout change state, and SameSite=Lax cookies ride along on cross-site
// top-level navigations, so a link on any page could otherwise log a user out or
// burn their refresh token. The check is net/http's CSRF check, run as if the
// request were a POST, so CLIENT_ORIGIN stays trusted and non-browser clients
// (no Sec-Fetch-Site, no Origin) pass.
func sameSiteOnly(api huma.API, csrf *http.CrossOriginProtection) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		if ctx.Method() == http.MethodGet {
			r, _ := humago.Unwrap(ctx)
			probe := r.WithContext(r.Context())
			probe.Method = http.MethodPost
			if err := csrf.Check(probe); err != nil {
				_ = huma.WriteErr(api, ctx, http.StatusForbidden, "Cross-site request refused")
				return
			}
		}
		next(ctx)
	}
}

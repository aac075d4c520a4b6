package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/authapi/authapi/internal/auth"
	"github.com/danielgtaylor/huma/v2"
)

// statusOf is the one table that turns a domain error code into an HTTP status.
var statusOf = map[auth.Code]int{
	auth.CodeNotLoggedIn:      http.StatusUnauthorized,
	auth.CodeInvalidToken:     http.StatusUnauthorized,
	auth.CodeUserGone:         http.StatusUnauthorized,
	auth.CodeNotVerified:      http.StatusUnauthorized,
	auth.CodeLoginNotVerified: http.StatusUnauthorized,
	auth.CodeBadCredentials:   http.StatusBadRequest,
	auth.CodeEmailTaken:       http.StatusConflict,
	auth.CodePasswordMismatch: http.StatusBadRequest,
	auth.CodeRefreshMissing:   http.StatusBadRequest,
	auth.CodeRefreshInvalid:   http.StatusBadRequest,
	auth.CodeRefreshReused:    http.StatusBadRequest,
	auth.CodeRefreshUserGone:  http.StatusBadRequest,
	auth.CodeSessionNotFound:  http.StatusNotFound,
	auth.CodeWrongPassword:    http.StatusBadRequest,
	auth.CodeTooManyAttempts:  http.StatusTooManyRequests,
	auth.CodeBusy:             http.StatusServiceUnavailable,
	auth.CodeUnavailable:      http.StatusServiceUnavailable,
}

// apiError is every error response: `{"detail": "<message>"}`, or for
// validation errors `{"detail": [ {loc, msg, type}, ... ]}` as FastAPI writes them.
type apiError struct {
	status int
	header http.Header
	Detail any `json:"detail"`
}

func (e *apiError) Error() string {
	if s, ok := e.Detail.(string); ok {
		return s
	}
	return "validation failed"
}

// GetStatus lets huma write the status code.
func (e *apiError) GetStatus() int { return e.status }

// GetHeaders lets huma write headers that belong to the error (Allow, Retry-After).
func (e *apiError) GetHeaders() http.Header { return e.header }

// Schema documents the two shapes of detail in the OpenAPI document.
func (e *apiError) Schema(r huma.Registry) *huma.Schema {
	return &huma.Schema{
		Type:     "object",
		Required: []string{"detail"},
		Properties: map[string]*huma.Schema{
			"detail": {OneOf: []*huma.Schema{
				{Type: "string", Description: "What went wrong, in words a person understands"},
				{Type: "array", Description: "Every invalid field of the request body (422)",
					Items: r.Schema(reflect.TypeFor[validationItem](), true, "ValidationItem")},
			}},
		},
	}
}

func newError(status int, msg string) *apiError { return &apiError{status: status, Detail: msg} }

// retryAfter is a Retry-After header of whole seconds, rounded up, at least 1.
func retryAfter(d time.Duration) http.Header {
	return http.Header{"Retry-After": []string{retrySeconds(d)}}
}

func retrySeconds(d time.Duration) string {
	return strconv.Itoa(max(1, int((d+time.Second-1)/time.Second)))
}

// internalError is what a client sees of any failure we did not plan for.
var internalError = newError(http.StatusInternalServerError, "Internal Server Error")

// fail turns an error from the service into the response error: domain errors
// by their code, anything else into a logged 500 with no details for the client.
func fail(ctx context.Context, log *slog.Logger, err error) error {
	var de *auth.Error
	if errors.As(err, &de) {
		if de.Code == auth.CodeUnavailable {
			// Not the client's fault and not a bug: one line to tell an outage
			// from a quiet night, with the cause for the operator.
			log.WarnContext(ctx, "dependency unavailable", "error", err)
		}
		if status, ok := statusOf[de.Code]; ok {
			e := newError(status, de.Message)
			if de.RetryAfter > 0 {
				e.header = retryAfter(de.RetryAfter)
			}
			return e
		}
	}
	log.ErrorContext(ctx, "request failed", "error", err)
	return internalError
}

// validationItem is one entry of a 422 response, in FastAPI's shape.
type validationItem struct {
	Loc  []any          `json:"loc" doc:"Where: [\"body\", field name] or [\"body\", byte offset]"`
	Msg  string         `json:"msg" doc:"What is wrong"`
	Type string         `json:"type" doc:"Kind of error, e.g. value_error.missing"`
	Ctx  map[string]any `json:"ctx,omitempty" doc:"Limits involved, e.g. limit_value"`
}

func (v *validationItem) Error() string { return v.Msg }

var installErrorsOnce sync.Once

// installErrorShape makes huma write its own errors (bad body, bad parameters)
// in the contract's shape instead of RFC 9457 problem documents. huma offers
// only a package variable for this, so it is set once for the process.
func installErrorShape() {
	installErrorsOnce.Do(func() {
		huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
			var items []validationItem
			for _, err := range errs {
				var item *validationItem
				var se *apiError
				var detail *huma.ErrorDetail
				switch {
				case errors.As(err, &se):
					return se
				case errors.As(err, &item):
					items = append(items, *item)
				case errors.As(err, &detail):
					// huma's own checks, of query and path parameters.
					loc := []any{}
					for part := range strings.SplitSeq(detail.Location, ".") {
						loc = append(loc, part)
					}
					items = append(items, validationItem{Loc: loc, Msg: detail.Message, Type: "value_error"})
				}
			}
			if len(items) > 0 {
				return &apiError{status: http.StatusUnprocessableEntity, Detail: items}
			}
			if status >= 500 {
				return internalError
			}
			return newError(status, msg)
		}
	})
}

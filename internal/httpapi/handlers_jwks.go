package httpapi

import (
	"context"
	"net/http"
	"reflect"

	"github.com/danielgtaylor/huma/v2"
)

// jwksCacheControl lets other services cache the key set for five minutes.
// A rotation publishes the new key before it signs, and JWKS clients fetch
// the set again when a token names a kid they do not know.
const jwksCacheControl = "public, max-age=300"

type jwksOutput struct {
	ContentType  string `header:"Content-Type"`
	CacheControl string `header:"Cache-Control"`
	// Body is the set as the token manager encoded it (with go-jose).
	Body []byte
}

// jwksDoc describes the JWK Set for the OpenAPI document only; the body is
// written by go-jose.
type jwksDoc struct {
	Keys []jsonWebKey `json:"keys" nullable:"false" doc:"The public keys of every key whose tokens are accepted: the signing key, a key about to sign, and keys replaced less than a refresh-token lifetime ago."`
}

// jsonWebKey describes one key of the set for the OpenAPI document.
type jsonWebKey struct {
	Kty string `json:"kty" enum:"RSA,EC,OKP"`
	Kid string `json:"kid" doc:"The kid header of the tokens this key signs: its RFC 7638 thumbprint."`
	Alg string `json:"alg" enum:"RS256,ES256,EdDSA" doc:"The one algorithm accepted with this key."`
	Use string `json:"use" enum:"sig"`
	N   string `json:"n,omitempty" doc:"RSA modulus"`
	E   string `json:"e,omitempty" doc:"RSA exponent"`
	Crv string `json:"crv,omitempty" enum:"P-256,Ed25519"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
}

func (s *server) jwks(context.Context, *struct{}) (*jwksOutput, error) {
	return &jwksOutput{ContentType: "application/json", CacheControl: jwksCacheControl, Body: s.svc.JWKS()}, nil
}

// registerJWKS adds GET /.well-known/jwks.json.
func registerJWKS(api huma.API, s *server) {
	schema := huma.SchemaFromType(api.OpenAPI().Components.Schemas, reflect.TypeFor[jwksDoc]())
	huma.Register(api, huma.Operation{
		OperationID: "jwks", Method: http.MethodGet, Path: "/.well-known/jwks.json",
		Summary:     "Token signing keys (JWKS)",
		Description: "The JSON Web Key Set (RFC 7517) to verify authapi's tokens with: pick the key by the token's kid and accept only its alg.",
		Tags:        []string{"Keys"},
		Responses: map[string]*huma.Response{
			"200": {
				Description: "The key set",
				Headers:     map[string]*huma.Param{"Cache-Control": {Schema: &huma.Schema{Type: "string"}, Example: jwksCacheControl}},
				Content:     map[string]*huma.MediaType{"application/json": {Schema: schema}},
			},
		},
	}, s.jwks)
}

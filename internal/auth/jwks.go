package auth

// JWKS returns the JSON Web Key Set of the keys whose tokens the service
// accepts, for other services to verify its tokens with: see
// token.Manager.JWKS. It follows key rotations as they happen.
func (s *Service) JWKS() []byte {
	return s.tokens.JWKS()
}

package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/authapi/authapi/internal/token"
)

// runKeys prints a fresh key pair in the reference's .env form.
func runKeys(args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "generate" {
		return errors.New("usage: authapi keys generate [--alg RS256|ES256|EdDSA]")
	}
	fs := flag.NewFlagSet("keys generate", flag.ContinueOnError)
	fs.SetOutput(stdout)
	alg := fs.String("alg", token.RS256, "signing algorithm: RS256, ES256 or EdDSA")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	key, err := token.GenerateKey(*alg)
	if err != nil {
		return err
	}
	priv, pub, err := key.EncodeBase64PEM()
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "JWT_ALGORITHM=%s\nJWT_PRIVATE_KEY=%s\nJWT_PUBLIC_KEY=%s\n", key.Alg(), priv, pub)
	return err
}

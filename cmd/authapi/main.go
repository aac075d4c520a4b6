// Command authapi is a self-hosted authentication API: register, log in,
// refresh and log out with JWTs in HttpOnly cookies or a Bearer header.
//
//	authapi [serve] [--addr HOST:PORT]   run the server (the default)
//	authapi migrate up|down|status       manage the database schema
//	authapi migrate create NAME          add a migration (both dialects)
//	authapi keys generate [--alg ALG]    print a fresh key pair for .env
//	authapi keys rotate [--alg ALG]      start signing with a new key (keys in the database)
//	authapi keys list                    list the signing keys in the database
//	authapi version                      print the version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/authapi/authapi/internal/password"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	// A hash worker is this program started again (HASH_PROCESS); it never
	// gets past this line.
	password.RunWorkerIfChild()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "authapi:", err)
		}
		os.Exit(1)
	}
}

// run is the whole program, so tests can drive it like a user does.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return runServe(ctx, args, getenv, stderr, nil)
	case "migrate":
		return runMigrate(ctx, args, getenv, stdout)
	case "keys":
		return runKeys(ctx, args, getenv, stdout, stderr)
	case "version":
		_, err := fmt.Fprintln(stdout, "authapi", version)
		return err
	case "help", "-h", "--help":
		_, err := fmt.Fprint(stdout, usage)
		return err
	}
	return fmt.Errorf("unknown command %q: run 'authapi help' for the list", cmd)
}

const usage = `authapi: a self-hosted authentication API

Usage:
  authapi [serve] [--addr HOST:PORT]   run the server (default command; ADDR, default :8000)
  authapi migrate up|down|status       apply, roll back one, or list database migrations
  authapi migrate create NAME          add an empty migration for both PostgreSQL and SQLite
  authapi keys generate [--alg ALG]    print a fresh signing key pair (RS256, ES256 or EdDSA) for .env
  authapi keys rotate [--alg ALG] [--delay D]
                                       add a new signing key to the database: every instance
                                       publishes it, then signs with it after D (default two
                                       KEYS_REFRESH_INTERVALs); old tokens stay valid
  authapi keys list                    list the signing keys in the database and their state
  authapi version                      print the version

Settings come from the environment and a .env file in the working directory;
see README.md for the full list.
`

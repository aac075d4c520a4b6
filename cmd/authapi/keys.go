package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/authapi/authapi/internal/config"
	"github.com/authapi/authapi/internal/store"
	"github.com/authapi/authapi/internal/token"
)

const keysUsage = "usage: authapi keys generate [--alg ALG] | rotate [--alg ALG] [--delay DURATION] | list"

// runKeys manages signing keys: generate prints a fresh pair in the
// reference's .env form; rotate and list work on the keys in the database.
func runKeys(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(keysUsage)
	}
	switch args[0] {
	case "generate":
		return runKeysGenerate(args[1:], stdout)
	case "rotate":
		return runKeysRotate(ctx, args[1:], getenv, stdout, stderr)
	case "list":
		return runKeysList(ctx, args[1:], getenv, stdout, stderr)
	}
	return errors.New(keysUsage)
}

// runKeysGenerate prints a fresh key pair in the reference's .env form.
func runKeysGenerate(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("keys generate", flag.ContinueOnError)
	fs.SetOutput(stdout)
	alg := fs.String("alg", token.RS256, "signing algorithm: RS256, ES256 or EdDSA")
	if err := fs.Parse(args); err != nil {
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

// runKeysRotate adds a new signing key to the database. Every instance
// publishes it at its next reload and signs with it from --delay on; the
// previous key verifies until its tokens have expired.
func runKeysRotate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("keys rotate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	alg := fs.String("alg", "", "algorithm of the new key: RS256, ES256 or EdDSA (default: that of the current key)")
	delay := fs.Duration("delay", -1, "when the new key starts signing (default: two KEYS_REFRESH_INTERVALs, so every instance knows it first; 0 for a compromised key)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, db, err := openKeysDB(ctx, getenv, "rotate")
	if err != nil {
		return err
	}
	defer db.Close()
	log := newLogger(stderr, cfg.LogLevel, cfg.LogFormat)
	ring := newRing(cfg, db, log)
	if !ring.Encrypted() {
		log.Warn("KEYS_ENCRYPTION_KEY is not set: the new private key is stored unencrypted (servers that have the key encrypt it when they load it)")
	}
	if *delay < 0 {
		*delay = ring.DefaultDelay()
	}
	if *delay < ring.DefaultDelay() {
		log.Warn("the new key signs before every instance has reloaded: their users get 401 until they do", "delay", delay.String(), "refresh_interval", cfg.KeysRefreshInterval.String())
	}
	rec, err := ring.Rotate(ctx, *alg, *delay)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "new signing key %s (%s): published at each instance's next reload, signs from %s; the previous key verifies until %s\n",
		rec.ID, rec.Alg, rec.ActiveFrom.UTC().Format(time.RFC3339), rec.ActiveFrom.Add(ring.Retention()).UTC().Format(time.RFC3339))
	return err
}

// runKeysList prints every signing key in the database and its state; never
// private material.
func runKeysList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		return errors.New("usage: authapi keys list")
	}
	cfg, db, err := openKeysDB(ctx, getenv, "list")
	if err != nil {
		return err
	}
	defer db.Close()
	keys, err := newRing(cfg, db, newLogger(stderr, cfg.LogLevel, cfg.LogFormat)).List(ctx)
	if err != nil {
		return err
	}
	when := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.UTC().Format(time.RFC3339)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tKID\tALG\tSTATE\tCREATED\tSIGNS FROM\tRETIRED\tVERIFIES UNTIL\tPRIVATE KEY")
	for _, k := range keys {
		private := "erased"
		switch {
		case k.Encrypted:
			private = "encrypted"
		case k.HasPrivate:
			private = "unencrypted"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.Seq, k.ID, k.Alg, k.State,
			when(k.CreatedAt), when(k.ActiveFrom), when(k.RetiredAt), when(k.Until), private)
	}
	return tw.Flush()
}

// openKeysDB loads the settings and opens the database for the keys
// commands, which work on the keys in the database only.
func openKeysDB(ctx context.Context, getenv func(string) string, cmd string) (config.Config, *store.DB, error) {
	cfg, err := config.Load(getenv, ".env")
	if err != nil {
		return config.Config{}, nil, err
	}
	if !cfg.KeysGenerated() {
		return config.Config{}, nil, fmt.Errorf("keys %s: JWT_PRIVATE_KEY is set, so the signing key comes from the environment, not the database; "+
			"rotate it by deploying a new JWT_PRIVATE_KEY (authapi keys generate) with the old public key in JWT_PREVIOUS_PUBLIC_KEYS", cmd)
	}
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return config.Config{}, nil, err
	}
	if cfg.AutoMigrate {
		if err := db.MigrateUp(ctx); err != nil {
			db.Close()
			return config.Config{}, nil, fmt.Errorf("migrate database: %w", err)
		}
	}
	return cfg, db, nil
}

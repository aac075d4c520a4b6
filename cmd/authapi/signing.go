package main

import (
	"context"
	"log/slog"

	"github.com/authapi/authapi/internal/config"
	"github.com/authapi/authapi/internal/keyring"
	"github.com/authapi/authapi/internal/store"
	"github.com/authapi/authapi/internal/token"
)

// startKeys returns the token Manager serve signs and verifies with. With
// JWT_PRIVATE_KEY set, its keys are that key and JWT_PREVIOUS_PUBLIC_KEYS,
// fixed until the next deployment. Otherwise they live in the database and a
// goroutine reloads them every KEYS_REFRESH_INTERVAL, so that a rotation
// reaches this instance; stop ends it and waits for it.
func startKeys(ctx context.Context, cfg config.Config, db *store.DB, log *slog.Logger) (m *token.Manager, stop func(), err error) {
	opts := token.Options{Issuer: cfg.Issuer, CacheSize: cfg.TokenCacheSize}
	if cfg.TokenCacheSize == 0 {
		opts.CacheSize = -1 // off
	}
	if !cfg.KeysGenerated() {
		m, err := envManager(cfg, opts)
		return m, func() {}, err
	}
	ring := newRing(cfg, db, log)
	if !ring.Encrypted() {
		log.Warn("KEYS_ENCRYPTION_KEY is not set: the private signing keys are stored unencrypted in the database; set it to base64 of 32 random bytes (openssl rand -base64 32) to encrypt them")
	}
	if m, err = ring.NewManager(ctx, opts); err != nil {
		return nil, nil, err
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		ring.Run(rctx, m)
	}()
	return m, func() { cancel(); <-done }, nil
}

// envManager builds the Manager of configured keys.
func envManager(cfg config.Config, opts token.Options) (*token.Manager, error) {
	key, err := token.ParseKey(cfg.JWTAlgorithm, cfg.JWTPrivateKey, cfg.JWTPublicKey)
	if err != nil {
		return nil, err
	}
	previous, err := token.ParsePreviousKeys(cfg.JWTPreviousPublicKeys)
	if err != nil {
		return nil, err
	}
	m := token.NewManager(key, opts)
	if err := m.SetKeys(token.KeySet{Signing: key, Verify: previous}); err != nil {
		return nil, err
	}
	return m, nil
}

// newRing returns the keyring of the database, as configured.
func newRing(cfg config.Config, db *store.DB, log *slog.Logger) *keyring.Ring {
	return keyring.New(keyring.Options{
		Store: db, KEK: cfg.KeysEncryptionKey, Alg: cfg.JWTAlgorithm, ImportDir: cfg.KeysDir,
		MaxTokenLifetime: max(cfg.AccessTTL, cfg.RefreshTTL), Interval: cfg.KeysRefreshInterval, Log: log,
	})
}

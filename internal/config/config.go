// Package config reads authapi's settings from a .env file and the environment,
// checks every one of them, and returns them typed in a Config.
//
// The variable names are the reference server's (DATABASE_PORT, POSTGRES_*,
// JWT_*, ACCESS_TOKEN_EXPIRES_IN, REFRESH_TOKEN_EXPIRES_IN, CLIENT_ORIGIN) plus
// authapi's own. The package has no state and never reads the process
// environment itself: Load is handed a getenv function.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
	"github.com/joho/godotenv"
)

// Config is authapi's checked configuration. Load returns it; the zero value is
// not a usable configuration.
type Config struct {
	// Addr is the listen address (ADDR, default ":8000").
	Addr string
	// DatabaseURL is a postgres:// (or postgresql://) URL, or the path of a SQLite
	// file. It may hold a password: log the Config, never this field alone.
	DatabaseURL string
	// JWTPrivateKey and JWTPublicKey are the values of JWT_PRIVATE_KEY and
	// JWT_PUBLIC_KEY as given (base64 of PEM, as the reference; DecodeKey turns
	// them into PEM). Both are empty when authapi is to generate a key pair, or
	// reuse the one it generated before, in KeysDir.
	JWTPrivateKey, JWTPublicKey string
	// JWTPreviousPublicKeys is JWT_PREVIOUS_PUBLIC_KEYS as given: the public
	// keys of earlier values of JWT_PRIVATE_KEY, whose tokens stay valid (a
	// comma-separated list of base64 PEM keys, each optionally prefixed with
	// its algorithm as "ES256:", or a JWK Set). Only used with JWTPrivateKey;
	// token.ParsePreviousKeys reads it.
	JWTPreviousPublicKeys string
	// JWTAlgorithm is RS256, ES256 or EdDSA (JWT_ALGORITHM, default RS256).
	// With keys in the database, it is the algorithm of the first key.
	JWTAlgorithm string
	// KeysDir is where earlier versions kept the key they generated (KEYS_DIR;
	// default the directory of the SQLite file, or "./data" with PostgreSQL).
	// It is imported into the database on the first start without a key there.
	KeysDir string
	// KeysEncryptionKey is the 32-byte key that encrypts the private signing
	// keys kept in the database (KEYS_ENCRYPTION_KEY, standard base64); nil
	// keeps them unencrypted. Never log it.
	KeysEncryptionKey []byte
	// KeysRefreshInterval is how often each instance reloads the signing keys
	// from the database (KEYS_REFRESH_INTERVAL, default 30s).
	KeysRefreshInterval time.Duration
	// AccessTTL and RefreshTTL are the token lifetimes (ACCESS_TOKEN_EXPIRES_IN,
	// default 15, and REFRESH_TOKEN_EXPIRES_IN, default 60, in whole minutes).
	AccessTTL, RefreshTTL time.Duration
	// ClientOrigins are the exact origins allowed to call the API with
	// credentials (CLIENT_ORIGIN, comma-separated, default
	// http://localhost:3000), each as scheme://host[:port], lower-cased, without
	// a trailing slash or a default port.
	ClientOrigins []string
	// PublicURL is the URL browsers reach authapi at (PUBLIC_URL, optional),
	// without a trailing slash.
	PublicURL string
	// CookieSecure sets Secure on the cookies (COOKIE_SECURE; default true when
	// PublicURL is https, else false).
	CookieSecure bool
	// CookieDomain is the cookies' Domain attribute (COOKIE_DOMAIN, default ""
	// for host-only cookies), lower-cased and without a leading dot.
	CookieDomain string
	// CookieSameSite is lax, strict or none (COOKIE_SAMESITE, default lax).
	CookieSameSite string
	// RefreshReuseGrace is how long a just-rotated refresh token is still taken,
	// for two tabs refreshing at once (REFRESH_REUSE_GRACE, default 10s, 0 to 1m).
	RefreshReuseGrace time.Duration
	// SessionMaxLifetime caps a session however often it is refreshed
	// (SESSION_MAX_LIFETIME, default 720h; "30d" is accepted too).
	SessionMaxLifetime time.Duration
	// AutoMigrate applies pending migrations at start-up (AUTO_MIGRATE, default true).
	AutoMigrate bool
	// EmailVerification makes new users unverified until they verify their email
	// (REQUIRE_EMAIL_VERIFICATION, default false).
	EmailVerification bool
	// Issuer is the iss claim of issued tokens (JWT_ISSUER, default "authapi");
	// never empty.
	Issuer string
	// LogLevel is debug, info, warn or error (LOG_LEVEL, default info).
	LogLevel string
	// LogFormat is text or json (LOG_FORMAT, default text).
	LogFormat string
	// MaxBodyBytes caps request bodies (MAX_BODY_BYTES, default 1048576).
	MaxBodyBytes int64
	// AccountPage serves the account page at / (ACCOUNT_PAGE, default true).
	AccountPage bool
	// ShutdownTimeout is how long in-flight requests get to finish on shutdown
	// (SHUTDOWN_TIMEOUT, default 15s).
	ShutdownTimeout time.Duration
	// SessionIdleTimeout ends a session not refreshed for this long
	// (SESSION_IDLE_TIMEOUT, default 168h; 0 for no idle limit). When set, it
	// is longer than AccessTTL.
	SessionIdleTimeout time.Duration
	// CookiePrefix names the cookies __Host-/__Secure- (COOKIE_PREFIX, default
	// false); it needs COOKIE_SECURE and no COOKIE_DOMAIN.
	CookiePrefix bool
	// TrustedProxies may set the client's address in ProxyHeader
	// (TRUSTED_PROXIES, comma-separated IPs or CIDRs; default none).
	TrustedProxies []netip.Prefix
	// ProxyHeader is the one header the trusted proxies write the client's
	// address to: "x-forwarded-for" or "forwarded" (TRUSTED_PROXY_HEADER,
	// default x-forwarded-for). The other is never read: most proxies pass
	// it through from the client untouched.
	ProxyHeader string
	// RateLimitAuth and RateLimitRefresh are requests per minute per client
	// address for login/register/password change (RATE_LIMIT_AUTH, default 30)
	// and refresh (RATE_LIMIT_REFRESH, default 120); 0 turns a limit off.
	RateLimitAuth, RateLimitRefresh int
	// LockoutThreshold failed logins in an hour lock an account for
	// LockoutBase, doubling with each further failure up to LockoutMax
	// (LOGIN_LOCKOUT_THRESHOLD 5, 0 for off; LOGIN_LOCKOUT_BASE 30s;
	// LOGIN_LOCKOUT_MAX 15m).
	LockoutThreshold        int
	LockoutBase, LockoutMax time.Duration
	// HashConcurrency and HashQueue bound password hashing: at most
	// HashConcurrency at once (HASH_CONCURRENCY, default one less than the
	// cores, at least 1) and HashQueue more waiting (HASH_QUEUE, default 32);
	// beyond that, 503.
	HashConcurrency, HashQueue int
	// HashProcess computes the hashes in a child process instead of in the
	// server's own (HASH_PROCESS, default true on Linux; elsewhere it cannot
	// be turned on).
	HashProcess bool
	// TokenCacheSize is how many verified access tokens are remembered so a
	// token presented again skips the signature check (TOKEN_CACHE_SIZE,
	// default 10000, 0 for none).
	TokenCacheSize int
	// DrainDelay is how long /readyz answers 503 before shutdown begins, so that
	// load balancers stop sending traffic first (SHUTDOWN_DRAIN_DELAY, default 1s).
	DrainDelay time.Duration
	// MetricsEnabled serves Prometheus metrics at /metrics (METRICS_ADDR not "off").
	MetricsEnabled bool
	// MetricsAddr is a separate listen address for /metrics (METRICS_ADDR);
	// empty serves it on Addr.
	MetricsAddr string
	// DatabaseTimeout bounds each database call, so an unreachable database
	// gives a quick 503 (DATABASE_TIMEOUT, default 2s; 0 for no limit).
	DatabaseTimeout time.Duration
	// ReadTimeout bounds reading a whole request; reading its headers gets at
	// most 5s of it (HTTP_READ_TIMEOUT, default 15s). Slow clients are cut off.
	ReadTimeout time.Duration
}

// DefaultSQLitePath is the database used when none is configured.
const DefaultSQLitePath = "./data/authapi.db"

// variables holds every setting as the text it was given in, under the names
// users see, with the defaults. The fields are all strings so that validate.go
// is the one place where text becomes typed values, and so that every error
// names the variable: caarlos0/env's own parse errors name Go fields instead.
type variables struct {
	Addr               string `env:"ADDR" envDefault:":8000"`
	DatabaseURL        string `env:"DATABASE_URL"`
	PostgresUser       string `env:"POSTGRES_USER"`
	PostgresPassword   string `env:"POSTGRES_PASSWORD"`
	PostgresDB         string `env:"POSTGRES_DB"`
	PostgresHost       string `env:"POSTGRES_HOST"`
	PostgresHostname   string `env:"POSTGRES_HOSTNAME"`
	DatabasePort       string `env:"DATABASE_PORT"`
	JWTPrivateKey      string `env:"JWT_PRIVATE_KEY"`
	JWTPublicKey       string `env:"JWT_PUBLIC_KEY"`
	JWTPreviousKeys    string `env:"JWT_PREVIOUS_PUBLIC_KEYS"`
	JWTAlgorithm       string `env:"JWT_ALGORITHM" envDefault:"RS256"`
	KeysDir            string `env:"KEYS_DIR"`
	KeysEncryptionKey  string `env:"KEYS_ENCRYPTION_KEY"`
	KeysRefresh        string `env:"KEYS_REFRESH_INTERVAL" envDefault:"30s"`
	AccessTTL          string `env:"ACCESS_TOKEN_EXPIRES_IN" envDefault:"15"`
	RefreshTTL         string `env:"REFRESH_TOKEN_EXPIRES_IN" envDefault:"60"`
	ClientOrigin       string `env:"CLIENT_ORIGIN" envDefault:"http://localhost:3000"`
	PublicURL          string `env:"PUBLIC_URL"`
	CookieSecure       string `env:"COOKIE_SECURE"`
	CookieDomain       string `env:"COOKIE_DOMAIN"`
	CookieSameSite     string `env:"COOKIE_SAMESITE" envDefault:"lax"`
	RefreshReuseGrace  string `env:"REFRESH_REUSE_GRACE" envDefault:"10s"`
	SessionMaxLifetime string `env:"SESSION_MAX_LIFETIME" envDefault:"720h"`
	AutoMigrate        string `env:"AUTO_MIGRATE" envDefault:"true"`
	EmailVerification  string `env:"REQUIRE_EMAIL_VERIFICATION" envDefault:"false"`
	Issuer             string `env:"JWT_ISSUER" envDefault:"authapi"`
	LogLevel           string `env:"LOG_LEVEL" envDefault:"info"`
	LogFormat          string `env:"LOG_FORMAT" envDefault:"text"`
	MaxBodyBytes       string `env:"MAX_BODY_BYTES" envDefault:"1048576"`
	ShutdownTimeout    string `env:"SHUTDOWN_TIMEOUT" envDefault:"15s"`
	SessionIdleTimeout string `env:"SESSION_IDLE_TIMEOUT" envDefault:"168h"`
	CookiePrefix       string `env:"COOKIE_PREFIX" envDefault:"false"`
	TrustedProxies     string `env:"TRUSTED_PROXIES"`
	ProxyHeader        string `env:"TRUSTED_PROXY_HEADER" envDefault:"x-forwarded-for"`
	RateLimitAuth      string `env:"RATE_LIMIT_AUTH" envDefault:"30"`
	RateLimitRefresh   string `env:"RATE_LIMIT_REFRESH" envDefault:"120"`
	LockoutThreshold   string `env:"LOGIN_LOCKOUT_THRESHOLD" envDefault:"5"`
	LockoutBase        string `env:"LOGIN_LOCKOUT_BASE" envDefault:"30s"`
	LockoutMax         string `env:"LOGIN_LOCKOUT_MAX" envDefault:"15m"`
	HashConcurrency    string `env:"HASH_CONCURRENCY"`
	HashQueue          string `env:"HASH_QUEUE" envDefault:"32"`
	HashProcess        string `env:"HASH_PROCESS"`
	TokenCacheSize     string `env:"TOKEN_CACHE_SIZE" envDefault:"10000"`
	DrainDelay         string `env:"SHUTDOWN_DRAIN_DELAY" envDefault:"1s"`
	MetricsAddr        string `env:"METRICS_ADDR"`
	DatabaseTimeout    string `env:"DATABASE_TIMEOUT" envDefault:"2s"`
	ReadTimeout        string `env:"HTTP_READ_TIMEOUT" envDefault:"15s"`
	AccountPage        string `env:"ACCOUNT_PAGE" envDefault:"true"`
}

// Load reads the .env file at dotenvPath, then the variables getenv returns,
// and returns the checked configuration.
//
// A missing .env file (or an empty dotenvPath) is not an error; a malformed one
// is, naming the file and the line. A variable that getenv returns non-empty
// overrides the file, and an empty value counts as unset, so its default
// applies. Each invalid setting adds one line to the returned error, naming the
// variable, what is wrong and how to fix it; no line shows a password or key.
func Load(getenv func(string) string, dotenvPath string) (Config, error) {
	file, err := readDotenv(dotenvPath)
	if err != nil {
		return Config{}, err
	}
	environ, err := environment(file, getenv)
	if err != nil {
		return Config{}, err
	}
	var vars variables
	if err := env.ParseWithOptions(&vars, env.Options{Environment: environ}); err != nil {
		return Config{}, fmt.Errorf("reading settings: %w", err)
	}
	return vars.config()
}

// Names returns the names of every variable Load reads, in a stable order.
func Names() []string {
	params, err := fieldParams()
	if err != nil {
		// variables is a constant of this package: its tags cannot be wrong at run time.
		panic(err)
	}
	names := make([]string, len(params))
	for i, p := range params {
		names[i] = p.Key
	}
	return names
}

func fieldParams() ([]env.FieldParams, error) {
	// An explicit, empty Environment keeps the library from reading os.Environ.
	return env.GetFieldParamsWithOptions(&variables{}, env.Options{Environment: map[string]string{}})
}

// environment builds the one map Load parses: the .env values, overlaid with
// the non-empty values getenv returns, for every variable the package declares.
func environment(file map[string]string, getenv func(string) string) (map[string]string, error) {
	params, err := fieldParams()
	if err != nil {
		return nil, fmt.Errorf("listing settings: %w", err)
	}
	environ := make(map[string]string, len(params))
	for _, p := range params {
		if v := file[p.Key]; v != "" {
			environ[p.Key] = v
		}
		if getenv == nil {
			continue
		}
		if v := getenv(p.Key); v != "" {
			environ[p.Key] = v
		}
	}
	return environ, nil
}

// readDotenv returns the variables of the .env file at path, or none if there
// is no such file.
func readDotenv(path string) (map[string]string, error) {
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	vars, err := godotenv.Parse(bytes.NewReader(data))
	if err != nil {
		// godotenv's message quotes the rest of the file, keys included, so it is
		// replaced by the line number.
		return nil, fmt.Errorf("%s:%d: malformed line: write NAME=value, and close any quote you open", path, badLine(data))
	}
	return vars, nil
}

// badLine finds the line of data where godotenv's parser fails: one past the
// longest run of whole lines that still parses. Statements before the bad one
// are complete by then, and every prefix that reaches into the bad one fails.
func badLine(data []byte) int {
	lines := strings.SplitAfter(string(data), "\n")
	for n := len(lines) - 1; n >= 0; n-- {
		if _, err := godotenv.Parse(strings.NewReader(strings.Join(lines[:n], ""))); err == nil {
			return n + 1
		}
	}
	return 1
}

// UsesPostgres reports whether DatabaseURL is a PostgreSQL URL rather than a
// SQLite file path.
func (c Config) UsesPostgres() bool {
	return isPostgresURL(c.DatabaseURL)
}

// KeysGenerated reports whether no key pair was configured, so authapi keeps a
// generated one in KeysDir.
func (c Config) KeysGenerated() bool {
	return c.JWTPrivateKey == "" && c.JWTPublicKey == ""
}

// SlogLevel returns LogLevel as a slog.Level.
func (c Config) SlogLevel() slog.Level {
	switch c.LogLevel {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	default:
		return slog.LevelInfo
	}
}

package config

import (
	"encoding/base64"
	"encoding/pem"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// load runs Load with dotenv as the .env file (none if empty) and environ as
// the environment.
func load(t *testing.T, dotenv string, environ map[string]string) (Config, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), ".env")
	if dotenv != "" {
		if err := os.WriteFile(path, []byte(dotenv), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return Load(func(k string) string { return environ[k] }, path)
}

// testKey returns base64 of a PEM block of the given type. The config package
// checks only the block type; parsing the key is the token package's job.
func testKey(blockType, body string) string {
	return base64.StdEncoding.EncodeToString(pem.EncodeToMemory(&pem.Block{Type: blockType, Bytes: []byte(body)}))
}

// Secrets put into settings by the tests; no error message may contain them.
const (
	secretPassword = "s3cr3t-Pw"
	secretKeyBody  = "secret-key-material"
)

// kekBytes is a 32-byte key-encryption key; kek is its setting.
const kekBytes = "0123456789abcdef0123456789abcdef"

var (
	kek        = base64.StdEncoding.EncodeToString([]byte(kekBytes))
	privateKey = testKey("PRIVATE KEY", secretKeyBody)
	publicKey  = testKey("PUBLIC KEY", secretKeyBody)
)

func defaults() Config {
	return Config{
		Addr:                ":8000",
		DatabaseURL:         "./data/authapi.db",
		JWTAlgorithm:        "RS256",
		KeysDir:             "data",
		KeysRefreshInterval: 30 * time.Second,
		AccessTTL:           15 * time.Minute,
		RefreshTTL:          60 * time.Minute,
		ClientOrigins:       []string{"http://localhost:3000"},
		CookieSameSite:      "lax",
		RefreshReuseGrace:   10 * time.Second,
		SessionMaxLifetime:  720 * time.Hour,
		AutoMigrate:         true,
		Issuer:              "authapi",
		LogLevel:            "info",
		LogFormat:           "text",
		MaxBodyBytes:        1048576,
		ShutdownTimeout:     15 * time.Second,
		SessionIdleTimeout:  168 * time.Hour,
		ProxyHeader:         "x-forwarded-for",
		RateLimitAuth:       30,
		RateLimitRefresh:    120,
		LockoutThreshold:    5,
		LockoutBase:         30 * time.Second,
		LockoutMax:          15 * time.Minute,
		HashConcurrency:     max(1, runtime.NumCPU()-1),
		HashQueue:           32,
		HashProcess:         runtime.GOOS == "linux",
		TokenCacheSize:      10000,
		DrainDelay:          time.Second,
		MetricsEnabled:      true,
		DatabaseTimeout:     2 * time.Second,
		ReadTimeout:         15 * time.Second,
		AccountPage:         true,
	}
}

func TestLoadDefaults(t *testing.T) {
	t.Parallel()
	got, err := load(t, "", nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if diff := cmp.Diff(defaults(), got); diff != "" {
		t.Errorf("Load() mismatch (-want +got):\n%s", diff)
	}
	if !got.KeysGenerated() || got.UsesPostgres() {
		t.Errorf("KeysGenerated=%v UsesPostgres=%v, want true false", got.KeysGenerated(), got.UsesPostgres())
	}
}

func TestLoadNoDotenvPath(t *testing.T) {
	t.Parallel()
	got, err := Load(nil, "")
	if err != nil {
		t.Fatalf("Load(nil, \"\"): %v", err)
	}
	if diff := cmp.Diff(defaults(), got); diff != "" {
		t.Errorf("Load() mismatch (-want +got):\n%s", diff)
	}
}

// referenceDotenv is the shape of the reference server's .env file.
const referenceDotenv = `DATABASE_PORT=6500
POSTGRES_PASSWORD=password123
POSTGRES_USER=postgres
POSTGRES_DB=fastapi
POSTGRES_HOST=postgres
POSTGRES_HOSTNAME=127.0.0.1

ACCESS_TOKEN_EXPIRES_IN=15
REFRESH_TOKEN_EXPIRES_IN=60
JWT_ALGORITHM=RS256

CLIENT_ORIGIN=http://localhost:3000
`

func TestLoad(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		dotenv  string
		environ map[string]string
		want    func(*Config) // applied to defaults()
	}{
		{
			name:   "dotenv is read",
			dotenv: "ACCESS_TOKEN_EXPIRES_IN=30\n# a comment\nexport JWT_ISSUER=\"issuer one\"\nLOG_FORMAT='json'\n",
			want: func(c *Config) {
				c.AccessTTL, c.Issuer, c.LogFormat = 30*time.Minute, "issuer one", "json"
			},
		},
		{
			name:    "environment overrides dotenv",
			dotenv:  "ACCESS_TOKEN_EXPIRES_IN=30\nREFRESH_TOKEN_EXPIRES_IN=90\n",
			environ: map[string]string{"ACCESS_TOKEN_EXPIRES_IN": "5"},
			want:    func(c *Config) { c.AccessTTL, c.RefreshTTL = 5*time.Minute, 90*time.Minute },
		},
		{
			name:    "empty environment value does not override dotenv",
			dotenv:  "JWT_ISSUER=from-file\n",
			environ: map[string]string{"JWT_ISSUER": ""},
			want:    func(c *Config) { c.Issuer = "from-file" },
		},
		{
			name:   "empty dotenv value means the default",
			dotenv: "ACCESS_TOKEN_EXPIRES_IN=\nJWT_PRIVATE_KEY=\nJWT_PUBLIC_KEY=\nDATABASE_URL=\n",
			want:   func(*Config) {},
		},
		{
			name:    "idle timeout just longer than the access token",
			environ: map[string]string{"ACCESS_TOKEN_EXPIRES_IN": "30", "SESSION_IDLE_TIMEOUT": "31m"},
			want:    func(c *Config) { c.AccessTTL, c.SessionIdleTimeout = 30*time.Minute, 31*time.Minute },
		},
		{
			name:    "no idle limit with a long access token",
			environ: map[string]string{"ACCESS_TOKEN_EXPIRES_IN": "525600", "SESSION_IDLE_TIMEOUT": "0"},
			want:    func(c *Config) { c.AccessTTL, c.SessionIdleTimeout = 525600*time.Minute, 0 },
		},
		{
			name:    "issuer is trimmed",
			environ: map[string]string{"JWT_ISSUER": "  https://auth.example.com "},
			want:    func(c *Config) { c.Issuer = "https://auth.example.com" },
		},
		{
			name:    "account page off",
			environ: map[string]string{"ACCOUNT_PAGE": "false"},
			want:    func(c *Config) { c.AccountPage = false },
		},
		{
			name:    "unknown variables are ignored",
			dotenv:  "SOMETHING_ELSE=1\n",
			environ: map[string]string{"PATH": "/bin"},
			want:    func(*Config) {},
		},
		{
			name:   "reference dotenv builds the postgres URL",
			dotenv: referenceDotenv,
			want: func(c *Config) {
				c.DatabaseURL = "postgres://postgres:password123@127.0.0.1:6500/fastapi?sslmode=disable"
				c.KeysDir = "./data"
			},
		},
		{
			name: "postgres URL escapes user, password and database",
			environ: map[string]string{
				"POSTGRES_USER": "us@r", "POSTGRES_PASSWORD": "p@ss:w/rd %#?", "POSTGRES_DB": "my db/x",
			},
			want: func(c *Config) {
				c.DatabaseURL = "postgres://us%40r:p%40ss%3Aw%2Frd%20%25%23%3F@localhost:5432/my%20db%2Fx?sslmode=disable"
				c.KeysDir = "./data"
			},
		},
		{
			name:    "POSTGRES_HOST is used without POSTGRES_HOSTNAME",
			environ: map[string]string{"POSTGRES_USER": "u", "POSTGRES_DB": "d", "POSTGRES_HOST": "db", "DATABASE_PORT": "6543"},
			want: func(c *Config) {
				c.DatabaseURL, c.KeysDir = "postgres://u@db:6543/d?sslmode=disable", "./data"
			},
		},
		{
			name:    "IPv6 host is bracketed",
			environ: map[string]string{"POSTGRES_USER": "u", "POSTGRES_DB": "d", "POSTGRES_HOSTNAME": "::1"},
			want: func(c *Config) {
				c.DatabaseURL, c.KeysDir = "postgres://u@[::1]:5432/d?sslmode=disable", "./data"
			},
		},
		{
			name:    "DATABASE_URL wins over POSTGRES_*",
			dotenv:  referenceDotenv,
			environ: map[string]string{"DATABASE_URL": "postgresql://app@db:5432/app"},
			want: func(c *Config) {
				c.DatabaseURL, c.KeysDir = "postgresql://app@db:5432/app", "./data"
			},
		},
		{
			name:    "DATABASE_URL as a SQLite path sets KeysDir beside it",
			environ: map[string]string{"DATABASE_URL": "/data/authapi.db"},
			want:    func(c *Config) { c.DatabaseURL, c.KeysDir = "/data/authapi.db", "/data" },
		},
		{
			name:    "KEYS_DIR is kept",
			environ: map[string]string{"KEYS_DIR": "/run/keys"},
			want:    func(c *Config) { c.KeysDir = "/run/keys" },
		},
		{
			name:    "key pair",
			environ: map[string]string{"JWT_PRIVATE_KEY": privateKey, "JWT_PUBLIC_KEY": publicKey, "JWT_ALGORITHM": "es256"},
			want: func(c *Config) {
				c.JWTPrivateKey, c.JWTPublicKey, c.JWTAlgorithm = privateKey, publicKey, "ES256"
			},
		},
		{
			name:    "private key alone: the public half is derived later",
			environ: map[string]string{"JWT_PRIVATE_KEY": privateKey, "JWT_ALGORITHM": "ES256"},
			want:    func(c *Config) { c.JWTPrivateKey, c.JWTAlgorithm = privateKey, "ES256" },
		},
		{
			name: "previous public keys beside the private key",
			environ: map[string]string{
				"JWT_PRIVATE_KEY": privateKey, "JWT_PREVIOUS_PUBLIC_KEYS": " ES256:" + publicKey + "," + publicKey + " ",
			},
			want: func(c *Config) {
				c.JWTPrivateKey, c.JWTPreviousPublicKeys = privateKey, "ES256:"+publicKey+","+publicKey
			},
		},
		{
			name:    "keys encryption key and refresh interval",
			environ: map[string]string{"KEYS_ENCRYPTION_KEY": kek, "KEYS_REFRESH_INTERVAL": "250ms"},
			want: func(c *Config) {
				c.KeysEncryptionKey, c.KeysRefreshInterval = []byte(kekBytes), 250*time.Millisecond
			},
		},
		{
			name:    "keys encryption key in URL-safe base64 without padding",
			environ: map[string]string{"KEYS_ENCRYPTION_KEY": base64.RawURLEncoding.EncodeToString([]byte(kekBytes))},
			want:    func(c *Config) { c.KeysEncryptionKey = []byte(kekBytes) },
		},
		{
			name:    "https PUBLIC_URL turns Secure on",
			environ: map[string]string{"PUBLIC_URL": "https://auth.example.com/", "COOKIE_DOMAIN": ".Example.com"},
			want: func(c *Config) {
				c.PublicURL, c.CookieSecure, c.CookieDomain = "https://auth.example.com", true, "example.com"
			},
		},
		{
			name:    "COOKIE_SECURE overrides the PUBLIC_URL default",
			environ: map[string]string{"PUBLIC_URL": "https://auth.example.com", "COOKIE_SECURE": "false"},
			want:    func(c *Config) { c.PublicURL = "https://auth.example.com" },
		},
		{
			name:    "SameSite none with Secure",
			environ: map[string]string{"COOKIE_SAMESITE": "None", "COOKIE_SECURE": "yes"},
			want:    func(c *Config) { c.CookieSameSite, c.CookieSecure = "none", true },
		},
		{
			name:    "origins are normalised",
			environ: map[string]string{"CLIENT_ORIGIN": " http://Localhost:3000/ , https://app.example.com:443,http://localhost:3000,http://[::1]:8080"},
			want: func(c *Config) {
				c.ClientOrigins = []string{"http://localhost:3000", "https://app.example.com", "http://[::1]:8080"}
			},
		},
		{
			name: "other settings",
			environ: map[string]string{
				"ADDR": "9000", "SESSION_MAX_LIFETIME": "30d", "REFRESH_REUSE_GRACE": "0", "AUTO_MIGRATE": "off",
				"REQUIRE_EMAIL_VERIFICATION": "1", "LOG_LEVEL": "WARNING", "MAX_BODY_BYTES": "2048",
				"SHUTDOWN_TIMEOUT": "1m30s", "COOKIE_SAMESITE": "Strict",
			},
			want: func(c *Config) {
				c.Addr, c.SessionMaxLifetime, c.RefreshReuseGrace, c.AutoMigrate = ":9000", 30*24*time.Hour, 0, false
				c.EmailVerification, c.LogLevel, c.MaxBodyBytes = true, "warn", 2048
				c.ShutdownTimeout, c.CookieSameSite = 90*time.Second, "strict"
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := load(t, tt.dotenv, tt.environ)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			want := defaults()
			tt.want(&want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Load() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadMalformedDotenv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, dotenv, wantLine string
	}{
		{"line without =", "A=1\n# comment\nJWT_PRIVATE_KEY " + secretPassword + "\nB=2\n", ":3: "},
		{"unterminated quote", "A=1\nPOSTGRES_PASSWORD=\"" + secretPassword + "\nB=2\n", ":2: "},
		{"after a multi-line value", "A=\"one\ntwo\"\n\nbad line " + secretPassword + "\n", ":4: "},
		{"CRLF line ends", "A=1\r\nB=2\r\nbad-name=" + secretPassword + "\r\n", ":3: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := load(t, tt.dotenv, nil)
			if err == nil {
				t.Fatal("Load: got no error")
			}
			msg := err.Error()
			if !strings.Contains(msg, ".env"+tt.wantLine) {
				t.Errorf("error %q does not name the file and line %q", msg, tt.wantLine)
			}
			if strings.Contains(msg, secretPassword) || strings.Contains(msg, "\n") {
				t.Errorf("error %q shows the file's content or is not one line", msg)
			}
		})
	}
}

func TestLoadUnreadableDotenv(t *testing.T) {
	t.Parallel()
	// A directory cannot be read as a file: an error, unlike a missing file.
	_, err := Load(nil, t.TempDir())
	if err == nil {
		t.Fatal("Load(directory): got no error")
	}
}

func TestNames(t *testing.T) {
	t.Parallel()
	got := Names()
	for _, want := range []string{"ADDR", "DATABASE_URL", "POSTGRES_HOSTNAME", "DATABASE_PORT", "JWT_PRIVATE_KEY", "SHUTDOWN_TIMEOUT"} {
		if !strings.Contains(" "+strings.Join(got, " ")+" ", " "+want+" ") {
			t.Errorf("Names() = %v, missing %s", got, want)
		}
	}
}

// TestEnvExample keeps .env.example in step with the code: it mentions every
// variable and loads without error.
func TestEnvExample(t *testing.T) {
	t.Parallel()
	path := filepath.Join("..", "..", ".env.example")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range Names() {
		if !strings.Contains(string(data), name+"=") {
			t.Errorf(".env.example does not mention %s", name)
		}
	}
	c, err := Load(func(string) string { return "" }, path)
	if err != nil {
		t.Fatalf("Load(.env.example): %v", err)
	}
	// Like the reference's .env, it points at the PostgreSQL of docker-compose.yml.
	if want := "postgres://postgres:change-me@127.0.0.1:6500/authapi?sslmode=disable"; c.DatabaseURL != want {
		t.Errorf("DatabaseURL = %q, want %q", c.DatabaseURL, want)
	}
}

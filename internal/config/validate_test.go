package config

import (
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestLoadInvalid(t *testing.T) {
	t.Parallel()
	pem := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		name    string
		environ map[string]string
		want    string // a part of the one error line
	}{
		{"addr", map[string]string{"ADDR": "localhost"}, `ADDR must be host:port`},
		{"addr port", map[string]string{"ADDR": ":99999"}, `ADDR must be host:port`},
		{"database scheme", map[string]string{"DATABASE_URL": "mysql://root:" + secretPassword + "@db/app"}, `DATABASE_URL uses the unsupported scheme "mysql"`},
		{"database file URI", map[string]string{"DATABASE_URL": "file:/data/x.db?_pragma=" + secretPassword}, `DATABASE_URL uses the unsupported scheme "file"`},
		{"database bad URL", map[string]string{"DATABASE_URL": "postgres://u:" + secretPassword + "%zz@db/app"}, `DATABASE_URL is not a valid postgres:// URL`},
		{"postgres no user", map[string]string{"POSTGRES_PASSWORD": secretPassword, "POSTGRES_DB": "d"}, `POSTGRES_USER is not set, yet the POSTGRES_* settings are in use (POSTGRES_PASSWORD, POSTGRES_DB set)`},
		{"postgres no db", map[string]string{"POSTGRES_USER": "u", "POSTGRES_PASSWORD": secretPassword}, `POSTGRES_DB is not set`},
		{"postgres port", map[string]string{"POSTGRES_USER": "u", "POSTGRES_DB": "d", "DATABASE_PORT": "65536"}, `DATABASE_PORT must be a port number from 1 to 65535 (got "65536")`},
		{"postgres port alone", map[string]string{"DATABASE_PORT": "abc", "POSTGRES_USER": "u", "POSTGRES_DB": "d"}, `DATABASE_PORT must be a port number`},
		{"postgres host", map[string]string{"POSTGRES_USER": "u", "POSTGRES_DB": "d", "POSTGRES_HOSTNAME": "db/x"}, `POSTGRES_HOSTNAME must be a host name`},
		{"postgres host fallback", map[string]string{"POSTGRES_USER": "u", "POSTGRES_DB": "d", "POSTGRES_HOST": "a b"}, `POSTGRES_HOST must be a host name`},
		{"public key only", map[string]string{"JWT_PUBLIC_KEY": publicKey}, `JWT_PUBLIC_KEY is set but JWT_PRIVATE_KEY is not: set JWT_PRIVATE_KEY too, or neither`},
		{"private key only, not PEM", map[string]string{"JWT_PRIVATE_KEY": pem(secretKeyBody)}, `JWT_PRIVATE_KEY is not base64 of a PEM key`},
		{"private key not base64", map[string]string{"JWT_PRIVATE_KEY": secretKeyBody + "!!", "JWT_PUBLIC_KEY": publicKey}, `JWT_PRIVATE_KEY is not valid base64`},
		{"public key not PEM", map[string]string{"JWT_PRIVATE_KEY": privateKey, "JWT_PUBLIC_KEY": pem(secretKeyBody)}, `JWT_PUBLIC_KEY is not base64 of a PEM key`},
		{"keys swapped", map[string]string{"JWT_PRIVATE_KEY": publicKey, "JWT_PUBLIC_KEY": privateKey}, `JWT_PRIVATE_KEY holds a public key and JWT_PUBLIC_KEY a private one: swap their values`},
		{"two public keys", map[string]string{"JWT_PRIVATE_KEY": publicKey, "JWT_PUBLIC_KEY": publicKey}, `JWT_PRIVATE_KEY holds a public key: give the private key`},
		{"two private keys", map[string]string{"JWT_PRIVATE_KEY": privateKey, "JWT_PUBLIC_KEY": privateKey}, `JWT_PUBLIC_KEY holds a private key: give the public key`},
		{"private key encrypted", map[string]string{"JWT_PRIVATE_KEY": testKey("ENCRYPTED PRIVATE KEY", secretKeyBody), "JWT_PUBLIC_KEY": publicKey}, `JWT_PRIVATE_KEY is an encrypted private key`},
		{"private key other block", map[string]string{"JWT_PRIVATE_KEY": testKey("CERTIFICATE REQUEST", secretKeyBody), "JWT_PUBLIC_KEY": publicKey}, `JWT_PRIVATE_KEY holds a PEM block of type "CERTIFICATE REQUEST", not a private key`},
		{"previous keys without private key", map[string]string{"JWT_PREVIOUS_PUBLIC_KEYS": publicKey}, `JWT_PREVIOUS_PUBLIC_KEYS is set but JWT_PRIVATE_KEY is not`},
		{"encryption key short", map[string]string{"KEYS_ENCRYPTION_KEY": pem(secretPassword)}, `KEYS_ENCRYPTION_KEY decodes to 9 bytes; it must be base64 of exactly 32`},
		{"encryption key not base64", map[string]string{"KEYS_ENCRYPTION_KEY": secretPassword + "!"}, `KEYS_ENCRYPTION_KEY is not valid base64 (value not shown)`},
		{"refresh interval zero", map[string]string{"KEYS_REFRESH_INTERVAL": "0s"}, `KEYS_REFRESH_INTERVAL must be a duration from 10ms to 10m0s`},
		{"refresh interval text", map[string]string{"KEYS_REFRESH_INTERVAL": "soon"}, `KEYS_REFRESH_INTERVAL must be a duration`},
		{"token cache negative", map[string]string{"TOKEN_CACHE_SIZE": "-1"}, `TOKEN_CACHE_SIZE must be a whole number from 0 to 10000000: verified access tokens remembered, 0 for no cache (got "-1")`},
		{"algorithm", map[string]string{"JWT_ALGORITHM": "HS256"}, `JWT_ALGORITHM must be RS256, ES256 or EdDSA (got "HS256")`},
		{"access ttl text", map[string]string{"ACCESS_TOKEN_EXPIRES_IN": "abc"}, `ACCESS_TOKEN_EXPIRES_IN must be a whole number of minutes ≥ 1 (got "abc")`},
		{"access ttl zero", map[string]string{"ACCESS_TOKEN_EXPIRES_IN": "0"}, `ACCESS_TOKEN_EXPIRES_IN must be a whole number of minutes ≥ 1 (got "0")`},
		{"access ttl fraction", map[string]string{"ACCESS_TOKEN_EXPIRES_IN": "1.5"}, `ACCESS_TOKEN_EXPIRES_IN must be a whole number of minutes`},
		{"refresh ttl duration", map[string]string{"REFRESH_TOKEN_EXPIRES_IN": "1h"}, `REFRESH_TOKEN_EXPIRES_IN must be a whole number of minutes ≥ 1 (got "1h")`},
		{"refresh ttl huge", map[string]string{"REFRESH_TOKEN_EXPIRES_IN": "99999999999"}, `REFRESH_TOKEN_EXPIRES_IN must be at most 525600 minutes`},
		{"origin path", map[string]string{"CLIENT_ORIGIN": "http://x.com/app"}, `CLIENT_ORIGIN entry "http://x.com/app" is not an origin: use scheme://host[:port]`},
		{"origin no scheme", map[string]string{"CLIENT_ORIGIN": "localhost:3000"}, `CLIENT_ORIGIN entry "localhost:3000" is not an origin`},
		{"origin two slashes", map[string]string{"CLIENT_ORIGIN": "http://x.com//"}, `CLIENT_ORIGIN entry "http://x.com//" is not an origin`},
		{"origin query", map[string]string{"CLIENT_ORIGIN": "http://x.com?a=1"}, `is not an origin`},
		{"origin star", map[string]string{"CLIENT_ORIGIN": "http://a.com,*"}, `CLIENT_ORIGIN "*" is refused: cookies need exact origins`},
		{"origin wildcard host", map[string]string{"CLIENT_ORIGIN": "https://*.example.com"}, `(no wildcards: list each origin)`},
		{"origin credentials", map[string]string{"CLIENT_ORIGIN": "https://u:" + secretPassword + "@example.com"}, `(no user name or password)`},
		{"origin port", map[string]string{"CLIENT_ORIGIN": "http://x.com:0"}, `CLIENT_ORIGIN entry "http://x.com:0" is not an origin`},
		{"origin empty list", map[string]string{"CLIENT_ORIGIN": " , "}, `CLIENT_ORIGIN holds no origin`},
		{"public url scheme", map[string]string{"PUBLIC_URL": "auth.example.com"}, `PUBLIC_URL must be an absolute http or https URL`},
		{"public url query", map[string]string{"PUBLIC_URL": "https://auth.example.com/?x=1"}, `PUBLIC_URL must be an absolute http or https URL`},
		{"public url credentials", map[string]string{"PUBLIC_URL": "https://u:" + secretPassword + "@auth.example.com"}, `PUBLIC_URL must be`},
		{"cookie secure", map[string]string{"COOKIE_SECURE": "maybe"}, `COOKIE_SECURE must be true or false (got "maybe")`},
		{"account page", map[string]string{"ACCOUNT_PAGE": "sometimes"}, `ACCOUNT_PAGE must be true or false (got "sometimes")`},
		{"cookie domain URL", map[string]string{"COOKIE_DOMAIN": "https://example.com"}, `COOKIE_DOMAIN must be a bare domain`},
		{"cookie domain port", map[string]string{"COOKIE_DOMAIN": "example.com:8000"}, `COOKIE_DOMAIN must be a bare domain`},
		{"cookie domain mismatch", map[string]string{"COOKIE_DOMAIN": "example.org", "PUBLIC_URL": "https://auth.example.com"}, `COOKIE_DOMAIN "example.org" does not cover the host of PUBLIC_URL`},
		{"cookie domain suffix trick", map[string]string{"COOKIE_DOMAIN": "ample.com", "PUBLIC_URL": "https://example.com"}, `does not cover the host of PUBLIC_URL`},
		{"samesite value", map[string]string{"COOKIE_SAMESITE": "relaxed"}, `COOKIE_SAMESITE must be lax, strict or none (got "relaxed")`},
		{"proxy header", map[string]string{"TRUSTED_PROXY_HEADER": "X-Real-IP"}, `TRUSTED_PROXY_HEADER must be x-forwarded-for or forwarded (got "X-Real-IP")`},
		{"samesite none insecure", map[string]string{"COOKIE_SAMESITE": "none"}, `COOKIE_SAMESITE=none requires COOKIE_SECURE=true`},
		{"samesite none explicit insecure", map[string]string{"COOKIE_SAMESITE": "none", "PUBLIC_URL": "https://a.example.com", "COOKIE_SECURE": "false"}, `COOKIE_SAMESITE=none requires COOKIE_SECURE=true`},
		{"reuse grace text", map[string]string{"REFRESH_REUSE_GRACE": "10"}, `REFRESH_REUSE_GRACE must be a duration from 0s to 1m, such as 10s (got "10")`},
		{"reuse grace long", map[string]string{"REFRESH_REUSE_GRACE": "2m"}, `REFRESH_REUSE_GRACE must be a duration from 0s to 1m`},
		{"reuse grace negative", map[string]string{"REFRESH_REUSE_GRACE": "-1s"}, `REFRESH_REUSE_GRACE must be a duration from 0s to 1m`},
		{"session lifetime text", map[string]string{"SESSION_MAX_LIFETIME": "forever"}, `SESSION_MAX_LIFETIME must be a positive duration such as 720h or 30d (got "forever")`},
		{"session lifetime fractional days", map[string]string{"SESSION_MAX_LIFETIME": "1.5d"}, `SESSION_MAX_LIFETIME must be a positive duration`},
		{"session lifetime zero", map[string]string{"SESSION_MAX_LIFETIME": "0s"}, `SESSION_MAX_LIFETIME must be a positive duration`},
		{"session shorter than refresh", map[string]string{"SESSION_MAX_LIFETIME": "30m"}, `SESSION_MAX_LIFETIME (30m0s) is shorter than REFRESH_TOKEN_EXPIRES_IN (1h0m0s)`},
		{"idle timeout shorter than access", map[string]string{"SESSION_IDLE_TIMEOUT": "10m"}, `SESSION_IDLE_TIMEOUT (10m0s) must be longer than ACCESS_TOKEN_EXPIRES_IN (15m0s)`},
		{"idle timeout equal to access", map[string]string{"SESSION_IDLE_TIMEOUT": "30m", "ACCESS_TOKEN_EXPIRES_IN": "30"}, `SESSION_IDLE_TIMEOUT (30m0s) must be longer than ACCESS_TOKEN_EXPIRES_IN (30m0s)`},
		{"issuer blank", map[string]string{"JWT_ISSUER": "   "}, `JWT_ISSUER is blank`},
		{"issuer tab", map[string]string{"JWT_ISSUER": "\t"}, `JWT_ISSUER is blank`},
		{"auto migrate", map[string]string{"AUTO_MIGRATE": "sometimes"}, `AUTO_MIGRATE must be true or false (got "sometimes")`},
		{"email verification", map[string]string{"REQUIRE_EMAIL_VERIFICATION": "2"}, `REQUIRE_EMAIL_VERIFICATION must be true or false (got "2")`},
		{"log level", map[string]string{"LOG_LEVEL": "trace"}, `LOG_LEVEL must be debug, info, warn or error (got "trace")`},
		{"log format", map[string]string{"LOG_FORMAT": "xml"}, `LOG_FORMAT must be text or json (got "xml")`},
		{"max body text", map[string]string{"MAX_BODY_BYTES": "1MB"}, `MAX_BODY_BYTES must be a whole number of bytes ≥ 1024 (got "1MB")`},
		{"max body small", map[string]string{"MAX_BODY_BYTES": "10"}, `MAX_BODY_BYTES must be a whole number of bytes ≥ 1024`},
		{"shutdown timeout", map[string]string{"SHUTDOWN_TIMEOUT": "soon"}, `SHUTDOWN_TIMEOUT must be a duration of 0s or more, such as 15s (got "soon")`},
		{"shutdown negative", map[string]string{"SHUTDOWN_TIMEOUT": "-1s"}, `SHUTDOWN_TIMEOUT must be a duration of 0s or more`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := load(t, "", tt.environ)
			if err == nil {
				t.Fatalf("Load: got no error, want one containing %q", tt.want)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) {
				t.Errorf("error %q does not contain %q", msg, tt.want)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error %q is more than one line", msg)
			}
			for _, secret := range []string{secretPassword, secretKeyBody, privateKey, publicKey} {
				if strings.Contains(msg, secret) {
					t.Errorf("error %q shows a secret", msg)
				}
			}
		})
	}
}

func TestLoadReportsEveryProblem(t *testing.T) {
	t.Parallel()
	_, err := load(t, "", map[string]string{"ACCESS_TOKEN_EXPIRES_IN": "abc", "LOG_FORMAT": "xml", "JWT_PUBLIC_KEY": publicKey})
	if err == nil {
		t.Fatal("Load: got no error")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d error lines, want 3:\n%s", len(lines), err)
	}
	for _, want := range []string{"JWT_PUBLIC_KEY", "ACCESS_TOKEN_EXPIRES_IN", "LOG_FORMAT"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("errors %q do not mention %s", lines, want)
		}
	}
}

// An invalid ACCESS_TOKEN_EXPIRES_IN or SESSION_IDLE_TIMEOUT is reported
// alone, not also compared with the other.
func TestIdleTimeoutComparedOnlyWhenBothParse(t *testing.T) {
	t.Parallel()
	for _, environ := range []map[string]string{
		{"ACCESS_TOKEN_EXPIRES_IN": "abc", "SESSION_IDLE_TIMEOUT": "10m"},
		{"ACCESS_TOKEN_EXPIRES_IN": "99999999999", "SESSION_IDLE_TIMEOUT": "10m"},
		{"ACCESS_TOKEN_EXPIRES_IN": "30", "SESSION_IDLE_TIMEOUT": "soon"},
		{"ACCESS_TOKEN_EXPIRES_IN": "30", "SESSION_IDLE_TIMEOUT": "-1h"},
	} {
		_, err := load(t, "", environ)
		if err == nil {
			t.Errorf("Load(%v): got no error", environ)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "\n") || strings.Contains(msg, "longer than") {
			t.Errorf("Load(%v) = %q, want only the parse error", environ, msg)
		}
	}
}

func TestDecodeKey(t *testing.T) {
	t.Parallel()
	raw := "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"
	b64 := base64.StdEncoding.EncodeToString([]byte(raw))
	tests := []struct {
		name, value string
		wantErr     bool
	}{
		{"base64", b64, false},
		{"base64 wrapped at 76 columns", b64[:76] + "\n" + b64[76:] + "\n", false},
		{"base64 with spaces", b64[:8] + " " + b64[8:], true},
		{"PEM itself", raw, false},
		{"not base64", "%%%", true},
		{"base64 of no PEM", base64.StdEncoding.EncodeToString([]byte("hello")), true},
		{"broken PEM", "-----BEGIN PUBLIC KEY-----\nAAAA", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := DecodeKey(tt.value)
			if tt.wantErr {
				if err == nil {
					t.Errorf("DecodeKey: got %q, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("DecodeKey: %v", err)
			}
			if string(got) != raw && string(got) != strings.TrimSpace(raw) {
				t.Errorf("DecodeKey = %q, want %q", got, raw)
			}
		})
	}
}

func TestSecuritySettings(t *testing.T) {
	c, err := Load(func(k string) string {
		return map[string]string{
			"TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1 ,::1", "RATE_LIMIT_AUTH": "0", "RATE_LIMIT_REFRESH": "600",
			"LOGIN_LOCKOUT_THRESHOLD": "3", "LOGIN_LOCKOUT_BASE": "1s", "LOGIN_LOCKOUT_MAX": "1m",
			"HASH_CONCURRENCY": "4", "HASH_QUEUE": "0", "SESSION_IDLE_TIMEOUT": "0", "TOKEN_CACHE_SIZE": "0",
			"HASH_PROCESS":  "false",
			"COOKIE_PREFIX": "true", "PUBLIC_URL": "https://auth.example.com",
		}[k]
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(c.TrustedProxies); got != "[10.0.0.0/8 127.0.0.1/32 ::1/128]" {
		t.Errorf("TrustedProxies = %s", got)
	}
	if c.RateLimitAuth != 0 || c.RateLimitRefresh != 600 || c.LockoutThreshold != 3 || c.LockoutBase != time.Second ||
		c.LockoutMax != time.Minute || c.HashConcurrency != 4 || c.HashQueue != 0 || c.HashProcess || c.SessionIdleTimeout != 0 || !c.CookiePrefix || c.TokenCacheSize != 0 {
		t.Errorf("config = %+v", c)
	}
	d, err := Load(func(string) string { return "" }, "")
	if err != nil {
		t.Fatal(err)
	}
	if d.RateLimitAuth != 30 || d.RateLimitRefresh != 120 || d.LockoutThreshold != 5 || d.HashConcurrency < 1 ||
		d.HashQueue != 32 || d.HashProcess != (runtime.GOOS == "linux") || d.TokenCacheSize != 10000 || d.SessionIdleTimeout != 168*time.Hour || d.CookiePrefix || d.TrustedProxies != nil {
		t.Errorf("defaults = %+v", d)
	}
	for env, want := range map[string]string{
		"TRUSTED_PROXIES=10.0.0.0/33":     "TRUSTED_PROXIES entry",
		"RATE_LIMIT_AUTH=-1":              "RATE_LIMIT_AUTH must be",
		"HASH_CONCURRENCY=0":              "HASH_CONCURRENCY must be",
		"HASH_PROCESS=sometimes":          "HASH_PROCESS must be true or false",
		"LOGIN_LOCKOUT_BASE=soon":         "LOGIN_LOCKOUT_BASE must be",
		"SESSION_IDLE_TIMEOUT=-1h":        "SESSION_IDLE_TIMEOUT must be",
		"COOKIE_PREFIX=true":              "COOKIE_PREFIX=true needs COOKIE_SECURE",
		"LOGIN_LOCKOUT_MAX=1s":            "LOGIN_LOCKOUT_MAX (1s) is shorter",
		"LOGIN_LOCKOUT_THRESHOLD=several": "LOGIN_LOCKOUT_THRESHOLD must be",
	} {
		k, v, _ := strings.Cut(env, "=")
		_, err := Load(func(name string) string {
			if name == k {
				return v
			}
			return ""
		}, "")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", env, err, want)
		}
	}
}

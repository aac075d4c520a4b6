package config

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Limits of the settings.
const (
	maxTTLMinutes     = 525600 // one year: keeps minutes*time.Minute far from overflow
	maxReuseGrace     = time.Minute
	minMaxBodyBytes   = 1024 // smaller bodies cannot hold an ordinary register request
	defaultPostgresKD = "./data"
)

// problems collects one error line per invalid setting, so that a user fixes
// them all in one go.
type problems []error

func (p *problems) add(format string, args ...any) {
	*p = append(*p, fmt.Errorf(format, args...))
}

// config checks every variable and returns them typed.
func (v variables) config() (Config, error) {
	var p problems
	c := Config{
		Addr:              p.addr(v.Addr),
		DatabaseURL:       p.database(v),
		JWTAlgorithm:      p.algorithm(v.JWTAlgorithm),
		ClientOrigins:     p.origins(v.ClientOrigin),
		PublicURL:         p.publicURL(v.PublicURL),
		CookieSameSite:    p.oneOf("COOKIE_SAMESITE", v.CookieSameSite, "lax", "strict", "none"),
		AutoMigrate:       p.boolean("AUTO_MIGRATE", v.AutoMigrate),
		EmailVerification: p.boolean("REQUIRE_EMAIL_VERIFICATION", v.EmailVerification),
		Issuer:            p.issuer(v.Issuer),
		LogLevel:          p.logLevel(v.LogLevel),
		LogFormat:         p.oneOf("LOG_FORMAT", v.LogFormat, "text", "json"),
		MaxBodyBytes:      p.maxBodyBytes(v.MaxBodyBytes),
		AccountPage:       p.boolean("ACCOUNT_PAGE", v.AccountPage),
	}
	c.JWTPrivateKey, c.JWTPublicKey = p.keys(v.JWTPrivateKey, v.JWTPublicKey)
	c.JWTPreviousPublicKeys = p.previousKeys(v.JWTPreviousKeys, c.JWTPrivateKey)
	c.KeysDir = keysDir(v.KeysDir, c.DatabaseURL)
	c.KeysEncryptionKey = p.encryptionKey(v.KeysEncryptionKey)
	c.KeysRefreshInterval = p.refreshInterval(v.KeysRefresh)
	c.CookieDomain = p.cookieDomain(v.CookieDomain, c.PublicURL)

	c.CookieSecure = strings.HasPrefix(c.PublicURL, "https://")
	if strings.TrimSpace(v.CookieSecure) != "" {
		c.CookieSecure = p.boolean("COOKIE_SECURE", v.CookieSecure)
	}
	if c.CookieSameSite == "none" && !c.CookieSecure {
		p.add("COOKIE_SAMESITE=none requires COOKIE_SECURE=true (browsers drop SameSite=None cookies without Secure): set COOKIE_SECURE=true or use lax")
	}

	var refreshOK, lifetimeOK, graceOK, shutdownOK bool
	c.AccessTTL, _ = p.minutes("ACCESS_TOKEN_EXPIRES_IN", v.AccessTTL)
	c.RefreshTTL, refreshOK = p.minutes("REFRESH_TOKEN_EXPIRES_IN", v.RefreshTTL)
	c.RefreshReuseGrace, graceOK = parseDuration(v.RefreshReuseGrace)
	if !graceOK || c.RefreshReuseGrace < 0 || c.RefreshReuseGrace > maxReuseGrace {
		p.add("REFRESH_REUSE_GRACE must be a duration from 0s to 1m, such as 10s (got %q)", v.RefreshReuseGrace)
	}
	c.SessionMaxLifetime, lifetimeOK = parseDuration(v.SessionMaxLifetime)
	if !lifetimeOK || c.SessionMaxLifetime <= 0 {
		lifetimeOK = false
		p.add("SESSION_MAX_LIFETIME must be a positive duration such as 720h or 30d (got %q)", v.SessionMaxLifetime)
	}
	if lifetimeOK && refreshOK && c.SessionMaxLifetime < c.RefreshTTL {
		p.add("SESSION_MAX_LIFETIME (%s) is shorter than REFRESH_TOKEN_EXPIRES_IN (%s): raise SESSION_MAX_LIFETIME or lower REFRESH_TOKEN_EXPIRES_IN",
			c.SessionMaxLifetime, c.RefreshTTL)
	}
	c.ShutdownTimeout, shutdownOK = parseDuration(v.ShutdownTimeout)
	if !shutdownOK || c.ShutdownTimeout < 0 {
		p.add("SHUTDOWN_TIMEOUT must be a duration of 0s or more, such as 15s (got %q)", v.ShutdownTimeout)
	}
	p.operational(v, &c)

	p.security(v, &c)

	if len(p) > 0 {
		return Config{}, errors.Join(p...)
	}
	return c, nil
}

// addr accepts host:port, and a bare port number as ":port".
func (p *problems) addr(raw string) string {
	s := strings.TrimSpace(raw)
	if isDigits(s) {
		s = ":" + s
	}
	_, port, err := net.SplitHostPort(s)
	if err != nil || !isDigits(port) || !validPort(port, true) {
		p.add("ADDR must be host:port such as :8000 or 127.0.0.1:8000 (got %q)", raw)
		return ""
	}
	return s
}

func (p *problems) algorithm(raw string) string {
	s := strings.TrimSpace(raw)
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		if strings.EqualFold(s, alg) {
			return alg
		}
	}
	p.add("JWT_ALGORITHM must be RS256, ES256 or EdDSA (got %q)", raw)
	return ""
}

// issuer trims JWT_ISSUER. A blank value would silently turn off the iss
// claim and its check (the token package skips an empty issuer), so it is
// refused; an empty one never gets here, since empty means the default.
func (p *problems) issuer(raw string) string {
	s := strings.TrimSpace(raw)
	if s == "" {
		p.add("JWT_ISSUER is blank (got %q): set it to the iss claim tokens should carry, such as authapi, or unset it for the default", raw)
	}
	return s
}

// minutes parses a lifetime in whole minutes, as the reference.
func (p *problems) minutes(name, raw string) (time.Duration, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(raw))
	if err != nil || n < 1 {
		p.add("%s must be a whole number of minutes ≥ 1 (got %q)", name, raw)
		return 0, false
	}
	if n > maxTTLMinutes {
		p.add("%s must be at most %d minutes, one year (got %q)", name, maxTTLMinutes, raw)
		return 0, false
	}
	return time.Duration(n) * time.Minute, true
}

// parseDuration parses a Go duration ("90s", "1h30m"), or a whole number of
// days written with a d ("30d").
func parseDuration(raw string) (time.Duration, bool) {
	s := strings.TrimSpace(raw)
	if days, ok := strings.CutSuffix(s, "d"); ok && isDigits(days) {
		n, err := strconv.Atoi(days)
		if err != nil || n > 100*365 {
			return 0, false
		}
		return time.Duration(n) * 24 * time.Hour, true
	}
	d, err := time.ParseDuration(s)
	return d, err == nil
}

func (p *problems) boolean(name, raw string) bool {
	switch strings.ToLower(strings.TrimSpace(raw)) {
	case "1", "t", "true", "y", "yes", "on":
		return true
	case "0", "f", "false", "n", "no", "off":
		return false
	}
	p.add("%s must be true or false (got %q)", name, raw)
	return false
}

// oneOf returns raw lower-cased if it is one of choices.
func (p *problems) oneOf(name, raw string, choices ...string) string {
	s := strings.ToLower(strings.TrimSpace(raw))
	for _, c := range choices {
		if s == c {
			return s
		}
	}
	p.add("%s must be %s or %s (got %q)", name, strings.Join(choices[:len(choices)-1], ", "), choices[len(choices)-1], raw)
	return ""
}

func (p *problems) logLevel(raw string) string {
	if strings.EqualFold(strings.TrimSpace(raw), "warning") {
		return "warn"
	}
	return p.oneOf("LOG_LEVEL", raw, "debug", "info", "warn", "error")
}

func (p *problems) maxBodyBytes(raw string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
	if err != nil || n < minMaxBodyBytes {
		p.add("MAX_BODY_BYTES must be a whole number of bytes ≥ %d (got %q)", minMaxBodyBytes, raw)
		return 0
	}
	return n
}

// keysDir is KEYS_DIR if set, else the SQLite file's directory, else ./data.
func keysDir(raw, databaseURL string) string {
	if s := strings.TrimSpace(raw); s != "" {
		return s
	}
	if databaseURL == "" || isPostgresURL(databaseURL) {
		return defaultPostgresKD
	}
	return filepath.Dir(databaseURL)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// validPort reports whether s is a port number; 0 (any free port) only if allowZero.
func validPort(s string, allowZero bool) bool {
	n, err := strconv.Atoi(s)
	if err != nil || n > 65535 || n < 0 {
		return false
	}
	return n > 0 || allowZero
}

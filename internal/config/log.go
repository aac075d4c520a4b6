package config

import (
	"fmt"
	"log/slog"
	"net/url"
	"strings"
)

// redactedMark replaces a password in logged database URLs.
const redactedMark = "xxxxx"

// LogValue logs the settings with secrets removed: the database password is
// masked and the keys show only as "set" or "generated".
func (c Config) LogValue() slog.Value {
	keys := "set"
	if c.KeysGenerated() {
		keys = "generated"
	}
	kek := "unset"
	if c.KeysEncryptionKey != nil {
		kek = "set"
	}
	return slog.GroupValue(
		slog.String("addr", c.Addr),
		slog.String("database", RedactDatabaseURL(c.DatabaseURL)),
		slog.String("jwt_keys", keys),
		slog.String("jwt_algorithm", c.JWTAlgorithm),
		slog.String("keys_dir", c.KeysDir),
		slog.Bool("jwt_previous_public_keys", c.JWTPreviousPublicKeys != ""),
		slog.String("keys_encryption_key", kek),
		slog.Duration("keys_refresh_interval", c.KeysRefreshInterval),
		slog.Duration("access_ttl", c.AccessTTL),
		slog.Duration("refresh_ttl", c.RefreshTTL),
		slog.String("client_origins", strings.Join(c.ClientOrigins, ",")),
		slog.String("public_url", c.PublicURL),
		slog.Bool("cookie_secure", c.CookieSecure),
		slog.String("cookie_domain", c.CookieDomain),
		slog.String("cookie_samesite", c.CookieSameSite),
		slog.Duration("refresh_reuse_grace", c.RefreshReuseGrace),
		slog.Duration("session_max_lifetime", c.SessionMaxLifetime),
		slog.Bool("auto_migrate", c.AutoMigrate),
		slog.Bool("email_verification", c.EmailVerification),
		slog.String("issuer", c.Issuer),
		slog.String("log_level", c.LogLevel),
		slog.String("log_format", c.LogFormat),
		slog.Int64("max_body_bytes", c.MaxBodyBytes),
		slog.Duration("shutdown_timeout", c.ShutdownTimeout),
		slog.Duration("shutdown_drain_delay", c.DrainDelay),
		slog.String("metrics_addr", c.metricsSetting()),
		slog.Duration("database_timeout", c.DatabaseTimeout),
		slog.Duration("http_read_timeout", c.ReadTimeout),
		slog.Bool("account_page", c.AccountPage),
	)
}

// metricsSetting describes where /metrics is served, as METRICS_ADDR says it.
func (c Config) metricsSetting() string {
	if !c.MetricsEnabled {
		return MetricsOff
	}
	return c.MetricsAddr
}

// String formats the settings as LogValue does, so that printing a Config by
// mistake shows no secret.
func (c Config) String() string {
	var b strings.Builder
	for i, a := range c.LogValue().Group() {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%q", a.Key, a.Value.String())
	}
	return b.String()
}

// RedactDatabaseURL returns a database URL fit for logs: the password in the
// user info and any password parameter are masked. A SQLite path is returned
// as it is.
func RedactDatabaseURL(s string) string {
	if !isPostgresURL(s) {
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable postgres URL)"
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), redactedMark)
	}
	if q := u.Query(); len(q) > 0 {
		masked := false
		for k := range q {
			if strings.Contains(strings.ToLower(k), "password") {
				q.Set(k, redactedMark)
				masked = true
			}
		}
		if masked {
			u.RawQuery = q.Encode()
		}
	}
	return u.String()
}

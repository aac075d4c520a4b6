package config

import (
	"net"
	"net/url"
	"regexp"
	"strings"
)

// uriScheme matches a URI scheme of two characters or more, so that a Windows
// drive letter (C:\data\authapi.db) still reads as a file path.
var uriScheme = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]+):`)

// hostChars matches a host name; underscores are allowed as Docker service
// names may have them.
var hostChars = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

// database resolves the database: DATABASE_URL, else the reference's POSTGRES_*
// variables, else the embedded SQLite file.
func (p *problems) database(v variables) string {
	if raw := strings.TrimSpace(v.DatabaseURL); raw != "" {
		return p.databaseURL(raw)
	}
	pg := []string{v.PostgresUser, v.PostgresPassword, v.PostgresDB, v.PostgresHost, v.PostgresHostname, v.DatabasePort}
	for _, s := range pg {
		if s != "" {
			return p.postgresURL(v)
		}
	}
	return DefaultSQLitePath
}

// databaseURL checks DATABASE_URL. Its value is never shown in an error: it may
// hold a password.
func (p *problems) databaseURL(raw string) string {
	m := uriScheme.FindStringSubmatch(raw)
	if m == nil {
		return raw // a SQLite file path
	}
	scheme := strings.ToLower(m[1])
	if scheme != "postgres" && scheme != "postgresql" {
		p.add("DATABASE_URL uses the unsupported scheme %q: use postgres://user:password@host:5432/db, or a plain SQLite file path such as %s", m[1], DefaultSQLitePath)
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" {
		p.add("DATABASE_URL is not a valid postgres:// URL (value not shown, it may hold a password): percent-encode special characters of the user name and password, such as @ as %%40 and / as %%2F")
		return ""
	}
	return raw
}

// postgresURL builds the URL from the reference's variables, as the reference
// did, with the user, password and database name escaped.
func (p *problems) postgresURL(v variables) string {
	user, db := strings.TrimSpace(v.PostgresUser), strings.TrimSpace(v.PostgresDB)
	set := setNames(v)
	if user == "" {
		p.add("POSTGRES_USER is not set, yet the POSTGRES_* settings are in use (%s set): set POSTGRES_USER and POSTGRES_DB, or DATABASE_URL instead", set)
	}
	if db == "" {
		p.add("POSTGRES_DB is not set, yet the POSTGRES_* settings are in use (%s set): set POSTGRES_USER and POSTGRES_DB, or DATABASE_URL instead", set)
	}
	hostVar, host := "POSTGRES_HOSTNAME", strings.TrimSpace(v.PostgresHostname)
	if host == "" {
		hostVar, host = "POSTGRES_HOST", firstNonEmpty(v.PostgresHost, "localhost")
	}
	host = strings.Trim(host, "[]") // an IPv6 literal may come bracketed
	if !hostChars.MatchString(host) && net.ParseIP(host) == nil {
		p.add("%s must be a host name or IP address, such as localhost (got %q)", hostVar, host)
	}
	port := firstNonEmpty(v.DatabasePort, "5432")
	if !isDigits(port) || !validPort(port, false) {
		p.add("DATABASE_PORT must be a port number from 1 to 65535 (got %q)", v.DatabasePort)
	}
	if user == "" || db == "" {
		return ""
	}
	userinfo := url.User(user)
	if v.PostgresPassword != "" {
		userinfo = url.UserPassword(user, v.PostgresPassword)
	}
	return "postgres://" + userinfo.String() + "@" + net.JoinHostPort(host, port) +
		"/" + url.PathEscape(db) + "?sslmode=disable"
}

// setNames lists the POSTGRES_* variables that are set, for error lines.
func setNames(v variables) string {
	vars := []struct{ name, value string }{
		{"POSTGRES_USER", v.PostgresUser}, {"POSTGRES_PASSWORD", v.PostgresPassword},
		{"POSTGRES_DB", v.PostgresDB}, {"POSTGRES_HOST", v.PostgresHost},
		{"POSTGRES_HOSTNAME", v.PostgresHostname}, {"DATABASE_PORT", v.DatabasePort},
	}
	var names []string
	for _, s := range vars {
		if s.value != "" {
			names = append(names, s.name)
		}
	}
	return strings.Join(names, ", ")
}

func firstNonEmpty(values ...string) string {
	for _, s := range values {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

func isPostgresURL(s string) bool {
	m := uriScheme.FindStringSubmatch(s)
	return m != nil && (strings.EqualFold(m[1], "postgres") || strings.EqualFold(m[1], "postgresql"))
}

package config

import (
	"net"
	"net/url"
	"slices"
	"strings"
)

// origins parses CLIENT_ORIGIN: exact origins, because CORS with credentials
// takes no wildcard.
func (p *problems) origins(raw string) []string {
	var out []string
	bad := false
	for entry := range strings.SplitSeq(raw, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		if entry == "*" {
			p.add(`CLIENT_ORIGIN "*" is refused: cookies need exact origins, so list each one, comma-separated, such as https://app.example.com`)
			bad = true
			continue
		}
		o, shown, hint := parseOrigin(entry)
		if o == "" {
			p.add("CLIENT_ORIGIN entry %q is not an origin: use scheme://host[:port]%s", shown, hint)
			bad = true
			continue
		}
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	if len(out) == 0 && !bad {
		p.add("CLIENT_ORIGIN holds no origin (got %q): list them comma-separated, such as http://localhost:3000", raw)
	}
	return out
}

// parseOrigin returns entry in the form a browser sends in its Origin header:
// lower-case, no trailing slash, no default port; or "" and a hint for the
// error line if entry is not an origin. shown is entry as it may be shown in an
// error, without any password in it.
func parseOrigin(entry string) (origin, shown, hint string) {
	shown = entry
	u, err := url.Parse(strings.TrimSuffix(entry, "/"))
	if err != nil {
		return "", shown, ""
	}
	if u.User != nil {
		return "", u.Redacted(), " (no user name or password)"
	}
	if u.Scheme == "" || u.Opaque != "" || u.Hostname() == "" ||
		u.Path != "" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", shown, ""
	}
	if strings.Contains(u.Host, "*") {
		return "", shown, " (no wildcards: list each origin)"
	}
	port := u.Port()
	if port != "" && !validPort(port, false) {
		return "", shown, ""
	}
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname())
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	switch {
	case port != "":
		host = net.JoinHostPort(host, port)
	case strings.Contains(host, ":"):
		host = "[" + host + "]" // IPv6 literal
	}
	return scheme + "://" + host, shown, ""
}

// publicURL parses PUBLIC_URL: an absolute http(s) URL, path allowed.
func (p *problems) publicURL(raw string) string {
	s := strings.TrimSuffix(strings.TrimSpace(raw), "/")
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" ||
		u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		shown := raw
		if err == nil && u.User != nil {
			shown = u.Redacted()
		}
		p.add("PUBLIC_URL must be an absolute http or https URL such as https://auth.example.com, without query or credentials (got %q)", shown)
		return ""
	}
	return s
}

// cookieDomain parses COOKIE_DOMAIN: a bare host name (or IP address) that
// covers the host of PUBLIC_URL when that is set.
func (p *problems) cookieDomain(raw, publicURL string) string {
	d := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(raw)), ".")
	if d == "" {
		return ""
	}
	if !isHostName(d) && net.ParseIP(d) == nil {
		p.add("COOKIE_DOMAIN must be a bare domain such as example.com, without scheme, port or path (got %q)", raw)
		return ""
	}
	if publicURL == "" {
		return d
	}
	u, err := url.Parse(publicURL)
	if err != nil {
		return d // PUBLIC_URL was checked already
	}
	host := strings.ToLower(u.Hostname())
	if host != d && !strings.HasSuffix(host, "."+d) {
		p.add("COOKIE_DOMAIN %q does not cover the host of PUBLIC_URL (%s), so browsers would drop the cookies: use that host or a parent domain of it", raw, host)
		return ""
	}
	return d
}

// isHostName reports whether s is made of DNS labels (letters, digits, hyphens).
func isHostName(s string) bool {
	if len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
				return false
			}
		}
	}
	return true
}

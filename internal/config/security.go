package config

import (
	"net/netip"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// security checks the settings of sessions, cookies, proxies, rate limits,
// the lockout and the password-hash pool.
func (p *problems) security(v variables, c *Config) {
	var ok bool
	c.SessionIdleTimeout, ok = parseDuration(v.SessionIdleTimeout)
	if !ok || c.SessionIdleTimeout < 0 {
		p.add("SESSION_IDLE_TIMEOUT must be a duration such as 168h or 7d, or 0 for no idle limit (got %q)", v.SessionIdleTimeout)
	}
	// The idle clock restarts at each refresh, and an active client refreshes
	// only when its access token expires. c.AccessTTL is zero when
	// ACCESS_TOKEN_EXPIRES_IN did not parse (already reported).
	if ok && c.SessionIdleTimeout > 0 && c.AccessTTL > 0 && c.SessionIdleTimeout <= c.AccessTTL {
		p.add("SESSION_IDLE_TIMEOUT (%s) must be longer than ACCESS_TOKEN_EXPIRES_IN (%s), or every session ends when its access token expires: raise SESSION_IDLE_TIMEOUT (0 for no idle limit) or lower ACCESS_TOKEN_EXPIRES_IN",
			c.SessionIdleTimeout, c.AccessTTL)
	}
	c.CookiePrefix = p.boolean("COOKIE_PREFIX", v.CookiePrefix)
	if c.CookiePrefix && (!c.CookieSecure || c.CookieDomain != "") {
		p.add("COOKIE_PREFIX=true needs COOKIE_SECURE=true (or an https PUBLIC_URL) and no COOKIE_DOMAIN: browsers refuse __Host- cookies otherwise")
	}
	c.TrustedProxies = p.prefixes("TRUSTED_PROXIES", v.TrustedProxies)
	c.ProxyHeader = p.oneOf("TRUSTED_PROXY_HEADER", v.ProxyHeader, "x-forwarded-for", "forwarded")
	c.RateLimitAuth = p.count("RATE_LIMIT_AUTH", v.RateLimitAuth, 0, 1_000_000, "requests per minute per client address, 0 for no limit")
	c.RateLimitRefresh = p.count("RATE_LIMIT_REFRESH", v.RateLimitRefresh, 0, 1_000_000, "requests per minute per client address, 0 for no limit")
	c.LockoutThreshold = p.count("LOGIN_LOCKOUT_THRESHOLD", v.LockoutThreshold, 0, 1000, "failed logins before a lock, 0 for no lockout")
	c.LockoutBase = p.positiveDuration("LOGIN_LOCKOUT_BASE", v.LockoutBase, "30s")
	c.LockoutMax = p.positiveDuration("LOGIN_LOCKOUT_MAX", v.LockoutMax, "15m")
	if c.LockoutBase > 0 && c.LockoutMax > 0 && c.LockoutMax < c.LockoutBase {
		p.add("LOGIN_LOCKOUT_MAX (%s) is shorter than LOGIN_LOCKOUT_BASE (%s): raise the maximum or lower the base", c.LockoutMax, c.LockoutBase)
	}
	c.HashConcurrency = max(1, runtime.NumCPU()-1)
	if strings.TrimSpace(v.HashConcurrency) != "" {
		c.HashConcurrency = p.count("HASH_CONCURRENCY", v.HashConcurrency, 1, 1024, "password hashes at once")
	}
	c.HashQueue = p.count("HASH_QUEUE", v.HashQueue, 0, 100_000, "password hashes waiting at most")
	c.HashProcess = runtime.GOOS == "linux"
	if strings.TrimSpace(v.HashProcess) != "" {
		c.HashProcess = p.boolean("HASH_PROCESS", v.HashProcess)
		if c.HashProcess && runtime.GOOS != "linux" {
			p.add("HASH_PROCESS=true needs Linux; on %s, unset it to hash in the server's process", runtime.GOOS)
		}
	}
	c.TokenCacheSize = p.count("TOKEN_CACHE_SIZE", v.TokenCacheSize, 0, 10_000_000, "verified access tokens remembered, 0 for no cache")
}

// count parses a whole number within [lo, hi].
func (p *problems) count(name, raw string, lo, hi int, what string) int {
	n, err := strconv.Atoi(strings.TrimSpace(raw))
	if err != nil || n < lo || n > hi {
		p.add("%s must be a whole number from %d to %d: %s (got %q)", name, lo, hi, what, raw)
		return 0
	}
	return n
}

func (p *problems) positiveDuration(name, raw, example string) time.Duration {
	d, ok := parseDuration(raw)
	if !ok || d <= 0 {
		p.add("%s must be a positive duration such as %s (got %q)", name, example, raw)
		return 0
	}
	return d
}

// prefixes parses a comma-separated list of IP addresses and CIDR ranges.
func (p *problems) prefixes(name, raw string) []netip.Prefix {
	var out []netip.Prefix
	for entry := range strings.SplitSeq(raw, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		if pfx, err := netip.ParsePrefix(entry); err == nil {
			out = append(out, pfx.Masked())
			continue
		}
		addr, err := netip.ParseAddr(entry)
		if err != nil {
			p.add("%s entry %q is neither an IP address nor a CIDR range such as 10.0.0.0/8", name, entry)
			continue
		}
		addr = addr.Unmap()
		out = append(out, netip.PrefixFrom(addr, addr.BitLen()))
	}
	return out
}

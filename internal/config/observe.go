package config

import (
	"strings"
	"time"
)

// Limits of the operational settings.
const (
	maxDrainDelay   = time.Minute
	maxQueryTimeout = time.Minute
	minReadTimeout  = 100 * time.Millisecond
)

// MetricsOff is the METRICS_ADDR value that turns /metrics off.
const MetricsOff = "off"

// operational checks the settings of metrics, timeouts and draining.
func (p *problems) operational(v variables, c *Config) {
	c.MetricsAddr, c.MetricsEnabled = p.metricsAddr(v.MetricsAddr)

	var ok bool
	c.DrainDelay, ok = parseDuration(v.DrainDelay)
	if !ok || c.DrainDelay < 0 || c.DrainDelay > maxDrainDelay {
		p.add("SHUTDOWN_DRAIN_DELAY must be a duration from 0s to 1m, such as 1s (got %q)", v.DrainDelay)
	}
	c.DatabaseTimeout, ok = parseDuration(v.DatabaseTimeout)
	if !ok || c.DatabaseTimeout < 0 || c.DatabaseTimeout > maxQueryTimeout {
		p.add("DATABASE_TIMEOUT must be a duration from 0s (no limit) to 1m, such as 2s (got %q)", v.DatabaseTimeout)
	}
	c.ReadTimeout, ok = parseDuration(v.ReadTimeout)
	if !ok || c.ReadTimeout < minReadTimeout || c.ReadTimeout > time.Hour {
		p.add("HTTP_READ_TIMEOUT must be a duration from 100ms to 1h, such as 15s (got %q)", v.ReadTimeout)
	}
}

// metricsAddr reads METRICS_ADDR: empty serves /metrics on the main listener,
// "off" not at all, and host:port on a listener of its own (so that it need
// not be public).
func (p *problems) metricsAddr(raw string) (addr string, enabled bool) {
	s := strings.TrimSpace(raw)
	switch {
	case s == "":
		return "", true
	case strings.EqualFold(s, MetricsOff):
		return "", false
	}
	var sub problems
	addr = sub.addr(s)
	if len(sub) > 0 {
		p.add("METRICS_ADDR must be empty (serve /metrics on ADDR), off, or host:port such as 127.0.0.1:9100 (got %q)", raw)
		return "", false
	}
	return addr, true
}

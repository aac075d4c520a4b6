package config

import (
	"strings"
	"testing"
	"time"
)

func TestOperationalSettings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		environ map[string]string
		check   func(Config) bool
	}{
		{"metrics on main listener", nil, func(c Config) bool { return c.MetricsEnabled && c.MetricsAddr == "" }},
		{"metrics off", map[string]string{"METRICS_ADDR": "OFF"}, func(c Config) bool { return !c.MetricsEnabled }},
		{"metrics own address", map[string]string{"METRICS_ADDR": "127.0.0.1:9100"}, func(c Config) bool {
			return c.MetricsEnabled && c.MetricsAddr == "127.0.0.1:9100"
		}},
		{"metrics bare port", map[string]string{"METRICS_ADDR": "9100"}, func(c Config) bool { return c.MetricsAddr == ":9100" }},
		{"drain and timeouts", map[string]string{"SHUTDOWN_DRAIN_DELAY": "250ms", "DATABASE_TIMEOUT": "0s", "HTTP_READ_TIMEOUT": "2s"}, func(c Config) bool {
			return c.DrainDelay == 250*time.Millisecond && c.DatabaseTimeout == 0 && c.ReadTimeout == 2*time.Second
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := load(t, "", tt.environ)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if !tt.check(c) {
				t.Errorf("unexpected config %+v", c)
			}
		})
	}
}

func TestOperationalSettingsInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		environ map[string]string
		want    string
	}{
		{map[string]string{"METRICS_ADDR": "localhost"}, `METRICS_ADDR must be empty (serve /metrics on ADDR), off, or host:port`},
		{map[string]string{"METRICS_ADDR": ":70000"}, `METRICS_ADDR must be`},
		{map[string]string{"SHUTDOWN_DRAIN_DELAY": "2m"}, `SHUTDOWN_DRAIN_DELAY must be a duration from 0s to 1m`},
		{map[string]string{"SHUTDOWN_DRAIN_DELAY": "-1s"}, `SHUTDOWN_DRAIN_DELAY must be`},
		{map[string]string{"DATABASE_TIMEOUT": "soon"}, `DATABASE_TIMEOUT must be a duration from 0s (no limit) to 1m`},
		{map[string]string{"HTTP_READ_TIMEOUT": "1ms"}, `HTTP_READ_TIMEOUT must be a duration from 100ms to 1h`},
	}
	for _, tt := range tests {
		_, err := load(t, "", tt.environ)
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: error %v, want one line containing %q", tt.environ, err, tt.want)
		}
	}
}

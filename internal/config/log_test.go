package config

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestLogValueHidesSecrets(t *testing.T) {
	t.Parallel()
	c, err := load(t, "", map[string]string{
		"POSTGRES_USER": "app", "POSTGRES_PASSWORD": secretPassword, "POSTGRES_DB": "app",
		"JWT_PRIVATE_KEY": privateKey, "JWT_PUBLIC_KEY": publicKey,
	})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("starting", "config", c)
	printed := fmt.Sprint(c) + fmt.Sprintf("%v %s", c, c)
	for _, out := range []string{buf.String(), printed} {
		for _, secret := range []string{secretPassword, privateKey, publicKey} {
			if strings.Contains(out, secret) {
				t.Errorf("output shows a secret: %s", out)
			}
		}
		for _, want := range []string{"postgres://app:xxxxx@localhost:5432/app", "jwt_keys", "set", "access_ttl"} {
			if !strings.Contains(out, want) {
				t.Errorf("output %s does not contain %q", out, want)
			}
		}
	}
}

func TestLogValueGeneratedKeys(t *testing.T) {
	t.Parallel()
	c, err := load(t, "", nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got := c.String(); !strings.Contains(got, `jwt_keys="generated"`) || !strings.Contains(got, `database="./data/authapi.db"`) {
		t.Errorf("String() = %s, want generated keys and the SQLite path", got)
	}
}

func TestRedactDatabaseURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"./data/authapi.db", "./data/authapi.db"},
		{"postgres://u:" + secretPassword + "@db:5432/app?sslmode=disable", "postgres://u:xxxxx@db:5432/app?sslmode=disable"},
		{"postgresql://u@db/app", "postgresql://u@db/app"},
		{"postgres://db/app?user=u&password=" + secretPassword, "postgres://db/app?password=xxxxx&user=u"},
		{"postgres://u:p@db/app?sslpassword=" + secretPassword, "postgres://u:xxxxx@db/app?sslpassword=xxxxx"},
	}
	for _, tt := range tests {
		if got := RedactDatabaseURL(tt.in); got != tt.want {
			t.Errorf("RedactDatabaseURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSlogLevel(t *testing.T) {
	t.Parallel()
	tests := map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}
	for name, want := range tests {
		if got := (Config{LogLevel: name}).SlogLevel(); got != want {
			t.Errorf("SlogLevel(%s) = %v, want %v", name, got, want)
		}
	}
}

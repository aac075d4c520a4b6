package faulttest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// binary is the authapi program under test, built once by TestMain.
var binary string

// keyEnv is a signing key pair shared by every instance, in .env form.
var keyEnv map[string]string

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "authapi-faulttest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "authapi")
	build := exec.Command("go", "build", "-o", binary, "github.com/authapi/authapi/cmd/authapi")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build authapi:", err)
		return 1
	}
	// ES256: signing is cheap, so the CPU goes to what the tests exercise.
	out, err := exec.Command(binary, "keys", "generate", "--alg", "ES256").Output()
	if err != nil {
		fmt.Fprintln(os.Stderr, "keys generate:", err)
		return 1
	}
	keyEnv = map[string]string{}
	for line := range strings.Lines(string(out)) {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok {
			keyEnv[k] = v
		}
	}
	return m.Run()
}

// postgresAvailable reports whether TEST_DATABASE_URL names a PostgreSQL
// server the tests may create databases on.
func postgresAvailable() bool { return os.Getenv("TEST_DATABASE_URL") != "" }

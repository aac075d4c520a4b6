package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSmoke builds the real server, runs every scenario for a second at tiny
// rates, and checks that no request failed: what CI asks of the load tool.
// Timings are not checked; the machine is shared.
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the server")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "authapi")
	// A plain build: under -race every argon2id hash would take seconds.
	if out, err := exec.Command("go", "build", "-o", bin, serverModule).CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	jsonPath := filepath.Join(dir, "run.json")
	var stdout, stderr bytes.Buffer
	err := run(t.Context(), []string{"run", "--server", bin, "--json", jsonPath,
		"--duration", "1s", "--warmup", "0s", "--rate", "20", "--conns", "2", "--hash-conns", "2",
		"--users", "3", "--flood-logins", "4", "--flood-me-rate", "20", "--window", "500ms",
	}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	b, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var r Run
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("JSON output: %v", err)
	}
	if got, want := len(r.Scenarios), len(scenarios()); got != want {
		t.Errorf("ran %d scenarios, want %d", got, want)
	}
	for _, s := range r.Scenarios {
		if s.Requests == 0 {
			t.Errorf("%s: no requests", s.Name)
		}
		if s.CPUSeconds < 0 || s.PeakRSS <= 0 {
			t.Errorf("%s: CPU %.3f s, peak RSS %.1f MiB; want the server's /proc readings", s.Name, s.CPUSeconds, s.PeakRSS)
		}
		if (s.Name == "login" || s.Name == "register-1") && s.HashP50MS <= 0 {
			t.Errorf("%s: no argon2id time measured by authbench beside it", s.Name)
		}
		if s.Name != "flood" && len(s.Windows) < 2 {
			t.Errorf("%s: %d windows of 500ms in a 1s attack, want 2 or more", s.Name, len(s.Windows))
		}
		for _, op := range s.Ops {
			if op.Errors != 0 {
				t.Errorf("%s/%s: %d errors: %v %v", s.Name, op.Name, op.Errors, op.Status, op.ErrorTexts)
			}
		}
	}
	if !strings.Contains(stdout.String(), "p99 ms") {
		t.Errorf("no table on stdout:\n%s", stdout.String())
	}

	// The report renders the run.
	var md bytes.Buffer
	if err := run(t.Context(), []string{"report", jsonPath}, &md, &stderr); err != nil {
		t.Fatalf("report: %v", err)
	}
	if !strings.Contains(md.String(), "| "+r.Label+" | me | me |") {
		t.Errorf("report lacks the me row:\n%s", md.String())
	}
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// serverModule is what `go build` builds when no --server binary is given.
const serverModule = "github.com/authapi/authapi/cmd/authapi"

// server is the authapi under test: one this program started, or one it was
// pointed at.
type server struct {
	url     string
	proc    proc
	cmd     *exec.Cmd     // nil when attached
	exited  chan struct{} // closed when cmd has exited
	startup time.Duration // exec to first answered request; zero when attached
	logPath string
	dir     string
}

// serverConfig says how to start authapi.
type serverConfig struct {
	bin         string   // binary; empty: go build serverModule
	databaseURL string   // empty: a fresh SQLite file
	alg         string   // JWT_ALGORITHM
	env         []string // extra KEY=VALUE settings
}

// startServer builds (if needed) and starts authapi in a fresh directory with a
// fresh key, and waits until it answers. Its environment is only what is set
// here, so the caller's shell and .env files do not leak into the numbers.
func startServer(ctx context.Context, cfg serverConfig) (*server, error) {
	dir, err := os.MkdirTemp("", "authbench-")
	if err != nil {
		return nil, err
	}
	s, err := launch(ctx, cfg, dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return s, nil
}

// launch does startServer's work in dir.
func launch(ctx context.Context, cfg serverConfig, dir string) (*server, error) {
	// The server runs in dir, so a relative path would name the wrong file.
	bin, err := filepath.Abs(cfg.bin)
	if err != nil {
		return nil, err
	}
	if cfg.bin == "" {
		bin = filepath.Join(dir, "authapi")
		build := exec.CommandContext(ctx, "go", "build", "-o", bin, serverModule)
		if out, err := build.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("go build %s: %w\n%s", serverModule, err, out)
		}
	}
	keys, err := exec.CommandContext(ctx, bin, "keys", "generate", "--alg", cfg.alg).Output()
	if err != nil {
		return nil, fmt.Errorf("%s keys generate: %w", bin, err)
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	dbURL := cfg.databaseURL
	if dbURL == "" {
		dbURL = filepath.Join(dir, "authapi.db")
	}
	env := []string{"DATABASE_URL=" + dbURL, "KEYS_DIR=" + dir}
	env = append(env, envLines(keys)...)
	// All the load comes from one address, which is what the per-address rate
	// limits exist to stop; the benchmark measures the work behind them, so
	// they are off unless --env turns them on (the last value of a key wins).
	env = append(env, "RATE_LIMIT_AUTH=0", "RATE_LIMIT_REFRESH=0")
	env = append(env, cfg.env...)

	s := &server{url: "http://" + addr, dir: dir, logPath: filepath.Join(dir, "server.log")}
	logFile, err := os.Create(s.logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close() // the child has its own descriptor
	s.cmd = exec.Command(bin, "serve", "--addr", addr)
	s.cmd.Dir, s.cmd.Env, s.cmd.Stdout, s.cmd.Stderr = dir, env, logFile, logFile
	began := time.Now()
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	s.proc = proc{pid: s.cmd.Process.Pid}
	s.exited = make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(s.exited) }()
	if err := waitHealthy(ctx, s.url, s.exited); err != nil {
		tail := s.logTail()
		s.stop()
		return nil, fmt.Errorf("%w; server log:\n%s", err, tail)
	}
	s.startup = time.Since(began)
	return s, nil
}

// attachServer measures a server someone else runs; pid 0 means its CPU and
// memory are not read.
func attachServer(ctx context.Context, url string, pid int) (*server, error) {
	s := &server{url: strings.TrimSuffix(url, "/"), proc: proc{pid: pid}}
	if err := waitHealthy(ctx, s.url, nil); err != nil {
		return nil, err
	}
	return s, nil
}

// waitHealthy polls the health check until it answers 200, the process exits,
// or 30 seconds pass.
func waitHealthy(ctx context.Context, base string, exited <-chan struct{}) error {
	c := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/healthchecker", nil)
		if resp, err := c.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-exited:
			return errors.New("server exited before answering")
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s did not answer within 30s", base)
}

// stop ends a server this program started (SIGTERM, then SIGKILL after 20s)
// and removes its directory.
func (s *server) stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
	os.RemoveAll(s.dir)
}

// logTail is the end of the server's log, for error messages.
func (s *server) logTail() string {
	b, _ := os.ReadFile(s.logPath)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// freeAddr returns a loopback address with a port nobody listens on.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// envLines picks the KEY=VALUE lines of `authapi keys generate` output.
func envLines(b []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" && !strings.HasPrefix(line, "#") && strings.Contains(line, "=") {
			out = append(out, line)
		}
	}
	return out
}

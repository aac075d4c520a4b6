package faulttest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// instance is one running authapi process that this test started.
type instance struct {
	t    *testing.T
	cmd  *exec.Cmd
	base string // http://127.0.0.1:PORT
	logs *logBuffer
	done chan struct{} // closed when the process has exited
	err  error         // Wait's result, valid after done
}

// baseEnv is what every instance gets unless the test says otherwise.
func baseEnv() map[string]string {
	env := map[string]string{
		"ADDR":                 "127.0.0.1:0",
		"LOG_FORMAT":           "json",
		"SHUTDOWN_DRAIN_DELAY": "0s",
		"CLIENT_ORIGIN":        "http://localhost:3000",
		// Generous: CI machines are shared and slow, and only the outage test
		// is about this deadline (it sets its own).
		"DATABASE_TIMEOUT": "10s",
		// Every test client comes from 127.0.0.1: per-address limits would
		// refuse the load itself. The hash queue is deep enough for 32
		// concurrent logins, so that shedding does not mask what is tested.
		"RATE_LIMIT_AUTH":    "0",
		"RATE_LIMIT_REFRESH": "0",
		"HASH_QUEUE":         "128",
	}
	maps.Copy(env, keyEnv)
	return env
}

// start runs authapi serve with env (over baseEnv) in dir, a directory of the
// test's (so no .env is read), and waits until it listens. The process is
// stopped when the test ends if it is still running.
func start(t *testing.T, dir string, env map[string]string) *instance {
	t.Helper()
	inst := startAsync(t, dir, env)
	inst.waitListening()
	return inst
}

// startAsync starts the process without waiting for it to listen.
func startAsync(t *testing.T, dir string, env map[string]string) *instance {
	t.Helper()
	all := baseEnv()
	maps.Copy(all, env)
	cmd := exec.Command(binary, "serve")
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
	for k, v := range all {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	inst := &instance{t: t, cmd: cmd, logs: newLogBuffer(), done: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start authapi: %v", err)
	}
	go func() {
		inst.logs.consume(stderr)
		inst.err = cmd.Wait()
		close(inst.done)
	}()
	t.Cleanup(inst.stop)
	return inst
}

// waitListening waits for the "authapi listening" line and notes the address.
func (i *instance) waitListening() {
	i.t.Helper()
	select {
	case addr := <-i.logs.listening:
		i.base = "http://" + addr
	case <-i.done:
		i.t.Fatalf("authapi exited before listening: %v\n%s", i.err, i.logs)
	case <-time.After(60 * time.Second):
		i.t.Fatalf("authapi did not listen within 60s\n%s", i.logs)
	}
}

// stop ends the process if it still runs: SIGTERM, then SIGKILL after 20s.
// It only ever signals the process this instance started.
func (i *instance) stop() {
	select {
	case <-i.done:
		return
	default:
	}
	_ = i.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-i.done:
	case <-time.After(20 * time.Second):
		_ = i.cmd.Process.Kill()
		<-i.done
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (i *instance) kill() {
	_ = i.cmd.Process.Kill()
	<-i.done
}

// wait waits up to d for the process to exit, and reports whether it did and
// with what exit error.
func (i *instance) wait(d time.Duration) (bool, error) {
	select {
	case <-i.done:
		return true, i.err
	case <-time.After(d):
		return false, nil
	}
}

// logBuffer keeps a process's log and spots the listening line.
type logBuffer struct {
	mu        sync.Mutex
	buf       bytes.Buffer
	listening chan string
}

func newLogBuffer() *logBuffer { return &logBuffer{listening: make(chan string, 1)} }

func (b *logBuffer) consume(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		b.mu.Lock()
		b.buf.WriteString(line + "\n")
		b.mu.Unlock()
		var rec struct {
			Msg  string `json:"msg"`
			Addr string `json:"addr"`
		}
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "authapi listening" {
			select {
			case b.listening <- rec.Addr:
			default:
			}
		}
	}
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// lines returns the log records whose msg is msg.
func (b *logBuffer) lines(msg string) []map[string]any {
	var out []map[string]any
	for line := range strings.Lines(b.String()) {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}

package main

import (
	"net/http"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// hashWorkers lists this process's children that run as hash workers.
func hashWorkers(t *testing.T) []int {
	t.Helper()
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, task := range tasks {
		b, _ := os.ReadFile("/proc/self/task/" + task.Name() + "/children")
		for _, f := range strings.Fields(string(b)) {
			cmdline, _ := os.ReadFile("/proc/" + f + "/cmdline")
			if strings.HasSuffix(string(cmdline), "\x00hash-worker\x00") {
				pid, _ := strconv.Atoi(f)
				pids = append(pids, pid)
			}
		}
	}
	return pids
}

// gcPercent is the process's garbage collection target (GOGC) now.
func gcPercent() int64 {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}

// waitFor polls cond for up to five seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("gave up waiting: %s", what)
}

// serve hashes in one worker process by default, replaces it when it dies,
// and stops it when the server stops; HASH_PROCESS=false hashes in process,
// with a GC target of 50 % rather than Go's 100 %. Not parallel: it counts the
// test process's hash workers and sets its GC target.
func TestServeHashesInAWorker(t *testing.T) {
	if n := len(hashWorkers(t)); n != 0 {
		t.Fatalf("%d hash workers before the test", n)
	}
	_, gogcSet := os.LookupEnv("GOGC")
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	t.Chdir(t.TempDir())
	base, stop := startInstance(t, map[string]string{})
	workers := hashWorkers(t)
	if len(workers) != 1 {
		t.Fatalf("hash workers while serving: %v, want one", workers)
	}
	if got := gcPercent(); got != 100 {
		t.Errorf("GC target with a hash worker = %d %%, want Go's 100 %%", got)
	}
	send := func(path, body string) int {
		t.Helper()
		resp, err := http.Post(base+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	post := func(path, body string, want int) {
		t.Helper()
		if got := send(path, body); got != want {
			t.Fatalf("POST %s = %d, want %d", path, got, want)
		}
	}
	post("/api/auth/register", `{"name":"W","email":"w@example.com","password":"password123","passwordConfirm":"password123"}`, 201)
	post("/api/auth/login", `{"email":"w@example.com","password":"password123"}`, 200)

	if err := syscall.Kill(workers[0], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the killed worker to be reaped", func() bool {
		_, err := os.Stat("/proc/" + strconv.Itoa(workers[0]))
		return err != nil
	})
	// The server may learn of the death a moment after the process is
	// reaped: a login in between is told to retry (503), as a client would.
	if got := send("/api/auth/login", `{"email":"w@example.com","password":"password123"}`); got != 200 && got != 503 {
		t.Fatalf("first login after the kill = %d, want 200 (or 503 once)", got)
	}
	post("/api/auth/login", `{"email":"w@example.com","password":"password123"}`, 200)
	post("/api/auth/login", `{"email":"w@example.com","password":"wrong-password"}`, 400)
	if again := hashWorkers(t); len(again) != 1 || again[0] == workers[0] {
		t.Fatalf("hash workers after one was killed: %v (the killed one was %d)", again, workers[0])
	}

	stop()
	waitFor(t, "the worker to exit with the server", func() bool { return len(hashWorkers(t)) == 0 })

	t.Chdir(t.TempDir())
	base, _ = startInstance(t, map[string]string{"HASH_PROCESS": "false"})
	post("/api/auth/register", `{"name":"W","email":"w@example.com","password":"password123","passwordConfirm":"password123"}`, 201)
	if n := len(hashWorkers(t)); n != 0 {
		t.Errorf("%d hash workers with HASH_PROCESS=false", n)
	}
	if got := gcPercent(); got != inProcessGCPercent && !gogcSet {
		t.Errorf("GC target hashing in process = %d %%, want %d %%", got, inProcessGCPercent)
	}
}

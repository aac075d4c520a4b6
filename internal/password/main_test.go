package password

import (
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// parentEnv makes this test binary stand in for a server that starts a hash
// worker and then dies (TestWorkerDiesWithItsParent).
const parentEnv = "AUTHAPI_TEST_WORKER_PARENT"

func TestMain(m *testing.M) {
	// The Worker tests start this test binary as their worker.
	RunWorkerIfChild()
	if os.Getenv(parentEnv) != "" {
		os.Exit(beParent())
	}
	code := m.Run()
	if sharedStarted.Load() {
		if w, err := shared(); err == nil {
			_ = w.Close()
		}
	}
	os.Exit(code)
}

// beParent starts a worker, gives it a hash of several seconds, prints its
// pid once it computes, and waits to be killed.
func beParent() int {
	w, err := StartWorker(1, slog.New(slog.DiscardHandler))
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	h, err := NewHasher(Params{Memory: 128 * 1024, Time: 16, Threads: 1, SaltLen: 16, KeyLen: 32})
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	go func() { _, _ = h.OnWorker(w).Hash("correct horse") }()
	if err := waitHashing(w.PID()); err != nil {
		fmt.Println("error:", err)
		return 1
	}
	fmt.Println(w.PID())
	time.Sleep(time.Minute)
	return 0
}

// shared is one worker for the tests that run Hasher's tests on a worker.
var shared = sync.OnceValues(func() (*Worker, error) {
	sharedStarted.Store(true)
	return StartWorker(2, slog.New(slog.DiscardHandler))
})

var sharedStarted atomic.Bool

// backends returns h computing in this process and, where hash workers run,
// in the shared worker: Hasher's tests run on both.
func backends(t *testing.T, h *Hasher) map[string]*Hasher {
	t.Helper()
	all := map[string]*Hasher{"in process": h}
	if !workerSupported {
		return all
	}
	w, err := shared()
	if err != nil {
		t.Fatalf("start the shared hash worker: %v", err)
	}
	all["worker"] = h.OnWorker(w)
	return all
}

// statFields returns the fields of /proc/PID/stat after the command name,
// from field 3 (state) on; nil if the process is gone.
func statFields(pid int) []string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	i := strings.LastIndexByte(string(b), ')')
	if err != nil || i < 0 {
		return nil
	}
	return strings.Fields(string(b[i+1:]))
}

// cpuTicks is the user and system CPU time of process pid, in clock ticks.
func cpuTicks(pid int) int {
	f := statFields(pid)
	if len(f) < 13 {
		return -1
	}
	user, _ := strconv.Atoi(f[11])
	sys, _ := strconv.Atoi(f[12])
	return user + sys
}

// waitHashing returns once process pid has used 30 ms of CPU more than
// when called: a worker only computes when it has a request. A sleep
// instead could act before the request was written.
func waitHashing(pid int) error {
	start := cpuTicks(pid)
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cpuTicks(pid) >= start+3 {
			return nil
		}
	}
	return fmt.Errorf("worker %d did not start hashing within 20 s", pid)
}

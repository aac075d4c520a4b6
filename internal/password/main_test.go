package password

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
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
	if w, err := shared(); err == nil {
		_ = w.Close()
	}
	os.Exit(code)
}

// beParent starts a worker, prints its pid and waits to be killed.
func beParent() int {
	w, err := StartWorker(1, slog.New(slog.DiscardHandler))
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	fmt.Println(w.PID())
	time.Sleep(time.Minute)
	return 0
}

// shared is one worker for the tests that run Hasher's tests on a worker.
var shared = sync.OnceValues(func() (*Worker, error) {
	return StartWorker(2, slog.New(slog.NewTextHandler(io.Discard, nil)))
})

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

package password

import (
	"bufio"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// slow takes a second or more per hash, so that a test can act while one runs.
var slow = Params{Memory: 64 * 1024, Time: 16, Threads: 1, SaltLen: 16, KeyLen: 32}

func startWorker(t *testing.T) *Worker {
	t.Helper()
	w, err := StartWorker(1, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.Close() })
	return w
}

// alive reports whether pid runs: not gone, and not a zombie.
func alive(pid int) bool {
	f := statFields(pid)
	return len(f) > 0 && f[0] != "Z"
}

func waitGone(t *testing.T, pid int, within time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if !alive(pid) {
			return
		}
	}
	t.Fatalf("process %d still runs after %v", pid, within)
}

// The worker holds no secret of the server's: its environment is its own two
// variables.
func TestWorkerIsolation(t *testing.T) {
	t.Setenv("DATABASE_URL", "postgres://secret@db/authapi")
	w := startWorker(t)
	h := newHasher(t, DefaultParams).OnWorker(w)
	if _, err := h.Hash("correct horse"); err != nil {
		t.Fatal(err)
	}
	env, err := os.ReadFile("/proc/" + strconv.Itoa(w.PID()) + "/environ")
	if err != nil {
		t.Fatal(err)
	}
	vars := strings.Split(strings.TrimSuffix(string(env), "\x00"), "\x00")
	slices.Sort(vars)
	want := []string{"AUTHAPI_HASH_WORKER=1", "GOMAXPROCS=2"}
	if !slices.Equal(vars, want) {
		t.Errorf("worker environment = %q, want %q", vars, want)
	}
}

// A worker killed in the middle of a hash fails that call with
// ErrUnavailable, and the next call gets a new worker.
func TestWorkerRestartsAfterDeath(t *testing.T) {
	w := startWorker(t)
	h := newHasher(t, slow).OnWorker(w)
	first := w.PID()
	errc := make(chan error, 1)
	go func() {
		_, err := h.Hash("correct horse")
		errc <- err
	}()
	if err := waitHashing(first); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(first, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, ErrUnavailable) {
			t.Fatalf("hash during the worker's death: %v, want ErrUnavailable", err)
		}
		t.Logf("the call saw: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("the call did not end when its worker died")
	}
	waitGone(t, first, 5*time.Second)
	for deadline := time.Now().Add(5 * time.Second); w.PID() != 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the Worker did not notice its process's death")
		}
	}
	cheapH := newHasher(t, cheap).OnWorker(w)
	enc, err := cheapH.Hash("correct horse")
	if err != nil {
		t.Fatalf("hash after the restart: %v", err)
	}
	if ok, _, err := cheapH.Verify(enc, "correct horse"); !ok || err != nil {
		t.Fatalf("verify after the restart = %v, %v", ok, err)
	}
	if second := w.PID(); second == first || second == 0 || w.Restarts() != 1 {
		t.Errorf("pid %d → %d, %d restarts; want a new pid and 1 restart", first, second, w.Restarts())
	}
	if got := NewPool(cheapH, 1, 0).Stats().WorkerRestarts; got != 1 {
		t.Errorf("pool stats: %d worker restarts, want 1", got)
	}
}

// Ctrl-C and a service manager's SIGTERM reach the whole process group; the
// worker must outlive them while the server drains.
func TestWorkerIgnoresStopSignals(t *testing.T) {
	w := startWorker(t)
	pid := w.PID()
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		if err := syscall.Kill(pid, sig); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(100 * time.Millisecond)
	if _, err := newHasher(t, cheap).OnWorker(w).Hash("correct horse"); err != nil {
		t.Fatal(err)
	}
	if w.PID() != pid || w.Restarts() != 0 {
		t.Errorf("the worker was replaced (pid %d → %d)", pid, w.PID())
	}
}

// Close lets the hash in progress finish, then the process exits; calls
// after Close fail at once.
func TestWorkerClose(t *testing.T) {
	w := startWorker(t)
	w.stop = time.Minute // at nice 19 beside other tests, a slow hash may take long
	pid := w.PID()
	h := newHasher(t, slow).OnWorker(w)
	type result struct {
		enc string
		err error
	}
	done := make(chan result, 1)
	go func() {
		enc, err := h.Hash("correct horse")
		done <- result{enc, err}
	}()
	if err := waitHashing(pid); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if alive(pid) {
		t.Errorf("worker %d runs after Close returned", pid)
	}
	if r := <-done; r.err != nil || !strings.HasPrefix(r.enc, "$argon2id$") {
		t.Errorf("the hash in progress at Close = %q, %v; want it finished", r.enc, r.err)
	}
	if _, err := h.Hash("correct horse"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("hash after Close: %v, want ErrUnavailable", err)
	}
}

// No orphan: a server that dies (killed, crashed) takes the worker with it at
// once, even in the middle of a hash. Its input closing would stop it too,
// but only once the hash is done: the parent-death signal is what ends it
// well within the seconds this hash takes.
func TestWorkerDiesWithItsParent(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), parentEnv+"=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		t.Fatalf("the parent printed %q: %v", line, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		_ = cmd.Process.Kill()
		t.Fatalf("the parent printed %q", line)
	}
	if !alive(pid) {
		t.Fatalf("worker %d does not run", pid)
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	waitGone(t, pid, 500*time.Millisecond)
}

// A process started as a worker that does not act as one (a program without
// RunWorkerIfChild) must not start workers in turn: that would never end.
func TestStartWorkerRefusesInAWorker(t *testing.T) {
	t.Setenv(workerEnv, workerVersion)
	_, err := StartWorker(1, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "RunWorkerIfChild") {
		t.Fatalf("StartWorker = %v, want a refusal naming RunWorkerIfChild", err)
	}
}

// A worker that cannot start fails the call, and the next ones within the
// back-off fail at once rather than each trying again.
func TestWorkerStartFailureBacksOff(t *testing.T) {
	w := &Worker{exe: filepath.Join(t.TempDir(), "missing"), procs: 1, log: slog.New(slog.DiscardHandler)}
	p := NewPool(newHasher(t, cheap).OnWorker(w), 1, 0)
	if _, err := p.Hash(t.Context(), "correct horse"); !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "start hash worker") {
		t.Fatalf("first hash: %v, want ErrUnavailable from the start", err)
	}
	if _, _, err := p.Verify(t.Context(), "$2b$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui", "x"); !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "retrying shortly") {
		t.Fatalf("second call: %v, want the back-off", err)
	}
	if s := p.Stats(); s.Unavailable != 2 || s.Done != 2 {
		t.Errorf("pool stats = %+v, want 2 done, 2 unavailable", s)
	}
}

// What the worker answers to requests the server would never send.
func TestWorkerRefusesBadRequests(t *testing.T) {
	for name, req := range map[string]workerRequest{
		"unknown op":    {Op: "md5"},
		"no salt":       {Op: opArgon2id, Params: cheap},
		"huge memory":   {Op: opArgon2id, Salt: make([]byte, 16), Params: Params{Memory: 1 << 30, Time: 1, Threads: 1, KeyLen: 32}},
		"zero time":     {Op: opArgon2id, Salt: make([]byte, 16), Params: Params{Memory: 64, Time: 0, Threads: 1, KeyLen: 32}},
		"zero key size": {Op: opArgon2id, Salt: make([]byte, 16), Params: Params{Memory: 64, Time: 1, Threads: 1}},
	} {
		if r := compute(req); r.Error == "" || r.Key != nil {
			t.Errorf("%s: reply %+v, want an error", name, r)
		}
	}
	// Through a worker, such an answer is a failure of hashing, not a result.
	w := startWorker(t)
	if _, err := w.call(workerRequest{Op: "md5"}); !errors.Is(err, ErrUnavailable) {
		t.Errorf("unknown op through the worker: %v, want ErrUnavailable", err)
	}
}

// The worker's protocol survives input that is not a request: it exits, and
// says why, rather than hang or compute garbage.
func TestServeWorkerStopsOnGarbage(t *testing.T) {
	pr, pw := io.Pipe()
	out, outW := io.Pipe()
	done := make(chan int, 1)
	go func() { done <- serveWorker(pr, outW) }()
	go func() { _, _ = io.Copy(io.Discard, out) }()
	_, _ = pw.Write([]byte("{\"id\": 1, \"op\": \"argon2id\"}\nnot json\n"))
	select {
	case code := <-done:
		if code == 0 {
			t.Errorf("serveWorker = 0 on garbage, want a failure")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("serveWorker hangs on garbage")
	}
	_ = pw.Close()
}

// The worker keeps one argon2id block per hash at once and uses it again:
// sequential hashes neither grow its memory past one block and the program
// nor fault a block's pages in again (docs/PERFORMANCE.md, item 12).
// .ci/run runs it without the race detector.
func TestWorkerReusesItsBlock(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's shadow memory faults and grows with the hash")
	}
	w := startWorker(t)
	h := newHasher(t, DefaultParams).OnWorker(w)
	hash := func(n int) {
		t.Helper()
		for range n {
			if _, err := h.Hash("correct horse"); err != nil {
				t.Fatal(err)
			}
		}
	}
	hash(3)
	faults := func() int {
		f := statFields(w.PID())
		if len(f) < 8 {
			t.Fatal("no /proc stat for the worker")
		}
		n, _ := strconv.Atoi(f[7]) // minflt, the 10th field
		return n
	}
	before := faults()
	const hashes = 10
	hash(hashes)
	block := int(DefaultParams.Memory) * 1024 // bytes
	pages := block / os.Getpagesize()
	if got := faults() - before; got > pages/4 {
		t.Errorf("%d page faults in %d hashes, want few: a block is %d pages", got, hashes, pages)
	}
	if hwm := peakRSS(t, w.PID()); hwm > 2*block {
		t.Errorf("worker's peak RSS %d MiB, want under two blocks (%d MiB)", hwm>>20, 2*block>>20)
	}
}

// peakRSS is process pid's VmHWM in bytes.
func peakRSS(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kib, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err != nil {
				t.Fatalf("VmHWM %q: %v", v, err)
			}
			return kib * 1024
		}
	}
	t.Fatal("no VmHWM in /proc/PID/status")
	return 0
}

// A program started with the worker's variable but not its argument (by hand,
// from a shell that exported the variable) runs as itself, not as a worker.
func TestWorkerNeedsItsArgument(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), workerEnv+"="+workerVersion)
	out, err := cmd.CombinedOutput()
	if err != nil || strings.Contains(string(out), `"ready"`) || !strings.Contains(string(out), "PASS") {
		t.Fatalf("test binary with %s set and no %q argument: %v\n%s", workerEnv, workerArg, err, out)
	}
}

package password

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// A Worker computes password hashes in a child process: the same program,
// started again as a hash worker (see RunWorkerIfChild), with its own Go
// runtime.
//
// argon2id's inner loop is assembly that the Go runtime can stop only when a
// preemption signal lands between two blocks, and each hash allocates 19 MiB,
// so every hash brings a garbage collection that must stop it. In the server's
// own process, each of those collections holds every request that allocates
// meanwhile; during a login flood, that set me's p99 latency at 4-11 times its
// unloaded value. In a worker, the hashes' collections stop only the hashes,
// and the server's heap no longer holds the 19 MiB blocks
// (docs/PERFORMANCE.md).
//
// The worker sees a password with a salt and cost parameters, or with a bcrypt
// hash to check it against, and nothing else: no environment, no database, no
// keys. If it dies, or answers nothing for callTimeout, the calls it was
// serving fail with ErrUnavailable and the next call starts a new one.
type Worker struct {
	exe   string // the program to start: this one
	procs int
	log   *slog.Logger
	stop  time.Duration // how long Close waits before it kills

	mu       sync.Mutex
	cur      *workerProc // nil when none is running
	failedAt time.Time   // the last failure to start one, zero if none
	closed   bool

	nextID   atomic.Uint64
	restarts atomic.Uint64
}

// workerEnv marks a process started as a hash worker; its value is the
// protocol version, so that a worker never talks to a parent of another
// build (the parent starts the same executable, but be sure).
const (
	workerEnv      = "AUTHAPI_HASH_WORKER"
	workerVersion  = "1"
	startTimeout   = 10 * time.Second
	restartBackoff = time.Second // no new process sooner after a failed start
	stopTimeout    = 5 * time.Second
	// callTimeout bounds the wait for one answer: a process that neither
	// answers nor dies (stopped, frozen, stuck) is killed then, which fails
	// its calls and lets the next one start a new process. It is far above
	// any hash Verify accepts (about 5 s at the largest parameters) and
	// equal to serve's write timeout, past which no client hears the answer.
	callTimeout = 30 * time.Second
	// workerIdleRelease is how long a worker computes nothing before it
	// returns its hashes' memory to the system.
	workerIdleRelease = 30 * time.Second
)

// StartWorker starts a hash worker process computing up to procs hashes at
// once, and waits until it is ready. Its failures and restarts go to log.
func StartWorker(procs int, log *slog.Logger) (*Worker, error) {
	if !workerSupported {
		return nil, errors.New("hash worker processes need Linux")
	}
	w := &Worker{exe: selfExecutable(), procs: max(procs, 1), log: log, stop: stopTimeout}
	p, err := w.start()
	if err != nil {
		return nil, err
	}
	w.cur = p
	return w, nil
}

// Restarts counts the worker processes started after the first.
func (w *Worker) Restarts() uint64 { return w.restarts.Load() }

// Close stops the worker: its process finishes what it was given, then
// exits; after five seconds it is killed. Calls after Close fail with
// ErrUnavailable.
func (w *Worker) Close() error {
	w.mu.Lock()
	w.closed = true
	p := w.cur
	w.cur = nil
	w.mu.Unlock()
	if p == nil {
		return nil
	}
	p.wmu.Lock() // a request is either written whole or refused
	_ = p.stdin.Close()
	p.wmu.Unlock()
	select {
	case <-p.exited:
	case <-time.After(w.stop):
		p.kill()
		<-p.exited
	}
	return nil
}

// PID is the process ID of the running worker process, 0 if none.
func (w *Worker) PID() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cur == nil {
		return 0
	}
	return w.cur.cmd.Process.Pid
}

func (w *Worker) argon2id(password, salt []byte, p Params) ([]byte, error) {
	r, err := w.call(workerRequest{Op: opArgon2id, Password: password, Salt: salt, Params: p})
	return r.Key, err
}

func (w *Worker) bcrypt(encoded, password []byte) (bool, error) {
	r, err := w.call(workerRequest{Op: opBcrypt, Password: password, Encoded: encoded})
	if err == nil && r.Invalid != "" {
		err = errors.New(r.Invalid)
	}
	return r.Match, err
}

// call sends one request to the running process, starting one if none runs,
// and waits for its answer. The wait is not bounded by a context: a caller
// holds a Pool slot until the work it gave is done or the process is gone,
// so that the worker never computes more than the Pool allows.
func (w *Worker) call(req workerRequest) (workerReply, error) {
	p, err := w.process()
	if err != nil {
		return workerReply{}, err
	}
	req.ID = w.nextID.Add(1)
	ch := make(chan workerReply, 1)
	if !p.expect(req.ID, ch) {
		return workerReply{}, p.failure()
	}
	if err := p.send(req); err != nil {
		p.forget(req.ID)
		if errors.Is(err, os.ErrClosed) {
			// Close came first; what the process has runs to its end.
			return workerReply{}, fmt.Errorf("%w: the hash worker is stopped", ErrUnavailable)
		}
		// The process is gone or broken; its reader reports why.
		p.kill()
		return workerReply{}, fmt.Errorf("%w: write to hash worker: %v", ErrUnavailable, err)
	}
	timer := time.NewTimer(callTimeout)
	defer timer.Stop()
	var r workerReply
	var ok bool
	select {
	case r, ok = <-ch:
	case <-timer.C:
		w.log.Error("hash worker did not answer; killing it", "pid", p.cmd.Process.Pid, "waited", callTimeout.String())
		p.kill()
		r, ok = <-ch // closed once the process has ended
	}
	if !ok {
		return workerReply{}, p.failure()
	}
	if r.Error != "" {
		return workerReply{}, fmt.Errorf("%w: hash worker: %s", ErrUnavailable, r.Error)
	}
	return r, nil
}

// process returns the running process, or starts one.
func (w *Worker) process() (*workerProc, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cur != nil && w.cur.ended() {
		w.cur = nil // its reader has yet to call gone
	}
	switch {
	case w.closed:
		return nil, fmt.Errorf("%w: the hash worker is stopped", ErrUnavailable)
	case w.cur != nil:
		return w.cur, nil
	case time.Since(w.failedAt) < restartBackoff:
		return nil, fmt.Errorf("%w: the hash worker could not be restarted; retrying shortly", ErrUnavailable)
	}
	p, err := w.start()
	if err != nil {
		w.failedAt = time.Now()
		w.log.Error("hash worker could not be restarted", "error", err)
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	w.restarts.Add(1)
	w.log.Warn("hash worker restarted", "pid", p.cmd.Process.Pid)
	w.cur = p
	return p, nil
}

// gone is called by a process's reader once the process has exited.
func (w *Worker) gone(p *workerProc) {
	w.mu.Lock()
	if w.cur == p {
		w.cur = nil
	}
	closed := w.closed
	w.mu.Unlock()
	if !closed {
		w.log.Error("hash worker exited; the next hash starts a new one",
			"pid", p.cmd.Process.Pid, "error", p.failure())
	}
}

// start runs a new worker process and waits for its ready line.
func (w *Worker) start() (*workerProc, error) {
	if os.Getenv(workerEnv) != "" {
		// This process has the worker's variable and is not a worker: a
		// program (or test binary) started as one that never calls
		// RunWorkerIfChild, where going on would start copies of it without
		// end, or one run by hand from a shell that exported the variable.
		return nil, fmt.Errorf("hash worker: %s is set, but this process does not run as a hash worker (unset it; a program that starts workers calls password.RunWorkerIfChild first in main and TestMain)", workerEnv)
	}
	cmd := exec.Command(w.exe, workerArg)
	// Nothing of the server's environment (database URL, keys) goes along.
	// One P more than hashes at once, for the collector and the pipes: with
	// only as many as hashes, a login took twice the time of its hash. The
	// worker manages its own collections (see RunWorkerIfChild).
	cmd.Env = []string{
		workerEnv + "=" + workerVersion,
		"GOMAXPROCS=" + strconv.Itoa(w.procs+1),
	}
	cmd.Stderr = os.Stderr // a crash's stack trace goes to the server's log
	cmd.SysProcAttr = workerSysProcAttr()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("hash worker: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("hash worker: %w", err)
	}
	p := &workerProc{
		cmd: cmd, stdin: stdin, out: bufio.NewWriter(stdin),
		pending: make(map[uint64]chan workerReply), exited: make(chan struct{}),
	}
	dec := json.NewDecoder(bufio.NewReader(stdout))
	started, ready := make(chan error, 1), make(chan error, 1)
	go func() {
		// Linux sends the parent-death signal when the thread that
		// started the child ends, not the process; Go ends a thread only
		// under a goroutine that locked it and returned. So the child is
		// started on a thread locked here until the child has ended.
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- fmt.Errorf("start hash worker: %w", err)
			return // the thread ends with the goroutine; no child has it
		}
		started <- nil
		var hello workerReply
		if err := dec.Decode(&hello); err != nil || hello.Ready != workerVersion {
			ready <- fmt.Errorf("hash worker did not start (its first line: %+v, %v)", hello, err)
			p.kill()
		} else {
			ready <- nil
			p.read(dec)
		}
		p.end(cmd.Wait())
		w.gone(p)
	}()
	if err := <-started; err != nil {
		return nil, err
	}
	select {
	case err := <-ready:
		if err != nil {
			<-p.exited
			return nil, err
		}
	case <-time.After(startTimeout):
		p.kill()
		<-p.exited
		return nil, fmt.Errorf("hash worker did not answer within %s", startTimeout)
	}
	return p, nil
}

// selfExecutable is the running program's own file: its path while that is
// still the same file, so that ps shows the worker under the program's name;
// /proc/self/exe once it was replaced or deleted on disk since it started
// (an upgrade in place), so that the worker is always this very build.
func selfExecutable() string {
	self, selfErr := os.Stat("/proc/self/exe")
	exe, err := os.Executable()
	if err == nil {
		if fi, err := os.Stat(exe); err == nil && (selfErr != nil || os.SameFile(fi, self)) {
			return exe
		}
	}
	if selfErr == nil {
		return "/proc/self/exe"
	}
	return os.Args[0]
}

// workerProc is one worker process, seen from the server.
type workerProc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser

	wmu sync.Mutex // guards out
	out *bufio.Writer

	mu      sync.Mutex
	pending map[uint64]chan workerReply // nil once the process has ended
	err     error                       // why it ended

	exited chan struct{} // closed when it has ended and been waited for
}

func (p *workerProc) expect(id uint64, ch chan workerReply) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pending == nil {
		return false
	}
	p.pending[id] = ch
	return true
}

func (p *workerProc) forget(id uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.pending, id)
}

func (p *workerProc) send(req workerRequest) error {
	b, err := json.Marshal(req)
	if err != nil {
		return err
	}
	p.wmu.Lock()
	defer p.wmu.Unlock()
	if _, err := p.out.Write(append(b, '\n')); err != nil {
		return err
	}
	return p.out.Flush()
}

// read delivers answers until the process's output ends. Output that is not
// an answer ends the process too: the calls waiting on it fail rather than
// wait for answers that cannot be told apart any more.
func (p *workerProc) read(dec *json.Decoder) {
	for {
		var r workerReply
		if err := dec.Decode(&r); err != nil {
			if !errors.Is(err, io.EOF) {
				p.kill()
			}
			return
		}
		p.mu.Lock()
		ch := p.pending[r.ID]
		delete(p.pending, r.ID)
		p.mu.Unlock()
		if ch != nil {
			ch <- r
		}
	}
}

// end records how the process ended and fails the calls still waiting.
func (p *workerProc) end(waitErr error) {
	p.mu.Lock()
	if waitErr == nil {
		waitErr = errors.New("it exited")
	}
	p.err = waitErr
	for _, ch := range p.pending {
		close(ch)
	}
	p.pending = nil
	p.mu.Unlock()
	close(p.exited)
}

func (p *workerProc) failure() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err == nil {
		return fmt.Errorf("%w: the hash worker is exiting", ErrUnavailable)
	}
	return fmt.Errorf("%w: the hash worker ended: %v", ErrUnavailable, p.err)
}

func (p *workerProc) kill() { _ = p.cmd.Process.Kill() }

// ended reports whether the process has exited and been waited for.
func (p *workerProc) ended() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// The protocol: one JSON object per line each way. The worker's first line is
// {"ready": workerVersion}; then each request gets one reply with its ID, in
// any order.
const (
	opArgon2id = "argon2id"
	opBcrypt   = "bcrypt"
)

type workerRequest struct {
	ID       uint64 `json:"id"`
	Op       string `json:"op"`
	Password []byte `json:"password"`
	Salt     []byte `json:"salt,omitempty"`
	Params   Params `json:"params"`
	Encoded  []byte `json:"encoded,omitempty"`
}

type workerReply struct {
	ID      uint64 `json:"id"`
	Ready   string `json:"ready,omitempty"`
	Key     []byte `json:"key,omitempty"`
	Match   bool   `json:"match,omitempty"`
	Invalid string `json:"invalid,omitempty"` // bcrypt refused the stored hash
	Error   string `json:"error,omitempty"`   // the request itself was wrong
}

// workerArg is the worker's one argument, which ps shows.
const workerArg = "hash-worker"

// RunWorkerIfChild makes this process a hash worker, and exits when it is
// done, if the process was started as one by a Worker (its variable set and
// its one argument workerArg); otherwise it returns at once. Call it first in
// main, and in TestMain of any package whose tests start a Worker: a Worker
// starts this same executable. The argument keeps a program started by hand
// from a shell that exported the variable from turning into a worker.
func RunWorkerIfChild() {
	v, ok := os.LookupEnv(workerEnv)
	if !ok || len(os.Args) != 2 || os.Args[1] != workerArg {
		return
	}
	if v != workerVersion {
		fmt.Fprintf(os.Stderr, "hash worker: protocol %q, this build speaks %q\n", v, workerVersion)
		os.Exit(2)
	}
	if err := workerSetup(); err != nil {
		fmt.Fprintln(os.Stderr, "hash worker:", err)
		os.Exit(1)
	}
	// The collector runs only when serveWorker asks: before each request
	// (see collectBefore) and after a quiet spell, not when an allocation
	// crosses a target.
	debug.SetGCPercent(-1)
	os.Exit(serveWorker(os.Stdin, os.Stdout))
}

// serveWorker is the worker's main loop: it answers requests from in on out,
// each on its own goroutine, until in ends.
func serveWorker(in io.Reader, out io.Writer) int {
	bw := bufio.NewWriter(out)
	enc := json.NewEncoder(bw)
	var mu sync.Mutex
	reply := func(r workerReply) error {
		mu.Lock()
		defer mu.Unlock()
		if err := enc.Encode(r); err != nil {
			return err
		}
		return bw.Flush()
	}
	if err := reply(workerReply{Ready: workerVersion}); err != nil {
		return 1
	}
	dec := json.NewDecoder(bufio.NewReader(in))
	var wg sync.WaitGroup
	defer wg.Wait()
	// After a quiet spell the memory of the last hashes goes back to the
	// system. Not sooner: the next hash would pay to fault it in again
	// (about a third of a hash's time on this project's test machine).
	var running atomic.Int64
	release := time.AfterFunc(time.Hour, func() {
		if running.Load() == 0 {
			debug.FreeOSMemory()
		}
	})
	release.Stop()
	for {
		var req workerRequest
		if err := dec.Decode(&req); err != nil {
			if errors.Is(err, io.EOF) {
				return 0
			}
			fmt.Fprintln(os.Stderr, "hash worker: read request:", err)
			return 1
		}
		running.Add(1)
		wg.Go(func() {
			collectBefore()
			_ = reply(computeSafely(req))
			if running.Add(-1) == 0 {
				release.Reset(workerIdleRelease)
			}
		})
	}
}

// collectBefore runs a full collection before a request's work, so that the
// 19 MiB of the last argon2id hash, which x/crypto allocates in every call,
// is free when the next hash asks for as much, and is used again.
//
// With Go's default GC target the collection starts when the new block is
// allocated, with the old one not yet swept: the worker held two blocks
// (56 MiB of RSS against 38), the runtime handed free pages back to the
// system from time to time and faulted them in again, and the hash itself
// ran slower (in perf, argon2's own functions took 8 % more samples for the
// same hashes). BenchmarkWorkerVerify, three alternating rounds: 23.7-24.7
// ms -> 19.3-21.8 ms. A plain loop of argon2.IDKey shows the same (23.4-24.8
// -> 20.1-21.6 ms; 20,000-49,000 -> 10,400 page faults in 60 hashes). With
// the collector off otherwise, the runtime keeps the freed block: its
// scavenger's goal is then the heap in use at the last collection, which
// includes the block as long as the request before was an argon2id hash
// (after two requests in a row without one, bcrypt's, the next hash faults
// its block in again).
//
// Every request collects, not only argon2id's, so that the garbage of the
// others (bcrypt's, the decoder's) is bounded too; a collection of the
// worker's small heap costs far less than any hash.
func collectBefore() { runtime.GC() }

// computeSafely is compute with a panic turned into a failed request, so
// that one bad request does not end the hashes running beside it.
func computeSafely(req workerRequest) (r workerReply) {
	defer func() {
		if v := recover(); v != nil {
			r = workerReply{ID: req.ID, Error: fmt.Sprintf("panic: %v", v)}
		}
	}()
	return compute(req)
}

// compute does one request in the worker.
func compute(req workerRequest) workerReply {
	r := workerReply{ID: req.ID}
	switch req.Op {
	case opArgon2id:
		// The same bounds a stored hash must meet: a request from outside
		// them is a bug in the server, not work to do.
		p := req.Params
		p.SaltLen = max(p.SaltLen, minSaltLen)
		if err := p.validate(); err != nil || len(req.Salt) < minSaltLen {
			r.Error = fmt.Sprintf("argon2id: bad parameters (%v, salt of %d bytes)", err, len(req.Salt))
			return r
		}
		r.Key = argon2id(req.Password, req.Salt, req.Params)
	case opBcrypt:
		ok, err := compareBcrypt(req.Encoded, req.Password)
		r.Match = ok
		if err != nil {
			r.Invalid = err.Error()
		}
	default:
		r.Error = fmt.Sprintf("unknown operation %q", req.Op)
	}
	return r
}

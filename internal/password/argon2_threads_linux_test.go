package password

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// threadCPU is the CPU time of the calling OS thread so far.
func threadCPU(t *testing.T) time.Duration {
	t.Helper()
	b, err := os.ReadFile("/proc/thread-self/schedstat")
	if err != nil {
		t.Skipf("no per-thread CPU time here: %v", err)
	}
	ns, err := strconv.ParseInt(strings.Fields(string(b))[0], 10, 64)
	if err != nil {
		t.Fatalf("schedstat %q: %v", b, err)
	}
	return time.Duration(ns)
}

// Why Pool does not lower the priority of the thread it hashes on, as it
// once did: that thread does not do most of the work. This checks
// x/crypto/argon2, not Pool: it computes the memory blocks on goroutines it
// starts, so even a goroutine locked to its thread, as the niced one was,
// leaves them to other threads. If this starts failing, argon2 computes on
// the caller's thread again and a lowest-priority hashing thread would keep
// a login flood off the cores.
func TestArgon2WorksOffTheCallingThread(t *testing.T) {
	h := newHasher(t, DefaultParams)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start, cpu0 := time.Now(), threadCPU(t)
	for range 3 {
		h.VerifyDummy("correct horse battery staple")
	}
	wall, own := time.Since(start), threadCPU(t)-cpu0
	t.Logf("3 hashes: %v, of which %v of CPU on the calling thread", wall, own)
	if own > wall/2 {
		t.Errorf("the calling thread did %v of %v of hashing: argon2 no longer works off it", own, wall)
	}
}

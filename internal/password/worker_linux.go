package password

import (
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"
)

const workerSupported = true

// workerSysProcAttr kills the worker if the server dies without closing its
// input (SIGKILL, a crash), so that no orphan goes on hashing.
func workerSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// workerSetup prepares the worker process before it reads a request.
//
// Signals: the worker stops when the server closes its input, after
// answering what it was given. Ctrl-C in a terminal and a service manager's
// SIGTERM reach the whole process group, but the server may still need hashes
// while it drains, so the worker ignores them.
//
// Priority: on Linux, nice is a property of each thread, and a new thread
// takes its creator's. Lowering every thread the runtime has started so far
// lowers every thread the worker will ever have; the loop goes on until a
// pass finds none left at the old priority, in case the runtime started one
// meanwhile.
func workerSetup() error {
	signal.Ignore(syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	for range 10 {
		tasks, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return fmt.Errorf("lower priority: %w", err)
		}
		changed := false
		for _, t := range tasks {
			tid, err := strconv.Atoi(t.Name())
			if err != nil {
				continue
			}
			prio, err := syscall.Getpriority(syscall.PRIO_PROCESS, tid)
			if err != nil {
				continue // the thread ended
			}
			// The raw system call returns 20 - nice.
			if 20-prio == workerNice {
				continue
			}
			if err := syscall.Setpriority(syscall.PRIO_PROCESS, tid, workerNice); err != nil {
				return fmt.Errorf("lower priority of thread %d: %w", tid, err)
			}
			changed = true
		}
		if !changed {
			return nil
		}
	}
	return fmt.Errorf("lower priority: threads kept appearing")
}

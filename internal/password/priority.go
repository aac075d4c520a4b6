package password

import "runtime"

// lowestNice is the weakest nice value: under contention such a thread gets
// about 1.5 % of a core against one thread of nice 0, and loses the core to
// it on every wake-up, yet never starves outright (SCHED_IDLE could, and a
// starved thread would also hold up the Go runtime's stop-the-world phases).
const lowestNice = 19

// runLowPriority runs f on an OS thread of its own whose scheduling priority
// is lowered first (where the system allows it), and waits for it.
//
// A thread's priority can be lowered by anyone but raised again only with
// privileges, so the thread is not returned to the Go runtime afterwards: the
// goroutine exits still locked to it, which ends the thread. Creating one
// costs tens of microseconds, next to a hash's tens of milliseconds. A panic
// in f is raised again in the caller's goroutine, where the server's
// recovery can answer 500 for it instead of the process dying.
func runLowPriority(f func()) {
	var panicked any
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() { panicked = recover() }()
		runtime.LockOSThread()
		lowerThreadPriority()
		f()
	}()
	<-done
	if panicked != nil {
		panic(panicked)
	}
}

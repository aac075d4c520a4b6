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
// costs tens of microseconds, next to a hash's tens of milliseconds.
func runLowPriority(f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread()
		lowerThreadPriority()
		f()
	}()
	<-done
}

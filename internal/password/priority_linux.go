package password

import "golang.org/x/sys/unix"

// lowerThreadPriority gives the calling OS thread the lowest nice value.
func lowerThreadPriority() {
	// On Linux, PRIO_PROCESS with a thread id sets that thread alone.
	_ = unix.Setpriority(unix.PRIO_PROCESS, unix.Gettid(), lowestNice)
}

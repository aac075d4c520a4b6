package password

import (
	"os/signal"
	"syscall"
)

const workerSupported = true

// workerSysProcAttr kills the worker if the server dies without closing its
// input (SIGKILL, a crash), so that no orphan goes on hashing.
func workerSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// workerSetup prepares the worker process before it reads a request. The
// worker stops when the server closes its input, after answering what it was
// given. Ctrl-C in a terminal and a service manager's SIGTERM reach the whole
// process group, but the server may still need hashes while it drains, so the
// worker ignores them.
//
// It keeps the server's CPU priority. At nice 19 a login flood slowed other
// requests no less (flood me p99 3.2–4.6 ms at nice 19, 3.4–3.9 ms at nice
// 0), while a saturated server then starved its logins: with the mixed load on
// PostgreSQL, 10 % of logins waited 21 s and the other requests' rate fell
// from about 1,900 to 360–440 a second (docs/PERFORMANCE.md).
func workerSetup() error {
	signal.Ignore(syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	return nil
}

//go:build !linux

package password

import (
	"errors"
	"syscall"
)

// Hash worker processes rely on Linux: per-thread priorities and a signal to
// the child when its parent dies. Elsewhere the server hashes in process.
const workerSupported = false

func workerSysProcAttr() *syscall.SysProcAttr { return nil }

func workerSetup() error { return errors.New("hash worker processes need Linux") }

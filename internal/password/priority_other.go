//go:build !linux

package password

// lowerThreadPriority does nothing where thread priorities are not supported.
func lowerThreadPriority() {}

//go:build race

package httpapi_test

// raceEnabled: the race detector slows memory-heavy code (the password hash)
// far more than the rest, so timing comparisons mean nothing under it.
const raceEnabled = true

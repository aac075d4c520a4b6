//go:build race

package password

// raceEnabled: the race detector keeps shadow memory for what the hash
// touches, so a worker's memory and page faults mean nothing under it.
const raceEnabled = true

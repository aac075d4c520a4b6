package password

import (
	"testing"

	"golang.org/x/sys/unix"
)

// threadNice returns the nice value of the calling OS thread.
func threadNice(t *testing.T) int {
	t.Helper()
	a, err := unix.SchedGetAttr(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return int(a.Nice)
}

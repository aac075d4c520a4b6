package password

import "golang.org/x/sys/unix"

// threadNice returns the nice value of the calling OS thread.
func threadNice() (int, error) {
	a, err := unix.SchedGetAttr(0, 0)
	if err != nil {
		return 0, err
	}
	return int(a.Nice), nil
}

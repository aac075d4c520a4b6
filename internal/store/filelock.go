package store

import (
	"context"
	"fmt"
	"os"
	"time"
)

// lockFile waits until it holds an exclusive lock on the file at path,
// creating it if needed, or ctx ends. The returned func releases the lock.
//
// It serializes migrations of one SQLite database across processes. SQLite
// locks one transaction at a time, but a goose run is several (create the
// version table, list versions, one per migration), so two processes could
// otherwise both apply the same version. Unlike a lock row, a file lock is
// released by the kernel if its process dies. The file stays after unlock:
// removing it would let a waiter lock an unlinked file while a newcomer locks
// a new one.
func lockFile(ctx context.Context, path string) (unlock func() error, err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	for {
		ok, err := tryLockFile(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if ok {
			return f.Close, nil
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

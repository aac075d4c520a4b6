package store

import (
	"context"
	"os"
	"time"
)

// SQLite's write-ahead log grows with every commit until a writer starts it
// over, which it does only when a checkpoint has copied the whole log into
// the database and no reader is using the log at that moment; and SQLite never
// makes the file smaller. The autocheckpoint (every 1000 pages) is not enough
// under load: readers that overlap without a gap can hold the log forever
// (checkpoint starvation, in SQLite's documentation). The other way the log
// grew here, writes that skipped the autocheckpoint, is fixed in scanWrite.
//
// So a SQLite store checks the log's size every walCheckEvery and, past
// walLimit, runs a TRUNCATE checkpoint on the writer connection: it copies
// what is left of the log into the database, waits (through the busy
// handler, at most DefaultQueryTimeout) for readers still using the log,
// which take microseconds here, and truncates the file. Writes queue behind
// it meanwhile, as behind any write; new reads go to the database file.
const (
	walLimit      = 16 << 20
	walCheckEvery = time.Second
)

// walKeeper stops the size checks of one store: closing stop ends them, and
// done is closed once they have ended.
type walKeeper struct {
	stop, done chan struct{}
}

// keepWALSmall starts checking the -wal file of db every interval against
// limit; db.Close stops it.
func (db *DB) keepWALSmall(limit int64, every time.Duration) {
	k := &walKeeper{stop: make(chan struct{}), done: make(chan struct{})}
	db.wal = k
	go func() {
		defer close(k.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-k.stop:
				return
			case <-t.C:
			}
			if db.walSize() > limit {
				db.checkpointWAL()
			}
		}
	}()
}

// walSize is the size of the -wal file in bytes, 0 when there is none.
func (db *DB) walSize() int64 {
	fi, err := os.Stat(db.sqlitePath + "-wal")
	if err != nil {
		return 0 // truncated away or not yet created
	}
	return fi.Size()
}

// checkpointWAL copies the log into the database and truncates it, within
// DefaultQueryTimeout (not db.timeout, which SetQueryTimeout may set after
// this goroutine started, and which may be none). A failure (a reader of
// another process held on past the busy timeout) is left for the next check.
func (db *DB) checkpointWAL() {
	ctx, cancel := context.WithTimeout(context.Background(), DefaultQueryTimeout)
	defer cancel()
	_, _ = db.w.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
}

// stopWAL stops the checks and waits for one in progress.
func (k *walKeeper) stopWAL() {
	if k == nil {
		return
	}
	close(k.stop)
	<-k.done
}

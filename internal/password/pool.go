package password

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// ErrBusy is returned when the pool's wait queue is full: the caller should
// answer at once (503 with Retry-After) rather than pile up more work.
var ErrBusy = errors.New("password hashing is at capacity")

// Pool runs a Hasher's work for its callers, at most a bounded number of
// hashes at once, with a bounded wait queue. A hash costs tens of
// milliseconds of CPU and ~19 MiB of memory: unbounded, a flood of logins
// would take every core and starve the requests that need no hash (me,
// refresh). Bounded, the flood waits its turn or is refused, and everything
// else keeps its latency.
//
// The Hasher decides where a hash runs: in a Worker's process (authapi
// serve's default on Linux), or on the caller's goroutine.
// Either way the caller holds its slot until the hash is done. In process,
// what keeps other requests fast during a login flood is this bound and the
// Go P per hash that authapi serve then adds to GOMAXPROCS, so that hashes
// never hold every P. (Lowering the priority of the calling thread does not
// work in process: x/crypto/argon2 computes on goroutines it starts itself,
// on ordinary threads; see docs/PERFORMANCE.md.)
type Pool struct {
	h     *Hasher
	slots chan struct{} // one token per running hash
	admit chan struct{} // one token per hash running, waiting or reserved

	reserved    atomic.Int64 // places taken by Reserve whose hash has not asked for a slot yet
	waiting     atomic.Int64
	rejected    atomic.Uint64
	waitNanos   atomic.Int64
	done        atomic.Uint64
	unavailable atomic.Uint64
}

// NewPool returns a Pool running at most workers hashes at once, with at most
// queue more waiting. workers < 1 means 1; queue < 0 means 0.
func NewPool(h *Hasher, workers, queue int) *Pool {
	workers = max(workers, 1)
	queue = max(queue, 0)
	return &Pool{h: h, slots: make(chan struct{}, workers), admit: make(chan struct{}, workers+queue)}
}

// PoolStats is a snapshot of a Pool, for metrics.
type PoolStats struct {
	Workers, Capacity int           // limits: running, running + waiting + reserved
	Running, Waiting  int           // now
	Reserved          int           // now: places taken ahead of a hash not yet asked for (a login reading)
	Done, Rejected    uint64        // since start
	Unavailable       uint64        // since start: failed with ErrUnavailable
	WorkerRestarts    uint64        // since start: hash worker processes started after the first
	TotalWait         time.Duration // summed over Done
}

// Stats returns the pool's current state.
func (p *Pool) Stats() PoolStats {
	w := int(p.waiting.Load())
	return PoolStats{
		Workers: cap(p.slots), Capacity: cap(p.admit),
		Running: len(p.slots), Waiting: w, Reserved: int(p.reserved.Load()),
		Done: p.done.Load(), Rejected: p.rejected.Load(), Unavailable: p.unavailable.Load(),
		WorkerRestarts: p.h.workerRestarts(),
		TotalWait:      time.Duration(p.waitNanos.Load()),
	}
}

// Reservation is a place in a Pool taken ahead of the one hash it is for, so
// that work done before that hash (a login's reads) is not wasted on a
// request the pool then refuses: a flood the pool turns away costs no more
// than the refusal. The hash gives the place back when it is done, and
// Release gives it back unused; a Reservation is for one goroutine.
type Reservation struct {
	p       *Pool
	held    bool // the place is taken
	pending bool // and its hash has not asked for a slot yet
}

// Reserve takes a place in the pool, or returns ErrBusy at once when the
// running hashes and the queue fill it.
func (p *Pool) Reserve() (*Reservation, error) {
	select {
	case p.admit <- struct{}{}:
		p.reserved.Add(1)
		return &Reservation{p: p, held: true, pending: true}, nil
	default:
		p.rejected.Add(1)
		return nil, ErrBusy
	}
}

// Release gives the place back if no hash has; calling it again, or after
// the hash, does nothing. Defer it right after Reserve.
func (r *Reservation) Release() {
	r.start()
	if r.held {
		r.held = false
		<-r.p.admit
	}
}

// start ends the reservation's pending state, once.
func (r *Reservation) start() {
	if r.pending {
		r.pending = false
		r.p.reserved.Add(-1)
	}
}

// run does f on a worker slot, waiting in the queue until one is free or
// the context ends (its error then), and gives the place back after. f
// returns its own error, counted when it is ErrUnavailable. A reservation
// already used or released has no place to run on.
func (r *Reservation) run(ctx context.Context, f func() error) error {
	if !r.held {
		return errors.New("password: hash on a reservation already used")
	}
	defer r.Release()
	r.start()
	p := r.p
	start := time.Now()
	p.waiting.Add(1)
	select {
	case p.slots <- struct{}{}:
		p.waiting.Add(-1)
	case <-ctx.Done():
		p.waiting.Add(-1)
		return ctx.Err()
	}
	defer func() { <-p.slots }()
	p.waitNanos.Add(int64(time.Since(start)))
	p.done.Add(1)
	err := f()
	if errors.Is(err, ErrUnavailable) {
		p.unavailable.Add(1)
	}
	return err
}

// Hash is Hasher.Hash on the pool.
func (p *Pool) Hash(ctx context.Context, password string) (encoded string, err error) {
	r, err := p.Reserve()
	if err != nil {
		return "", err
	}
	return r.Hash(ctx, password)
}

// Verify is Hasher.Verify on the pool.
func (p *Pool) Verify(ctx context.Context, encoded, password string) (ok, rehash bool, err error) {
	r, err := p.Reserve()
	if err != nil {
		return false, false, err
	}
	return r.Verify(ctx, encoded, password)
}

// Hash is Hasher.Hash on the reserved place.
func (r *Reservation) Hash(ctx context.Context, password string) (encoded string, err error) {
	err = r.run(ctx, func() (e error) { encoded, e = r.p.h.Hash(password); return e })
	return encoded, err
}

// Verify is Hasher.Verify on the reserved place.
func (r *Reservation) Verify(ctx context.Context, encoded, password string) (ok, rehash bool, err error) {
	err = r.run(ctx, func() (e error) { ok, rehash, e = r.p.h.Verify(encoded, password); return e })
	return ok, rehash, err
}

// VerifyDummy is Hasher.VerifyDummy on the reserved place.
func (r *Reservation) VerifyDummy(ctx context.Context, password string) error {
	return r.run(ctx, func() error { return r.p.h.VerifyDummy(password) })
}

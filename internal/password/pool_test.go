package password

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func cheapHasher(t *testing.T) *Hasher {
	t.Helper()
	h, err := NewHasher(Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// run does f on a worker slot as the pool's hashes run: ErrBusy at once when
// the pool is full, otherwise as Reservation.run.
func (p *Pool) run(ctx context.Context, f func() error) error {
	r, err := p.Reserve()
	if err != nil {
		return err
	}
	return r.run(ctx, f)
}

func TestPoolRoundTrip(t *testing.T) {
	p := NewPool(cheapHasher(t), 2, 4)
	enc, err := p.Hash(t.Context(), "password123")
	if err != nil {
		t.Fatal(err)
	}
	if ok, _, err := p.Verify(t.Context(), enc, "password123"); !ok || err != nil {
		t.Fatalf("Verify = %v, %v; want true", ok, err)
	}
	r, err := p.Reserve()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.VerifyDummy(t.Context(), "x"); err != nil {
		t.Fatal(err)
	}
	if s := p.Stats(); s.Done != 3 || s.Running != 0 || s.Waiting != 0 || s.Workers != 2 || s.Capacity != 6 {
		t.Errorf("stats = %+v", s)
	}
}

// With every slot and queue place taken, the next call is refused at once;
// it neither waits nor runs.
func TestPoolRefusesWhenFull(t *testing.T) {
	p := NewPool(cheapHasher(t), 1, 2)
	release := make(chan struct{})
	var started, wg sync.WaitGroup
	started.Add(1)
	wg.Go(func() {
		_ = p.run(t.Context(), func() error { started.Done(); <-release; return nil })
	})
	started.Wait()
	for range 2 { // fill the queue
		wg.Go(func() { _ = p.run(t.Context(), func() error { return nil }) })
	}
	deadline := time.Now().Add(5 * time.Second)
	for p.Stats().Waiting != 2 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	start := time.Now()
	_, err := p.Hash(t.Context(), "password123")
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("Hash on a full pool = %v, want ErrBusy", err)
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("refusal took %v, want immediate", d)
	}
	if s := p.Stats(); s.Rejected != 1 || s.Running != 1 || s.Waiting != 2 {
		t.Errorf("stats = %+v", s)
	}
	close(release)
	wg.Wait()
	if s := p.Stats(); s.Done != 3 || s.Running != 0 || s.Waiting != 0 {
		t.Errorf("stats after drain = %+v", s)
	}
}

// A caller that gives up while queued leaves the queue.
func TestPoolWaitHonoursContext(t *testing.T) {
	p := NewPool(cheapHasher(t), 1, 1)
	release := make(chan struct{})
	var started sync.WaitGroup
	started.Add(1)
	go func() { _ = p.run(context.Background(), func() error { started.Done(); <-release; return nil }) }()
	started.Wait()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if _, _, err := p.Verify(ctx, "", "x"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Verify = %v, want DeadlineExceeded", err)
	}
	if s := p.Stats(); s.Waiting != 0 {
		t.Errorf("waiting = %d after the caller gave up", s.Waiting)
	}
	close(release)
}

// A panic in the work reaches the caller, where the server's recovery
// handles it, instead of ending the process on the hashing goroutine.
func TestPoolPanicReachesCaller(t *testing.T) {
	p := NewPool(cheapHasher(t), 1, 0)
	defer func() {
		if r := recover(); r != "boom" {
			t.Fatalf("recovered %v, want the work's panic", r)
		}
		if s := p.Stats(); s.Running != 0 {
			t.Errorf("after the panic %d hashes still hold a slot", s.Running)
		}
		if r, err := p.Reserve(); err != nil {
			t.Errorf("after the panic the pool's only place is still taken: %v", err)
		} else {
			r.Release()
		}
	}()
	_ = p.run(t.Context(), func() error { panic("boom") })
	t.Fatal("run returned after its work panicked")
}

// A reservation holds a place from Reserve until its hash is done or it is
// released, and the pool refuses others meanwhile, as when hashes fill it.
func TestPoolReservation(t *testing.T) {
	p := NewPool(cheapHasher(t), 1, 1) // two places
	r1, err := p.Reserve()
	if err != nil {
		t.Fatal(err)
	}
	r2, err := p.Reserve()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Reserve(); !errors.Is(err, ErrBusy) {
		t.Fatalf("Reserve with both places reserved = %v, want ErrBusy", err)
	}
	if _, err := p.Hash(t.Context(), "password123"); !errors.Is(err, ErrBusy) {
		t.Fatalf("Hash with both places reserved = %v, want ErrBusy", err)
	}
	if s := p.Stats(); s.Rejected != 2 || s.Reserved != 2 || s.Running != 0 || s.Done != 0 {
		t.Errorf("stats = %+v, want 2 refused, 2 reserved and nothing run", s)
	}

	r1.Release()
	r1.Release() // gives back nothing the second time
	if s := p.Stats(); s.Reserved != 1 {
		t.Errorf("reserved = %d after one release, want 1", s.Reserved)
	}
	r3, err := p.Reserve()
	if err != nil {
		t.Fatalf("Reserve after the release: %v", err)
	}
	if _, err := p.Reserve(); !errors.Is(err, ErrBusy) {
		t.Fatalf("the second release freed another place: Reserve = %v", err)
	}

	enc, err := r2.Hash(t.Context(), "password123")
	if err != nil {
		t.Fatal(err)
	}
	r2.Release() // after the hash: nothing to give back
	if _, err := r2.Hash(t.Context(), "password123"); err == nil {
		t.Error("a second hash on a used reservation ran")
	}
	// The hash gave its place back, once: one place is free, r3 holds the other.
	r4, err := p.Reserve()
	if err != nil {
		t.Fatalf("Reserve after the reserved hash: %v", err)
	}
	if _, err := p.Reserve(); !errors.Is(err, ErrBusy) {
		t.Fatalf("the hash and its release gave back two places: Reserve = %v", err)
	}
	if ok, _, err := r4.Verify(t.Context(), enc, "password123"); !ok || err != nil {
		t.Fatalf("Verify on a reservation = %v, %v; want true", ok, err)
	}
	r3.Release()
	if s := p.Stats(); s.Done != 2 || s.Running != 0 || s.Waiting != 0 || s.Reserved != 0 {
		t.Errorf("stats = %+v, want 2 done and nothing held", s)
	}
	for range 2 { // both places free again
		r, err := p.Reserve()
		if err != nil {
			t.Fatalf("a place was not given back: %v", err)
		}
		defer r.Release()
	}
}

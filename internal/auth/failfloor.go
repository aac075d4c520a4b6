package auth

import (
	"context"
	"sync"
	"time"

	"github.com/authapi/authapi/internal/password"
)

// failFloorPeriod is how often the floor is measured again: it follows the
// imported hashes as their users log in and move to argon2id.
const failFloorPeriod = 10 * time.Minute

// failFloor is the time every failed login takes at least. A login checks
// the password against the stored hash, and a hash imported from the
// reference server is bcrypt at its own cost (passlib's 12 takes about ten
// times an argon2id check), while an unknown email or an argon2id account
// costs one argon2id. Without a floor, a wrong password on an imported
// account answered ten times slower than on an unknown email, and every
// imported account could be listed by timing alone. While bcrypt hashes are
// stored, the floor is a bit more than one bcrypt at their highest cost, and
// rises to 1.1 × any bcrypt check a login sees take longer (a loaded
// machine); with none left it is 0. The wait is a sleep: no hash slot, no CPU.
type failFloor struct {
	mu       sync.Mutex
	d        time.Duration
	next     time.Time // when to measure again; zero: never measured
	updating bool      // a measurement runs in the background
}

// get returns the floor. The first call measures it (callers wait for it);
// later ones measure it again in the background when it is due.
func (f *failFloor) get(ctx context.Context, measure func(context.Context) (time.Duration, error)) time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := time.Now()
	switch {
	case now.Before(f.next) || f.updating:
	case f.next.IsZero():
		f.set(measure(ctx))
	default:
		f.updating = true
		go func() {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
			defer cancel()
			d, err := measure(ctx)
			f.mu.Lock()
			defer f.mu.Unlock()
			f.updating = false
			f.set(d, err)
		}()
	}
	return f.d
}

// set keeps a measurement; a failed one keeps the old floor and is tried
// again soon. Called with f.mu held.
func (f *failFloor) set(d time.Duration, err error) {
	if err != nil {
		f.next = time.Now().Add(10 * time.Second)
		return
	}
	f.d, f.next = d, time.Now().Add(failFloorPeriod)
}

// observe raises the floor to 1.1 × took, the time a login's check of a
// bcrypt hash took, until the next measurement.
func (f *failFloor) observe(took time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.d = max(f.d, took*11/10)
}

// measureFailFloor is 1.25 × one bcrypt at the highest cost stored, 0 when no
// bcrypt hash is left.
func (s *Service) measureFailFloor(ctx context.Context) (time.Duration, error) {
	cost, err := s.store.MaxBcryptCost(ctx)
	if err != nil || cost == 0 {
		return 0, err
	}
	took, err := password.TimeBcrypt(cost)
	return took * 5 / 4, err
}

// waitOut sleeps until floor has passed since began, or ctx ends.
func waitOut(ctx context.Context, began time.Time, floor time.Duration) {
	wait := floor - time.Since(began)
	if wait <= 0 {
		return
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

package auth

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// The first get measures and waits for it; later ones reuse the value until
// it is due; a failed measurement keeps the old floor; observe only raises.
func TestFailFloor(t *testing.T) {
	var f failFloor
	var calls atomic.Int32
	measure := func(context.Context) (time.Duration, error) {
		calls.Add(1)
		return 100 * time.Millisecond, nil
	}
	if d := f.get(t.Context(), measure); d != 100*time.Millisecond || calls.Load() != 1 {
		t.Fatalf("first get = %s after %d measurements, want 100ms after 1", d, calls.Load())
	}
	f.get(t.Context(), measure)
	if calls.Load() != 1 {
		t.Errorf("measured again before it was due (%d)", calls.Load())
	}
	f.observe(50 * time.Millisecond)
	if d := f.get(t.Context(), measure); d != 100*time.Millisecond {
		t.Errorf("a shorter bcrypt check lowered the floor to %s", d)
	}
	f.observe(200 * time.Millisecond)
	if d := f.get(t.Context(), measure); d != 220*time.Millisecond {
		t.Errorf("after a 200ms bcrypt check the floor is %s, want 220ms", d)
	}

	var g failFloor
	broken := func(context.Context) (time.Duration, error) { return 0, errors.New("database down") }
	if d := g.get(t.Context(), broken); d != 0 {
		t.Errorf("floor after a failed first measurement = %s, want 0", d)
	}
	if g.next.IsZero() || time.Until(g.next) > 11*time.Second {
		t.Errorf("a failed measurement is retried at %v, want within 10 s", g.next)
	}
}

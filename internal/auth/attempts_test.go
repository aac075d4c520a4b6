package auth

import (
	"context"
	"errors"
	"testing"
	"time"
)

// One turn per account at a time; other accounts do not wait; a waiter whose
// context ends gives up; and no entry outlives its last user.
func TestAttemptsTurns(t *testing.T) {
	var a attempts
	done, err := a.take(t.Context(), "alice@example.com")
	if err != nil {
		t.Fatal(err)
	}
	other, err := a.take(t.Context(), "bob@example.com")
	if err != nil {
		t.Fatalf("another account waited: %v", err)
	}
	other()

	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if _, err := a.take(ctx, "alice@example.com"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second take of a held turn = %v, want the context's end", err)
	}

	got := make(chan struct{})
	go func() {
		next, err := a.take(t.Context(), "alice@example.com")
		if err == nil {
			next()
		}
		close(got)
	}()
	select {
	case <-got:
		t.Fatal("the turn was taken twice")
	case <-time.After(20 * time.Millisecond):
	}
	done()
	<-got
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.turns) != 0 {
		t.Errorf("%d entries left after every turn ended", len(a.turns))
	}
}

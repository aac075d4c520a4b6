package auth

import (
	"context"
	"sync"
)

// attempts lets one password check run at a time per account in this
// process. A login reads the account's failure count, hashes, and only then
// records a failure; without it, as many guesses as the hash pool holds
// (HASH_CONCURRENCY + HASH_QUEUE, 33 on 2 cores) could all read the count
// before any of them was recorded, and all be checked, whatever the lockout
// threshold. With it, each check sees the failures of the ones before it.
// Several instances on one database still check one guess each at a time.
//
// The zero value is ready to use.
type attempts struct {
	mu    sync.Mutex
	turns map[string]*turn
}

// turn is one account's lock: a token in ch is the right to check, and
// waiting counts the holder and the waiters, so the entry goes when the last
// of them is done.
type turn struct {
	ch      chan struct{}
	waiting int
}

// take waits, until ctx ends, for account's turn; done gives it back.
func (a *attempts) take(ctx context.Context, account string) (done func(), err error) {
	a.mu.Lock()
	if a.turns == nil {
		a.turns = map[string]*turn{}
	}
	t := a.turns[account]
	if t == nil {
		t = &turn{ch: make(chan struct{}, 1)}
		a.turns[account] = t
	}
	t.waiting++
	a.mu.Unlock()
	select {
	case t.ch <- struct{}{}:
		return func() {
			<-t.ch
			a.leave(account, t)
		}, nil
	case <-ctx.Done():
		a.leave(account, t)
		return nil, ctx.Err()
	}
}

func (a *attempts) leave(account string, t *turn) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if t.waiting--; t.waiting == 0 {
		delete(a.turns, account)
	}
}

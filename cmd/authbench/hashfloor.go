package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/authapi/authapi/internal/password"
)

// The floors of login, registration and the login flood are a password hash,
// and on this kind of machine a hash's time drifts by half within an hour. So
// authbench computes hashes itself, with the server's own parameters and code,
// in the same minute as the attack it judges.

// hashFloorRounds is how many hashes are timed before and again just after a
// login or register-1 attack.
const hashFloorRounds = 10

// hashOp is one password computation: a login's verify or a registration's hash.
type hashOp func(h *password.Hasher, encoded string)

func hashVerify(h *password.Hasher, encoded string) { _, _, _ = h.Verify(encoded, benchPassword) }
func hashNew(h *password.Hasher, _ string)          { _, _ = h.Hash(benchPassword) }

// withHashFloor runs the one-at-a-time scenario name and records in it the
// median time of op computed by authbench before it (and its warm-up) and
// just after it.
func (b *bench) withHashFloor(ctx context.Context, name string, tr vegeta.Targeter, op hashOp) (Scenario, error) {
	h, err := password.NewHasher(password.DefaultParams)
	if err != nil {
		return Scenario{}, err
	}
	encoded, err := h.Hash(benchPassword)
	if err != nil {
		return Scenario{}, err
	}
	var times []time.Duration
	timeHashes := func() {
		for range hashFloorRounds {
			began := time.Now()
			op(h, encoded)
			times = append(times, time.Since(began))
		}
	}
	timeHashes()
	s, err := b.simple(ctx, name, tr, 1)
	if err != nil {
		return s, err
	}
	timeHashes()
	slices.Sort(times)
	mid := len(times) / 2 // times has an even length
	s.HashP50MS = ms((times[mid-1] + times[mid]) / 2)
	return s, nil
}

// besideHashes runs attack while authbench keeps workers argon2id hashes
// going through a password.Pool as authapi runs them (with one more Go P per
// hash unless GOMAXPROCS is set, as authapi serve does). What the attack
// measures is the latency a server would have if its own hashes cost it
// nothing beyond taking a core and memory bandwidth.
func besideHashes(ctx context.Context, workers int, attack func() map[string]*vegeta.Metrics) (map[string]*vegeta.Metrics, error) {
	h, err := password.NewHasher(password.DefaultParams)
	if err != nil {
		return nil, fmt.Errorf("hasher: %w", err)
	}
	pool := password.NewPool(h, workers, 0)
	if _, set := os.LookupEnv("GOMAXPROCS"); !set {
		runtime.GOMAXPROCS(runtime.GOMAXPROCS(0) + workers)
		defer runtime.SetDefaultGOMAXPROCS()
	}

	hctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for hctx.Err() == nil {
				_, _ = pool.Hash(hctx, benchPassword)
			}
		})
	}
	// Let the hashes start before me is measured beside them.
	time.Sleep(100 * time.Millisecond)
	ops := attack()
	stop()
	wg.Wait()
	return ops, nil
}

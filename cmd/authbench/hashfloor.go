package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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
type hashOp func(h *password.Hasher, encoded string) error

func hashVerify(h *password.Hasher, encoded string) error {
	ok, _, err := h.Verify(encoded, benchPassword)
	if err == nil && !ok {
		err = errors.New("the benchmark password did not verify")
	}
	return err
}

func hashNew(h *password.Hasher, _ string) error {
	_, err := h.Hash(benchPassword)
	return err
}

// floorHasher returns a Hasher computing with workers hashes at once as authapi
// serve does by default on this system: in a hash worker process of
// authbench's own on Linux, in process elsewhere (with one more Go P per hash
// unless GOMAXPROCS is set, as serve adds). Beside hashing the way serve does,
// a worker keeps the hashes' memory and collections out of the process that
// sends the load and times it. stop ends the worker or restores GOMAXPROCS.
func floorHasher(workers int) (h *password.Hasher, stop func(), err error) {
	h, err = password.NewHasher(password.DefaultParams)
	if err != nil {
		return nil, nil, fmt.Errorf("hasher: %w", err)
	}
	if w, err := password.StartWorker(workers, slog.New(slog.DiscardHandler)); err == nil {
		return h.OnWorker(w), func() { _ = w.Close() }, nil
	} else if runtime.GOOS == "linux" {
		return nil, nil, err
	}
	if _, set := os.LookupEnv("GOMAXPROCS"); set {
		return h, func() {}, nil
	}
	runtime.GOMAXPROCS(runtime.GOMAXPROCS(0) + workers)
	return h, func() { runtime.SetDefaultGOMAXPROCS() }, nil
}

// withHashFloor runs the one-at-a-time scenario name and records in it the
// median time of op computed by authbench (see floorHasher) before it (and
// its warm-up) and just after it.
func (b *bench) withHashFloor(ctx context.Context, name string, tr vegeta.Targeter, op hashOp) (Scenario, error) {
	h, stop, err := floorHasher(1)
	if err != nil {
		return Scenario{}, err
	}
	defer stop()
	encoded, err := h.Hash(benchPassword)
	if err != nil {
		return Scenario{}, err
	}
	hash := func() (time.Duration, error) {
		began := time.Now()
		if err := op(h, encoded); err != nil {
			return 0, fmt.Errorf("%s: the hash authbench times: %w", name, err)
		}
		return time.Since(began), nil
	}
	var times []time.Duration
	timeHashes := func() error {
		for range hashFloorRounds {
			d, err := hash()
			if err != nil {
				return err
			}
			times = append(times, d)
		}
		return nil
	}
	if err := timeHashes(); err != nil {
		return Scenario{}, err
	}
	s, err := b.simple(ctx, name, tr, 1)
	if err != nil {
		return s, err
	}
	// One hash untimed: after a long attack the idle worker has handed its
	// block back to the system, and the first hash faults it in again.
	if _, err := hash(); err != nil {
		return s, err
	}
	if err := timeHashes(); err != nil {
		return s, err
	}
	slices.Sort(times)
	mid := len(times) / 2 // times has an even length
	s.HashP50MS = ms((times[mid-1] + times[mid]) / 2)
	return s, nil
}

// besideHashes runs attack while authbench keeps workers argon2id hashes
// going through a password.Pool, computed as authapi serve computes them
// (floorHasher). What the attack measures is the latency a server would have
// if its own hashes cost it nothing beyond taking a core and memory
// bandwidth.
func besideHashes(ctx context.Context, workers int, attack func() map[string]*vegeta.Metrics) (map[string]*vegeta.Metrics, error) {
	h, stopHasher, err := floorHasher(workers)
	if err != nil {
		return nil, err
	}
	defer stopHasher()
	pool := password.NewPool(h, workers, 0)

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

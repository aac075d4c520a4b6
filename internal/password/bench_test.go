package password

import (
	"log/slog"
	"runtime"
	"slices"
	"testing"
	"time"
)

// passlib12 is a cost-12 bcrypt hash of "correct horse battery staple" in the
// $2b$ form passlib (the reference server) stores.
const passlib12 = "$2b$12$ql8xtPbN207ouv0QuqXOgefQ5Ehhh7wd0uUlzCcW22IZz02FnYswe"

func BenchmarkHash(b *testing.B) {
	h := newHasher(b, DefaultParams)
	for b.Loop() {
		if _, err := h.Hash("correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHashParallel is BenchmarkHash with GOMAXPROCS hashes at once
// (b.RunParallel), so its ns/op is the time per hash of a machine busy with
// nothing else: BenchmarkHash ÷ BenchmarkHashParallel is how far argon2id
// itself scales on this machine, the ceiling for registrations with
// HASH_CONCURRENCY as large as the core count.
func BenchmarkHashParallel(b *testing.B) {
	h := newHasher(b, DefaultParams)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := h.Hash("correct horse battery staple"); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	h := newHasher(b, DefaultParams)
	tests := []struct{ name, encoded string }{
		{"argon2id-default", mustHash(b, h, "correct horse battery staple")},
		{"bcrypt-12", passlib12},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			for b.Loop() {
				ok, _, err := h.Verify(tt.encoded, "correct horse battery staple")
				if !ok || err != nil {
					b.Fatalf("Verify = %v, %v; want true, nil", ok, err)
				}
			}
		})
	}
}

func BenchmarkVerifyDummy(b *testing.B) {
	h := newHasher(b, DefaultParams)
	for b.Loop() {
		h.VerifyDummy("correct horse battery staple")
	}
}

// BenchmarkPoolVerify is BenchmarkVerify/argon2id-default through a Pool of
// one worker, as a login runs it: its difference from BenchmarkVerify is the
// price of the bound (two channel operations and a clock read).
func BenchmarkPoolVerify(b *testing.B) {
	h := newHasher(b, DefaultParams)
	encoded := mustHash(b, h, "correct horse battery staple")
	p := NewPool(h, 1, 0)
	for b.Loop() {
		ok, _, err := p.Verify(b.Context(), encoded, "correct horse battery staple")
		if !ok || err != nil {
			b.Fatalf("Verify = %v, %v; want true, nil", ok, err)
		}
	}
}

// BenchmarkStopTheWorld times a stop of the world (runtime.ReadMemStats),
// which every garbage collection makes twice, with and without an argon2id
// hash running in the same process, and reports its p99. The hash's inner
// loop is assembly the runtime cannot stop: it waits until a preemption
// signal happens to land in the Go code between blocks, and every goroutine
// waits with it. This is what a login flood does to the other requests of
// the process (docs/PERFORMANCE.md).
func BenchmarkStopTheWorld(b *testing.B) {
	h := newHasher(b, DefaultParams)
	for _, beside := range []bool{false, true} {
		name := "alone"
		if beside {
			name = "beside-argon2id"
		}
		b.Run(name, func(b *testing.B) {
			stop := make(chan struct{})
			done := make(chan struct{})
			go func() {
				defer close(done)
				for beside {
					select {
					case <-stop:
						return
					default:
						h.VerifyDummy("correct horse battery staple")
					}
				}
			}()
			var ms runtime.MemStats
			var times []time.Duration
			for b.Loop() {
				start := time.Now()
				runtime.ReadMemStats(&ms)
				times = append(times, time.Since(start))
				time.Sleep(time.Millisecond) // let the world run between stops
			}
			close(stop)
			<-done
			slices.Sort(times)
			us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
			b.ReportMetric(us(times[len(times)*99/100]), "p99-µs")
			b.ReportMetric(us(times[len(times)/2]), "p50-µs")
		})
	}
}

// BenchmarkWorkerVerify is BenchmarkPoolVerify with the hash computed in a
// hash worker process, as serve does by default on Linux: its difference from
// BenchmarkPoolVerify is the price of the process (a round trip over pipes,
// and the worker's own collection after each hash).
func BenchmarkWorkerVerify(b *testing.B) {
	if !workerSupported {
		b.Skip("hash workers need Linux")
	}
	w, err := StartWorker(1, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	h := newHasher(b, DefaultParams)
	encoded := mustHash(b, h, "correct horse battery staple")
	p := NewPool(h.OnWorker(w), 1, 0)
	for b.Loop() {
		ok, _, err := p.Verify(b.Context(), encoded, "correct horse battery staple")
		if !ok || err != nil {
			b.Fatalf("Verify = %v, %v; want true, nil", ok, err)
		}
	}
}

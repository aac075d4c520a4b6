package httpapi

import (
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"golang.org/x/time/rate"
)

// ipLimiter is a token bucket per client address: perMinute requests a
// minute, in bursts of up to the same number. IPv6 clients are grouped by
// /64, since one host usually owns a whole /64 and could rotate through it.
// It is per instance; the per-account lockout, which matters more, is shared
// through the database.
type ipLimiter struct {
	perMinute int
	now       func() time.Time
	max       int // buckets kept at most (maxBuckets)

	mu        sync.Mutex
	buckets   map[netip.Prefix]*bucket
	lastSweep time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// maxBuckets bounds the limiter's memory under a flood of distinct addresses.
const maxBuckets = 100_000

// newIPLimiter returns a limiter, or nil (no limit) when perMinute <= 0.
func newIPLimiter(perMinute int, now func() time.Time) *ipLimiter {
	if perMinute <= 0 {
		return nil
	}
	return &ipLimiter{perMinute: perMinute, now: now, max: maxBuckets, buckets: map[netip.Prefix]*bucket{}}
}

// allow takes a token for ip, or says how long until one is available.
func (l *ipLimiter) allow(ip netip.Addr) (bool, time.Duration) {
	key := netip.PrefixFrom(ip, ip.BitLen())
	if ip.Is6() {
		key = netip.PrefixFrom(ip, 64)
	}
	key = key.Masked()
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(rate.Limit(float64(l.perMinute)/60), l.perMinute)}
		l.buckets[key] = b
	}
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// sweep forgets buckets idle long enough to be full again, once a minute or
// when there are too many. When the recent ones alone are too many, it forgets
// those that could still send a request now, and keeps the ones being
// refused: a flood of new addresses must not reset the limit of the
// addresses it is holding back. Only when every bucket is refusing does it
// start over, to bound the memory.
func (l *ipLimiter) sweep(now time.Time) {
	if now.Sub(l.lastSweep) < time.Minute && len(l.buckets) < l.max {
		return
	}
	l.lastSweep = now
	for k, b := range l.buckets {
		if now.Sub(b.seen) > time.Minute {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) < l.max {
		return
	}
	for k, b := range l.buckets {
		if b.lim.TokensAt(now) >= 1 {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= l.max {
		clear(l.buckets)
	}
}

// rateLimited is the huma middleware that applies lim (nil: none) per client
// address; obs (nil: none) counts refusals under the limit's name.
func rateLimited(api huma.API, lim *ipLimiter, name string, obs Observer) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		if lim == nil {
			next(ctx)
			return
		}
		ip := clientIPFrom(ctx.Context())
		if ok, wait := lim.allow(ip); !ok {
			if obs != nil {
				obs.RateLimited(name)
			}
			ctx.SetHeader("Retry-After", retrySeconds(wait))
			_ = huma.WriteErr(api, ctx, http.StatusTooManyRequests, "Too many requests, try again later")
			return
		}
		next(ctx)
	}
}
